"""Development only: a demo editor and a demo publisher, documented in the README."""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from psm_site.permissions import EDITORS, PUBLISHERS

DEMO_PASSWORD = "demo-mutuals-2026"
DEMO_USERS = {"demo-editor": EDITORS, "demo-publisher": PUBLISHERS}


class Command(BaseCommand):
    help = "Create demo-editor and demo-publisher (password in README). Refuses unless DJANGO_DEBUG is on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for development only (DJANGO_DEBUG=on).")
        for username, group_name in DEMO_USERS.items():
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            if created:
                user.set_password(DEMO_PASSWORD)
            if not user.email:  # review emails go here (example.com never receives mail)
                user.email = f"{username}@example.com"
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
        self.stdout.write(f"Demo accounts ready: {', '.join(DEMO_USERS)} (password: {DEMO_PASSWORD}).")

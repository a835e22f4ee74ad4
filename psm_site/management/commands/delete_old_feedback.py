"""Delete feedback older than FEEDBACK_RETENTION_DAYS, the period the privacy notice states.

Run it daily (cron or the task worker). With the setting empty it deletes nothing: the privacy
notice then says the period is not yet set.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from psm_site.models import Feedback


class Command(BaseCommand):
    help = "Delete feedback older than FEEDBACK_RETENTION_DAYS."

    def handle(self, *args, **options):
        days = settings.FEEDBACK_RETENTION_DAYS
        if not days:
            self.stdout.write("FEEDBACK_RETENTION_DAYS is not set: nothing deleted.")
            return
        deleted, _ = Feedback.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
        self.stdout.write(f"Deleted {deleted} feedback answer(s) older than {days} days.")

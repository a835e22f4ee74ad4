from django.contrib.auth.management import create_permissions
from django.db import migrations

from psm_site.permissions import EDITORS, PUBLISHERS


def grant(apps, schema_editor):
    """Editors and Publishers see topics (with counts), alerts and emails; never addresses."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    views = Permission.objects.filter(
        content_type__app_label="alerts", codename__in=["view_topic", "view_alert", "view_email"]
    )
    for name in (EDITORS, PUBLISHERS):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*views)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial"), ("psm_site", "0003_page_and_feedback_rights")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

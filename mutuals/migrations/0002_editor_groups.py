from django.db import migrations

from psm_site.permissions import grant_content_permissions

CHILDREN = ["mutuals.guidesection", "mutuals.criterion", "mutuals.benefit", "mutuals.finding", "mutuals.attachment"]
PUBLISHABLE = ["mutuals.guide", "mutuals.publication"]


def forwards(apps, schema_editor):
    grant_content_permissions(
        apps,
        schema_editor,
        PUBLISHABLE + CHILDREN + ["psm_site.changenote"],
        publishable=PUBLISHABLE,
        editor_delete=CHILDREN,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mutuals", "0001_initial"),
        ("psm_site", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

from django.db import migrations

from psm_site.permissions import grant_content_permissions

PUBLISHABLE = ["support.programme", "support.fund", "support.fundround"]
CHILDREN = ["support.consortium", "support.consortiummember"]


def forwards(apps, schema_editor):
    # Only Publishers delete rounds, as deleting a published round takes it off the site.
    # Consortia and their members are lines on a programme's page: Editors may remove them.
    grant_content_permissions(
        apps,
        schema_editor,
        PUBLISHABLE + CHILDREN + ["psm_site.changenote"],
        publishable=PUBLISHABLE,
        editor_delete=CHILDREN,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_initial"),
        ("psm_site", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

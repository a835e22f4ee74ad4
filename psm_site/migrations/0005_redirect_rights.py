from django.db import migrations

from psm_site.permissions import create_all_permissions


def forwards(apps, schema_editor):
    """Publishers manage redirects; Editors can see them."""
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    mine = Permission.objects.filter(content_type__app_label="redirects", content_type__model="redirect")
    Group.objects.get(name="Editors").permissions.add(*mine.filter(codename="view_redirect"))
    Group.objects.get(name="Publishers").permissions.add(*mine)


class Migration(migrations.Migration):
    dependencies = [
        ("psm_site", "0004_schedule_and_review"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

from django.db import migrations

from psm_site.permissions import grant_content_permissions


def forwards(apps, schema_editor):
    grant_content_permissions(apps, schema_editor, ["psm_site.page"], publishable=["psm_site.page"])
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    feedback = Permission.objects.filter(content_type__app_label="psm_site", content_type__model="feedback")
    Group.objects.get(name="Editors").permissions.add(*feedback.filter(codename="view_feedback"))
    Group.objects.get(name="Publishers").permissions.add(*feedback.filter(codename__in=["view_feedback", "delete_feedback"]))


class Migration(migrations.Migration):
    dependencies = [
        ("psm_site", "0002_pages_and_feedback"),
        ("mutuals", "0002_editor_groups"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

import django.utils.timezone
from django.db import migrations, models


def first_version(apps, schema_editor):
    apps.get_model("psm_site", "ContentVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("psm_site", "0006_undated_notes_governments_page_facts")]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveBigIntegerField(default=1)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("next_boundary", models.DateTimeField(blank=True, null=True)),
                ("boundary_known", models.BooleanField(default=False)),
            ],
            options={"verbose_name": "content version"},
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]

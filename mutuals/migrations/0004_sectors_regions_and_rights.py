from django.db import migrations

from psm_site.permissions import grant_content_permissions

SECTORS = [
    "Health",
    "Adult social care",
    "Children's services",
    "Youth services",
    "Education",
    "Employment and skills",
    "Libraries",
    "Leisure and culture",
    "Housing",
    "Environment",
    "Justice",
    "Other",
]
REGIONS = [
    ("E12000001", "North East", "north-east"),
    ("E12000002", "North West", "north-west"),
    ("E12000003", "Yorkshire and The Humber", "yorkshire-and-the-humber"),
    ("E12000004", "East Midlands", "east-midlands"),
    ("E12000005", "West Midlands", "west-midlands"),
    ("E12000006", "East of England", "east-of-england"),
    ("E12000007", "London", "london"),
    ("E12000008", "South East", "south-east"),
    ("E12000009", "South West", "south-west"),
]


def forwards(apps, schema_editor):
    from django.utils.text import slugify

    Sector = apps.get_model("mutuals", "Sector")
    Region = apps.get_model("mutuals", "Region")
    for position, name in enumerate(SECTORS):
        Sector.objects.update_or_create(slug=slugify(name), defaults={"name": name, "position": position})
    for code, name, slug in REGIONS:
        Region.objects.update_or_create(ons_code=code, defaults={"name": name, "slug": slug})
    grant_content_permissions(apps, schema_editor, ["mutuals.mutual"], publishable=["mutuals.mutual"])
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reference = Permission.objects.filter(content_type__app_label="mutuals", content_type__model__in=["sector", "region"])
    Group.objects.get(name="Editors").permissions.add(*reference.filter(codename__startswith="view_"))
    Group.objects.get(name="Publishers").permissions.add(*reference.exclude(codename__startswith="delete_"))


class Migration(migrations.Migration):
    dependencies = [("mutuals", "0003_registry")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

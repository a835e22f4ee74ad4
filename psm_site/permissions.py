"""The 'Editors' and 'Publishers' groups, granted rights by each app's data migration."""

from django.contrib.auth.management import create_permissions

EDITORS = "Editors"
PUBLISHERS = "Publishers"


def grant_content_permissions(apps, schema_editor, models, *, publishable=(), editor_delete=()):
    """Editors add, change and view; Publishers also delete, publish and unpublish.

    `models` are "app_label.model_name" strings; `publishable` names those with a publish_<model>
    permission; `editor_delete` names child rows (inline lines) Editors may remove.
    Permissions are created first, since on a fresh database they appear only after migrate.
    """
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    publishers, _ = Group.objects.get_or_create(name=PUBLISHERS)
    for label in models:
        app_label, model_name = label.split(".")
        mine = Permission.objects.filter(content_type__app_label=app_label, content_type__model=model_name)
        editor_codenames = [f"add_{model_name}", f"change_{model_name}", f"view_{model_name}"]
        if label in editor_delete:
            editor_codenames.append(f"delete_{model_name}")
        publisher_codenames = editor_codenames + [f"delete_{model_name}"]
        if label in publishable:
            publisher_codenames.append(f"publish_{model_name}")
        editors.permissions.add(*mine.filter(codename__in=editor_codenames))
        publishers.permissions.add(*mine.filter(codename__in=publisher_codenames))


def create_all_permissions(apps):
    """Permissions exist only after migrate on a fresh database; data migrations need them now."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

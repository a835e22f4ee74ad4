"""The 'Editors' and 'Publishers' groups (granted rights by each app's data migration), and the one
rule for staff privileges outside the admin (is_verified_staff)."""

from django.conf import settings
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


# --- Staff privileges on the public site ---------------------------------------------------------


def is_verified_staff(request) -> bool:
    """Whether the request may use a staff privilege outside the admin (previews, maintenance bypass).

    Signed in, active, staff, and past the second factor whenever ADMIN_TWO_FACTOR is on: a
    password alone opens nothing. The one rule every staff check on the public site goes through
    (tests/site/test_guards.py finds those that do not).
    """
    user = getattr(request, "user", None)
    if user is None or not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return not settings.ADMIN_TWO_FACTOR or _passed_second_factor(user)


def staff_may(request, permission: str) -> bool:
    """A verified staff member (is_verified_staff) who holds `permission` ("app_label.codename")."""
    return is_verified_staff(request) and request.user.has_perm(permission)


def needs_second_factor_for(request, permission: str) -> bool:
    """A staff member who has given only the password, and would hold `permission` after the code."""
    user = getattr(request, "user", None)
    if user is None or not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return settings.ADMIN_TWO_FACTOR and not _passed_second_factor(user) and user.has_perm(permission)


def _passed_second_factor(user) -> bool:
    # django-otp's middleware gives the request's user is_verified(); without it nothing is verified.
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


class SecondFactorRequired(Exception):
    """Raised where a password-only staff session asks for what needs both factors; answered with
    a redirect to the two-factor page (psm_site.middleware.StaffSessionMiddleware)."""

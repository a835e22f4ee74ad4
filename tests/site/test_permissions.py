"""Who may do what: every role against every publishing action, through the admin's pages and
with crafted requests. A forged change that must not happen answers 403 and changes nothing."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.redirects.models import Redirect
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mutuals.models import Attachment, Mutual
from psm_site.models import Revision
from tests.factories import make_mutual, make_publication
from tests.helpers import admin_form_data
from tests.mutuals.test_attachments import pdf_bytes

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "editor", "publisher", "superuser"]
STAFF = {"editor", "publisher", "superuser"}
PUBLISHERS = {"publisher", "superuser"}
# The rules, in one table: the roles allowed each action.
ALLOWED = {
    "view draft": STAFF,
    "edit": STAFF,
    "publish": PUBLISHERS,
    "unpublish": PUBLISHERS,
    "delete": PUBLISHERS,
    "import": STAFF,
    "upload": STAFF,
    "redirects": PUBLISHERS,
}


@pytest.fixture
def as_role(editor, publisher):
    """A client signed in as the role (anonymous: not signed in)."""

    users = {
        "editor": editor,
        "publisher": publisher,
        "superuser": User.objects.create_superuser("root", "root@example.com", "a-long-root-password"),
    }

    def client_for(role):
        client = Client()
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return client_for


def _refused(response, role):
    """Anonymous visitors are sent to sign in; staff without the right get a 403."""
    if role == "anonymous":
        return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    return response.status_code == 403


def _change_data(client, mutual):
    """What the change form sends unchanged (read as a superuser when the role cannot see it)."""
    url = reverse("admin:mutuals_mutual_change", args=[mutual.pk])
    page = client.get(url)
    if page.status_code != 200:
        page = _superuser_client().get(url)
    data = admin_form_data(page)
    data.setdefault("change_type", "minor")
    return data


# --- Each action: through the page, then crafted ----------------------------------------------


def view_draft(client, role):
    draft = make_mutual(published=False, name="Draft mutual")
    response = client.get(draft.get_absolute_url())
    allowed = response.status_code == 200 and "Draft mutual" in response.text
    if not allowed:
        assert response.status_code == 404 and "Draft mutual" not in response.text
    return allowed, allowed


def edit(client, role):
    london = {"latitude": Decimal("51.50740"), "longitude": Decimal("-0.12780")}  # the pin inside its region
    mutual = make_mutual(published=False, name="Before", **london)
    page = client.get(reverse("admin:mutuals_mutual_change", args=[mutual.pk]))
    data = _change_data(client, mutual) if page.status_code == 200 else {"name": "After"}
    data["name"] = "After"
    response = client.post(reverse("admin:mutuals_mutual_change", args=[mutual.pk]), data)
    changed = Mutual.objects.get(pk=mutual.pk).name == "After"
    if not changed:
        assert _refused(response, role)
    return page.status_code == 200, changed


def _action_offered(client, action):
    page = client.get(reverse("admin:mutuals_mutual_changelist"))
    return page.status_code == 200 and f'value="{action}"' in page.text


def _post_action(client, action, mutual):
    return client.post(
        reverse("admin:mutuals_mutual_changelist"), {"action": action, "_selected_action": [mutual.pk], "post": "yes"}
    )


def publish(client, role):
    mutual = make_mutual(published=False)
    offered = _action_offered(client, "publish_selected")
    response = _post_action(client, "publish_selected", mutual)
    done = Mutual.objects.get(pk=mutual.pk).is_published
    if not done:
        assert _refused(response, role)
        # The other route: the change form's status field, forged.
        data = _change_data(client, mutual)
        data["status"] = "published"
        response = client.post(reverse("admin:mutuals_mutual_change", args=[mutual.pk]), data)
        assert _refused(response, role) and not Mutual.objects.get(pk=mutual.pk).is_published
    return offered, done


def unpublish(client, role):
    mutual = make_mutual(published=True)
    offered = _action_offered(client, "unpublish_selected")
    response = _post_action(client, "unpublish_selected", mutual)
    done = not Mutual.objects.get(pk=mutual.pk).is_published
    if not done:
        assert _refused(response, role)
        data = _change_data(client, mutual)
        data["status"] = "draft"
        response = client.post(reverse("admin:mutuals_mutual_change", args=[mutual.pk]), data)
        assert _refused(response, role) and Mutual.objects.get(pk=mutual.pk).is_published
    return offered, done


def delete(client, role):
    mutual, other = make_mutual(), make_mutual()
    url = reverse("admin:mutuals_mutual_delete", args=[mutual.pk])
    page = client.get(url)
    response = client.post(url, {"post": "yes"})
    done = not Mutual.objects.filter(pk=mutual.pk).exists()
    if not done:
        assert _refused(response, role)
        response = _post_action(client, "delete_selected", other)
        assert _refused(response, role) and Mutual.objects.filter(pk=other.pk).exists()
    return page.status_code == 200, done


def import_rows(client, role):
    url = reverse("admin:mutuals_mutual_import")
    page = client.get(url)
    header = "name,summary,sectors,region,town,latitude,longitude\n"
    row = "Imported Mutual,Runs services.,Health,London,London,51.5074,-0.1278\n"
    upload = SimpleUploadedFile("mutuals.csv", (header + row).encode(), content_type="text/csv")
    response = client.post(url, {"resource": "0", "format": "0", "import_file": upload})
    previewed = response.status_code == 200 and "Imported Mutual" in response.text
    if not previewed:
        assert _refused(response, role)
    assert not Mutual.objects.filter(name="Imported Mutual").exists()  # nothing until confirmed
    return page.status_code == 200, previewed


def upload(client, role):
    publication = make_publication()
    url = reverse("admin:mutuals_publication_change", args=[publication.pk])
    page = client.get(url)
    reader = client if page.status_code == 200 else _superuser_client()
    data = admin_form_data(reader.get(url))
    data.update(
        {
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "The report",
            "attachments-0-position": "0",
            "attachments-0-file": SimpleUploadedFile("report.pdf", pdf_bytes(), content_type="application/pdf"),
            "change_type": "minor",
        }
    )
    response = client.post(url, data)
    # An editor's upload to a published report waits in its draft revision (tests/site/test_revisions.py).
    done = (
        Attachment.objects.filter(publication=publication).exists()
        or Revision.objects.filter(object_id=publication.pk, files__has_key="attachments-0-file").exists()
    )
    if not done:
        assert _refused(response, role)
    return page.status_code == 200 and 'name="attachments-TOTAL_FORMS"' in page.text, done


def redirects(client, role):
    page = client.get(reverse("admin:redirects_redirect_add"))
    response = client.post(
        reverse("admin:redirects_redirect_add"), {"site": "1", "old_path": "/old/", "new_path": "/new/"}
    )
    done = Redirect.objects.filter(old_path="/old/").exists()
    if not done:
        assert _refused(response, role)
    return page.status_code == 200, done


def _superuser_client():
    client = Client()
    client.force_login(User.objects.get(username="root"))
    return client


ACTIONS = {
    "view draft": view_draft,
    "edit": edit,
    "publish": publish,
    "unpublish": unpublish,
    "delete": delete,
    "import": import_rows,
    "upload": upload,
    "redirects": redirects,
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(as_role, role, action):
    """The admin offers the action exactly to the roles allowed it, and a crafted request from
    anyone else is refused (403, or sign-in for the anonymous) and changes nothing."""
    offered, done = ACTIONS[action](as_role(role), role)
    expected = role in ALLOWED[action]
    assert (offered, done) == (expected, expected)

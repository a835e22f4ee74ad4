"""Staff privileges on the public site need both factors (psm_site.permissions.is_verified_staff)."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from psm_site.models import Page
from psm_site.publishing import publish
from tests.factories import make_guide, make_mutual, make_publication
from tests.support.factories import make_fund, make_programme

pytestmark = pytest.mark.django_db


def make_help_page(*, published):
    page = Page.objects.create(title="Embargoed", slug="embargoed-draft", summary="Not yet.", body="Draft text.")
    return publish(page) if published else page


DRAFTS = {
    "help page": make_help_page,
    "guide": make_guide,
    "publication": make_publication,
    "mutual": make_mutual,
    "programme": make_programme,
    "fund": make_fund,
}


@pytest.fixture
def two_factor(settings):
    settings.ADMIN_TWO_FACTOR = True


def verify(client, user):
    """What psm_site.signin.verify leaves in the session once the code was right."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.mark.parametrize("kind", DRAFTS)
def test_a_password_alone_is_sent_to_the_two_factor_page_for_every_draft(two_factor, editor_client, kind):
    url = DRAFTS[kind](published=False).get_absolute_url()
    response = editor_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:two-factor") + "?next=" + quote(url, safe="")
    assert "This is a draft" not in response.text


@pytest.mark.parametrize("kind", DRAFTS)
def test_a_verified_session_sees_the_preview(two_factor, editor_client, editor, kind):
    verify(editor_client, editor)
    response = editor_client.get(DRAFTS[kind](published=False).get_absolute_url())
    assert response.status_code == 200
    assert "This is a draft" in response.text
    assert "no-store" in response["Cache-Control"]


def test_a_password_alone_sees_published_pages_as_the_public_does(two_factor, editor_client):
    guide = make_guide(published=True)
    response = editor_client.get(guide.get_absolute_url())
    assert response.status_code == 200 and "This is a draft" not in response.text


def test_strangers_and_non_staff_get_404_for_drafts(two_factor, client, django_user_model):
    url = make_guide(published=False).get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(django_user_model.objects.create_user("citizen", password="a-long-test-password"))
    assert client.get(url).status_code == 404


def test_an_inactive_staff_member_previews_nothing(client, editor):
    editor.is_active = False
    editor.save()
    client.force_login(editor, backend="django.contrib.auth.backends.AllowAllUsersModelBackend")
    assert client.get(make_guide(published=False).get_absolute_url()).status_code == 404


def test_draft_fund_rounds_show_only_to_verified_staff(two_factor, editor_client, editor):
    from datetime import timedelta

    from django.utils import timezone

    from tests.support.factories import make_round

    fund = make_fund()
    now = timezone.now()
    make_round(fund, published=False, opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=9), number=7)
    assert "Round 7" not in editor_client.get(fund.get_absolute_url()).text
    verify(editor_client, editor)
    assert "Round 7" in editor_client.get(fund.get_absolute_url()).text


def test_the_maintenance_bypass_opens_the_admin_only_after_both_factors(two_factor, settings, editor_client, editor):
    settings.MAINTENANCE_MODE = True
    settings.MAINTENANCE_ADMIN_BYPASS = True
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    verify(editor_client, editor)
    assert editor_client.get(reverse("admin:index")).status_code == 200
    assert editor_client.get(make_guide(published=True).get_absolute_url()).status_code == 503


def test_a_password_alone_never_sees_a_draft_revision(settings, editor):
    """Saved without two-factor (as tests run), then opened by a password-only session."""
    from mutuals.models import GuideSection
    from tests.site.test_revisions import client_for, editor_saves_section

    live = make_guide(title="What a mutual is", summary="The basics.")
    GuideSection.objects.create(guide=live, heading="Ownership", body="Staff run it.")
    editor_saves_section(editor, live, "Staff own and run it.")
    settings.ADMIN_TWO_FACTOR = True
    password_only = client_for(editor)
    response = password_only.get(live.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:two-factor"))
    verify(password_only, editor)
    assert "Staff own and run it." in password_only.get(live.get_absolute_url()).text

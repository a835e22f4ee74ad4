"""The explainer guide and research pages, built from structured content."""

import pytest
from django.urls import reverse

from mutuals.models import Attachment, Benefit, Criterion, Finding
from tests.factories import make_guide, make_publication
from tests.helpers import settle_content_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    publication = make_publication(title="Research into the sector")
    Attachment.objects.create(publication=publication, title="The report", size_bytes=953 * 1024, page_count=45)
    Finding.objects.create(publication=publication, group="services", percentage=82, statement="more innovative")
    Finding.objects.create(publication=publication, group="why", percentage=91, statement="faster decisions")
    Finding.objects.create(
        publication=publication, group="services", percentage=78, statement="more responsive", position=1
    )
    return publication


@pytest.fixture
def guide(report):
    guide = make_guide(title="Introduction", summary="An overview.")
    Criterion.objects.create(guide=guide, position=1, text="second criterion")
    Criterion.objects.create(guide=guide, position=0, text="first criterion")
    Benefit.objects.create(guide=guide, audience="employees", text="Staff benefit.")
    Benefit.objects.create(guide=guide, audience="commissioners", text="Value benefit.", position=1)
    guide.sections.create(position=0, heading="What is it?", body="Intro:", block="criteria")
    guide.sections.create(position=1, heading="Benefits", block="benefits")
    guide.sections.create(position=2, heading="", block="findings", publication=report, body_after="Closing *words*.")
    return guide


def test_guide_page_has_the_govuk_anatomy(client, guide):
    response = client.get(guide.get_absolute_url())
    html = response.text
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">Introduction</h1>' in html
    assert "From:</dt> <dd>Department for Culture, Media and Sport" in html
    assert "Applies to:" not in html  # no source says where the guidance applies
    # contents list from headed sections only
    assert '<a class="govuk-link" href="#what-is-it">What is it?</a>' in html
    assert '<h2 class="govuk-heading-l" id="benefits">Benefits</h2>' in html
    # criteria in order as a numbered list
    assert html.index("first criterion") < html.index("second criterion")
    assert '<ol class="govuk-list govuk-list--number">' in html
    assert "For employees" in html and "For commissioners and taxpayers" in html
    assert "<em>words</em>" in html


def test_findings_chart_writes_each_figure_out_and_links_its_source(client, guide, report):
    html = client.get(guide.get_absolute_url()).text
    assert '<span class="psm-chart__figure">82%</span>' in html
    assert "psm-chart__bar--82" in html
    assert html.index("more innovative") < html.index("more responsive") < html.index("faster decisions")
    finding = report.findings.get(percentage=82)
    assert f'href="{report.get_absolute_url()}#finding-{finding.pk}"' in html
    assert "(PDF, 953KB, 45 pages)" in html


def test_draft_source_publication_is_not_linked_from_a_chart(client, guide, report):
    report.status = "draft"
    report.save()
    html = client.get(guide.get_absolute_url()).text
    assert report.get_absolute_url() not in html


def test_research_list_shows_only_published(client, report):
    make_publication(title="Hidden draft", published=False)
    html = client.get(reverse("mutuals:publication-list")).text
    assert report.title in html and "Hidden draft" not in html


def test_publication_page_lists_findings_and_attachment(client, report):
    html = client.get(report.get_absolute_url()).text
    assert "PDF, 953KB, 45 pages" in html
    assert "This file is not yet available to download" in html
    assert 'id="findings"' in html and "82%" in html


def test_unknown_slugs_are_404(client):
    assert client.get("/no-such-guide").status_code == 404
    assert client.get(reverse("mutuals:publication-detail", kwargs={"slug": "nope"})).status_code == 404


def _grow(guide, report, n):
    for i in range(n):
        Criterion.objects.create(guide=guide, text=f"criterion {i}", position=10 + i)
        Finding.objects.create(publication=report, group="value", percentage=i % 100, statement=f"finding {i}")
        make_publication(title=f"Report {i}")


@pytest.mark.parametrize("extra", [0, 20])
def test_guide_query_count_is_fixed(client, django_assert_num_queries, guide, report, extra):
    _grow(guide, report, extra)
    settle_content_version()
    with django_assert_num_queries(7):
        client.get(guide.get_absolute_url())


def test_the_publics_guide_is_read_once_per_generation_and_a_change_shows_at_once(client, guide, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE = False  # the page is drawn every time; its guide is read once
    settle_content_version()
    url = guide.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert "<h1" in (text := client.get(url).text) and "Introduction" in text
    assert len(captured) == 0
    guide.title = "Introduction, revised"
    guide.save()
    assert "Introduction, revised" in client.get(url).text
    guide.status = guide.Status.DRAFT
    guide.save()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("extra", [0, 20])
def test_research_pages_query_counts_are_fixed(client, django_assert_num_queries, guide, report, extra):
    _grow(guide, report, extra)
    settle_content_version()
    with django_assert_num_queries(2):
        client.get(reverse("mutuals:publication-list"))
    with django_assert_num_queries(4):
        client.get(report.get_absolute_url())


def test_open_round_banner_sits_in_its_section_only_while_a_round_is_open(client, guide):
    from tests.factories import make_open_round

    guide.sections.create(position=9, heading="What is the government doing to help?", block="open_rounds")
    assert "govuk-notification-banner" not in client.get(guide.get_absolute_url()).text
    make_open_round()
    html = client.get(guide.get_absolute_url()).text
    assert html.index('id="what-is-the-government-doing-to-help"') < html.index("govuk-notification-banner")
    assert "Mutuals Growth Fund" in html


def test_a_findings_section_needs_its_publication_in_the_form_and_the_database(guide):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    section = guide.sections.model(guide=guide, position=9, block="findings")
    with pytest.raises(ValidationError) as caught:
        section.full_clean()
    assert caught.value.message_dict == {"publication": ["Choose the publication whose findings the chart shows."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        section.save()

"""Editor text is Markdown rendered and sanitised: nothing executable reaches a page."""

import pytest

from psm_site.markdown import render_markdown
from tests.factories import make_guide


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert('x')</script>",
        "Hello <img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        "<iframe src='https://example.com'></iframe>",
        '<p onclick="alert(1)">text</p>',
        "<style>body{display:none}</style>",
        "[x](JaVaScRiPt:alert(1))",
        '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>',
    ],
)
def test_nothing_executable_survives(typed):
    html = str(render_markdown(typed)).lower()
    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<style", "alert(", "data:"):
        assert bad not in html


def test_markdown_gets_govuk_classes():
    html = str(render_markdown("Para with [a link](https://example.com)\n\n- one\n- two\n\n## Heading"))
    assert '<p class="govuk-body">' in html
    assert '<a href="https://example.com" class="govuk-link">a link</a>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<h2 class="govuk-heading-m">Heading</h2>' in html


def test_editor_classes_and_ids_are_dropped():
    html = str(render_markdown('<p class="evil" id="main-content" style="color:red">x</p>'))
    assert "evil" not in html and "main-content" not in html and "color" not in html


@pytest.mark.django_db
def test_guide_section_text_is_sanitised_on_the_page(client):
    guide = make_guide(published=True)
    guide.sections.create(heading="Section", body="Hi <script>alert('pwned')</script> [x](javascript:alert(2))")
    html = client.get(guide.get_absolute_url()).text
    assert "alert('pwned')" not in html and "javascript:alert" not in html


def test_each_text_is_converted_once_per_process():
    from psm_site.markdown import _converted

    text = "A text converted **once**, then read from memory."
    before = _converted.cache_info()
    first, second = render_markdown(text), render_markdown(text)
    after = _converted.cache_info()
    assert first == second and "<strong>once</strong>" in first
    assert after.misses - before.misses <= 1 and after.hits - before.hits >= 1

"""'Is this page useful?': stored for staff, CSRF-protected, rate-limited, never a 500."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from psm_site.models import Feedback

pytestmark = pytest.mark.django_db
USEFUL = reverse("feedback-useful")
PROBLEM = reverse("feedback-problem")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def test_yes_is_stored_and_thanks(client):
    response = client.post(USEFUL, {"path": "/research/", "useful": "yes"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("feedback-thanks"))
    assert Feedback.objects.get().useful is True
    assert "Thank you for your feedback" in client.get(response["Location"]).text


def test_no_leads_to_what_went_wrong(client):
    response = client.post(USEFUL, {"path": "/research/", "useful": "no"})
    assert response["Location"].startswith(PROBLEM)
    page = client.get(response["Location"])
    assert "What went wrong?" in page.text and 'value="/research/"' in page.text


def test_empty_what_went_wrong_shows_the_error_summary(client):
    response = client.post(PROBLEM, {"path": "/research/", "what_wrong": "   "})
    assert response.status_code == 400
    assert "There is a problem" in response.text and 'href="#id_what_wrong">Enter what went wrong</a>' in response.text
    assert "<title>Error: " in response.text
    assert not Feedback.objects.exists()


def test_problem_report_is_stored_and_length_limited(client):
    client.post(PROBLEM, {"path": "/research/", "what_wrong": "The PDF link is broken."})
    assert Feedback.objects.get().what_wrong == "The PDF link is broken."
    response = client.post(PROBLEM, {"path": "/research/", "what_wrong": "x" * 1201})
    assert response.status_code == 400 and "1,200 characters or fewer" in response.text


@pytest.mark.parametrize(
    "url, data",
    [
        (USEFUL, {}),
        (USEFUL, {"path": "/x/", "useful": "maybe"}),
        (USEFUL, {"path": "https://evil.example/", "useful": "yes"}),
        (USEFUL, {"path": "//evil.example/", "useful": "no"}),
        (USEFUL, {"path": "/" + "a" * 5000, "useful": "yes"}),
        (PROBLEM, {"what_wrong": "no path"}),
        (PROBLEM, {"path": "javascript:alert(1)", "what_wrong": "x"}),
    ],
)
def test_bad_posts_get_a_4xx_and_store_nothing(client, url, data):
    response = client.post(url, data)
    assert 400 <= response.status_code < 500
    assert not Feedback.objects.exists()


def test_the_answer_buttons_open_a_form_that_carries_the_token(client):
    """Without JavaScript, Yes and No ask for a small form with the CSRF token; it stores nothing itself."""
    response = client.get(USEFUL, {"path": "/research/", "useful": "no"})
    assert response.status_code == 200 and 'name="csrfmiddlewaretoken"' in response.text
    assert 'name="useful" value="no"' in response.text and 'value="/research/"' in response.text
    assert "csrftoken" in response.cookies and "no-store" in response["Cache-Control"]
    assert not Feedback.objects.exists()
    strict = Client(enforce_csrf_checks=True)
    form = strict.get(USEFUL, {"path": "/research/", "useful": "yes"})
    token = form.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    sent = strict.post(USEFUL, {"path": "/research/", "useful": "yes", "csrfmiddlewaretoken": token})
    assert sent.status_code == 302 and Feedback.objects.get().useful is True


@pytest.mark.parametrize(
    "query", [{}, {"path": "https://evil.example/", "useful": "yes"}, {"path": "/", "useful": "x"}]
)
def test_the_answer_form_refuses_bad_answers(client, query):
    assert client.get(USEFUL, query).status_code == 400


def test_csrf_is_required():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(USEFUL, {"path": "/", "useful": "yes"}).status_code == 403
    assert not Feedback.objects.exists()


def test_rate_limited_per_client(client):
    for _ in range(10):
        assert client.post(USEFUL, {"path": "/", "useful": "yes"}).status_code == 302
    response = client.post(USEFUL, {"path": "/", "useful": "yes"})
    assert response.status_code == 429
    assert Feedback.objects.count() == 10
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post(USEFUL, {"path": "/", "useful": "yes"}).status_code == 302


def test_thanks_page_never_shows_feedback_or_redirects_away(client):
    Feedback.objects.create(path="/x/", what_wrong="someone else's words")
    response = client.get(reverse("feedback-thanks"), {"path": "https://evil.example/"})
    assert "someone else's words" not in response.text
    assert 'href="https://evil.example/"' not in response.text


def test_feedback_form_on_content_pages_needs_no_token_or_cookie(client):
    response = client.get("/research/")
    assert "Is this page useful?" in response.text and 'name="csrfmiddlewaretoken"' not in response.text
    assert not response.cookies and "Set-Cookie" not in response

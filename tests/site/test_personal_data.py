"""The register of personal data (psm_site/personal_data.py): every place that keeps something about
a person is in it, and the privacy notice and cookies page say what it says.

The guards read the code itself: a new rate limit, a new module writing to the cache, a new model
field that can hold an IP address or an email address, or a new field in nginx's log format fails
here until it has an entry in the register (or is declared as holding nothing about a person).
"""

import html as html_module
import re
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.checks import run_checks
from django.db import models
from django.urls import reverse

from psm_site import personal_data
from psm_site.web.limits import count_and_wait
from psm_site.web.requestlog import NGINX_LOG_FIELDS
from tests.conftest import load_first_content

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PRIVACY = reverse("page", kwargs={"slug": "privacy-notice"})
COOKIES = reverse("page", kwargs={"slug": "cookies"})
APPS = ["psm_site", "mutuals", "support", "alerts"]

LIMIT_CALL = re.compile(r"""(?:count_and_wait\(\s*\w+,\s*|rate_limit\(\s*)["']([\w-]+)["']""")
WRITES = "set|add|incr|decr|set_many|get_or_set|touch"
# cache.set(…), or through psm_site/web/cache_outage.py: cache_outage.call("set", …) / .strict("add", …)
CACHE_WRITE = re.compile(rf"""\bcache\.(?:{WRITES})\(|\bcache_outage\.(?:call|strict)\(\s*["'](?:{WRITES})["']""")
# A field whose name or type says it can hold an IP address, an email address or a browser's name.
PERSONAL_NAME = re.compile(r"(^|_)(ip|ip_address|email|e_mail|address|user_agent|username|remote_addr)($|_)")


@pytest.fixture
def pages(db):
    load_first_content()


def _text(client, url):
    return html_module.unescape(" ".join(client.get(url).text.split()))


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


def limit_names(sources):
    return {name for _path, text in sources for name in LIMIT_CALL.findall(text)}


def cache_writers(sources):
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts) for path, text in sources if CACHE_WRITE.search(text)
    }


def personal_fields(model_fields):
    """'app.Model.field' of fields that can hold an IP address, an email address or a browser's name."""
    return {
        label
        for label, field in model_fields
        if isinstance(field, (models.EmailField, models.GenericIPAddressField)) or PERSONAL_NAME.search(field.name)
    }


def _model_fields():
    for model in apps.get_models():
        if model._meta.label.split(".")[1].startswith("Historical"):
            continue  # django-simple-history copies a model's fields: the model's own entry covers them
        for field in model._meta.concrete_fields:
            yield f"{model._meta.label}.{field.name}", field


def undeclared_fields(model_fields):
    declared = personal_data.declared_fields()
    return sorted(label for label in personal_fields(model_fields) if label not in declared)


# --- The code is all in the register ------------------------------------------------------------------


def test_every_rate_limit_in_the_code_has_a_register_entry():
    names = limit_names(_sources())
    assert {"feedback", "search", "alerts-client", "alerts-address"} <= names  # the scan finds them
    for name in names:
        personal_data.record_for_limit(name)


def test_a_limit_without_an_entry_fails_loudly(rf):
    with pytest.raises(LookupError, match="register of personal data"):
        count_and_wait(rf.get("/"), "unregistered-limit", 5, 60, fail_open=True)
    assert limit_names([(Path("x.py"), 'count_and_wait(request, "new-limit", 5, 60)')]) == {"new-limit"}


def test_every_module_that_writes_to_the_cache_is_declared():
    writers = cache_writers(_sources())
    assert {"psm_site.web.limits", "psm_site.web.cache", "mutuals.registry"} <= writers  # the scan finds them
    assert writers <= set(personal_data.cache_users()), writers - set(personal_data.cache_users())
    # a new one would fail
    assert cache_writers([(ROOT / "alerts" / "new.py", "cache.set(f'x:{ip}', 1)")]) == {"alerts.new"}


def test_every_model_field_that_can_hold_an_ip_or_email_address_is_declared():
    assert undeclared_fields(_model_fields()) == []
    assert "alerts.Subscriber.address" in personal_fields(_model_fields())  # the scan finds them
    assert "axes.AccessAttempt.ip_address" in personal_fields(_model_fields())
    # a field added without an entry fails
    new = models.GenericIPAddressField(name="sender_ip")
    assert undeclared_fields([("psm_site.Feedback.sender_ip", new)]) == ["psm_site.Feedback.sender_ip"]


def test_nginx_logs_only_what_the_register_says():
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    log_format = conf.split("log_format psm", 1)[1].split(";", 1)[0]
    logged = set(re.findall(r"\$\w+", log_format))
    assert logged == set(NGINX_LOG_FIELDS)
    assert "$http_user_agent" not in logged  # so the notice can say the browser's name is not logged
    row = next(record for record in personal_data.records() if record.key == "server-logs").row()
    assert (
        "your IP address" in row["what"] and "the time" in row["what"] and "do not record your browser" in row["what"]
    )


# --- The pages say what the register says ---------------------------------------------------------------


def test_the_privacy_notice_has_every_entry_and_limit(client, pages, settings):
    settings.NOTIFY_API_KEY = ""
    html = _text(client, PRIVACY)
    for record in personal_data.records():
        assert f'id="keep-{record.key}"' in html, record.key
    for name in limit_names(_sources()):
        assert f'id="keep-{personal_data.record_for_limit(name).key}"' in html
    assert "when you search" in html and "scrambled form (a SHA-256 hash) of the email address" in html
    assert "Failed sign-ins to the staff area" in html and "the browser's name and the username" in html
    assert "Notify" not in html.split('id="what-we-keep"')[1].split("</table>")[0]
    assert "We do not share it" not in html


def test_notify_is_named_as_a_receiver_when_the_site_uses_it(client, pages, settings):
    settings.NOTIFY_API_KEY = "test-key-" + "0" * 20
    html = _text(client, PRIVACY)
    assert 'id="keep-gov-uk-notify"' in html
    assert "and GOV.UK Notify, which sends the emails" in html


def test_the_cookies_page_names_every_cookie(client, pages, settings):
    settings.ADMIN_IDLE_MINUTES = 30
    html = _text(client, COOKIES)
    for cookie in personal_data.cookies():
        assert f"<code>{cookie.row()['name']}</code>" in html
        assert cookie.row()["expires"] in html


def test_missing_department_facts_are_said_and_fail_check_deploy(client, pages, settings):
    settings.DATA_PROTECTION_OFFICER_EMAIL = ""
    settings.FEEDBACK_RETENTION_DAYS = None
    settings.SERVER_LOG_RETENTION_DAYS = 30
    settings.STAFF_ACCOUNT_RETENTION_DAYS = 90
    html = _text(client, PRIVACY)
    assert 'id="missing-facts"' in html and "the data protection officer's contact" in html
    before_launch = [m for m in run_checks(include_deployment_checks=True) if m.id.endswith("005")]
    assert {m.id for m in before_launch} == {"psm.I005"}  # said, not fatal, on a site not yet live
    settings.SITE_LIVE_ON = date(2027, 1, 4)
    errors = [m for m in run_checks(include_deployment_checks=True) if m.id == "psm.E005"]
    assert {m.msg.split(" ")[0] for m in errors} == {"DATA_PROTECTION_OFFICER_EMAIL", "FEEDBACK_RETENTION_DAYS"}
    settings.DATA_PROTECTION_OFFICER_EMAIL = "dpo@example.gov.uk"
    settings.FEEDBACK_RETENTION_DAYS = 365
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "psm.E005"]
    assert 'id="missing-facts"' not in _text(client, PRIVACY)

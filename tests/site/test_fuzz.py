"""Bad input, generated: no 5xx ever, and no traceback in the log for a client's mistake.

Hypothesis builds requests for every public URL pattern: odd query strings (repeated keys,
1,000+ parameters, NULs, surrogates, very long values), odd path segments (long slugs, '..',
encoded slashes, broken UTF-8), form bodies for the feedback forms, and odd headers (bad Host,
long cookies, strange X-Forwarded-For). CI runs a few hundred examples; `make fuzz` runs more
(FUZZ_EXAMPLES per test). FUZZ_REPORT=file writes the figures: requests sent and statuses seen.
"""

import json
import logging
import os
from collections import Counter
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "75"))  # per test: 300 requests in CI
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples every CI run; `make fuzz` adds many more
    phases=[Phase.explicit, Phase.generate],  # report a failing request as found: shrinking took minutes
)
STATUSES = Counter()
PARAMETERS = ["q", "page", "sector", "region", "status", "year", "path", "useful", "what_wrong", "sort", "format"]


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def fuzz_site(site_content, settings):
    """The fixtures' content; limits high enough that most examples reach the views."""
    settings.FEEDBACK_RATE_LIMIT = 1_000_000
    settings.SEARCH_LIMIT_PER_MINUTE = 1_000_000
    handler = _Records()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    report = os.environ.get("FUZZ_REPORT")
    if report:
        with open(report, "a") as out:
            out.write(json.dumps({"requests": sum(STATUSES.values()), "statuses": dict(sorted(STATUSES.items()))}))
            out.write("\n")


def _public_routes():
    """Every public URL pattern as (prefix, converter names): the admin is not public."""
    from django.conf import settings as django_settings

    routes = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route != django_settings.ADMIN_PATH:
                    walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + route)

    walk(get_resolver().url_patterns)
    return sorted(set(routes))


ROUTES = _public_routes()
segment_text = st.one_of(
    st.from_regex(r"[a-z0-9-]{1,40}", fullmatch=True),
    st.text(min_size=1, max_size=60),
    st.sampled_from(
        ["..", "%2e%2e", "%2F", "%2f..%2f", "%00", "%ff%fe", "%ED%A0%80", "a" * 5000, "-1", "99999999999999999999"]
    ),
)


def _fill(route, segments):
    """A path from a URL pattern, with its <converter:name> parts replaced by generated text."""
    parts, values = route.split("<"), iter(segments)
    path = parts[0]
    for part in parts[1:]:
        _converter, rest = part.split(">", 1)
        value = next(values)
        path += value if value.startswith("%") else quote(value, safe="%")
        path += rest
    return "/" + path


raw_value = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(["%00", "\x00", "%ED%A0%80", "%ff", "%", "%%", "&&&", "=", "x" * 10_000, "1e9999", "-1", "0"]),
)


def _query(pairs):
    return "&".join(
        (k if k.startswith("%") else quote(k, safe="")) + "=" + (v if v.startswith("%") else quote(v, safe=""))
        for k, v in pairs
    )


query = st.one_of(
    st.lists(st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=20), raw_value), max_size=12).map(_query),
    st.integers(min_value=999, max_value=1_300).map(lambda n: "&".join(["page=1"] * n)),
    st.integers(min_value=1_000, max_value=1_100).map(lambda n: "&".join(f"k{i}=v" for i in range(n))),
)


def _request(client, handler, method, url, **extra):
    handler.records.clear()
    response = getattr(client, method)(url, **extra)
    STATUSES[response.status_code] += 1
    assert response.status_code < 500, f"{method.upper()} {url[:300]!r} {extra!r:.300} -> {response.status_code}"
    if response.status_code >= 400:
        tracebacks = [r for r in handler.records if r.exc_info or r.levelno >= logging.ERROR]
        assert not tracebacks, f"{url[:300]!r}: {tracebacks[0].getMessage()[:300]}"
    return response


def _client():
    return Client(raise_request_exception=False)


@FUZZ
@given(route=st.sampled_from(ROUTES), segments=st.lists(segment_text, min_size=3, max_size=3), qs=query)
def test_paths_and_query_strings(fuzz_site, route, segments, qs):
    _request(_client(), fuzz_site, "get", _fill(route, segments) + "?" + qs)


@FUZZ
@given(route=st.sampled_from(ROUTES), junk=segment_text, qs=query)
def test_paths_with_extra_segments(fuzz_site, route, junk, qs):
    base = _fill(route, ["x", "y", "1"])
    _request(_client(), fuzz_site, "get", base.rstrip("/") + "/" + quote(junk, safe="%") + "/?" + qs)


form_body = st.dictionaries(
    st.sampled_from(["path", "useful", "what_wrong", "csrfmiddlewaretoken"]) | st.text(max_size=30),
    st.one_of(raw_value, st.lists(raw_value, max_size=3)),
    max_size=6,
)


@FUZZ
@given(url=st.sampled_from(["/feedback/", "/feedback/problem/", "/search/", "/mutuals/", "/"]), body=form_body)
def test_form_bodies(fuzz_site, url, body):
    _request(_client(), fuzz_site, "post", url, data=body)


header_value = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=300),
    st.sampled_from(["", " ", "a" * 8000, "127.0.0.1", "[::1]", "evil.example:99999", "testserver:abc"]),
)


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    host=st.one_of(st.just("testserver"), header_value),
    cookie=st.one_of(
        st.just(""),
        st.builds(lambda n, v: f"{n}={v}", st.sampled_from(["sessionid", "csrftoken", "x"]), header_value),
        st.integers(min_value=1, max_value=200).map(lambda n: "; ".join(f"c{i}={'v' * 40}" for i in range(n))),
    ),
    forwarded=header_value,
)
def test_headers(fuzz_site, route, host, cookie, forwarded):
    _request(
        _client(),
        fuzz_site,
        "get",
        _fill(route, ["introduction-to-public-service-mutuals", "a", "1"]),
        HTTP_HOST=host,
        HTTP_COOKIE=cookie,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


# Text that always holds at least one control character (NUL among them, C0, DEL and C1), somewhere.
control = st.one_of(
    st.just("\x00"), st.characters(codec="utf-8", categories=["Cc"]).filter(lambda c: c not in "\t\n\r")
)
with_control = st.builds(
    lambda before, bad, after: before + bad + after, st.text(max_size=20), control, st.text(max_size=20)
)
HEADERS = ["HTTP_HOST", "HTTP_COOKIE", "HTTP_X_FORWARDED_FOR", "HTTP_USER_AGENT", "HTTP_REFERER", "HTTP_ACCEPT"]


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    where=st.sampled_from(["path", "query key", "query value", "form field", "form value", "header"]),
    bad=with_control,
    header=st.sampled_from(HEADERS),
)
def test_control_characters_anywhere_are_the_400_page(fuzz_site, route, where, bad, header):
    """One middleware (psm_site.middleware.ControlCharacterMiddleware) answers before any view or query."""
    url = _fill(route, ["introduction-to-public-service-mutuals", "a", "1"])
    client, extra, method = _client(), {}, "get"
    if where == "path":
        url = _fill(route, [bad, bad, bad]) if "<" in route else url.rstrip("/") + "/" + quote(bad, safe="")
    elif where.startswith("query"):
        url += "?" + _query([(bad, "x") if where == "query key" else ("q", bad)])
    elif where.startswith("form"):
        method, url = "post", "/feedback/"
        extra["data"] = {bad: "x"} if where == "form field" else {"path": "/", "what_wrong": bad}
    else:
        extra[header] = bad.encode().decode("latin-1")  # as WSGI hands header bytes to Django
    response = _request(client, fuzz_site, method, url, **extra)
    assert response.status_code == 400, f"{where}: {url[:200]!r} {extra!r:.200} -> {response.status_code}"
    assert "Sorry, there is a problem with that request" in response.text


def test_a_nul_is_the_400_page_on_every_database(client):
    """Found on PostgreSQL, which refuses a NUL in text: the redirect lookup for a missing page, and
    the coverage page's sector filter, sent it to the database (a 503, then a 500)."""
    for url in ["/mutuals/%00/?x=1", "/no-such%00page", "/mutuals/coverage/?sector=%00", "/search/?q=a%00b"]:
        assert Client(raise_request_exception=False).get(url).status_code == 400, url
    assert Client(raise_request_exception=False).get("/", HTTP_COOKIE="sessionid=abcdefgh\x00ij").status_code == 400


def test_every_public_pattern_is_fuzzed():
    """A new public URL pattern joins the fuzzing by itself: the list is read from the resolver."""
    assert {"", "search/", "feedback/", "mutuals/<slug:slug>/", "support/funds/<slug:slug>/"} <= set(ROUTES)
    assert not [route for route in ROUTES if route.startswith("admin")]

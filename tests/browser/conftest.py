"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Without Chromium they are skipped locally, and fail when REQUIRE_BROWSER=1 (as .ci/run sets).
"""

import os
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import load_first_content

# Playwright's sync API runs an event loop in the test thread; our ORM calls beside it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    missing = not Path(CHROMIUM).exists()
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if missing and os.environ.get("REQUIRE_BROWSER") != "1":
                item.add_marker(pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"REQUIRE_BROWSER=1 but Chromium is missing at {CHROMIUM}: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def problems(page):
    """Console errors, CSP violations and failed requests seen by the page (tiles excluded)."""
    seen = []
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on(
        "response",
        lambda r: seen.append(f"HTTP {r.status} {r.url}") if r.status >= 400 and "/tiles/" not in r.url else None,
    )
    return seen


@pytest.fixture
def registry(db):
    """The fixtures' 37 real mutuals (33 live)."""
    load_first_content()


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]

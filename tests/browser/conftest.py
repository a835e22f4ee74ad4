"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Without Chromium they are skipped locally, and fail when REQUIRE_BROWSER=1 (as .ci/run sets).
"""

import os
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

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
    import io

    from django.core.management import call_command

    call_command("load_initial_content", stdout=io.StringIO())


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Browser tests are transactional: Django empties every table after each one, including
    the rows data migrations made (groups, sectors, regions). Put them back before each test
    (tests/conftest.py puts them back after each one too, for the tests that follow)."""
    if "live_server" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    restore_reference_rows()


def restore_reference_rows():
    """Run our own apps' data migrations again (they are idempotent)."""
    from django.apps import apps
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    from psm_site.apps import set_site_domain

    graph = MigrationLoader(connection).graph
    # Our own apps' data only: a library's data migrations may expect the schema of their day.
    ours = {c.label for c in apps.get_app_configs() if Path(c.path).is_relative_to(settings.BASE_DIR / c.name)}
    with connection.schema_editor(atomic=False) as schema_editor:
        for key in _all_in_order(graph):
            if key[0] not in ours:
                continue
            for operation in graph.nodes[key].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, schema_editor)
    set_site_domain()


def _all_in_order(graph):
    seen, ordered = set(), []
    for leaf in sorted(graph.leaf_nodes()):
        for key in graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                ordered.append(key)
    return ordered

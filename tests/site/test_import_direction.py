"""Import direction: psm_site is the base and imports no app; mutuals and support use it and never each other.

An app that shows something on another's page registers it with the base (psm_site/pages/search.py,
psm_site/blocks.py), so the code each app needs stays inside it.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

ROOT = Path(settings.BASE_DIR)
OUR_APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))
MAY_NOT_IMPORT = {
    "psm_site": set(OUR_APPS) - {"psm_site"},
    "mutuals": {"support"},
    "support": {"mutuals"},
}


def imported_packages(path):
    """The top-level package of every absolute import in a file, with its line."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def test_the_scan_sees_our_apps_and_their_imports():
    assert {"psm_site", "mutuals", "support"} <= set(OUR_APPS)
    packages = {package for package, _ in imported_packages(ROOT / "mutuals" / "apps.py")}
    assert {"django", "mutuals", "psm_site"} <= packages  # absolute imports, inside functions too


def test_no_app_imports_against_the_direction():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for app, forbidden in MAY_NOT_IMPORT.items()
        for path in sorted((ROOT / app).rglob("*.py"))
        for package, line in imported_packages(path)
        if package in forbidden
    ]
    assert wrong == []


# psm_site's rooms, bottom up: web (requests, the page cache, limits, outages, sign-in),
# publishing (the workflow), pages (the site's own pages and feeds). A room imports only rooms
# below it and psm_site's ground modules (models, permissions, personal_data, markdown, ...).
ROOMS_MAY_NOT_IMPORT = {
    "web": {"psm_site.publishing", "psm_site.pages"},
    "publishing": {"psm_site.pages"},
    "pages": set(),
}


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module, node.lineno


def test_psm_sites_rooms_import_only_downwards():
    assert {path.name for path in (ROOT / "psm_site").iterdir() if (path / "__init__.py").exists()} >= set(
        ROOMS_MAY_NOT_IMPORT
    )
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for room, forbidden in ROOMS_MAY_NOT_IMPORT.items()
        for path in sorted((ROOT / "psm_site" / room).rglob("*.py"))
        for module, line in imported_modules(path)
        if any(module == name or module.startswith(name + ".") for name in forbidden)
    ]
    assert wrong == []


def test_a_page_asking_for_something_no_app_registered_fails_loudly():
    with pytest.raises(LookupError, match="no-such-thing"):
        Template('{% load psm %}{% from_app "no-such-thing" %}').render(Context())

"""Import direction: psm_site is the base and imports no app; mutuals and support use it and never each other.

An app that shows something on another's page registers it with the base (psm_site/search.py,
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


def test_a_page_asking_for_something_no_app_registered_fails_loudly():
    with pytest.raises(LookupError, match="no-such-thing"):
        Template('{% load psm %}{% from_app "no-such-thing" %}').render(Context())

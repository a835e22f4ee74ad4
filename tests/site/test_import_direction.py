"""Import direction: psm_site is the base and imports no app; mutuals and support use it and never each other;
mutuals' explainer and registry modules never use each other's names.

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


# mutuals' two halves stand side by side: the explainer (models/, views/ and admin/explainer.py)
# and the registry (their organisations.py) never use each other's names.
MUTUALS_HALVES = ("explainer", "organisations")


def defined_names(path):
    """The names a module defines at its top level (classes, functions, constants)."""
    names = set()
    for node in ast.parse(path.read_text(), filename=str(path)).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def test_mutuals_explainer_and_registry_never_import_each_other():
    mutuals = ROOT / "mutuals"
    models = {half: defined_names(mutuals / "models" / f"{half}.py") for half in MUTUALS_HALVES}
    assert {"Guide", "Publication"} <= models["explainer"] and {"Mutual", "Region"} <= models["organisations"]
    wrong = []
    for half, other in (MUTUALS_HALVES, MUTUALS_HALVES[::-1]):
        paths = sorted(mutuals.rglob(f"{half}.py"))
        assert [path.parent.name for path in paths] == ["admin", "models", "views"]
        for path in paths:
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mutuals.models"):
                    wrong += [
                        f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name} (models/{other}.py)"
                        for alias in node.names
                        if alias.name in models[other] or node.module == f"mutuals.models.{other}"
                    ]
    assert wrong == []


def test_a_page_asking_for_something_no_app_registered_fails_loudly():
    with pytest.raises(LookupError, match="no-such-thing"):
        Template('{% load psm %}{% from_app "no-such-thing" %}').render(Context())

"""deploy/database.py (make prod's role and database) and deploy/preflight.py (what a deploy refuses)."""

import importlib.util
import os
import secrets
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection, migrations, models
from django.db.migrations import operations

ROOT = Path(__file__).resolve().parents[2]


def load(name):
    spec = importlib.util.spec_from_file_location(f"deploy_{name}", ROOT / "deploy" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


preflight = load("preflight")
database = load("database")


@pytest.mark.parametrize(
    "operation",
    [
        operations.RemoveField("mutual", "website"),
        operations.DeleteModel("Mutual"),
        operations.RenameField("mutual", "name", "title"),
        operations.RenameModel("Mutual", "Organisation"),
        operations.AddField("mutual", "staff", models.IntegerField(default=0)),
    ],
    ids=["remove field", "delete model", "rename field", "rename model", "not null without db_default"],
)
def test_preflight_refuses_what_the_old_code_cannot_live_with(operation):
    assert preflight.breaks_old_code(operation)


@pytest.mark.parametrize(
    "operation",
    [
        operations.AddField("mutual", "staff", models.IntegerField(null=True)),
        operations.AddField("mutual", "staff", models.IntegerField(db_default=0)),
        operations.CreateModel("Note", [("id", models.AutoField(primary_key=True))]),
        operations.AddIndex("mutual", models.Index(fields=["name"], name="mutual_name_idx")),
    ],
    ids=["nullable column", "column with db_default", "new table", "new index"],
)
def test_preflight_lets_through_what_the_old_code_can_live_with(operation):
    assert preflight.breaks_old_code(operation) is None


def migration(app_label, *ops, safe=False):
    class Migration(migrations.Migration):
        operations = list(ops)

    if safe:
        Migration.deploy_safe = True
    return Migration("0099_test", app_label)


def test_preflight_refuses_the_project_s_migrations_unless_marked_and_warns_of_a_library_s():
    remove = operations.RemoveField("mutual", "website")
    refused, warned = preflight.unsafe(
        [
            (migration("mutuals", remove), False),
            (migration("mutuals", remove, safe=True), False),
            (migration("axes", operations.RemoveField("accesslog", "trusted")), False),
            (migration("support", operations.AddField("fund", "note", models.TextField(null=True))), False),
        ]
    )
    assert refused == [
        "mutuals.0099_test: Remove field website from mutual (the old code still reads what it removes or renames)"
    ]
    assert [line.split(":")[0] for line in warned] == ["axes.0099_test"]


def test_preflight_fingerprints_collectstatic_s_inputs(settings):
    assert len(preflight.static_inputs()) == 32


def test_database_says_what_to_run_when_it_cannot_act_as_superuser(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgres://newrole:pw@127.0.0.1:5432/newdb")
    monkeypatch.setattr(database, "connection_error", lambda url: 'FATAL: role "newrole" does not exist')
    monkeypatch.setattr(database, "superuser", lambda host, port: None)
    with pytest.raises(SystemExit) as exit:
        database.main()
    assert exit.value.code == 1
    said = capsys.readouterr().err.strip()
    assert said.count("\n") == 0 and "Traceback" not in said
    assert (
        """run: sudo -u postgres psql -c "CREATE ROLE newrole LOGIN PASSWORD 'pw'" -c "CREATE DATABASE newdb OWNER newrole\""""
        in said
    )


def test_database_refuses_what_it_should_not_fix(monkeypatch, capsys):
    """A wrong password is reported, never reset."""
    monkeypatch.setenv("DATABASE_URL", "postgres://psm:wrong@127.0.0.1:5432/psm")
    monkeypatch.setattr(
        database, "connection_error", lambda url: 'FATAL: password authentication failed for user "psm"'
    )
    monkeypatch.setattr(database, "superuser", lambda host, port: pytest.fail("must not act as superuser"))
    with pytest.raises(SystemExit):
        database.main()
    assert "password authentication failed" in capsys.readouterr().err


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL server to make the role on")
def test_database_makes_a_missing_role_and_database():
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)
    admin = database.superuser(host, port)
    if admin is None:
        pytest.skip("no superuser route on this machine")
    name = f"psm_t_{secrets.token_hex(4)}"
    password = "it's a \\ test"
    url = f"postgres://{name}:{urllib.parse.quote(password)}@{host}:{port}/{name}"
    try:
        result = subprocess.run(
            [sys.executable, "deploy/database.py"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert database.connection_error(url) is None
    finally:
        database.run(admin, f"DROP DATABASE IF EXISTS {name};\nDROP ROLE IF EXISTS {name};\n")

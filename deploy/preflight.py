"""What deploy/prod must know before it changes anything, from one start of Django.

    .venv/bin/python deploy/preflight.py

Prints two lines: `unapplied N` (migrations not yet applied; deploy/prod skips `migrate` at 0)
and `static HASH`, a fingerprint of every file collectstatic would collect (name, size,
modification time): deploy/prod runs collectstatic only when it differs from the last run's,
since hashing and compressing every file again takes a minute on a small machine.

With `--deploying` (old code serves while the new is rolled out), it refuses a migration the code
still serving cannot live with: `make deploy` migrates first and then replaces the app servers one
at a time, so for a while the old code runs against the new schema. The old code's models still
name every column they had: dropping or renaming a column or table it reads makes its queries
fail, and a new NOT NULL column without a database default makes its inserts fail. Such a change
ships in two deploys: first code that no longer uses the column (or a column that is nullable or
has `db_default`), then the migration that removes it, marked `deploy_safe = True` on its
Migration class with a comment naming the deploy that stopped using it. It prints one line per
such operation and exits 1. A library's migrations (after an upgrade) are only warned about: the
project cannot mark them, so read the library's release notes before deploying.
"""

import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psm_site.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.finders import get_finders  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations import operations  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.db.models import NOT_PROVIDED  # noqa: E402

REMOVING = (
    operations.RemoveField,
    operations.DeleteModel,
    operations.RenameField,
    operations.RenameModel,
    operations.AlterModelTable,
)


def breaks_old_code(operation):
    """Why the code still serving would fail after this operation, or None."""
    if isinstance(operation, REMOVING):
        return "the old code still reads what it removes or renames"
    if isinstance(operation, operations.AddField):
        field = operation.field
        if not (field.null or field.many_to_many or field.db_default is not NOT_PROVIDED):
            return "a NOT NULL column without db_default: the old code's inserts leave it empty"
    return None


IGNORE = ["*.scss"]  # as deploy/prod's collectstatic --ignore


def static_inputs():
    """The fingerprint of collectstatic's inputs."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr(settings.STORAGES["staticfiles"]).encode())
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(IGNORE):
            stat = os.stat(storage.path(path))
            entries.append(f"{getattr(storage, 'prefix', '') or ''}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def own_app(label):
    """An app of this project, rather than a library's (whose migrations we cannot mark)."""
    path = Path(apps.get_app_config(label).path)
    return Path(settings.BASE_DIR) in path.parents and "site-packages" not in path.parts


def unsafe(plan):
    """(refused, warned): lines for the plan's operations the old code cannot live with.

    Refused in this project's apps unless the migration says `deploy_safe = True`; only warned
    in a library's, which the project cannot change (read its release notes before deploying).
    """
    refused, warned = [], []
    for migration, backwards in plan:
        if backwards or getattr(migration, "deploy_safe", False):
            continue
        for operation in migration.operations:
            reason = breaks_old_code(operation)
            if reason:
                line = f"{migration.app_label}.{migration.name}: {operation.describe()} ({reason})"
                (refused if own_app(migration.app_label) else warned).append(line)
    return refused, warned


def main():
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if "--deploying" in sys.argv[1:]:
        refused, warned = unsafe(plan)
        for line in warned:
            print(f"prod: warning, a library's migration the old code may not live with: {line}", file=sys.stderr)
        for line in refused:
            print(f"prod: unsafe while the old code serves: {line}", file=sys.stderr)
        if refused:
            print(
                "prod: deploy stopped before migrating; ship the code change first and mark the migration"
                " deploy_safe = True in a later deploy (README, 'Deploying new code').",
                file=sys.stderr,
            )
            raise SystemExit(1)
    print(f"unapplied {len(plan)}")
    print(f"static {static_inputs()}")


if __name__ == "__main__":
    main()

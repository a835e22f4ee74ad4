"""Load fixtures/ into an empty database; leave a database with content alone.

`make run` calls this every time, so a second run keeps what editors changed.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from simple_history.manager import HistoryManager

from psm_site.publishing.content import publishable_models

# Order matters: later files refer to rows in earlier ones.
FIXTURE_ORDER = ["explainer", "registry", "support", "pages"]
FIXTURE_REASON = "Loaded from fixtures/ (the first content)"


class Command(BaseCommand):
    help = "Load the first content from fixtures/ if the database has none yet."

    def handle(self, *args, **options):
        if any(model.objects.exists() for model in publishable_models()):
            self.stdout.write("Content already present: fixtures not loaded.")
            return
        fixtures_dir = Path(settings.BASE_DIR) / "fixtures"
        paths = [fixtures_dir / f"{name}.json" for name in FIXTURE_ORDER if (fixtures_dir / f"{name}.json").exists()]
        with transaction.atomic():
            for path in paths:  # one at a time: PostgreSQL's id sequences are reset after each file
                call_command("loaddata", str(path), verbosity=0)
            record_first_versions()
        self.stdout.write(self.style.SUCCESS(f"Loaded {', '.join(p.name for p in paths)}."))


def record_first_versions():
    """loaddata saves raw rows, so History would have no record to compare the first change with:
    give every loaded row with a history its first record ('Created')."""
    for model in apps.get_models():
        manager = getattr(model, "history", None)
        if not isinstance(manager, HistoryManager) or manager.exists():
            continue
        rows = list(model._default_manager.all())
        if rows:
            manager.bulk_history_create(rows, batch_size=500, default_change_reason=FIXTURE_REASON)

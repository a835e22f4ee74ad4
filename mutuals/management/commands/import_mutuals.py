"""Import the registry from a CSV or XLSX file: all rows or none, like the admin's import."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mutuals.resources import import_mutuals, load_dataset, row_errors


class Command(BaseCommand):
    help = "Import mutuals from a CSV or XLSX file with the columns of shared/data/mutuals.csv."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A .csv (UTF-8 or Windows-1252; comma, semicolon or tab) or .xlsx file")
        parser.add_argument(
            "--publish", action="store_true", help="Publish imported rows (otherwise new rows are drafts)"
        )

    def handle(self, path, publish=False, **options):
        try:
            dataset = load_dataset(path)
        except (OSError, ValueError) as error:  # SpreadsheetError is a ValueError with a plain sentence
            raise CommandError(f"Could not read {path}: {error}") from error
        result, imported = import_mutuals(dataset=dataset, publish_rows=publish, file_name=Path(path).name)
        if not imported:
            raise CommandError("Nothing was imported. Fix these rows and try again:\n" + "\n".join(row_errors(result)))
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {result.batch.summary()}, {result.totals['skip']} unchanged. "
                f"A publisher can withdraw it in the admin under Imports (number {result.batch.pk})."
            )
        )

from django.db import migrations

from psm_site.pages.search import stored_document


class Migration(migrations.Migration):
    """PostgreSQL: stored, GIN-indexed search documents for research and mutuals (fields as in mutuals/apps.py)."""

    dependencies = [("mutuals", "0007_history_mode_and_no_longer_a_mutual")]

    operations = [
        stored_document(
            "mutuals_publication", [("title", "A"), ("summary", "B"), ("organisation", "C"), ("body", "C")]
        ),
        stored_document(
            "mutuals_mutual",
            [("name", "A"), ("town", "B"), ("summary", "B"), ("parent_body", "C"), ("description", "D")],
        ),
    ]

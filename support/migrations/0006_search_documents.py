from django.db import migrations

from psm_site.pages.search import stored_document


class Migration(migrations.Migration):
    """PostgreSQL: a stored, GIN-indexed search document for funds (fields as in support/apps.py)."""

    dependencies = [("support", "0005_optional_round_number_closing_time_and_fund_name")]

    operations = [
        stored_document("support_fund", [("name", "A"), ("summary", "B"), ("uses", "C"), ("who_can_apply", "C")]),
    ]

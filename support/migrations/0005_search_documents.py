from django.db import migrations

from psm_site.search import stored_document


class Migration(migrations.Migration):
    """PostgreSQL: a stored, GIN-indexed search document for funds (fields as in support/apps.py)."""

    dependencies = [("support", "0004_schedule")]

    operations = [
        stored_document("support_fund", [("name", "A"), ("summary", "B"), ("uses", "C"), ("who_can_apply", "C")]),
    ]

"""PostgreSQL search reads a stored, GIN-indexed document; SQLite keeps its simple match."""

import pytest
from django.db import connection

from mutuals.models import Mutual
from psm_site.search import search
from tests.factories import make_many_mutuals, make_mutual

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")


def _many():
    """A test-sized table is cheaper to scan, or to filter by its status index, than to search by GIN.

    So that EXPLAIN shows whether the query can use the search index, this test's transaction
    (rolled back afterwards) drops the status indexes and turns off sequential and plain index scans
    (GIN is read by a bitmap scan).
    """
    make_many_mutuals(300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mutuals_mutual")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'mutuals_mutual' AND indexdef LIKE %s",
            ["%btree (status%"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # nor walk the name index for the ordering


@postgres_only
def test_search_uses_the_gin_index():
    make_mutual(name="Indexed Health Mutual", town="Leeds")
    _many()
    queryset = Mutual.objects.published().extra(
        where=["search_document @@ websearch_to_tsquery('english'::regconfig, %s)"], params=["health"]
    )
    plan = queryset.explain()
    assert "mutuals_mutual_search_document" in plan


@postgres_only
def test_the_query_search_makes_uses_the_index(django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    make_mutual(name="Indexed Health Mutual", town="Leeds")
    with CaptureQueriesContext(connection) as captured:
        results = search("health")
    assert [r.title for r in results if r.label == "Mutual"] == ["Indexed Health Mutual"]
    # The mutuals' own query (local authorities are searched too, joined to their mutuals).
    mutual_sql = next(q["sql"] for q in captured if q["sql"].startswith('SELECT "mutuals_mutual".'))
    assert '"mutuals_mutual"."search_document"' in mutual_sql and "to_tsvector" not in mutual_sql
    _many()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + mutual_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "mutuals_mutual_search_document" in plan


@postgres_only
def test_the_stored_document_follows_edits():
    mutual = make_mutual(name="Before Mutual", town="Leeds")
    assert [r.title for r in search("Leeds") if r.label == "Mutual"] == ["Before Mutual"]
    mutual.town = "Bradford"
    mutual.save()
    assert not [r for r in search("Leeds") if r.label == "Mutual"]
    assert [r.title for r in search("Bradford") if r.label == "Mutual"] == ["Before Mutual"]


def test_search_finds_mutuals_on_every_database():
    make_mutual(name="Plain Match Mutual", town="York")
    assert "Plain Match Mutual" in [r.title for r in search("york")]

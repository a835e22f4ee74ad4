"""PostgreSQL search reads a stored, GIN-indexed document; SQLite keeps its simple match."""

from datetime import timedelta

import pytest
from django.db import connection

from mutuals.models import Mutual
from psm_site.pages.search import search
from tests.factories import make_many_mutuals, make_mutual
from tests.support.factories import uk

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


@postgres_only
def test_each_search_runs_a_query_compiled_once_per_content_generation(monkeypatch):
    from psm_site.pages import search as site_search

    compiled = []
    compile_once = site_search._compiled
    monkeypatch.setattr(site_search, "_compiled", lambda source: compiled.append(source) or compile_once(source))
    make_mutual(name="Compiled Health Mutual", town="Leeds")
    assert [r.title for r in search("health") if r.label == "Mutual"] == ["Compiled Health Mutual"]
    assert len(compiled) == len(site_search.SOURCES)
    assert [r.title for r in search("Leeds") if r.label == "Mutual"] == ["Compiled Health Mutual"]
    assert len(compiled) == len(site_search.SOURCES)  # other words, the same compiled queries
    make_mutual(name="Newer Health Mutual", town="York")  # a save: a new generation, compiled again
    assert [r.title for r in search("health") if r.label == "Mutual"] == [
        "Compiled Health Mutual",
        "Newer Health Mutual",
    ]
    assert len(compiled) == 2 * len(site_search.SOURCES)


@postgres_only
def test_a_compiled_search_finds_a_scheduled_item_at_its_time(time_machine):
    """The compiled query holds the moment it was made at ('published by now'): passing the
    publication time, with nothing saved, must compile it again."""

    def frozen(moment):
        time_machine.move_to(moment, tick=False)

    start = uk(2031, 5, 1, 9)
    frozen(start)
    make_mutual(name="Scheduled Health Mutual", publish_at=start + timedelta(hours=1))
    make_mutual(name="Live Health Mutual")
    assert [r.title for r in search("health") if r.label == "Mutual"] == ["Live Health Mutual"]
    frozen(start + timedelta(minutes=59))
    assert [r.title for r in search("health") if r.label == "Mutual"] == ["Live Health Mutual"]
    frozen(start + timedelta(hours=1))
    found = [r.title for r in search("health") if r.label == "Mutual"]
    assert sorted(found) == ["Live Health Mutual", "Scheduled Health Mutual"]


@postgres_only
def test_related_text_is_searched_once_per_item_not_per_related_row():
    """A programme's consortium members are searched, but joining them repeated the programme, and
    its whole document (the long body), once per member: the text is now one subquery per item."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from support.models import Consortium
    from tests.support.factories import make_programme

    programme = make_programme(name="Mutuals Support Programme 2", body="Health and care. " * 200)
    for name in ["GoMutual", "Mutual Ventures"]:
        consortium = Consortium.objects.create(programme=programme, name=name)
        for member in ["Bevan Brittan", "Baxendale", "Stepping Out"]:
            consortium.members.create(name=f"{member} ({name})")
    with CaptureQueriesContext(db) as captured:
        found = [r.title for r in search("Baxendale") if r.label == "Support programme"]
    assert found == ["Mutuals Support Programme 2"]
    programme_sql = next(query["sql"] for query in captured if '"support_programme"."id" AS "pk"' in query["sql"])
    assert 'FROM "support_programme" WHERE' in programme_sql  # no row per member: the table alone
    assert [r.title for r in search("health care") if r.label == "Support programme"] == ["Mutuals Support Programme 2"]

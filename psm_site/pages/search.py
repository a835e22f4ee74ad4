"""Site search across every published type: PostgreSQL full-text with ranking, or a simple match on SQLite.

Apps register what they want found (see mutuals/apps.py and support/apps.py); results are
labelled by type and ranked together.

On PostgreSQL a type registered with `stored=True` (its fields all its own columns) keeps its
weighted document in a stored `search_document` column, kept up to date by a trigger and indexed with GIN
(`stored_document()` makes it in a migration). Types that search related rows (a guide's
sections, a programme's consortium members) build the document per query: there are few of them.
"""

from dataclasses import dataclass
from functools import reduce
from operator import add, or_

from django.db import connection, migrations
from django.db.models import F, Q
from django.db.models.expressions import RawSQL

from psm_site.publishing.content import address_maker

MAX_PER_TYPE = 200
DOCUMENT_COLUMN = "search_document"


@dataclass(frozen=True)
class Source:
    label: str  # the type shown beside each result: 'Guidance', 'Mutual', …
    model: type
    title: str  # the field holding the title
    summary: str  # the field holding a one-line summary
    fields: tuple  # (field path, weight 'A'–'D'), A most important
    public: object = None  # a function giving the public items; published ones by default
    stored: bool = False  # PostgreSQL: read the stored, GIN-indexed document (a stored_document migration made it)

    def items(self):
        return self.public() if self.public else self.model.objects.published()


@dataclass(frozen=True)
class Result:
    label: str
    title: str
    summary: str
    url: str
    rank: float


SOURCES: list[Source] = []


def register(label, model, *, title, summary, fields, public=None, stored=False):
    SOURCES.append(Source(label, model, title, summary, tuple(fields), public, stored))


def search(text: str) -> list[Result]:
    """Published items matching `text`, best first."""
    results = []
    for source in SOURCES:
        results.extend(
            _search_postgres(source, text) if connection.vendor == "postgresql" else _search_simple(source, text)
        )
    return sorted(results, key=lambda r: (-r.rank, r.title.lower()))


def _search_postgres(source, text):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField

    if not source.stored:
        vector = reduce(add, [SearchVector(field, weight=weight, config="english") for field, weight in source.fields])
    else:  # the stored, indexed document (see stored_document)
        column = f'"{source.model._meta.db_table}"."{DOCUMENT_COLUMN}"'
        vector = RawSQL(column, [], output_field=SearchVectorField())
    query = SearchQuery(text, search_type="websearch", config="english")
    rows = (
        source.items()
        .alias(document=vector)  # matched and ranked in SQL, never sent back
        .filter(document=query)  # the match operator: ts_rank alone is never quite 0
        .annotate(rank=SearchRank(F("document"), query))
        .order_by("-rank", "pk")
    )
    address = address_maker(source.model)
    if address:  # plain rows: model instances and a reverse() per result cost more than the query
        rows = rows.values("pk", "slug", "rank", source.title, source.summary)
    if not source.stored:  # a join (a guide's sections) can repeat an item
        rows = rows.distinct()
    best = {}
    for item in rows[:MAX_PER_TYPE]:  # where a join repeats an item, keep its best rank
        if address:
            pk, rank = item["pk"], item["rank"]
            result = Result(
                source.label, str(item[source.title]), str(item[source.summary] or ""), address(item["slug"]), rank
            )
        else:
            pk, rank = item.pk, item.rank
            result = _result(source, item, rank)
        if pk not in best or rank > best[pk].rank:
            best[pk] = result
    return list(best.values())


WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}


def _search_simple(source, text):
    """SQLite: every word must appear in some field; rank by where the words appear."""
    words = [word for word in text.lower().split() if word][:10]
    if not words:
        return []
    condition = reduce(
        lambda a, b: a & b,
        [reduce(or_, [Q(**{f"{field}__icontains": word}) for field, _ in source.fields]) for word in words],
    )
    items = source.items().filter(condition).distinct().order_by("pk")[:MAX_PER_TYPE]
    results = []
    for item in items:
        rank = 0.0
        for field, weight in source.fields:
            value = _plain_value(item, field).lower()
            rank += WEIGHTS[weight] * sum(value.count(word) for word in words)
        results.append(_result(source, item, rank / 10))
    return results


def _plain_value(item, field):
    if "__" in field:  # a related field: only counted by the database match, not ranked here
        return ""
    return str(getattr(item, field, "") or "")


def _result(source, item, rank):
    return Result(
        label=source.label,
        title=str(getattr(item, source.title)),
        summary=str(getattr(item, source.summary) or ""),
        url=item.get_absolute_url(),
        rank=float(rank),
    )


# --- The stored document (PostgreSQL) ------------------------------------------------------------


def _document_sql(fields, row="NEW"):
    parts = [
        f"setweight(to_tsvector('english'::regconfig, coalesce({row}.\"{field}\"::text, '')), '{weight}')"
        for field, weight in fields
    ]
    return " || ".join(parts)


def stored_document(table, fields):
    """A migration operation: on PostgreSQL, `table` gets a trigger-kept search document, GIN-indexed for published rows.

    `fields` are (column, weight) as the app registers them. A trigger rather than a generated
    column, so later migrations can still change those columns' types. Safe to run again (the
    browser tests re-run data migrations after emptying tables). SQLite: nothing to do.
    """
    name = f"{table}_{DOCUMENT_COLUMN}"

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS "{DOCUMENT_COLUMN}" tsvector')
        schema_editor.execute(
            f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$ '
            f'BEGIN NEW."{DOCUMENT_COLUMN}" := {_document_sql(fields)}; RETURN NEW; END $$'
        )
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        schema_editor.execute(
            f'CREATE TRIGGER "{name}" BEFORE INSERT OR UPDATE ON "{table}" FOR EACH ROW EXECUTE FUNCTION "{name}"()'
        )
        schema_editor.execute(f'UPDATE "{table}" SET "{DOCUMENT_COLUMN}" = {_document_sql(fields, row=table)}')
        # Only published rows are ever searched: a partial index answers both conditions at once.
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING GIN ("{DOCUMENT_COLUMN}") WHERE "status" = \'published\''
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        schema_editor.execute(f'DROP FUNCTION IF EXISTS "{name}"()')
        schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS "{DOCUMENT_COLUMN}"')

    return migrations.RunPython(forwards, backwards)

"""Site search across every published type: PostgreSQL full-text with ranking, or a simple match on SQLite.

Apps register what they want found (see mutuals/apps.py and support/apps.py); results are
labelled by type and ranked together.

On PostgreSQL a type registered with `stored=True` (its fields all its own columns) keeps its
weighted document in a stored `search_document` column, kept up to date by a trigger and indexed with GIN
(`stored_document()` makes it in a migration). Types that search related rows (a guide's
sections, a programme's consortium members) build the document per query: there are few of them.
A related field's values are joined into one text per item by a subquery, never by joining the
rows: a join repeated the item once per related row, and its whole document (a long body) with it.
"""

from dataclasses import dataclass
from functools import reduce
from operator import add, or_

from django.contrib.postgres.aggregates import StringAgg
from django.db import connection, migrations
from django.db.models import F, OuterRef, Q, Subquery, TextField
from django.db.models.expressions import RawSQL

from psm_site.blocks import per_generation
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
    """One query: the source's SQL is compiled once per content generation (see _compiled), and
    only the typed text changes between searches."""
    sql, params, text_at, address = per_generation(("search query", source.label), lambda: _compiled(source))
    params = [text if index in text_at else param for index, param in enumerate(params)]
    if address:  # plain rows: model instances and a reverse() per result cost more than the query
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description]  # the values() names: pk, slug, rank, …
            items = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return [
            Result(
                source.label,
                str(item[source.title]),
                str(item[source.summary] or ""),
                address(item["slug"]),
                item["rank"],
            )
            for item in items
        ]
    return [_result(source, item, item.rank) for item in source.model.objects.raw(sql, params)]


TEXT_PLACEHOLDER = "\x00the typed text\x00"  # never sent: each search puts its own text in its place


def _compiled(source):
    """(SQL, parameters, where the text goes, slug -> address or None) for a search of `source`. Building and compiling the
    query is most of a search's time in Python (7 sources, a full-text match and rank each), and it
    is the same for every search until content changes or a clock boundary passes (what the items
    include as published depends on both), which is when per_generation compiles it again."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField

    if not source.stored:
        vector = reduce(
            add,
            [SearchVector(_text(source, field), weight=weight, config="english") for field, weight in source.fields],
        )
    else:  # the stored, indexed document (see stored_document)
        column = f'"{source.model._meta.db_table}"."{DOCUMENT_COLUMN}"'
        vector = RawSQL(column, [], output_field=SearchVectorField())
    query = SearchQuery(TEXT_PLACEHOLDER, search_type="websearch", config="english")
    rows = (
        source.items()
        .alias(document=vector)  # matched and ranked in SQL, never sent back
        .filter(document=query)  # the match operator: ts_rank alone is never quite 0
        .annotate(rank=SearchRank(F("document"), query))
        .order_by("-rank", "pk")
    )
    address = address_maker(source.model)
    if address:
        rows = rows.values("pk", "slug", "rank", source.title, source.summary)
    sql, params = rows[:MAX_PER_TYPE].query.sql_with_params()
    text_at = {index for index, param in enumerate(params) if param == TEXT_PLACEHOLDER}
    if not text_at:
        raise AssertionError(f"The search text is not a parameter of {source.label}'s query")
    return sql, tuple(params), frozenset(text_at), address


def _text(source, field):
    """A field of the item, or a related field's values joined into one text by a subquery (one row per item)."""
    if "__" not in field:
        return field
    texts = (
        source.model.objects.filter(pk=OuterRef("pk")).values("pk").annotate(text=StringAgg(field, " ")).values("text")
    )
    return Subquery(texts, output_field=TextField())


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

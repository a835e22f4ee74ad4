"""Shaping registry rows for the map, the list and the open-data files."""

import csv
import io
from collections import defaultdict

import orjson
from django.db import connection
from django.db.models import Count, F, OuterRef, Subquery, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.urls import reverse

from mutuals.models import Mutual, Region, Sector, region_in_sentence
from places.lookup import miles_text
from psm_site import personal_data
from psm_site.blocks import per_generation
from psm_site.spreadsheets import QUOTE, safe_rows
from psm_site.web import cache_outage
from psm_site.web.cache import generation

LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}


def live_count():
    """Published mutuals still trading: the one figure the home page, the explainer and the statistics show.

    Counted once per content generation (psm_site/blocks.py), not on every page drawn.
    """
    return per_generation("live_mutual_count", lambda: Mutual.objects.published().live().count())


# Open-data columns, in order, with what each holds (shown on the 'About this data' page).
COLUMNS = [
    ("name", "The organisation's name"),
    ("slug", "Its identifier on this site, used in its web address"),
    ("url", "Its page on this site"),
    ("summary", "One sentence: the services it delivers and where"),
    ("sectors", "The sectors it works in, separated by semicolons"),
    ("region", "One of England's nine regions"),
    ("region_code", "The region's ONS code (E12000001 to E12000009)"),
    (
        "local_authority_code",
        "The ONS code of its local authority district, from its postcode or else its pin (ONS Postcode Directory)",
    ),
    ("local_authority_name", "That district's name"),
    (
        "upper_tier_code",
        "The ONS code of the upper-tier authority (county or unitary) that district is in: the council that "
        "commissions social care and public health",
    ),
    ("upper_tier_name", "That upper-tier authority's name"),
    ("town", "Its head office's town, or the area it serves"),
    ("postcode", "Its public postcode, where known"),
    ("latitude", "WGS84 decimal degrees (town-centre precision unless refined)"),
    ("longitude", "WGS84 decimal degrees"),
    ("website", "Its website"),
    ("email", "Its public contact email"),
    ("spun_out_year", "The year it left the public sector"),
    ("parent_body", "The public body it left"),
    ("legal_form", "Its legal form"),
    ("ownership", "How its staff own or control it, in the source's words"),
    (
        "status",
        "live; closed (ceased, merged, or taken back in-house); or no_longer_mutual (still exists, but no longer "
        "meets the definition)",
    ),
    ("companies_house_number", "Companies House number"),
    ("mutuals_register_number", "Mutuals Public Register number (FCA)"),
    ("charity_number", "Registered charity number"),
    ("last_verified", "The date its details were last checked (YYYY-MM-DD)"),
    ("source_url", "Where its details were checked"),
]


STATUS_LABELS = dict(Mutual.Trading.choices)


def _sectors_by_mutual(mutual_ids):
    """{mutual id: [sector names in the sectors' order]} in one query (ids may be a subquery)."""
    sectors = defaultdict(list)
    through = Mutual.sectors.through.objects.filter(mutual_id__in=mutual_ids)
    for mutual_id, sector_name in through.order_by("sector__position").values_list("mutual_id", "sector__name"):
        sectors[mutual_id].append(sector_name)
    return sectors


ROW_FIELDS = ("id", "name", "slug", "town", "region__name", "spun_out_year", "trading_status")


def list_rows(ids, squared_km=None):
    """List rows (dicts) for one page of mutuals, given by id in the page's order, with their sectors
    and, after a postcode, how far away each is (`squared_km`: {id: squared distance}). Two queries."""
    by_id = {row["id"]: row for row in Mutual.objects.filter(pk__in=ids).values(*ROW_FIELDS)}
    sectors = _sectors_by_mutual(ids)
    base = reverse("mutuals:mutual-list")
    return [
        {
            "name": row["name"],
            "url": f"{base}{row['slug']}/",
            "town": row["town"],
            "region": row["region__name"],
            "year": row["spun_out_year"],
            "closed": row["trading_status"] != Mutual.Trading.LIVE,
            # Only rows that are not live carry a label: 'Closed' or 'No longer a mutual'.
            **(
                {}
                if row["trading_status"] == Mutual.Trading.LIVE
                else {"status_label": STATUS_LABELS[row["trading_status"]]}
            ),
            "sectors": sectors[row["id"]],
            **({"miles": miles_text(squared_km[row["id"]])} if squared_km is not None else {}),
        }
        for row in (by_id[pk] for pk in ids)
    ]


COLUMN_NAMES = [name for name, _ in COLUMNS]
SECTOR_SEPARATOR = "; "
# What the query reads, in column order; `url` is made from the slug.
READ = ["name", "slug", "summary", "sector_list", "region__name", "region__ons_code", "local_authority_id"]
READ += ["local_authority__name", "local_authority__upper_tier_code", "local_authority__upper_tier_name", "town"]
READ += ["postcode"]
READ += ["latitude_text", "longitude_text", "website", "email", "spun_out_year", "parent_body", "legal_form"]
READ += ["ownership", "trading_status", "companies_house_number", "mutuals_register_number", "charity_number"]
READ += ["verified_on", "source_url"]


def sector_list():
    """Each mutual's sector names in sector order, joined by '; ', as one SQL expression.

    PostgreSQL aggregates them with string_agg (Django's StringAgg); SQLite before 3.44 cannot
    order inside an aggregate, so it concatenates an ordered subquery instead.
    """
    through = Mutual.sectors.through
    if connection.vendor == "postgresql":
        from django.contrib.postgres.aggregates import StringAgg

        names = (
            through.objects.filter(mutual_id=OuterRef("pk"))
            .order_by()
            .values("mutual_id")
            .annotate(names=StringAgg("sector__name", SECTOR_SEPARATOR, order_by=("sector__position", "sector__name")))
            .values("names")
        )
        return Subquery(names)
    sector = Sector._meta.db_table
    return RawSQL(
        f'(SELECT group_concat(name, %s) FROM (SELECT s."name" FROM "{through._meta.db_table}" t '
        f'JOIN "{sector}" s ON s."id" = t."sector_id" WHERE t."mutual_id" = "{Mutual._meta.db_table}"."id" '
        'ORDER BY s."position", s."name"))',
        [SECTOR_SEPARATOR],
    )


def as_text(field):
    """A coordinate as the text the files hold ('51.49270'). PostgreSQL writes numeric(8, 5) so, and
    is spared making 10,000 Decimals; SQLite keeps a float, which Django makes a Decimal of that scale."""
    return Cast(field, TextField()) if connection.vendor == "postgresql" else F(field)


def export_rows(queryset, request, *, distance=False):
    """Open-data records as tuples in COLUMN_NAMES order, from one query (sectors aggregated in SQL);
    with `distance` (a queryset filtered by a postcode), each ends with its distance in miles.

    A generator, so a CSV can stream: the query runs when the first row is asked for. Its rows
    are read at once, not through a server-side cursor (`iterator()`): on PostgreSQL Django's
    cursor is WITH HOLD, which cost more than the rows themselves (about 1.5 MB at 5,000 mutuals).
    """
    detail_prefix = request.build_absolute_uri(reverse("mutuals:mutual-list"))
    legal_forms = {value: str(label) for value, label in Mutual.LegalForm.choices}
    rows = queryset.annotate(
        sector_list=sector_list(), latitude_text=as_text("latitude"), longitude_text=as_text("longitude")
    ).values_list(*READ, *(["distance_km2"] if distance else []))
    for row in rows:
        extra = (miles_text(row[-1]),) if distance else ()
        row = row[: len(READ)]
        (name, slug, summary, sectors, region, region_code, authority, authority_name, upper, upper_name, town,
         postcode, latitude, longitude, website, email, year, parent_body, legal_form, ownership, status, companies,
         register, charity, verified, source) = row  # fmt: skip
        yield (
            name, slug, f"{detail_prefix}{slug}/", summary, sectors or "", region, region_code, authority or "",
            authority_name or "", upper or "", upper_name or "", town, postcode,
            str(latitude), str(longitude), website, email, year or "", parent_body,
            legal_forms.get(legal_form, legal_form), ownership, status, companies, register, charity,
            verified.isoformat() if verified else "", source, *extra,
        )  # fmt: skip


def export_records(rows, columns=COLUMN_NAMES):
    """The rows as {column: value} dicts, for JSON."""
    return [dict(zip(columns, row, strict=True)) for row in rows]


LATITUDE, LONGITUDE = COLUMN_NAMES.index("latitude"), COLUMN_NAMES.index("longitude")


def geojson_features(rows, columns=COLUMN_NAMES):
    """The rows as GeoJSON points, every column but the coordinates in their properties."""
    names = [name for name in columns if name not in ("latitude", "longitude")]
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row[LONGITUDE]), float(row[LATITUDE])]},
            "properties": dict(zip(names, row[:LATITUDE] + row[LONGITUDE + 1 :], strict=True)),
        }
        for row in rows
    ]


# Cells people write; the rest (url, region code, coordinates, year, legal form, status, date)
# the site makes. Only these are searched for formula starts (see safe_rows).
TEXT_COLUMNS = [
    COLUMN_NAMES.index(name)
    for name in COLUMN_NAMES
    if name
    not in {"url", "region_code", "latitude", "longitude", "spun_out_year", "legal_form", "status", "last_verified"}
    | {"local_authority_code", "local_authority_name", "upper_tier_code", "upper_tier_name"}  # from ONS
]


def csv_chunks(rows, columns=COLUMN_NAMES, size=500):
    """The CSV file (header, then a line per record) as UTF-8 bytes, `size` lines at a time: the one
    place CSV cells are written, through safe_rows. Streamed in chunks, not lines, so a large
    file costs tens of writes to the socket, not thousands."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=QUOTE)
    writer.writerow(columns)
    for number, row in enumerate(safe_rows(rows, TEXT_COLUMNS), start=1):
        writer.writerow(row)
        if number % size == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def compact_points(queryset):
    """Every result as only what a marker and its popup need, for the map's points endpoint.

    {"base": "/mutuals/", "sectors": [names], "points": [[lat, lng, name, slug, town, [sector
    indexes], closed 0/1], …]}, coordinates to 5 places (about a metre). Two queries whatever the size;
    the sectors query takes the results as a subquery, never as thousands of bound ids.
    """
    rows = list(queryset.values_list("id", "latitude", "longitude", "name", "slug", "town", "trading_status"))
    through = Mutual.sectors.through.objects.filter(mutual_id__in=queryset.values("id"))
    names, index, by_mutual = [], {}, defaultdict(list)
    for mutual_id, sector_name in through.order_by("sector__position").values_list("mutual_id", "sector__name"):
        if sector_name not in index:
            index[sector_name] = len(names)
            names.append(sector_name)
        by_mutual[mutual_id].append(index[sector_name])
    closed = Mutual.Trading.CLOSED
    return {
        "base": reverse("mutuals:mutual-list"),
        "sectors": names,
        "points": [
            [round(float(lat), 5), round(float(lng), 5), name, slug, town, by_mutual[pk], int(status == closed)]
            for pk, lat, lng, name, slug, town, status in rows
        ],
    }


def map_summary(by_region):
    """The map's text summary from [(region name, count)]: '34 mutuals in 9 regions; most in the North West'."""
    by_region = [(name, count) for name, count in by_region if count]
    total = sum(count for _, count in by_region)
    if not total:
        return "No mutuals match these filters, so the map shows none."
    mutuals = f"{total:,} mutual{'s' if total != 1 else ''}"
    if len(by_region) == 1:
        return f"{mutuals}, all in {region_in_sentence(by_region[0][0])}."
    most = max(count for _, count in by_region)
    leaders = [region_in_sentence(name) for name in sorted(name for name, count in by_region if count == most)]
    names = " and ".join([", ".join(leaders[:-1]), leaders[-1]] if len(leaders) > 1 else leaders)
    return f"{mutuals} in {len(by_region)} regions; most in {names}."


# --- The points endpoint's cache ------------------------------------------------------------------

POINTS_CACHE_SECONDS = 300


def cached_points(queryset, query):
    """compact_points as compact JSON (bytes), cached per filter query under the content's generation
    (a new one with every change: see psm_site/web/cache.py)."""
    key = f"mutuals:points:{generation()}:{query}"
    body = cache_outage.call("get", key)
    if body is None:
        body = orjson.dumps(compact_points(queryset))
        cache_outage.call("set", key, body, POINTS_CACHE_SECONDS)
    return body


# --- Coverage: live mutuals by sector and region --------------------------------------------------


def coverage():
    """Live published mutuals counted by sector × region, with totals. Four queries whatever the size.

    A mutual working in two sectors counts in both sectors' rows, but once in its region's total.
    """
    live = Mutual.objects.published().live()
    regions = list(Region.objects.values("id", "name", "slug", "ons_code"))
    sectors = list(Sector.objects.values("id", "name", "slug"))
    cells = {
        (row["sectors"], row["region"]): row["count"]
        for row in live.values("sectors", "region").annotate(count=Count("id", distinct=True)).order_by()
    }
    region_totals = {
        row["region"]: row["count"] for row in live.values("region").annotate(count=Count("id")).order_by()
    }
    rows = [
        {
            **sector,
            "cells": [{**region, "count": cells.get((sector["id"], region["id"]), 0)} for region in regions],
        }
        for sector in sectors
    ]
    for row in rows:
        row["total"] = sum(cell["count"] for cell in row["cells"])
    for region in regions:
        region["count"] = region_totals.get(region["id"], 0)
    return {"regions": regions, "rows": rows, "total": sum(region_totals.values())}


def coverage_by_upper_tier():
    """Live published mutuals counted by upper-tier authority (the county or unitary council that
    commissions social care and public health) × sector. Three queries whatever the size.

    Only authorities with at least one live mutual in the registry are rows; live mutuals with no
    local authority recorded are counted apart, in "unplaced".
    """
    live = Mutual.objects.published().live()
    code, name = "local_authority__upper_tier_code", "local_authority__upper_tier_name"
    sectors = list(Sector.objects.values("id", "name", "slug"))
    cells = {
        (row[code], row["sectors"]): row["count"]
        for row in live.values(code, "sectors").annotate(count=Count("id", distinct=True)).order_by()
    }
    totals = list(live.values(code, name).annotate(count=Count("id")).order_by())
    unplaced = sum(row["count"] for row in totals if row[code] is None)
    placed = sorted((row for row in totals if row[code] is not None), key=lambda row: (row[name], row[code]))
    rows = [
        {
            "code": row[code],
            "name": row[name],
            "total": row["count"],
            "cells": [{**sector, "count": cells.get((row[code], sector["id"]), 0)} for sector in sectors],
        }
        for row in placed
    ]
    for sector in sectors:
        sector["count"] = sum(cells.get((row["code"], sector["id"]), 0) for row in rows)
    return {
        "sectors": sectors,
        "rows": rows,
        "placed": sum(row["total"] for row in rows),
        "unplaced": unplaced,
    }


personal_data.register_cache_use("mutuals.registry", "")  # the map's points, by filter query: nothing about a person

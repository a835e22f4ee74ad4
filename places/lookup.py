"""Answering 'where is this postcode?' and 'which local authority is this pin in?' from the tables
that places/build.py fills. One indexed query a lookup; nothing held in the app server's memory.

Data: Office for National Statistics, ONS Postcode Directory, Open Government Licence v3.0
(see CREDIT, shown wherever the lookup is used).
"""

import math
import re
from dataclasses import dataclass

from django.db.models import F, FloatField, Value
from django.db.models.functions import Cast

from places.models import LocalAuthority, Nation, Postcode, PostcodeData, PostcodeSector

CREDIT = (
    "Postcode locations and local authorities: Office for National Statistics, ONS Postcode Directory, "
    "licensed under the Open Government Licence v3.0. Contains OS data © Crown copyright and database right."
)
EXAMPLE = "LS1 4DY"
# A UK postcode without its space: outward code (area, district) then inward code (sector digit, unit).
POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2})$")
KM_PER_MILE = 1.609344
KM_PER_DEGREE_LATITUDE = 110.574
KM_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111.320


def compact(text: str) -> str:
    """'sw1a 2aa ' -> 'SW1A2AA'."""
    return "".join(text.split()).upper()


def display(postcode: str) -> str:
    """'SW1A2AA' -> 'SW1A 2AA'."""
    return f"{postcode[:-3]} {postcode[-3:]}"


def is_postcode(text: str) -> bool:
    return bool(POSTCODE.match(compact(text)))


@dataclass(frozen=True)
class Place:
    postcode: str  # as shown, with its space
    latitude: float
    longitude: float
    local_authority_code: str
    exact: bool  # False when only the postcode's sector was known (a SQLite lookup built without --full)

    @property
    def nation(self) -> str | None:
        """'England', 'Scotland', … from the local authority code's first letter."""
        code = self.local_authority_code[:1]
        return Nation(code).label if code in Nation.values else None

    @property
    def in_england(self) -> bool:
        return self.local_authority_code.startswith(Nation.ENGLAND)


def find(text: str) -> Place | None:
    """The place of a postcode (any case, with or without its space), or None if it is not one."""
    code = compact(text)
    if not POSTCODE.match(code):
        return None
    row = Postcode.objects.filter(pk=code).values_list("latitude", "longitude", "local_authority_code").first()
    if row:
        return Place(display(code), *row, exact=True)
    if PostcodeData.objects.filter(full_postcodes=True).exists():
        return None
    # Only sectors were built: answer at sector precision (a few hundred metres in towns).
    row = PostcodeSector.objects.filter(pk=display(code)[:-2]).values_list(
        "latitude", "longitude", "local_authority_code"
    )
    row = row.first()
    return Place(display(code), *row, exact=False) if row else None


def nearest_sector(latitude, longitude) -> PostcodeSector | None:
    """The postcode sector whose centre is nearest the point: for a pin with no postcode."""
    latitude, longitude = float(latitude), float(longitude)
    for reach in (0.05, 0.2, 1.0):
        candidates = PostcodeSector.objects.filter(
            latitude__range=(latitude - reach, latitude + reach),
            longitude__range=(longitude - 2 * reach, longitude + 2 * reach),
        )
        best = min(
            candidates, key=lambda sector: km(latitude, longitude, sector.latitude, sector.longitude), default=None
        )
        if best is not None:
            return best
    return None


def local_authority_code(*, postcode="", latitude=None, longitude=None) -> str:
    """The local authority district code of a postcode when given and known, else of the sector
    nearest the pin; '' when neither is known. One query, or two when the postcode is unknown."""
    place = find(postcode) if postcode else None
    if place:
        return place.local_authority_code
    if latitude is not None and longitude is not None:
        sector = nearest_sector(latitude, longitude)
        return sector.local_authority_code if sector else ""
    return ""


def local_authority_at(**where) -> LocalAuthority | None:
    """The LocalAuthority for local_authority_code's arguments."""
    code = local_authority_code(**where)
    return LocalAuthority.objects.filter(pk=code).first() if code else None


_english = {"built": None, "authorities": {}}


def english_authorities() -> dict[str, LocalAuthority]:
    """England's local authorities by slug, in name order: Find a mutual's choices on every request.

    Only `build_postcodes` writes the table, and it records when (PostcodeData.built_at), so each
    process reads the 300-odd rows once per build and afterwards asks one small query.
    """
    built = PostcodeData.objects.values_list("pk", "built_at").first()
    if built != _english["built"]:
        rows = LocalAuthority.objects.filter(code__startswith=Nation.ENGLAND).only("slug", "name")
        _english.update(built=built, authorities={row.slug: row for row in rows})
    return _english["authorities"]


# --- Distances --------------------------------------------------------------------------------------
# Kilometres on a plane scaled at the origin's latitude: within 0.5% of the great-circle distance
# across England's 50-mile radii. The SQL and the Python below use the same formula, so the order
# of a list and the distances it shows always agree.


def _scales(origin_latitude):
    return KM_PER_DEGREE_LATITUDE, KM_PER_DEGREE_LONGITUDE_AT_EQUATOR * math.cos(math.radians(origin_latitude))


def km(origin_latitude, origin_longitude, latitude, longitude) -> float:
    north, east = _scales(origin_latitude)
    return math.hypot((float(latitude) - origin_latitude) * north, (float(longitude) - origin_longitude) * east)


def squared_km_expression(place: Place, latitude_field="latitude", longitude_field="longitude"):
    """The squared distance in km² from the place to each row, as an SQL expression (ordering by it
    needs no square root, which SQLite lacks)."""
    north, east = _scales(place.latitude)
    dy = (Cast(F(latitude_field), FloatField()) - Value(place.latitude)) * Value(north)
    dx = (Cast(F(longitude_field), FloatField()) - Value(place.longitude)) * Value(east)
    return dy * dy + dx * dx


def miles_text(squared_km: float) -> str:
    """A squared distance in km² as every page and file shows it: miles to a tenth ('12.3')."""
    return f"{math.sqrt(squared_km) / KM_PER_MILE:.1f}"


def squared_km_within(miles_away: float) -> float:
    return (miles_away * KM_PER_MILE) ** 2


def box_around(place: Place, miles_away: float, latitude_field="latitude", longitude_field="longitude") -> dict:
    """Filters for the rectangle around the circle of that radius: a first cut that an index on the
    pin can answer, so the distance is worked out only for rows that might be inside it."""
    north, east = _scales(place.latitude)
    reach = miles_away * KM_PER_MILE * 1.01  # a margin for rounding; the circle decides
    latitudes = place.latitude - reach / north, place.latitude + reach / north
    longitudes = place.longitude - reach / east, place.longitude + reach / east
    return {
        f"{latitude_field}__range": tuple(round(value, 6) for value in latitudes),
        f"{longitude_field}__range": tuple(round(value, 6) for value in longitudes),
    }

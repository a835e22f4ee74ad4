"""Does a pin lie in England, and in the region its mutual names?

The regions are ONS region polygons simplified for maps (static/geo/england-regions.geojson;
attribution in static/geo/README.md), accurate to about 100 m at the boundaries. Points are
projected to kilometres (a sinusoidal projection, true enough across England) so the tolerance
for simplified coastlines and boundaries is a distance: 2 km.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings

REGIONS_FILE = Path(settings.BASE_DIR) / "static" / "geo" / "england-regions.geojson"
TOLERANCE_KM = 2.0
KM_PER_DEGREE_LATITUDE = 110.574
KM_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111.320


def to_km(longitude, latitude):
    """WGS84 degrees to kilometres on a sinusoidal projection (works on numpy arrays)."""
    return (
        np.asarray(longitude) * np.cos(np.radians(latitude)) * KM_PER_DEGREE_LONGITUDE_AT_EQUATOR,
        np.asarray(latitude) * KM_PER_DEGREE_LATITUDE,
    )


@dataclass(frozen=True)
class RegionShape:
    code: str
    name: str
    shape: shapely.Geometry


@cache
def region_shapes() -> tuple[RegionShape, ...]:
    features = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))["features"]
    shapes = []
    for feature in features:
        geometry = shapely.geometry.shape(feature["geometry"])
        projected = shapely.transform(geometry, lambda xy: np.column_stack(to_km(xy[:, 0], xy[:, 1])))
        shapely.prepare(projected)
        shapes.append(RegionShape(feature["properties"]["code"], feature["properties"]["name"], projected))
    return tuple(shapes)


def _point(latitude, longitude):
    x, y = to_km(float(longitude), float(latitude))
    return shapely.Point(float(x), float(y))


def region_at(latitude, longitude) -> RegionShape | None:
    """The region the point lies in; failing that the nearest within the tolerance; else None."""
    point = _point(latitude, longitude)
    for region in region_shapes():
        if region.shape.contains(point):
            return region
    nearest = min(region_shapes(), key=lambda region: region.shape.distance(point))
    return nearest if nearest.shape.distance(point) <= TOLERANCE_KM else None


def pin_problem(region_code: str, region_name: str, latitude, longitude) -> str | None:
    """None when the pin lies in the named region (within 2 km); otherwise what is wrong, for the editor."""
    if (
        latitude is None
        or longitude is None
        or not math.isfinite(float(latitude))
        or not math.isfinite(float(longitude))
    ):
        return None
    point = _point(latitude, longitude)
    mine = next((region for region in region_shapes() if region.code == region_code), None)
    if mine is None or mine.shape.distance(point) <= TOLERANCE_KM:
        return None
    actual = region_at(latitude, longitude)
    if actual is None:
        return (
            f"This pin ({float(latitude):.4f}, {float(longitude):.4f}) is outside England. "
            "Place it at the head office on the map, or check the latitude and longitude."
        )
    return (
        f"This pin is in {actual.name}, not {region_name}. "
        f"Move the pin into {region_name}, or change the region to {actual.name}."
    )


# --- A postcode beside a pin ------------------------------------------------------------------------

POSTCODE_TOLERANCE_KM = 5.0


def pin_at_postcode(postcode):
    """(latitude, longitude) as Decimals to 5 places at the postcode's centre, or None if unknown."""
    from decimal import Decimal

    from places.lookup import find

    place = find(postcode) if postcode else None
    if place is None:
        return None
    return Decimal(f"{place.latitude:.5f}"), Decimal(f"{place.longitude:.5f}")


def postcode_pin_problem(postcode, latitude, longitude) -> str | None:
    """None when the postcode (if known) and the pin agree; otherwise what is wrong, naming both:
    more than 5 km apart, or in different regions of England."""
    from places.lookup import find, km

    place = find(postcode) if postcode and latitude is not None and longitude is not None else None
    if place is None:
        return None
    apart = km(place.latitude, place.longitude, latitude, longitude)
    pin = f"the pin ({float(latitude):.4f}, {float(longitude):.4f})"
    at_postcode = f"{place.postcode} ({place.latitude:.4f}, {place.longitude:.4f})"
    postcode_region, pin_region = region_at(place.latitude, place.longitude), region_at(latitude, longitude)
    if postcode_region and pin_region and postcode_region.code != pin_region.code:
        return (
            f"The postcode {at_postcode} is in {postcode_region.name} but {pin} is in {pin_region.name}. "
            "Correct the postcode, or move the pin to the head office."
        )
    if apart > POSTCODE_TOLERANCE_KM:
        return (
            f"The postcode {at_postcode} is {apart:.1f} km from {pin}. "
            "Correct the postcode, or move the pin to the head office (clear both coordinates to place it at the "
            "postcode)."
        )
    return None

"""What every map on the site draws: England's nine regions from our own file, optional tiles, attribution.

The regions file is static/geo/england-regions.geojson (a copy of shared/data's, byte for byte).
Browsers fetch it as the base layer of each Leaflet map; the coverage page draws the same shapes
as a server-rendered SVG, so its choropleth needs no JavaScript.
"""

import json
import math
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.templatetags.static import static

REGIONS_FILE = "geo/england-regions.geojson"
REGIONS_PATH = Path(__file__).resolve().parent.parent / "static" / REGIONS_FILE
# The boundaries' licence asks every page showing them to carry this (shared/data/README.md).
REGIONS_ATTRIBUTION_TEXT = (
    "Contains OS data © Crown copyright and database right 2014. "
    "Contains National Statistics data © Crown copyright. "
    "Boundaries: UK Boundary Data by Martin Chorley, CC BY 4.0."
)
REGIONS_ATTRIBUTION = REGIONS_ATTRIBUTION_TEXT.replace(
    "CC BY 4.0", '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>'
)

# Where a map starts before it fits its markers or regions: all of England in view.
ENGLAND_CENTRE = (52.8, -1.6)
ENGLAND_ZOOM = 6


def map_settings():
    """What the map scripts need, for `json_script`: the regions file, tiles (or none) and marker icons."""
    return {
        "regions": static(REGIONS_FILE),
        "attribution": REGIONS_ATTRIBUTION,
        "tiles": settings.MAP_TILES_URL or None,
        "tilesAttribution": settings.MAP_TILES_ATTRIBUTION,
        "center": list(ENGLAND_CENTRE),
        "zoom": ENGLAND_ZOOM,
        # Each image by its own static URL: with hashed file names a shared imagePath cannot work.
        "icons": {
            "iconUrl": static("leaflet/images/marker-icon.png"),
            "iconRetinaUrl": static("leaflet/images/marker-icon-2x.png"),
            "shadowUrl": static("leaflet/images/marker-shadow.png"),
        },
    }


@lru_cache(maxsize=1)
def region_features():
    """The nine regions' GeoJSON features, keyed by ONS code."""
    with REGIONS_PATH.open(encoding="utf-8") as file:
        return {feature["properties"]["code"]: feature for feature in json.load(file)["features"]}


# The SVG map: longitude and latitude projected flat, with longitude shrunk by cos(53°) so
# England keeps its shape (good enough for a country this size; no projection library needed).
SVG_WIDTH = 400
_SHRINK = math.cos(math.radians(53))


def _rings(geometry):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


@lru_cache(maxsize=1)
def _frame():
    """(west, north, height, scale) of the SVG drawing, from the regions' extent."""
    points = [point for f in region_features().values() for ring in _rings(f["geometry"]) for point in ring]
    west = min(lng for lng, _ in points) * _SHRINK
    east = max(lng for lng, _ in points) * _SHRINK
    south = min(lat for _, lat in points)
    north = max(lat for _, lat in points)
    scale = SVG_WIDTH / (east - west)
    return west, north, round((north - south) * scale), scale


def _svg_point(lng, lat):
    west, north, _, scale = _frame()
    return round((lng * _SHRINK - west) * scale, 1), round((north - lat) * scale, 1)


@lru_cache(maxsize=1)
def svg_shapes():
    """(viewBox, {ONS code: path data}) for drawing the regions as an SVG."""
    _, _, height, _ = _frame()
    paths = {
        code: " ".join(
            "M" + "L".join("{},{}".format(*_svg_point(lng, lat)) for lng, lat in ring) + "Z"
            for ring in _rings(feature["geometry"])
        )
        for code, feature in region_features().items()
    }
    return f"0 0 {SVG_WIDTH} {height}", paths


# Choropleth classes: white for none, then GOV.UK blue tints getting darker (each step's outline
# and label carry the number too, so colour is never the only cue).
SHADES = ["#d2e2f1", "#8eb8dc", "#5694ca", "#1d70b8", "#003078"]


def _classes(largest):
    """[(low, high)] count ranges, at most len(SHADES), covering 1..largest."""
    if largest <= 0:
        return []
    steps = min(len(SHADES), largest)
    size = math.ceil(largest / steps)
    return [(low, min(low + size - 1, largest)) for low in range(1, largest + 1, size)]


def _label_point(geometry):
    """A point to print a region's number at: the centroid of its largest ring (in SVG units later)."""
    ring = max(_rings(geometry), key=lambda r: abs(_area(r)))
    area = _area(ring)
    cx = sum((x0 + x1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    cy = sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    return cx / (6 * area), cy / (6 * area)


def _area(ring):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def choropleth(regions):
    """The coverage map as SVG parts: regions (dicts with ons_code, name, slug, count) shaded by count.

    Returns {"view_box", "regions": [… with "path", "fill", "x", "y"], "legend": [(fill, words)]}.
    """
    view_box, paths = svg_shapes()
    features = region_features()
    classes = _classes(max((region["count"] for region in regions), default=0))
    legend = [("#ffffff", "none")] + [
        (SHADES[i], str(low) if low == high else f"{low} to {high}") for i, (low, high) in enumerate(classes)
    ]
    drawn = []
    for region in regions:
        count = region["count"]
        fill = "#ffffff" if not count else next(SHADES[i] for i, (_, high) in enumerate(classes) if count <= high)
        x, y = _svg_point(*_label_point(features[region["ons_code"]]["geometry"]))
        dark = fill in SHADES[2:]
        drawn.append({**region, "path": paths[region["ons_code"]], "fill": fill, "x": x, "y": y, "dark": dark})
    return {"view_box": view_box, "regions": drawn, "legend": legend}

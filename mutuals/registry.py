"""Shaping registry rows for the map, the list and the open-data files."""

from collections import defaultdict

from django.urls import reverse

from mutuals.models import Mutual

LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}


def live_count():
    """Published mutuals still trading: the one figure the home page, the explainer and the statistics show."""
    return Mutual.objects.published().live().count()


# Open-data columns, in order, with what each holds (shown on the 'About this data' page).
COLUMNS = [
    ("name", "The organisation's name"),
    ("slug", "Its identifier on this site, used in its web address"),
    ("url", "Its page on this site"),
    ("summary", "One sentence: the services it delivers and where"),
    ("sectors", "The sectors it works in, separated by semicolons"),
    ("region", "One of England's nine regions"),
    ("region_code", "The region's ONS code (E12000001 to E12000009)"),
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
    ("status", "live, or closed (ceased, merged, or taken back in-house)"),
    ("companies_house_number", "Companies House number"),
    ("mutuals_register_number", "Mutuals Public Register number (FCA)"),
    ("charity_number", "Registered charity number"),
    ("last_verified", "The date its details were last checked (YYYY-MM-DD)"),
    ("source_url", "Where its details were checked"),
]


def map_points(queryset):
    """Every result as a small dict for the map and the list: two queries whatever the size."""
    rows = list(
        queryset.values(
            "id", "name", "slug", "town", "region__name", "spun_out_year", "trading_status", "latitude", "longitude"
        )
    )
    sectors = defaultdict(list)
    through = Mutual.sectors.through.objects.filter(mutual_id__in=[row["id"] for row in rows])
    for mutual_id, sector_name in through.order_by("sector__position").values_list("mutual_id", "sector__name"):
        sectors[mutual_id].append(sector_name)
    base = reverse("mutuals:mutual-list")
    return [
        {
            "name": row["name"],
            "url": f"{base}{row['slug']}/",
            "town": row["town"],
            "region": row["region__name"],
            "year": row["spun_out_year"],
            "closed": row["trading_status"] == Mutual.Trading.CLOSED,
            "sectors": sectors[row["id"]],
            "lat": float(row["latitude"]),
            "lng": float(row["longitude"]),
        }
        for row in rows
    ]


def export_row(mutual, request):
    """One mutual as an open-data record, keyed by COLUMNS."""
    return {
        "name": mutual.name,
        "slug": mutual.slug,
        "url": request.build_absolute_uri(mutual.get_absolute_url()),
        "summary": mutual.summary,
        "sectors": "; ".join(mutual.sector_names()),
        "region": mutual.region.name,
        "region_code": mutual.region.ons_code,
        "town": mutual.town,
        "postcode": mutual.postcode,
        "latitude": str(mutual.latitude),
        "longitude": str(mutual.longitude),
        "website": mutual.website,
        "email": mutual.email,
        "spun_out_year": mutual.spun_out_year or "",
        "parent_body": mutual.parent_body,
        "legal_form": mutual.get_legal_form_display(),
        "ownership": mutual.ownership,
        "status": mutual.trading_status,
        "companies_house_number": mutual.companies_house_number,
        "mutuals_register_number": mutual.mutuals_register_number,
        "charity_number": mutual.charity_number,
        "last_verified": mutual.verified_on.isoformat() if mutual.verified_on else "",
        "source_url": mutual.source_url,
    }

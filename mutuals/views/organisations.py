"""The registry's pages: find a mutual (list, map, data files), a mutual, statistics and about
this data, a region, a local authority and coverage."""

import csv
from collections import Counter

import orjson
from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from mutuals.forms import MutualFilterForm
from mutuals.maps import REGIONS_ATTRIBUTION, choropleth, map_settings
from mutuals.models import Mutual, Region, Sector
from mutuals.registry import (
    COLUMN_NAMES,
    COLUMNS,
    LICENCE,
    cached_points,
    compact_points,
    coverage,
    coverage_by_upper_tier,
    csv_chunks,
    export_records,
    export_rows,
    geojson_features,
    list_rows,
    map_summary,
)
from places.lookup import CREDIT as POSTCODE_CREDIT
from places.lookup import miles_text, squared_km_expression
from places.models import LocalAuthority, Nation
from psm_site.blocks import per_generation
from psm_site.pages.pagination import get_page_or_404, page_links
from psm_site.publishing.actions import get_for_request, preview_aware
from psm_site.publishing.schedule import live_q
from psm_site.spreadsheets import QUOTE, safe_cell
from psm_site.templatetags.psm import organisation_data
from psm_site.web.cache import dated, public_page

# --- Find a mutual ------------------------------------------------------------------------------

# 20 results a page, as GOV.UK's own search shows: the map above draws every result, and the data
# files hold them all.
PAGE_SIZE = 20
FILTER_PARAMS = list(MutualFilterForm.base_fields)  # the query parameters of a filtered list or data file


def _filter(request):
    """The filter form and, when it is valid, the published mutuals it selects."""
    form = MutualFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, form.filter(Mutual.objects.published())


def _bad_filters(form):
    """A plain-text 400 for the data URLs, saying what is wrong with the query."""
    messages = [f"{form.fields[name].label}: {error}" for name, errors in form.errors.items() for error in errors]
    return HttpResponseBadRequest(
        "\n".join(["The filters in this address are not valid:", *messages]) + "\n",
        content_type="text/plain; charset=utf-8",
    )


def _unkept(response, form):
    """A response for a typed postcode is never kept: not by the page cache (which skips any response
    marked private or no-store), not by a shared cache, not under the postcode in any key."""
    if form.is_valid() and form.place:
        add_never_cache_headers(response)
    return response


def _results(request, form, results):
    """The list page's changing part: the count, the map summary and one page of rows.

    Three queries whatever the registry's size: every result's id and region (and distance, after
    a postcode) in the list's order, which give the total, the map's summary and the page; then the
    page's rows and their sectors. The map's points come separately, from `mutual_points`.
    """
    place = form.place
    ordered = list(results.values_list("id", "region_id", *(["distance_km2"] if place else [])))
    page = get_page_or_404(ordered, PAGE_SIZE, request.GET.get("page"))
    counts = Counter(result[1] for result in ordered)
    regions = sorted(form.fields["region"].rows().values(), key=lambda region: region.ons_code)
    return {
        "filter_form": form,
        "place": place,
        "distance": form.cleaned_data["distance"],
        "postcode_credit": POSTCODE_CREDIT if place else "",
        "total": len(ordered),
        "map_summary": map_summary([(region.name, counts[region.pk]) for region in regions]),
        "page": page,
        "rows": list_rows(
            [result[0] for result in page.object_list],
            {result[0]: result[2] for result in page.object_list} if place else None,
        ),
        "page_links": page_links(page, lambda number: "?" + form.query_string(page=number)),
        "query": form.query_string(),
        "points_url": reverse("mutuals:mutual-points") + (f"?{form.query_string()}" if form.query_string() else ""),
    }


@public_page(params=[*FILTER_PARAMS, "page"])
def mutual_list(request):
    form, results = _filter(request)
    if results is None:
        return render(request, "mutuals/mutual_list.html", {"filter_form": form, "page": None}, status=400)
    context = {**_results(request, form, results), "map_settings": map_settings()}
    return _unkept(render(request, "mutuals/mutual_list.html", context), form)


@public_page(params=[*FILTER_PARAMS, "page"])
def mutual_results(request):
    """Just the count and the list for the map script's live filters (the page without its frame)."""
    form, results = _filter(request)
    if results is None:
        return _bad_filters(form)
    return _unkept(
        render(request, "mutuals/includes/mutual_list_fragment.html", _results(request, form, results)), form
    )


@public_page(params=FILTER_PARAMS)
def mutual_points(request):
    """The map's markers for a filter, compact and cached (see registry.compact_points)."""
    form, results = _filter(request)
    if results is None:
        return _bad_filters(form)
    if form.place:
        body = orjson.dumps(compact_points(results))  # never cached under a postcode
        return _unkept(HttpResponse(body, content_type="application/json"), form)
    return HttpResponse(cached_points(results, form.query_string()), content_type="application/json")


@public_page
def mutual_detail(request, slug):
    mutual, is_preview = get_for_request(request, Mutual.objects.for_page(), kept_as="mutual page", slug=slug)
    context = {
        "mutual": mutual,
        "is_preview": is_preview,
        "points": [
            {
                "name": mutual.name,
                "url": mutual.get_absolute_url(),
                "town": mutual.town,
                "sectors": mutual.sector_names(),
                "closed": not mutual.is_live,
                "lat": float(mutual.latitude),
                "lng": float(mutual.longitude),
            }
        ],
        "json_ld": _organisation_json_ld(request, mutual),
        "map_settings": map_settings(),
    }
    response = render(request, "mutuals/mutual_detail.html", context)
    return preview_aware(dated(response, mutual.last_updated_at or mutual.first_published_at), is_preview)


def _organisation_json_ld(request, mutual):
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": mutual.name,
        "description": mutual.summary,
        "url": mutual.website or request.build_absolute_uri(mutual.get_absolute_url()),
        "address": {
            "@type": "PostalAddress",
            "addressLocality": mutual.town,
            "addressRegion": mutual.region.name,
            "addressCountry": "GB",
            **({"postalCode": mutual.postcode} if mutual.postcode else {}),
            **({"streetAddress": " ".join(mutual.address.split())} if mutual.address else {}),
        },
        "geo": {"@type": "GeoCoordinates", "latitude": float(mutual.latitude), "longitude": float(mutual.longitude)},
        "knowsAbout": mutual.sector_names(),
    }
    if mutual.email:
        data["email"] = mutual.email
    if mutual.spun_out_year:
        data["foundingDate"] = str(mutual.spun_out_year)
    if mutual.companies_house_number:
        data["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "Companies House",
            "value": mutual.companies_house_number,
        }
    return data


def _export_rows(request):
    """The open-data records for this address's filters (a generator), their column names (with
    `distance_miles` after a postcode) and the form; or a 400 saying what is wrong."""
    form, results = _filter(request)
    if results is None:
        return None, None, None, _bad_filters(form)
    columns = [*COLUMN_NAMES, "distance_miles"] if form.place else COLUMN_NAMES
    return export_rows(results, request, distance=bool(form.place)), columns, form, None


@public_page(params=FILTER_PARAMS)
def mutuals_csv(request):
    rows, columns, form, error = _export_rows(request)
    if error:
        return error
    response = StreamingHttpResponse(csv_chunks(rows, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="public-service-mutuals.csv"'
    return _unkept(response, form)


@public_page(params=FILTER_PARAMS)
def mutuals_json(request):
    rows, columns, form, error = _export_rows(request)
    if error:
        return error
    records = export_records(rows, columns)
    data = {
        "licence": LICENCE,
        "publisher": settings.ORGANISATION["name"],
        "count": len(records),
        "count_by_status": {value: sum(row["status"] == value for row in records) for value in Mutual.Trading.values},
        "mutuals": records,
    }
    if form.place:
        data["postcode_data"] = POSTCODE_CREDIT
    return _unkept(HttpResponse(orjson.dumps(data), content_type="application/json"), form)


@public_page(params=FILTER_PARAMS)
def mutuals_geojson(request):
    rows, columns, form, error = _export_rows(request)
    if error:
        return error
    body = {"type": "FeatureCollection", "licence": LICENCE, "features": geojson_features(rows, columns)}
    if form.place:
        body["postcode_data"] = POSTCODE_CREDIT
    return _unkept(HttpResponse(orjson.dumps(body), content_type="application/geo+json"), form)


@public_page
def about_data(request):
    json_ld = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": "Public service mutuals in England",
        "description": "The registry of public service mutuals: organisations that have left the public sector, "
        "still deliver public services, and are run with real staff control.",
        "url": request.build_absolute_uri(request.path),
        "license": LICENCE["url"],
        "creator": organisation_data(),
        "spatialCoverage": "England",
        "variableMeasured": [name for name, _ in COLUMNS],
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": kind, "contentUrl": request.build_absolute_uri(reverse(name))}
            for kind, name in [
                ("text/csv", "mutuals:mutuals-csv"),
                ("application/json", "mutuals:mutuals-json"),
                ("application/geo+json", "mutuals:mutuals-geojson"),
            ]
        ],
    }
    return render(request, "mutuals/about_data.html", {"columns": COLUMNS, "licence": LICENCE, "json_ld": json_ld})


@public_page
def statistics(request):
    published_live = live_q(timezone.now(), prefix="mutuals__") & Q(mutuals__trading_status=Mutual.Trading.LIVE)
    by_sector = list(
        Sector.objects.annotate(count=Count("mutuals", filter=published_live)).values("name", "slug", "count")
    )
    by_region = list(
        Region.objects.annotate(count=Count("mutuals", filter=published_live)).values("name", "slug", "count")
    )
    per_year = (
        Mutual.objects.published()
        .exclude(spun_out_year=None)
        .values("spun_out_year")
        .annotate(count=Count("id"))
        .order_by("spun_out_year")
    )
    growth, total = [], 0
    for row in per_year:
        total += row["count"]
        growth.append({"year": row["spun_out_year"], "new": row["count"], "total": total})
    by_status = _counts_by_status(Mutual.objects.published())
    context = {
        "by_sector": _with_shares(by_sector),
        "by_region": _with_shares(by_region),
        "growth": _with_shares(growth, key="total"),
        "live_total": by_status[Mutual.Trading.LIVE],
        "by_status": [
            {"value": value, "label": label, "count": by_status[value]} for value, label in Mutual.Trading.choices
        ],
    }
    return render(request, "mutuals/statistics.html", context)


def _counts_by_status(queryset):
    """{trading status: count} over every status, in one query."""
    counts = dict.fromkeys(Mutual.Trading.values, 0)
    for row in queryset.order_by().values("trading_status").annotate(count=Count("id")):
        counts[row["trading_status"]] = row["count"]
    return counts


def _with_shares(rows, key="count"):
    """Add each row's bar width as a whole percentage of the largest value."""
    largest = max((row[key] for row in rows), default=0) or 1
    for row in rows:
        row["share"] = round(100 * row[key] / largest)
    return rows


# --- Regions and coverage ---------------------------------------------------------------------------

RECENT_SPIN_OUTS = 5


def _region_rows(slug):
    """A region, its live mutuals' count, their counts by sector and its latest spin-outs: the same
    for every visitor until the content generation moves, so read once per generation."""
    region = get_object_or_404(Region, slug=slug)
    live = Mutual.objects.published().live().in_region(region)
    in_region_live = live_q(timezone.now(), prefix="mutuals__") & Q(
        mutuals__trading_status=Mutual.Trading.LIVE, mutuals__region=region
    )
    by_sector = Sector.objects.annotate(count=Count("mutuals", filter=in_region_live)).values("name", "slug", "count")
    recent = live.exclude(spun_out_year=None).order_by("-spun_out_year", "name")[:RECENT_SPIN_OUTS]
    return region, live.count(), list(by_sector), list(recent.values("name", "slug", "town", "spun_out_year"))


@public_page
def region_detail(request, slug):
    region, total, by_sector, recent = per_generation(("region page", slug), lambda: _region_rows(slug))
    query = f"region={region.slug}"
    json_ld = {
        "@context": "https://schema.org",
        "@type": "Place",
        "name": region.name,
        "description": region.summary,
        "url": request.build_absolute_uri(request.path),
        "identifier": {"@type": "PropertyValue", "propertyID": "ONS", "value": region.ons_code},
        "containedInPlace": {"@type": "Country", "name": "England"},
    }
    context = {
        "region": region,
        "total": total,
        "by_sector": by_sector,
        "recent": recent,
        "query": query,
        "points_url": f"{reverse('mutuals:mutual-points')}?{query}",
        "map_settings": map_settings(),
        "json_ld": json_ld,
    }
    return render(request, "mutuals/region_detail.html", context)


NEAREST_OUTSIDE = 5


@public_page
def local_authority_detail(request, slug):
    """A local authority district's mutuals, like a region's page; when it has none, the nearest."""
    authority = get_object_or_404(LocalAuthority, slug=slug, code__startswith=Nation.ENGLAND)
    live = Mutual.objects.published().live()
    inside = live.in_local_authority(authority)
    in_authority_live = live_q(timezone.now(), prefix="mutuals__") & Q(
        mutuals__trading_status=Mutual.Trading.LIVE, mutuals__local_authority=authority
    )
    by_sector = list(
        Sector.objects.annotate(count=Count("mutuals", filter=in_authority_live)).values("name", "slug", "count")
    )
    total = inside.count()
    nearest = []
    if not total:
        rows = (
            live.annotate(distance_km2=squared_km_expression(authority))
            .order_by("distance_km2", "name")
            .values("name", "slug", "town", "distance_km2")[:NEAREST_OUTSIDE]
        )
        nearest = [{**row, "miles": miles_text(row["distance_km2"])} for row in rows]
    query = f"local_authority={authority.slug}"
    json_ld = {
        "@context": "https://schema.org",
        "@type": "AdministrativeArea",
        "name": authority.name,
        "url": request.build_absolute_uri(),
        "identifier": {"@type": "PropertyValue", "propertyID": "ONS", "value": authority.code},
        "containedInPlace": {"@type": "AdministrativeArea", "name": authority.upper_tier_name},
    }
    context = {
        "authority": authority,
        "total": total,
        "by_sector": by_sector,
        "nearest": nearest,
        "query": query,
        "points_url": f"{reverse('mutuals:mutual-points')}?{query}",
        "map_settings": map_settings(),
        "json_ld": json_ld,
        "authority_credit": f"Local authority {authority.code}. {POSTCODE_CREDIT}",
    }
    return render(request, "mutuals/local_authority_detail.html", context)


def _coverage_sector(request):
    """The sector chosen for the coverage map (None for all), or a 400 response."""
    slug = request.GET.get("sector", "").strip()
    if not slug:
        return None, None
    sector = Sector.objects.filter(slug=slug).first()
    if sector is None:
        return None, HttpResponseBadRequest(
            "Choose a sector from the list, or none for every sector.\n", content_type="text/plain; charset=utf-8"
        )
    return sector, None


COVERAGE_BY = {"region": "Region", "upper-tier": "Upper-tier authority"}


def _coverage_by(request):
    """How the coverage table is divided ("region" unless asked), or a 400 response."""
    by = request.GET.get("by", "").strip() or "region"
    if by not in COVERAGE_BY:
        return None, HttpResponseBadRequest(
            "Count by region or by upper-tier authority (by=region or by=upper-tier).\n",
            content_type="text/plain; charset=utf-8",
        )
    return by, None


@public_page(params=["sector", "by"])
def coverage_page(request):
    sector, error = _coverage_sector(request)
    by, by_error = _coverage_by(request)
    if error or by_error:
        return error or by_error
    table = coverage()
    if sector:
        row = next(row for row in table["rows"] if row["slug"] == sector.slug)
        shaded = row["cells"]
    else:
        shaded = table["regions"]
    context = {
        "table": table,
        "by": by,
        "by_choices": COVERAGE_BY.items(),
        "upper_tier": coverage_by_upper_tier() if by == "upper-tier" else None,
        "sector": sector,
        "sectors": [(row["slug"], row["name"]) for row in table["rows"]],
        "map": choropleth(shaded),
        "empty_regions": [region for region in shaded if not region["count"]],
        "attribution": REGIONS_ATTRIBUTION,
    }
    return render(request, "mutuals/coverage.html", context)


@public_page(params=["by"])
def coverage_csv(request):
    by, error = _coverage_by(request)
    if error:
        return error
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response, quoting=QUOTE)
    if by == "upper-tier":
        table = coverage_by_upper_tier()
        response["Content-Disposition"] = 'attachment; filename="public-service-mutuals-coverage-upper-tier.csv"'
        writer.writerow(
            [
                "upper_tier_code",
                "upper_tier_authority",
                *(safe_cell(s["name"]) for s in table["sectors"]),
                "All sectors",
            ]
        )
        for row in table["rows"]:
            writer.writerow(
                [row["code"], safe_cell(row["name"]), *(cell["count"] for cell in row["cells"]), row["total"]]
            )
        writer.writerow(["", "All authorities listed", *(s["count"] for s in table["sectors"]), table["placed"]])
        return response
    table = coverage()
    response["Content-Disposition"] = 'attachment; filename="public-service-mutuals-coverage.csv"'
    writer.writerow(["sector", *(safe_cell(region["name"]) for region in table["regions"]), "England"])
    for row in table["rows"]:
        writer.writerow([safe_cell(row["name"]), *(cell["count"] for cell in row["cells"]), row["total"]])
    writer.writerow(["All sectors", *(region["count"] for region in table["regions"]), table["total"]])
    return response

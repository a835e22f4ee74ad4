from django.urls import path

from mutuals.views import explainer, organisations

app_name = "mutuals"

urlpatterns = [
    path("mutuals/", organisations.mutual_list, name="mutual-list"),
    path("mutuals/statistics/", organisations.statistics, name="statistics"),
    path("mutuals/about-this-data/", organisations.about_data, name="about-data"),
    path("mutuals/coverage/", organisations.coverage_page, name="coverage"),
    path("mutuals/coverage.csv", organisations.coverage_csv, name="coverage-csv"),
    path("mutuals/points.json", organisations.mutual_points, name="mutual-points"),
    path("mutuals/results/", organisations.mutual_results, name="mutual-results"),
    path("mutuals/regions/<slug:slug>/", organisations.region_detail, name="region-detail"),
    path("mutuals/local-authorities/<slug:slug>/", organisations.local_authority_detail, name="local-authority-detail"),
    path("mutuals/<slug:slug>/", organisations.mutual_detail, name="mutual-detail"),
    path("mutuals.csv", organisations.mutuals_csv, name="mutuals-csv"),
    path("mutuals.json", organisations.mutuals_json, name="mutuals-json"),
    path("mutuals.geojson", organisations.mutuals_geojson, name="mutuals-geojson"),
    path("research/", explainer.publication_list, name="publication-list"),
    path("research/<slug:slug>/", explainer.publication_detail, name="publication-detail"),
    # Guides live at the site root (the seed's stable address); keep this last.
    path("<slug:slug>", explainer.guide_detail, name="guide-detail"),
]

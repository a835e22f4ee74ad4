from django.urls import path

from mutuals import views

app_name = "mutuals"

urlpatterns = [
    path("mutuals/", views.mutual_list, name="mutual-list"),
    path("mutuals/statistics/", views.statistics, name="statistics"),
    path("mutuals/about-this-data/", views.about_data, name="about-data"),
    path("mutuals/coverage/", views.coverage_page, name="coverage"),
    path("mutuals/coverage.csv", views.coverage_csv, name="coverage-csv"),
    path("mutuals/points.json", views.mutual_points, name="mutual-points"),
    path("mutuals/results/", views.mutual_results, name="mutual-results"),
    path("mutuals/regions/<slug:slug>/", views.region_detail, name="region-detail"),
    path("mutuals/local-authorities/<slug:slug>/", views.local_authority_detail, name="local-authority-detail"),
    path("mutuals/<slug:slug>/", views.mutual_detail, name="mutual-detail"),
    path("mutuals.csv", views.mutuals_csv, name="mutuals-csv"),
    path("mutuals.json", views.mutuals_json, name="mutuals-json"),
    path("mutuals.geojson", views.mutuals_geojson, name="mutuals-geojson"),
    path("research/", views.publication_list, name="publication-list"),
    path("research/<slug:slug>/", views.publication_detail, name="publication-detail"),
    # Guides live at the site root (the seed's stable address); keep this last.
    path("<slug:slug>", views.guide_detail, name="guide-detail"),
]

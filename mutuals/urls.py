from django.urls import path

from mutuals import views

app_name = "mutuals"

urlpatterns = [
    path("mutuals/", views.mutual_list, name="mutual-list"),
    path("mutuals/statistics/", views.statistics, name="statistics"),
    path("mutuals/about-this-data/", views.about_data, name="about-data"),
    path("mutuals/<slug:slug>/", views.mutual_detail, name="mutual-detail"),
    path("mutuals.csv", views.mutuals_csv, name="mutuals-csv"),
    path("mutuals.json", views.mutuals_json, name="mutuals-json"),
    path("mutuals.geojson", views.mutuals_geojson, name="mutuals-geojson"),
    path("research/", views.publication_list, name="publication-list"),
    path("research/<slug:slug>/", views.publication_detail, name="publication-detail"),
    # Guides live at the site root (the seed's stable address); keep this last.
    path("<slug:slug>", views.guide_detail, name="guide-detail"),
]

from django.urls import path

from mutuals import views

app_name = "mutuals"

urlpatterns = [
    path("research/", views.publication_list, name="publication-list"),
    path("research/<slug:slug>/", views.publication_detail, name="publication-detail"),
    # Guides live at the site root (the seed's stable address); keep this last.
    path("<slug:slug>", views.guide_detail, name="guide-detail"),
]

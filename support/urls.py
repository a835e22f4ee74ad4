from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("", views.index, name="index"),
    path("rounds.ics", views.rounds_calendar, name="rounds-calendar"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme-detail"),
    path("funds/<slug:slug>/", views.fund_detail, name="fund-detail"),
    path("funds/<slug:slug>/rounds/<slug:key>.ics", views.round_calendar, name="round-calendar"),
]

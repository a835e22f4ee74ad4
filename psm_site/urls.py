from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from psm_site import views
from psm_site.cache import public_page
from psm_site.feeds import UpdatesFeed
from psm_site.sitemaps import sitemap_xml

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("updates/", views.updates, name="updates"),
    path("updates.atom", public_page(UpdatesFeed()), name="updates-feed"),
    path(
        "support/updates.atom",
        public_page(
            UpdatesFeed(
                section="support",
                title="Public Service Mutuals: support and funding updates",
                subtitle="Every public change to support and funding programmes, funds and their rounds.",
                url_name="support-updates-feed",
            )
        ),
        name="support-updates-feed",
    ),
    path("help/<slug:slug>", views.page_detail, name="page"),
    path("feedback/", views.feedback_useful, name="feedback-useful"),
    path("feedback/problem/", views.feedback_problem, name="feedback-problem"),
    path("feedback/thanks/", views.feedback_thanks, name="feedback-thanks"),
    path("sitemap.xml", public_page(sitemap_xml, params=["p"]), name="sitemap"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("support/", include("support.urls")),
    path("email-alerts/", include("alerts.urls")),
    path("", include("mutuals.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

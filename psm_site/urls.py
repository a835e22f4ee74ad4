from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from psm_site.pages import views
from psm_site.pages.feeds import UpdatesFeed
from psm_site.pages.sitemaps import sitemap_xml
from psm_site.web import errors, health
from psm_site.web.cache import public_page

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

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
    path("healthz", health.healthz, name="healthz"),
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

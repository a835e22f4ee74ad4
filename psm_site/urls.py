from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

from psm_site import views
from psm_site.admin_site import autodiscover

autodiscover()

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", RedirectView.as_view(url=static_url("images/favicon.svg"), permanent=False)),
    path("admin/", admin.site.urls),
    path("support/", include("support.urls")),
    path("", include("mutuals.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

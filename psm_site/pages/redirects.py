"""When a published item's address changes, its old address answers 301 to the new one.

Uses Django's redirects app, so editors can also see and manage the redirects in the admin.
"""

from django.conf import settings
from django.contrib.redirects.middleware import RedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from psm_site.models import Publishable


@receiver(pre_save)
def remember_old_address(sender, instance, raw=False, **kwargs):
    if (
        raw
        or not isinstance(instance, Publishable)
        or instance.pk is None
        or not getattr(instance, "has_own_page", True)
    ):
        return
    old = type(instance).objects.filter(pk=instance.pk).first()
    instance._old_address = old.get_absolute_url() if old is not None and old.is_published else None


@receiver(post_save)
def redirect_old_address(sender, instance, raw=False, **kwargs):
    old_path = getattr(instance, "_old_address", None)
    if raw or not old_path:
        return
    new_path = instance.get_absolute_url()
    if new_path == old_path:
        return
    Redirect.objects.filter(site_id=settings.SITE_ID, new_path=old_path).update(new_path=new_path)
    Redirect.objects.filter(site_id=settings.SITE_ID, old_path=new_path).delete()  # moved back
    Redirect.objects.update_or_create(site_id=settings.SITE_ID, old_path=old_path, defaults={"new_path": new_path})


class RedirectKeepingQueryMiddleware(RedirectFallbackMiddleware):
    """Django's redirect fallback, also for old addresses asked for with a query string.

    '/mutuals/locala/?x=1' finds the redirect stored for '/mutuals/locala/' and keeps '?x=1'.
    """

    def process_response(self, request, response):
        if "\x00" in request.path:  # no stored address has a NUL, and PostgreSQL refuses to compare one
            return response
        response = super().process_response(request, response)
        query = request.META.get("QUERY_STRING", "")
        if response.status_code != 404 or not query:
            return response
        paths = [request.path]
        if settings.APPEND_SLASH and not request.path.endswith("/"):
            paths.append(request.path + "/")
        redirect = Redirect.objects.filter(site_id=get_current_site(request).pk, old_path__in=paths).first()
        if redirect is None:
            return response
        if not redirect.new_path:
            return self.response_gone_class()
        return self.response_redirect_class(f"{redirect.new_path}?{query}")

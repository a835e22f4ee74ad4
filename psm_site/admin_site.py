"""The admin site: Django's, with a second factor required (psm_site.web.signin)."""

from functools import partial

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode


class SiteAdmin(AdminSite):
    """The admin, with a second factor required when ADMIN_TWO_FACTOR is on (psm_site.web.signin)."""

    def has_permission(self, request):
        from psm_site.web.signin import needs_second_factor

        return super().has_permission(request) and not needs_second_factor(request)

    def login(self, request, extra_context=None):
        from psm_site.web.signin import needs_second_factor

        if request.user.is_authenticated and needs_second_factor(request):
            next_url = request.GET.get("next", "")
            return redirect(reverse("admin:two-factor", current_app=self.name) + "?" + urlencode({"next": next_url}))
        response = super().login(request, extra_context)
        if request.method == "POST" and request.user.is_authenticated and needs_second_factor(request):
            # The password was right: the code comes next, on its own page.
            next_url = request.POST.get("next", "")
            return redirect(reverse("admin:two-factor", current_app=self.name) + "?" + urlencode({"next": next_url}))
        return response

    def get_urls(self):
        from psm_site.web import signin

        return [
            path("two-factor/", partial(signin.verify, admin_site=self), name="two-factor"),
            path("two-factor/set-up/", partial(signin.set_up, admin_site=self), name="two-factor-setup"),
            *super().get_urls(),
        ]


class AdminConfig(DjangoAdminConfig):
    default_site = "psm_site.admin_site.SiteAdmin"

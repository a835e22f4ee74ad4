from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "psm_site"
    verbose_name = "Site-wide"

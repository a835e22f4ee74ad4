from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "psm_site"
    verbose_name = "Site-wide"

    def ready(self):
        from django.db.models.signals import post_migrate

        # checks and redirects register the checks and the slug-change signals; forms, limits,
        # requestlog and signin declare their entries in the register of personal data.
        from psm_site import checks, forms, limits, personal_data, redirects, requestlog, signin  # noqa: F401
        from psm_site.cache import connect_signals, register_boundaries, track_content
        from psm_site.models import next_government_change
        from psm_site.publishing import next_schedule_change

        post_migrate.connect(set_site_domain, sender=self)
        # Pages, change notes, redirects and the site's domain are public content; feedback and
        # review requests and draft revisions are not. Scheduled publishing moves the version at each
        # publish/unpublish time, and a government's leaving office at the start of that day.
        track_content(self.label, exclude=["Feedback", "ContentVersion", "ReviewRequest", "Revision"])
        register_boundaries(next_schedule_change, fields=["*.publish_at", "*.unpublish_at"])
        # A government leaving office on a future day puts the history banner on its pages that day.
        register_boundaries(next_government_change, fields=["psm_site.Government.ended_on"])
        track_content("redirects")
        track_content("sites")
        connect_signals()
        # Modules that write to the shared cache, and what their keys hold about a person.
        personal_data.register_cache_use("psm_site.cache", "")  # rendered public pages, by address and client kind


def set_site_domain(**kwargs):
    """The sites framework's domain (used in the sitemap and by redirects) comes from settings."""
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": settings.SERVICE_NAME}
    )

from django.apps import AppConfig


class MutualsConfig(AppConfig):
    name = "mutuals"
    verbose_name = "Mutuals: explainer, research and registry"

    def ready(self):
        from django.contrib.sitemaps import GenericSitemap
        from django.db.models.signals import post_save

        from mutuals import local_authorities
        from mutuals.models import Attachment, Guide, Mutual, Publication, Region
        from mutuals.registry import live_count
        from places.models import LocalAuthority
        from places.signals import postcodes_ready
        from psm_site import blocks, sitemaps
        from psm_site.cache import track_content
        from psm_site.search import register
        from psm_site.statements import register_documents

        register_documents(Attachment.objects.hosted_documents)
        postcodes_ready.connect(local_authorities.on_postcodes_ready, dispatch_uid="mutuals-local-authorities")
        post_save.connect(local_authorities.on_fixture_saved, sender=Mutual, dispatch_uid="mutuals-fixture-places")

        blocks.register("live_mutual_count", live_count)
        with_live_mutuals = local_authorities.with_live_mutuals
        sitemaps.register("mutuals-local-authority", local_authorities.LocalAuthoritySitemap())
        register(
            "Local authority",
            LocalAuthority,
            title="name",
            summary="summary",
            fields=[("name", "A"), ("upper_tier_name", "B")],
            public=with_live_mutuals,
        )
        sitemaps.register("mutuals-region", GenericSitemap({"queryset": Region.objects.all()}, changefreq="weekly"))
        register("Region", Region, title="name", summary="summary", fields=[("name", "A")], public=Region.objects.all)

        track_content(self.label)
        register(
            "Guidance",
            Guide,
            title="title",
            summary="summary",
            fields=[("title", "A"), ("summary", "B"), ("sections__heading", "B"), ("sections__body", "C")],
        )
        register(
            "Research",
            Publication,
            title="title",
            summary="summary",
            fields=[("title", "A"), ("summary", "B"), ("organisation", "C"), ("body", "C")],
            stored=True,
        )
        register(
            "Mutual",
            Mutual,
            title="name",
            summary="summary",
            fields=[("name", "A"), ("town", "B"), ("summary", "B"), ("parent_body", "C"), ("description", "D")],
            stored=True,
        )

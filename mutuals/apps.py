from django.apps import AppConfig


class MutualsConfig(AppConfig):
    name = "mutuals"
    verbose_name = "Mutuals: explainer, research and registry"

    def ready(self):
        from django.contrib.sitemaps import GenericSitemap

        from mutuals.models import Attachment, Guide, Mutual, Publication, Region
        from mutuals.registry import live_count
        from psm_site import blocks, sitemaps
        from psm_site.cache import track_content
        from psm_site.search import register
        from psm_site.statements import register_documents

        register_documents(Attachment.objects.hosted_documents)

        blocks.register("live_mutual_count", live_count)
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

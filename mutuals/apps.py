from django.apps import AppConfig


class MutualsConfig(AppConfig):
    name = "mutuals"
    verbose_name = "Mutuals: explainer, research and registry"

    def ready(self):
        from mutuals.models import Guide, Mutual, Publication
        from mutuals.registry import live_count
        from psm_site import blocks
        from psm_site.search import register

        blocks.register("live_mutual_count", live_count)

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
        )
        register(
            "Mutual",
            Mutual,
            title="name",
            summary="summary",
            fields=[("name", "A"), ("town", "B"), ("summary", "B"), ("parent_body", "C"), ("description", "D")],
        )

from django.apps import AppConfig


class MutualsConfig(AppConfig):
    name = "mutuals"
    verbose_name = "Mutuals: explainer, research and registry"

    def ready(self):
        from mutuals.models import Guide, Mutual, Publication
        from psm_site.cache import track_content
        from psm_site.search import register

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
        )
        register(
            "Mutual",
            Mutual,
            title="name",
            summary="summary",
            fields=[("name", "A"), ("town", "B"), ("summary", "B"), ("parent_body", "C"), ("description", "D")],
        )

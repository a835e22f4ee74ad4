from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support and funding"

    def ready(self):
        from psm_site import blocks
        from psm_site.pages.search import register
        from psm_site.web.cache import register_boundaries, track_content
        from support.models import Fund, Programme, next_boundary
        from support.templatetags.support import open_round_banner

        blocks.register("open_round_banner", open_round_banner)

        track_content(self.label)
        register_boundaries(
            next_boundary,
            fields=[
                "support.FundRound.opens_at",
                "support.FundRound.closes_at",
                "support.Programme.opens_on",
                "support.Programme.closes_on",
            ],
        )
        register(
            "Support programme",
            Programme,
            title="name",
            summary="summary",
            fields=[
                ("name", "A"),
                ("summary", "B"),
                ("offers", "C"),
                ("eligibility", "C"),
                ("consortia__members__name", "C"),
                ("body", "D"),
            ],
        )
        register(
            "Fund",
            Fund,
            title="display_name",
            public=lambda: Fund.objects.published().with_own_pages(),
            summary="summary",
            fields=[("name", "A"), ("summary", "B"), ("uses", "C"), ("who_can_apply", "C")],
            stored=True,
        )

from django.apps import AppConfig


class MutualsConfig(AppConfig):
    name = "mutuals"
    verbose_name = "Mutuals: explainer, research and registry"

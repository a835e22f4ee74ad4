from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Email alerts"

    def ready(self):
        from alerts import events, notify, schedule, views  # noqa: F401 - notify and views declare their personal data
        from psm_site import follow, health, statements

        events.connect()
        health.register("clock", schedule.clock_health)
        follow.register(subscribe_url)
        statements.register_privacy_section("alerts/privacy_section.html")


def subscribe_url(subject, **filters):
    """The 'Get emails about this' address for an item, 'funding' or 'mutuals' (with filters)."""
    from django.urls import reverse
    from django.utils.http import urlencode

    from alerts.topics import key_for

    key = key_for(subject, **filters)
    return f"{reverse('alerts:subscribe')}?{urlencode({'topic': key})}" if key else None

from tests.alerts.servers import _fresh_limits, notify, smtp, work  # noqa: F401 - fixtures

from django.conf import settings

from psm_site.views import service_unavailable


class MaintenanceModeMiddleware:
    """With MAINTENANCE_MODE on, every public page answers 503 (health checks still answer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MAINTENANCE_MODE and request.path != "/healthz":
            return service_unavailable(request)
        return self.get_response(request)

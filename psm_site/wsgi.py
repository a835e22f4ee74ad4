import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psm_site.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - needs the settings module chosen above

if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENVIRONMENT:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY before serving the site (see .env.example).")

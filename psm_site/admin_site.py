"""Admin autodiscovery without django-leaflet's admin module.

django-leaflet's admin.py imports GeoDjango (and so GDAL), which this project does not use:
coordinates are two decimal fields. We load every other app's admin module, as
django.contrib.admin's autodiscover would.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

SKIPPED = {"leaflet"}


def autodiscover():
    for app_config in apps.get_app_configs():
        if app_config.name not in SKIPPED and module_has_submodule(app_config.module, "admin"):
            import_module(f"{app_config.name}.admin")

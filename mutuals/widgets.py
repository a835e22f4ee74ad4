"""The admin's pin-on-a-map widget: Leaflet (from django-leaflet's static files) beside typeable inputs.

django-leaflet's own form widget needs GeoDjango and GDAL, which this project does not use.
"""

import json

from django import forms
from django.conf import settings


class PinMapLatitudeInput(forms.NumberInput):
    """The latitude input, followed by a map whose pin fills latitude and longitude."""

    template_name = "admin/mutuals/pin_map_widget.html"

    class Media:
        css = {"all": ["leaflet/leaflet.css", "css/admin-pin-map.css"]}
        js = ["leaflet/leaflet.js", "js/admin-pin-map.js"]

    def __init__(self, longitude_id="id_longitude", attrs=None):
        super().__init__(attrs={"step": "0.00001", **(attrs or {})})
        self.longitude_id = longitude_id

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        tiles = settings.LEAFLET_CONFIG.get("TILES") or []
        context["pin_map"] = {
            "longitude_id": self.longitude_id,
            "center": json.dumps(settings.LEAFLET_CONFIG["DEFAULT_CENTER"]),
            "tiles": json.dumps(
                {"url": tiles[0][1], "attribution": tiles[0][2].get("attribution", "")} if tiles else None
            ),
        }
        return context

"""The admin's pin-on-a-map widget: Leaflet (from npm, see package.json) beside typeable inputs.

Coordinates are two decimal fields, so nothing here needs GeoDjango or GDAL.
"""

import json

from django import forms

from mutuals.maps import map_settings


class PinMapLatitudeInput(forms.NumberInput):
    """The latitude input, followed by a map whose pin fills latitude and longitude."""

    template_name = "admin/mutuals/pin_map_widget.html"

    class Media:
        css = {"all": ["leaflet/leaflet.css", "css/admin-pin-map.css"]}
        js = ["leaflet/leaflet.js", "js/psm-map.js", "js/admin-pin-map.js"]

    def __init__(self, longitude_id="id_longitude", attrs=None):
        super().__init__(attrs={"step": "0.00001", **(attrs or {})})
        self.longitude_id = longitude_id

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["pin_map"] = {"longitude_id": self.longitude_id, "settings": json.dumps(map_settings())}
        return context

/* Admin: place a mutual on the map. Click or drag the pin to fill latitude and longitude;
 * typing in either box moves the pin. Works on django-leaflet's copy of Leaflet. */
(function () {
  "use strict";

  function setUp(container) {
    var latInput = document.getElementById(container.dataset.latitudeInput);
    var lngInput = document.getElementById(container.dataset.longitudeInput);
    if (!latInput || !lngInput || !window.L) return;
    // England's regions as the base layer (psm-map.js); clicks on a region reach the map.
    var start = typed();
    var map = window.psmMap.create(container, { fit: false }).map;
    var marker = null;

    function typed() {
      var lat = parseFloat(latInput.value);
      var lng = parseFloat(lngInput.value);
      return isNaN(lat) || isNaN(lng) ? null : L.latLng(lat, lng);
    }

    function fill(latlng) {
      latInput.value = latlng.lat.toFixed(5);
      lngInput.value = latlng.lng.toFixed(5);
      latInput.dispatchEvent(new Event("change", { bubbles: true }));
      lngInput.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng, { draggable: true, title: "Pin: drag to move", alt: "Pin for this mutual" }).addTo(map);
        marker.on("dragend", function () { fill(marker.getLatLng()); });
      }
    }

    map.on("click", function (event) {
      place(event.latlng);
      fill(event.latlng);
    });

    function follow() {
      var latlng = typed();
      if (latlng) {
        place(latlng);
        map.panTo(latlng);
      }
    }
    latInput.addEventListener("input", follow);
    lngInput.addEventListener("input", follow);

    if (start) {
      place(start);
      map.setView(start, 11);
    }
    container.psmPinMap = map;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pin-map]").forEach(setUp);
  });
})();

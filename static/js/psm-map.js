/* Every map's base: England's nine regions drawn from our own GeoJSON file, so a map shows
 * England with no request to any other site. Tiles, when MAP_TILES_URL is set, are an extra
 * layer under the region outlines (whose fill then turns see-through).
 *
 * window.psmMap.create(container, options) returns { map, regions } where `regions` is a
 * promise of the regions layer. Options:
 *   focusable: regions become buttons in the Tab order (Enter or Space calls onRegion)
 *   onRegion(code, name): called when a region is clicked or pressed
 *   fit: false to leave the view to the caller (by default the map fits England)
 * Settings (regions file, tiles, attribution, marker icons) come from <script id="psm-map-settings">
 * or the container's data-map-settings attribute (the admin widget).
 */
(function () {
  "use strict";

  // GOV.UK colours: outlines in dark grey (7:1 on white), the focus state in the focus yellow
  // with a black outline, the selected region outlined in GOV.UK blue.
  var STYLE = { color: "#505a5f", weight: 1, fillColor: "#ffffff", fillOpacity: 1, opacity: 1 };
  var ACTIVE = { color: "#0b0c0c", weight: 3, fillColor: "#ffdd00" };
  var SELECTED = { color: "#1d70b8", weight: 4 };

  var regionsFile = {};

  function settingsFor(container) {
    if (container.dataset.mapSettings) return JSON.parse(container.dataset.mapSettings);
    var element = document.getElementById("psm-map-settings");
    return JSON.parse(element.textContent);
  }

  function loadRegions(url) {
    if (!regionsFile[url]) {
      regionsFile[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error("The regions map could not load: HTTP " + response.status);
        return response.json();
      });
    }
    return regionsFile[url];
  }

  function create(container, options) {
    options = options || {};
    var settings = settingsFor(container);
    // Marker images by their own static URLs (hashed in production); Icon.Default would put
    // a path guessed from the stylesheet in front of them.
    L.Marker.prototype.options.icon = L.icon(L.extend({}, L.Icon.Default.prototype.options, settings.icons));
    var map = L.map(container, { center: settings.center, zoom: settings.zoom, minZoom: 5, maxZoom: 18 });
    map.attributionControl.addAttribution(settings.attribution);
    var base = settings.tiles ? { fillOpacity: 0.1 } : {};
    if (settings.tiles) {
      L.tileLayer(settings.tiles, { attribution: settings.tilesAttribution, maxZoom: 18 }).addTo(map);
    }
    var selected = null;

    function styleFor(layer) {
      var style = L.extend({}, STYLE, base);
      if (layer.psmActive) L.extend(style, ACTIVE, { fillOpacity: settings.tiles ? 0.3 : 1 });
      if (layer === selected) L.extend(style, SELECTED); // hovered or focused, it keeps its blue outline
      return style;
    }

    function activate(layer, on, where) {
      layer.psmActive = on;
      layer.setStyle(styleFor(layer));
      if (on) {
        layer.openTooltip(where || layer.getBounds().getCenter());
      } else {
        layer.closeTooltip();
      }
    }

    var regions = loadRegions(settings.regions).then(function (data) {
      var layer = L.geoJSON(data, {
        style: function () { return L.extend({}, STYLE, base); },
        onEachFeature: function (feature, region) {
          region.bindTooltip(feature.properties.name, { sticky: true, direction: "top", className: "psm-region-label" });
          region.on("mouseover", function (event) { activate(region, true, event.latlng); });
          region.on("mouseout", function () { activate(region, false); });
          if (options.onRegion) {
            region.on("click", function () { options.onRegion(feature.properties.code, feature.properties.name); });
          }
        },
      }).addTo(map);
      layer.eachLayer(function (region) {
        var path = region.getElement();
        var properties = region.feature.properties;
        path.setAttribute("data-region", properties.code);
        if (!options.focusable) {
          // Leaflet makes a shape with a tooltip focusable; on a map whose regions do nothing
          // from the keyboard (the admin's pin map) they would be nine empty Tab stops.
          path.setAttribute("tabindex", "-1");
          return;
        }
        path.setAttribute("tabindex", "0");
        path.setAttribute("role", "button");
        path.setAttribute("aria-label", properties.name + ": show mutuals in this region");
        path.addEventListener("focus", function () { activate(region, true); });
        path.addEventListener("blur", function () { activate(region, false); });
        path.addEventListener("keydown", function (event) {
          if (event.key !== "Enter" && event.key !== " ") return;
          event.preventDefault();
          options.onRegion(properties.code, properties.name);
        });
      });
      if (options.fit !== false) map.fitBounds(layer.getBounds());
      // Outline one region (or none) and bring it to the front so its outline shows whole.
      layer.select = function (code) {
        selected = null;
        layer.eachLayer(function (region) {
          if (region.feature.properties.code === code) selected = region;
        });
        layer.eachLayer(function (region) { region.setStyle(styleFor(region)); });
        if (selected) selected.bringToFront();
        return selected;
      };
      container.setAttribute("data-regions-drawn", String(layer.getLayers().length));
      return layer;
    });
    regions.catch(function (error) { if (window.console) console.error(error); });
    return { map: map, regions: regions };
  }

  window.psmMap = { create: create };
})();

/* Find a mutual: the map and live filters, enhancing a page that works without them.
 *
 * django-leaflet creates the map (tiles from settings) and calls window.psmMutualMap.
 * Points come from <script id="mutual-map-data" type="application/json">, the same rows as
 * the list. With JavaScript, changing a filter fetches the same server-rendered page, swaps
 * in its count and list, redraws the markers and updates the address.
 */
(function () {
  "use strict";

  var ENGLAND = [52.8, -1.6];
  var state = { map: null, cluster: null, request: null };

  function readPoints() {
    var element = document.getElementById("mutual-map-data");
    return element ? JSON.parse(element.textContent) : [];
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function popupContent(point) {
    var wrapper = element("div", "psm-map-popup");
    var heading = element("h3", "govuk-heading-s govuk-!-margin-bottom-1");
    var link = element("a", "govuk-link", point.name);
    link.href = point.url;
    heading.appendChild(link);
    wrapper.appendChild(heading);
    wrapper.appendChild(element("p", "govuk-body-s govuk-!-margin-bottom-1", point.town + (point.closed ? " (closed)" : "")));
    wrapper.appendChild(element("p", "govuk-body-s govuk-!-margin-bottom-0", point.sectors.join(", ")));
    return wrapper;
  }

  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var label = element("span", null, String(count));
    label.appendChild(element("span", "govuk-visually-hidden", " mutuals here. Press Enter to zoom in."));
    var inner = element("div");
    inner.appendChild(label);
    return L.divIcon({ html: inner.outerHTML, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
  }

  function draw(points) {
    state.cluster.clearLayers();
    var markers = points.map(function (point) {
      var marker = L.marker([point.lat, point.lng], { title: point.name, alt: point.name + ", " + point.town, keyboard: true });
      marker.bindPopup(popupContent(point));
      return marker;
    });
    state.cluster.addLayers(markers);
    state.map.getContainer().setAttribute("data-marker-count", String(markers.length));
    if (markers.length) {
      state.map.fitBounds(state.cluster.getBounds(), { padding: [24, 24], maxZoom: 12 });
    } else {
      state.map.setView(ENGLAND, 6);
    }
  }

  function canonicalQuery(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      var trimmed = String(value).trim();
      if (!trimmed) return;
      if ((name === "status" && trimmed === "live") || (name === "sort" && trimmed === "name")) return;
      params.append(name, trimmed);
    });
    return params.toString();
  }

  function swap(fresh, id) {
    var now = document.getElementById(id);
    var next = fresh.getElementById(id);
    if (now && next) now.innerHTML = next.innerHTML;
  }

  function enhanceFilters() {
    var form = document.getElementById("mutual-filters");
    if (!form || !window.fetch || !window.URLSearchParams || !window.history) return;

    function update() {
      var query = canonicalQuery(form);
      var url = form.getAttribute("action") + (query ? "?" + query : "");
      if (state.request) state.request.abort();
      state.request = new AbortController();
      document.getElementById("mutual-results").setAttribute("aria-busy", "true");
      fetch(url, { signal: state.request.signal, headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.text().then(function (html) { return { ok: response.ok, html: html }; });
        })
        .then(function (result) {
          var fresh = new DOMParser().parseFromString(result.html, "text/html");
          if (!result.ok || fresh.querySelector(".govuk-error-summary")) {
            window.location.assign(url); // let the server page explain the problem
            return;
          }
          swap(fresh, "mutual-count");
          swap(fresh, "mutual-results");
          document.title = fresh.title;
          draw(readPoints());
          window.history.pushState({ psm: true }, "", url);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") window.location.assign(url);
        })
        .finally(function () {
          document.getElementById("mutual-results").removeAttribute("aria-busy");
        });
    }

    form.addEventListener("change", function (event) {
      if (event.target.name !== "q") update();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update();
    });
    window.addEventListener("popstate", function () {
      window.location.reload();
    });
  }

  window.psmMutualMap = function (map) {
    state.map = map;
    state.cluster = L.markerClusterGroup({ iconCreateFunction: clusterIcon, showCoverageOnHover: false });
    map.addLayer(state.cluster);
    draw(readPoints());
    if (document.getElementById("mutual-filters")) enhanceFilters();
  };
})();

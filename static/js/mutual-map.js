/* The registry's maps (Find a mutual, a region's page, a mutual's page), enhancing pages that
 * work without them. Loaded with `defer`; the map starts on DOMContentLoaded.
 *
 * The container (#mutual-map-canvas) says where its markers come from:
 *   data-points: the points endpoint for the current filters (compact rows; see registry.py)
 *   otherwise <script id="mutual-map-data">: the one mutual of a mutual's page
 * and data-region: the ONS code of a region to outline and fit (a region page, or a filter).
 * With a postcode, #mutual-near (in the results count) gives its centre and distance: the map
 * marks the postcode, draws the distance circle and fits it.
 *
 * On Find a mutual, changing a filter (or clicking a region, which sets the Region select)
 * fetches only the count and list (/mutuals/results/) and the points, then updates the address.
 */
(function () {
  "use strict";

  var state = { map: null, markers: null, regions: null, request: null, container: null, points: null, near: null };
  var METRES_PER_MILE = 1609.344;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Popups are built when opened, never up front for thousands of markers.
  function popupFor(point) {
    return function () {
      var wrapper = element("div", "psm-map-popup");
      var heading = element("h3", "govuk-heading-s govuk-!-margin-bottom-1");
      var link = element("a", "govuk-link", point.name);
      link.href = point.url;
      heading.appendChild(link);
      wrapper.appendChild(heading);
      wrapper.appendChild(element("p", "govuk-body-s govuk-!-margin-bottom-1", point.town + (point.closed ? " (closed)" : "")));
      wrapper.appendChild(element("p", "govuk-body-s govuk-!-margin-bottom-0", point.sectors.join(", ")));
      return wrapper;
    };
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

  // The endpoint's compact rows: [lat, lng, name, slug, town, [sector indexes], closed].
  function expand(data) {
    return data.points.map(function (row) {
      return {
        lat: row[0], lng: row[1], name: row[2], url: data.base + row[3] + "/", town: row[4],
        sectors: row[5].map(function (i) { return data.sectors[i]; }), closed: row[6] === 1,
      };
    });
  }

  // The postcode's centre and circle, redrawn from #mutual-near each time the results change.
  function drawNear() {
    if (state.near) state.map.removeLayer(state.near);
    state.near = null;
    var near = document.getElementById("mutual-near");
    if (!near) return null;
    var centre = [parseFloat(near.dataset.lat), parseFloat(near.dataset.lng)];
    var miles = parseFloat(near.dataset.miles);
    state.near = L.featureGroup([
      L.circleMarker(centre, { radius: 6, weight: 2, color: "#0b0c0c", fillColor: "#ffdd00", fillOpacity: 1, interactive: false }),
    ]);
    if (miles) {
      state.near.addLayer(L.circle(centre, { radius: miles * METRES_PER_MILE, weight: 2, color: "#1d70b8", fillOpacity: 0.05, interactive: false }));
    }
    state.near.addTo(state.map);
    return { centre: centre, miles: miles };
  }

  function fit() {
    var code = state.container.dataset.region;
    var selected = state.regions ? state.regions.select(code || null) : null;
    var near = drawNear();
    if (near && near.miles) {
      state.map.fitBounds(state.near.getBounds(), { padding: [8, 8] });
    } else if (near) {
      var bounds = L.latLngBounds([near.centre, near.centre]);
      if (state.points && state.points.length) bounds.extend(state.markers.getBounds());
      state.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12 });
    } else if (selected) {
      state.map.fitBounds(selected.getBounds(), { padding: [8, 8] });
    } else if (state.points && state.points.length) {
      state.map.fitBounds(state.markers.getBounds(), { padding: [24, 24], maxZoom: 12 });
    } else if (state.regions) {
      state.map.fitBounds(state.regions.getBounds());
    }
  }

  // Markers go in chunks (markercluster's chunkedLoading), so the page stays responsive at
  // thousands; the map fits and reports its count once the last chunk is in.
  function drawn() {
    fit();
    state.container.setAttribute("data-marker-count", String(state.points.length));
  }

  function draw(points) {
    state.points = points;
    state.markers.clearLayers();
    var markers = points.map(function (point) {
      var marker = L.marker([point.lat, point.lng], { title: point.name, alt: point.name + ", " + point.town, keyboard: true });
      marker.bindPopup(popupFor(point));
      return marker;
    });
    if (state.markers.addLayers && markers.length) {
      state.markers.addLayers(markers); // calls chunkProgress, then drawn(), when done
    } else {
      markers.forEach(function (marker) { state.markers.addLayer(marker); });
      drawn();
    }
  }

  // markercluster reports the last chunk just before it works out the clusters' bounds.
  function chunkProgress(processed, total) {
    if (processed === total && state.points) window.setTimeout(drawn, 0);
  }

  function loadPoints(url, signal) {
    return fetch(url, { signal: signal, headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(expand);
  }

  function canonicalQuery(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      var trimmed = String(value).trim();
      if (!trimmed) return;
      var near = form.elements.postcode && form.elements.postcode.value.trim();
      if ((name === "status" && trimmed === "live") || (name === "sort" && trimmed === "name" && !near)) return;
      params.append(name, trimmed);
    });
    return params.toString();
  }

  function swap(fresh, id) {
    var now = document.getElementById(id);
    var next = fresh.getElementById(id);
    if (now && next) now.innerHTML = next.innerHTML;
  }

  function regionCode(select) {
    var option = select.options[select.selectedIndex];
    return option ? option.getAttribute("data-code") || "" : "";
  }

  function enhanceFilters(form) {
    var select = form.querySelector("select[name=region]");
    var container = state.container;

    function update() {
      var query = canonicalQuery(form);
      var suffix = query ? "?" + query : "";
      var url = form.getAttribute("action") + suffix;
      if (state.request) state.request.abort();
      state.request = new AbortController();
      var signal = state.request.signal;
      var results = document.getElementById("mutual-results");
      results.setAttribute("aria-busy", "true");
      var list = fetch(container.dataset.resultsUrl + suffix, { signal: signal, headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        });
      Promise.all([list, loadPoints(container.dataset.pointsBase + suffix, signal)])
        .then(function (both) {
          var fresh = new DOMParser().parseFromString(both[0], "text/html");
          swap(fresh, "mutual-count");
          swap(fresh, "mutual-results");
          container.dataset.region = regionCode(select);
          draw(both[1]);
          window.history.pushState({ psm: true }, "", url);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") window.location.assign(url); // the server page explains
        })
        .finally(function () {
          if (!signal.aborted) results.removeAttribute("aria-busy");
        });
    }

    form.addEventListener("change", function (event) {
      // Typing a search or a postcode waits for the button (or Enter), not each change of focus.
      if (event.target.name !== "q" && event.target.name !== "postcode") update();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update();
    });
    window.addEventListener("popstate", function () {
      window.location.reload();
    });
    // A region on the map does what the Region select does (clicking the selected one clears it).
    return function chooseRegion(code) {
      var wanted = code === container.dataset.region ? "" : code;
      var option = wanted ? select.querySelector('option[data-code="' + wanted + '"]') : select.options[0];
      if (!option) return;
      select.value = option.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    };
  }

  function start() {
    var container = document.getElementById("mutual-map-canvas");
    if (!container || !window.L || !window.psmMap) return;
    state.container = container;
    var form = document.getElementById("mutual-filters");
    var live = form && window.fetch && window.URLSearchParams && window.history && window.AbortController;
    var chooseRegion = live ? enhanceFilters(form) : null;
    var base = window.psmMap.create(container, { fit: false, focusable: !!chooseRegion, onRegion: chooseRegion });
    state.map = base.map;
    container.psmMap = base.map;
    state.markers = L.markerClusterGroup
      ? L.markerClusterGroup({
        iconCreateFunction: clusterIcon, showCoverageOnHover: false, chunkProgress: chunkProgress,
        // Short chunks with a yield between: no task long enough to hold up a tap or a key press
        // (on a slow phone a 10 ms chunk here is 40-50 ms), and no wait but the browser's own.
        chunkedLoading: true, chunkInterval: 10, chunkDelay: 0,
      })
      : L.featureGroup();
    state.map.addLayer(state.markers);
    base.regions.then(function (layer) {
      state.regions = layer;
      fit();
    });
    if (container.dataset.points) {
      loadPoints(container.dataset.points).then(draw).catch(function (error) {
        container.setAttribute("data-marker-count", "0");
        if (window.console) console.error("The map's points could not load:", error);
      });
    } else {
      var inline = document.getElementById("mutual-map-data");
      draw(inline ? JSON.parse(inline.textContent) : []);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

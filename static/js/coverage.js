/* Coverage: choosing a sector redraws the map and its numbers in place (without JavaScript, the
 * form's Show button loads the same server-rendered map). */
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("coverage-form");
    if (!form || !window.fetch || !window.history) return;
    var select = form.querySelector("select");

    function redraw() {
      var by = form.querySelector("input[name=by]");
      var query = [];
      if (select.value) query.push("sector=" + encodeURIComponent(select.value));
      if (by) query.push("by=" + encodeURIComponent(by.value));
      var url = form.getAttribute("action").split("#")[0] + (query.length ? "?" + query.join("&") : "");
      fetch(url, { headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          var section = document.getElementById("coverage-map-section");
          var focused = document.activeElement === select;
          section.innerHTML = fresh.getElementById("coverage-map-section").innerHTML;
          window.history.replaceState(null, "", url + "#coverage-map");
          start();
          if (focused) document.getElementById("coverage-sector").focus();
        })
        .catch(function () { form.submit(); });
    }

    select.addEventListener("change", redraw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* Leaflet's default pin, from the addresses the page gives this script's tag.
 *
 * Leaflet finds its marker images by looking for 'marker-icon.png' in its stylesheet; with
 * hashed static file names (collectstatic's manifest) the guess fails and every pin is a
 * broken image. The template writes each image's real address with {% static %} instead.
 * Load it after Leaflet (and after django-leaflet's leaflet.extras.js, which sets imagePath).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!window.L || !script) return;
  L.Icon.Default.imagePath = ""; // the addresses below are complete
  L.Icon.Default.mergeOptions({
    iconUrl: script.dataset.iconUrl,
    iconRetinaUrl: script.dataset.iconRetinaUrl,
    shadowUrl: script.dataset.shadowUrl
  });
})();

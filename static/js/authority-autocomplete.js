/* Find a mutual: the local authority select becomes GOV.UK's accessible-autocomplete (type part of a
 * name, choose from the suggestions). Without JavaScript, or if the library did not load, the plain
 * select works as before. Choosing an authority changes the select and tells the form, so the live
 * filters (mutual-map.js) update the list as they do for any other select. */
(function () {
  "use strict";

  function start() {
    var select = document.querySelector("#mutual-filters select[name=local_authority]");
    if (!select || !window.accessibleAutocomplete) return;

    function choose(option) {
      if (select.value === option.value) return;
      select.value = option.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: "",
      // No first suggestion chosen ahead of the user: with it the library draws an unlabelled
      // "hint" input that axe reports (a form element without a label). A name typed in full counts.
      autoselect: false,
      onConfirm: function (name) {
        var options = Array.prototype.slice.call(select.options);
        var input = document.getElementById(select.id.replace(/-select$/, ""));
        var typed = (name || (input ? input.value : "")).trim().toLowerCase();
        if (!typed) {
          choose(options[0]); // emptied and left: back to any local authority
          return;
        }
        var chosen = options.filter(function (option) {
          return option.value && option.textContent.trim().toLowerCase() === typed;
        })[0];
        if (chosen) choose(chosen);
      },
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

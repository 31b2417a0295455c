// smmpanel website: small enhancements only; every page works without this file.
"use strict";
(function () {
  // "Copy key" buttons: shown only when the clipboard is available.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = "Copied";
      });
    });
  });
  // The services search filters as you type (the form still searches on the server without script).
  var search = document.querySelector("[data-filter]");
  if (search) {
    search.addEventListener("input", function () {
      var needle = search.value.trim().toLowerCase();
      document.querySelectorAll("[data-category]").forEach(function (section) {
        var shown = 0;
        section.querySelectorAll("tr[data-search]").forEach(function (row) {
          var match = !needle || row.getAttribute("data-search").indexOf(needle) !== -1;
          row.hidden = !match;
          if (match) shown += 1;
        });
        section.hidden = shown === 0;
      });
    });
  }
  // Script requests carry the CSRF token as a header (forms carry it as a field).
  window.smmpanelFetch = function (url, options) {
    var field = document.querySelector("input[name=csrf_token]");
    options = options || {};
    options.headers = Object.assign({}, options.headers || {}, { "X-CSRF-Token": field ? field.value : "" });
    options.credentials = "same-origin";
    return fetch(url, options);
  };
})();

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
  // New order: the category narrows the services; choosing a service shows its own fields.
  var category = document.querySelector("[data-category-select]");
  if (category) {
    category.addEventListener("change", function () {
      window.location.href = "/?category=" + encodeURIComponent(category.value);
    });
  }
  var service = document.querySelector("[data-service-select]");
  if (service) {
    service.addEventListener("change", function () {
      window.location.href = "/?service=" + encodeURIComponent(service.value);
    });
  }
  // New order: the server computes the charge as the customer types (GET /order/charge).
  var orderForm = document.getElementById("order-form");
  var charge = document.getElementById("charge");
  if (orderForm && charge) {
    var note = document.getElementById("charge-note");
    var timer = null;
    var asked = 0;
    var update = function () {
      var params = new URLSearchParams();
      new FormData(orderForm).forEach(function (value, name) {
        if (name !== "csrf_token" && name !== "action") params.append(name, value);
      });
      var mine = ++asked;
      window.smmpanelFetch(orderForm.getAttribute("data-charge-url") + "?" + params.toString())
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (mine !== asked) return;
          if (answer.charge !== undefined) {
            charge.textContent = answer.charge + " " + answer.currency;
            note.textContent = "";
          } else {
            charge.textContent = "—";
            note.textContent = answer.error;
          }
        });
    };
    orderForm.querySelectorAll("[data-quote]").forEach(function (input) {
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(update, 250);
      });
    });
    update();
  }
  // Orders: active rows refresh by themselves (GET /orders/state?ids=…); a reload does the same.
  var polled = document.querySelectorAll("[data-poll]");
  if (polled.length) {
    var refresh = function () {
      var rows = document.querySelectorAll("tr[data-active]");
      if (!rows.length) return;
      var ids = Array.prototype.map.call(rows, function (row) { return row.getAttribute("data-active"); });
      window.smmpanelFetch("/orders/state?ids=" + ids.join(","))
        .then(function (response) { return response.json(); })
        .then(function (states) {
          rows.forEach(function (row) {
            var state = states[row.getAttribute("data-active")];
            if (!state) return;
            ["start_count", "remains", "charge"].forEach(function (column) {
              var cell = row.querySelector("[data-col=" + column + "]");
              if (cell) cell.textContent = state[column];
            });
            var status = row.querySelector("[data-col=status] .status");
            if (status && status.textContent !== state.status) {
              status.textContent = state.status;
              status.className = "status s-" + state.status.toLowerCase().replace(/ /g, "-");
            }
            if (!state.active) row.removeAttribute("data-active");
          });
        });
    };
    setInterval(refresh, 5000);
  }
})();

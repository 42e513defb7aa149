/* Kefu agent UI: keyboard-first intake, dialogs, small conveniences. Plain JS, no build. */
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // --- intake ---------------------------------------------------------------------------------
  function intakeForm() { return document.getElementById("intake-form"); }

  function review() {
    var btn = document.getElementById("review-btn");
    if (btn) { btn.click(); }
  }

  function syncTypeDependentFields() {
    var form = intakeForm();
    if (!form) { return; }
    var type = $("#id_type", form);
    if (!type) { return; }
    var wrap = document.getElementById("complaint-level-wrap");
    if (wrap) { wrap.hidden = type.value !== "complaint"; }
    var category = $("#id_category", form);
    if (!category) { return; }
    var selectedHidden = false;
    $all("option[data-types]", category).forEach(function (opt) {
      var types = opt.getAttribute("data-types");
      var ok = !types || types.split(",").indexOf(type.value) !== -1;
      opt.hidden = !ok;
      opt.disabled = !ok;
      if (!ok && opt.selected) { selectedHidden = true; }
    });
    $all("optgroup", category).forEach(function (group) {
      group.hidden = $all("option:not([hidden])", group).length === 0;
    });
    if (selectedHidden) { category.value = ""; }
  }

  document.addEventListener("keydown", function (event) {
    var form = intakeForm();
    if (!form || !form.contains(event.target)) { return; }
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      review();
      return;
    }
    if (target.id === "customer-q") {
      var first = $(".kefu-customer-result", form);
      if (event.key === "ArrowDown" && first) { event.preventDefault(); first.focus(); }
      if (event.key === "Enter") { event.preventDefault(); if (first) { first.click(); } }
      return;
    }
    if (target.classList.contains("kefu-customer-result")) {
      var items = $all(".kefu-customer-result", form);
      var i = items.indexOf(target);
      if (event.key === "ArrowDown" && i < items.length - 1) { event.preventDefault(); items[i + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (i > 0 ? items[i - 1] : $("#customer-q")).focus(); }
      return;
    }
    var clickTarget = target.getAttribute && target.getAttribute("data-enter-click");
    if (event.key === "Enter" && clickTarget) {
      event.preventDefault();
      var button = document.querySelector(clickTarget);
      if (button) { button.click(); }
      return;
    }
    // Enter in a one-line field never saves without the read-back: it asks for the review.
    if (event.key === "Enter" && target.tagName === "INPUT" && target.type !== "submit" && target.type !== "button") {
      event.preventDefault();
      review();
    }
  });

  document.addEventListener("change", function (event) {
    var form = intakeForm();
    if (!form || !form.contains(event.target)) { return; }
    if (event.target.id === "id_type") { syncTypeDependentFields(); }
  });

  // Any edit after the read-back makes it stale: remove it, so Enter cannot save old text.
  document.addEventListener("input", function (event) {
    var form = intakeForm();
    if (!form || !form.contains(event.target) || event.target.id === "customer-q") { return; }
    var readback = document.getElementById("intake-readback");
    if (readback && readback.firstElementChild) { readback.innerHTML = ""; }
  });

  // --- htmx hooks -----------------------------------------------------------------------------
  // Our 4xx answers to htmx requests are partials (a form with its errors, a dialog with a 409
  // message) meant to be swapped in (see htmx-config in base.html). In DEBUG, django-htmx's
  // helper would replace the whole page with any 400/403/404 response; keep it for full pages
  // (Django's debug pages) only. A capture listener on window runs before its document listener.
  window.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status < 500 && !/^\s*<!doctype/i.test(xhr.responseText || "")) {
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target || event.target;
    if (!target || !target.querySelector) { return; }
    if (target.id === "customer-block") {
      var next = $("[autofocus]", target) || document.getElementById("id_type");
      if (next) { next.focus(); }
      return;
    }
    var auto = target.hasAttribute && target.hasAttribute("autofocus") ? target : $("[autofocus]", target);
    if (auto) { auto.focus(); }
    if (target.id === "intake-fields") { syncTypeDependentFields(); }
  });

  // --- work-order page ------------------------------------------------------------------------
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".kefu-upload input[type=file]")) { return; }
    var preview = $(".kefu-preview", input.closest("form"));
    if (!preview) { return; }
    preview.innerHTML = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (file.type.indexOf("image/") === 0) {
        var img = document.createElement("img");
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        preview.appendChild(img);
      }
    });
  });

  // Filters that apply on change (no inline handlers: the Content-Security-Policy forbids them).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("[data-kefu-autosubmit]") || !select.form) { return; }
    var clear = select.getAttribute("data-kefu-clear");
    if (clear && select.form.elements[clear]) { select.form.elements[clear].value = ""; }
    select.form.submit();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-kefu-print]") : null;
    if (button) { window.print(); }
  });

  document.addEventListener("shown.bs.modal", function (event) {
    var field = $("textarea, select, input:not([type=hidden])", event.target);
    if (field) { field.focus(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncTypeDependentFields();
    var failed = $("[data-kefu-autoshow]");
    if (failed && window.bootstrap) { window.bootstrap.Modal.getOrCreateInstance(failed).show(); }
  });
})();

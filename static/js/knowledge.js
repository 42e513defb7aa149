/* Knowledge app: the header search box ("/" to focus, arrows, Escape) and inserting an answer or a
   canned reply into the comment or the resolution of a work order. Plain JS, no build. */
(function () {
  "use strict";

  function box() { return document.getElementById("header-search"); }
  function results() { return document.getElementById("header-search-results"); }
  function items() { return Array.prototype.slice.call(document.querySelectorAll("#header-search-results .dropdown-item")); }

  function setOpen(open) {
    var menu = results(), input = box();
    if (!menu || !input) { return; }
    open = open && menu.innerHTML.trim() !== "";
    menu.classList.toggle("show", open);
    input.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function typing(target) {
    if (!target) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    var input = box();
    if (!input) { return; }
    if (event.key === "/" && !typing(event.target) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      var collapse = input.closest(".navbar-collapse");
      if (collapse && !collapse.classList.contains("show") && window.bootstrap) {
        window.bootstrap.Collapse.getOrCreateInstance(collapse).show();
      }
      input.focus();
      input.select();
      return;
    }
    var list = items();
    if (event.target === input) {
      if (event.key === "ArrowDown" && list.length) { event.preventDefault(); setOpen(true); list[0].focus(); }
      if (event.key === "Escape") { setOpen(false); }
      return;
    }
    var i = list.indexOf(event.target);
    if (i === -1) { return; }
    if (event.key === "ArrowDown" && i < list.length - 1) { event.preventDefault(); list[i + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (i > 0 ? list[i - 1] : input).focus(); }
    if (event.key === "Escape") { setOpen(false); input.focus(); }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target === results()) { setOpen(document.activeElement === box()); }
  });
  document.addEventListener("focusin", function (event) {
    var form = document.getElementById("header-search-form");
    if (!form) { return; }
    if (form.contains(event.target)) { setOpen(true); } else { setOpen(false); }
  });
  document.addEventListener("click", function (event) {
    var form = document.getElementById("header-search-form");
    if (form && !form.contains(event.target)) { setOpen(false); }
  });

  // --- insert an answer or a reply -------------------------------------------------------------
  function insertInto(field, text) {
    var start = field.selectionStart, end = field.selectionEnd, value = field.value;
    if (typeof start !== "number") { start = end = value.length; }
    var before = value.slice(0, start), after = value.slice(end);
    var glue = before && !/\s$/.test(before) ? "\n" : "";
    field.value = before + glue + text + after;
    var caret = (before + glue + text).length;
    field.focus();
    try { field.setSelectionRange(caret, caret); } catch (e) { /* not a text field */ }
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-kefu-insert]");
    if (!button) { return; }
    event.preventDefault();
    var text = button.getAttribute("data-text") || "";
    var field = document.querySelector(button.getAttribute("data-kefu-insert"));
    var modalSelector = button.getAttribute("data-kefu-modal");
    var modal = modalSelector && document.querySelector(modalSelector);
    if (!field) { return; }
    if (modal && window.bootstrap && !modal.classList.contains("show")) {
      modal.addEventListener("shown.bs.modal", function once() {
        modal.removeEventListener("shown.bs.modal", once);
        insertInto(field, text);
      });
      window.bootstrap.Modal.getOrCreateInstance(modal).show();
      return;
    }
    field.scrollIntoView({ block: "center" });
    insertInto(field, text);
  });

  // Buttons whose target is not on this page (no resolve form: the order is not being worked on) hide.
  function hideMissing(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-kefu-insert]"), function (button) {
      if (!document.querySelector(button.getAttribute("data-kefu-insert"))) { button.hidden = true; }
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) { hideMissing(event.detail && event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { hideMissing(document); });
})();

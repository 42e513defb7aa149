/* A patrol round on the phone: each checkpoint's answers are queued in localStorage first, then
   sent to the API; offline they stay queued (with the time they were recorded) until the
   connection returns. A checkpoint refused as already recorded (a send whose answer was lost) is
   dropped from the queue like a success. Photos need a connection (sent as multipart at once). */
(function () {
  "use strict";
  var KEY = "kefu-patrol-queue";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function queue() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function save(q) { localStorage.setItem(KEY, JSON.stringify(q)); }
  function csrf() { var el = $("input[name=csrfmiddlewaretoken]"); return el ? el.value : ""; }

  function showState() {
    var q = queue();
    var box = document.getElementById("patrol-offline");
    if (box) { box.hidden = q.length === 0; }
    var n = document.getElementById("patrol-queued");
    if (n) { n.textContent = q.length ? "(" + q.length + ")" : ""; }
    q.forEach(function (entry) {
      var form = $("form.kefu-visit-form[data-api='" + entry.url + "']");
      if (form) {
        form.hidden = true;
        var section = form.closest(".kefu-checkpoint");
        if (section && !$(".kefu-queued", section)) {
          var badge = document.createElement("span");
          badge.className = "badge text-bg-warning kefu-queued";
          badge.textContent = section.getAttribute("data-queued-label") || "…";
          $(".card-header", section).appendChild(badge);
        }
      }
    });
  }

  function showError(message) {
    var box = document.getElementById("patrol-error");
    if (box) { box.textContent = message; box.hidden = false; }
  }

  function answersOf(form) {
    return $all("fieldset.kefu-item", form).map(function (set) {
      var item = parseInt(set.getAttribute("data-item"), 10);
      var kind = set.getAttribute("data-kind");
      var note = $("input[name=item_" + item + "_note]", set).value;
      if (kind === "value") { return { item: item, value: $("input[type=number]", set).value, note: note }; }
      if (kind === "photo") { return { item: item, result: "pass", note: note }; }
      var checked = $("input[type=radio]:checked", set);
      return { item: item, result: checked ? checked.value : "", note: note };
    });
  }

  function post(entry) {
    return fetch(entry.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(entry.body)
    });
  }

  var flushing = false;
  function flush() {
    if (flushing) { return; }
    var q = queue();
    if (!q.length) { return; }
    flushing = true;
    var sentAny = false;
    (function next() {
      var entry = queue()[0];
      if (!entry) { flushing = false; if (sentAny) { window.location.reload(); } return; }
      post(entry).then(function (resp) {
        save(queue().slice(1));
        if (resp.ok) { sentAny = true; next(); return; }
        return resp.json().then(function (err) {
          if (err && err.code === "already_visited") { sentAny = true; next(); return; }
          flushing = false;
          showState();
          var form = $("form.kefu-visit-form[data-api='" + entry.url + "']");
          if (form) { form.hidden = false; var b = $(".kefu-queued", form.closest(".kefu-checkpoint")); if (b) { b.remove(); } }
          showError((err && err.message) || String(resp.status));
        });
      }, function () { flushing = false; showState(); });
    })();
  }

  function sendWithPhotos(form, body) {
    var data = new FormData();
    data.append("tag", body.tag);
    data.append("visited_at", body.visited_at);
    data.append("answers", JSON.stringify(body.answers));
    $all("input[type=file]", form).forEach(function (input) {
      if (input.files[0]) { data.append(input.name, input.files[0]); }
    });
    return fetch(form.getAttribute("data-api"), {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "Accept": "application/json", "X-CSRFToken": csrf() }
    }).then(function (resp) {
      if (resp.ok) { window.location.reload(); return; }
      return resp.json().then(function (err) { showError(err.message || String(resp.status)); });
    }, function () { showError(form.getAttribute("data-photo-offline") || "offline"); });
  }

  $all("form.kefu-visit-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.reportValidity()) { return; }
      var body = { tag: $("input[name=tag]", form).value.trim(), visited_at: new Date().toISOString(),
                   answers: answersOf(form) };
      if ($("input[type=file]", form)) { sendWithPhotos(form, body); return; }
      var q = queue();
      q.push({ url: form.getAttribute("data-api"), body: body });
      save(q);
      showState();
      flush();
    });
  });

  window.addEventListener("online", flush);
  showState();
  if (navigator.onLine !== false) { flush(); }
})();

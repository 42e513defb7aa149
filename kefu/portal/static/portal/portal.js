/* The customer portal's pages: photos made smaller in the browser (canvas → JPEG) before they are
   sent, the report kept as a draft in localStorage (a phone losing signal keeps it), and a
   signature pad on a plain <canvas> (pointer events), as the callbacks' on-site form draws it.
   No inline script: the CSP allows scripts from our own files only. */
(function () {
  "use strict";

  var MAX_SIDE = 1600;

  function compress(file) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) { resolve(file); return; }
      createImageBitmap(file).then(function (bitmap) {
        var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          resolve(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", {type: "image/jpeg"}));
        }, "image/jpeg", 0.8);
      }, function () { resolve(file); });
    });
  }

  function photos(form) {
    var input = form.querySelector("input[type=file][name=photos]");
    if (!input || !window.DataTransfer) { return; }
    var previews = document.getElementById("photo-previews");
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      input.dataset.compressing = "1";
      Promise.all(files.map(compress)).then(function (small) {
        var transfer = new DataTransfer();
        small.forEach(function (f) { transfer.items.add(f); });
        input.files = transfer.files;
        if (previews) {
          previews.textContent = "";
          small.forEach(function (f) {
            var img = document.createElement("img");
            img.className = "portal-thumb rounded border";
            img.alt = f.name;
            img.src = URL.createObjectURL(f);
            previews.appendChild(img);
          });
        }
        delete input.dataset.compressing;
        input.dataset.compressed = String(small.length);
      });
    });
  }

  function draft(form) {
    var key = form.dataset.draft;
    if (!key || !window.localStorage) { return; }
    var note = document.getElementById("draft-note");
    function fields() { return form.querySelectorAll("textarea, select, input[type=radio], input[type=checkbox]"); }
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    var serverValues = form.querySelector("textarea").value;
    if (saved && !serverValues) {
      fields().forEach(function (el) {
        if (!(el.name in saved)) { return; }
        if (el.type === "radio") { el.checked = saved[el.name] === el.value; }
        else if (el.type === "checkbox") { el.checked = (saved[el.name] || []).indexOf(el.value) >= 0; }
        else if (el.tagName === "SELECT") { if (el.querySelector("option[value='" + saved[el.name] + "']")) { el.value = saved[el.name]; } }
        else { el.value = saved[el.name]; }
      });
      if (note) { note.hidden = false; }
    }
    function save() {
      var values = {};
      fields().forEach(function (el) {
        if (el.type === "radio") { if (el.checked) { values[el.name] = el.value; } }
        else if (el.type === "checkbox") { values[el.name] = values[el.name] || []; if (el.checked) { values[el.name].push(el.value); } }
        else { values[el.name] = el.value; }
      });
      localStorage.setItem(key, JSON.stringify(values));
      if (note) { note.hidden = false; }
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    // The categories depend on the type: reload the form for the new type (the draft keeps the text).
    form.querySelectorAll("[data-reload-categories]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        save();
        window.location.search = "?type=" + encodeURIComponent(radio.value);
      });
    });
  }

  function signature(form) {
    var canvas = document.getElementById("signature-pad");
    var hidden = document.getElementById("id_signature");
    if (!canvas || !hidden) { return; }
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return [(event.clientX - rect.left) * canvas.width / rect.width,
              (event.clientY - rect.top) * canvas.height / rect.height];
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      var p = point(event);
      ctx.beginPath(); ctx.moveTo(p[0], p[1]); ctx.lineTo(p[0] + 0.1, p[1] + 0.1); ctx.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var p = point(event);
      ctx.lineTo(p[0], p[1]); ctx.stroke();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    document.getElementById("signature-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; hidden.value = "";
    });
    form.addEventListener("submit", function () { hidden.value = drawn ? canvas.toDataURL("image/png") : ""; });
  }

  document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
    try { localStorage.removeItem(el.dataset.clearDraft); } catch (e) { /* private mode */ }
  });
  ["report-form", "qr-form"].forEach(function (id) {
    var form = document.getElementById(id);
    if (form) { photos(form); draft(form); }
  });
  var confirm = document.getElementById("confirm-form");
  if (confirm) { signature(confirm); }
})();

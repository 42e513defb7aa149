/* Photos taken on a phone, compressed in the browser before upload: every
   <input type=file data-compress-photos> keeps the photos picked so far (a camera gives one per
   pick), scales each to at most `data-max-side` px (default 1600) as JPEG (quality 0.8), shows
   thumbnails, and holds the form's submit button while it works. The server still checks each
   file's type and size by its bytes (kefu.workorders.services). */
(function () {
  "use strict";

  function compress(file, maxSide) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp|gif)$/.test(file.type) || !window.HTMLCanvasElement) {
        resolve(file);
        return;
      }
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, maxSide / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
        canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff";  // transparent PNG areas become white, not black, in a JPEG
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }  // already small: keep it
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, {type: "image/jpeg", lastModified: Date.now()}));
        }, "image/jpeg", 0.8);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }

  function setup(input) {
    var form = input.closest("form");
    var preview = document.getElementById(input.dataset.preview || "") || null;
    var clear = document.getElementById(input.dataset.clear || "") || null;
    var maxSide = parseInt(input.dataset.maxSide || "1600", 10);
    var maxCount = parseInt(input.dataset.maxCount || "8", 10);
    var kept = [];
    var busy = false;

    function submitButtons(disabled) {
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) { b.disabled = disabled; });
    }

    function show() {
      var transfer = new DataTransfer();
      kept.forEach(function (f) { transfer.items.add(f); });
      busy = true;  // setting .files fires no change event, but be safe
      input.files = transfer.files;
      busy = false;
      input.dataset.count = String(kept.length);
      if (preview) {
        preview.textContent = "";
        kept.forEach(function (f) {
          var img = document.createElement("img");
          img.className = "img-thumbnail kefu-photo-thumb";
          img.alt = f.name;
          img.width = 72;
          img.height = 72;
          img.style.objectFit = "cover";
          img.src = URL.createObjectURL(f);
          img.dataset.size = String(f.size);
          preview.appendChild(img);
        });
      }
      if (clear) { clear.hidden = kept.length === 0; }
    }

    input.addEventListener("change", function () {
      if (busy) { return; }
      var picked = Array.prototype.slice.call(input.files || []);
      delete input.dataset.ready;
      submitButtons(true);
      Promise.all(picked.map(function (f) { return compress(f, maxSide); })).then(function (files) {
        kept = kept.concat(files).slice(0, maxCount);
        show();
        submitButtons(false);
        input.dataset.ready = "1";
      });
    });
    if (clear) {
      clear.addEventListener("click", function () { kept = []; show(); });
    }
    input.dataset.ready = "1";
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-compress-photos]"), setup);
})();

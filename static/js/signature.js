/* Signature pads on a plain <canvas> (pointer events: finger, pen or mouse): every element marked
   `data-signature-pad` holding a <canvas>, a hidden input and a `data-signature-clear` button.
   On submit the drawing travels as a PNG data URL in the hidden input (empty when nothing was
   drawn or the pad is hidden); the server checks it really is a PNG (kefu.core.signatures).
   Used by the callback attempt form (on-site callbacks) and the technician's resolve form. */
(function () {
  "use strict";

  function pad(block) {
    var canvas = block.querySelector("canvas");
    var hidden = block.querySelector("input[type=hidden]");
    var clear = block.querySelector("[data-signature-clear]");
    var form = block.closest("form");
    if (!canvas || !hidden || !form) { return; }
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      // The canvas is drawn at its own resolution and scaled by CSS to the screen's width.
      return [(event.clientX - rect.left) * canvas.width / rect.width,
              (event.clientY - rect.top) * canvas.height / rect.height];
    }

    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p[0], p[1]);
      ctx.lineTo(p[0] + 0.1, p[1] + 0.1);
      ctx.stroke();
      drawn = true;
      block.dataset.signed = "1";
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var p = point(event);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });

    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        hidden.value = "";
        delete block.dataset.signed;
      });
    }
    form.addEventListener("submit", function () {
      hidden.value = drawn && !block.hidden ? canvas.toDataURL("image/png") : "";
    });
    block.dataset.ready = "1";
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-signature-pad]"), pad);

  // The callback attempt form: the pad only for on-site attempts, the outcome only when reached.
  var attempt = document.getElementById("attempt-form");
  if (attempt) {
    var block = document.getElementById("signature-block");
    var reachedFields = document.getElementById("reached-fields");
    var notReachedFields = document.getElementById("not-reached-fields");
    var checked = function (name) {
      var input = attempt.querySelector("input[name=" + name + "]:checked");
      return input ? input.value : "";
    };
    var sync = function () {
      block.hidden = checked("method") !== "on_site";
      reachedFields.hidden = checked("reached") === "no";
      if (notReachedFields) { notReachedFields.hidden = checked("reached") !== "no"; }
    };
    attempt.addEventListener("change", sync);
    sync();
  }
})();

/* Callback attempt form: a signature pad on a plain <canvas> (pointer events: finger, pen or
   mouse) for on-site callbacks, and showing only the fields that apply. On submit the drawing
   travels as a PNG data URL in a hidden field; the server checks it really is a PNG. */
(function () {
  "use strict";

  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var canvas = document.getElementById("signature-pad");
  var hidden = document.getElementById("id_signature");
  var block = document.getElementById("signature-block");
  var reachedFields = document.getElementById("reached-fields");
  var ctx = canvas.getContext("2d");
  var drawing = false;
  var drawn = false;

  function checked(name) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    return input ? input.value : "";
  }

  function sync() {
    block.hidden = checked("method") !== "on_site";
    reachedFields.hidden = checked("reached") === "no";
  }

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

  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    hidden.value = "";
  });

  form.addEventListener("change", sync);
  form.addEventListener("submit", function () {
    hidden.value = drawn && !block.hidden ? canvas.toDataURL("image/png") : "";
  });
  sync();
})();

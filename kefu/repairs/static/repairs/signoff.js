/* Repair record: the customer's on-site sign-off on a plain <canvas> (pointer events: finger, pen
   or mouse). On submit the drawing travels as a PNG data URL in the hidden `signature` field; the
   server checks it really is a PNG. Nothing drawn: the field stays empty and the server says so. */
(function () {
  "use strict";

  var form = document.getElementById("form-sign");
  if (!form) { return; }
  var canvas = document.getElementById("signature-pad");
  var hidden = form.querySelector("input[name=signature]");
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
  form.addEventListener("submit", function () {
    hidden.value = drawn ? canvas.toDataURL("image/png") : "";
  });
})();

/* The resolve form: "add a line" for parts and materials copies the last line, emptied. */
(function () {
  "use strict";
  var add = document.getElementById("material-add");
  var list = document.getElementById("material-lines");
  if (!add || !list) { return; }
  add.addEventListener("click", function () {
    var rows = list.querySelectorAll(".kefu-material-row");
    if (rows.length >= parseInt(list.dataset.max || "30", 10)) { return; }
    var row = rows[rows.length - 1].cloneNode(true);
    Array.prototype.forEach.call(row.querySelectorAll("input"), function (input) {
      input.value = "";
      input.classList.remove("is-invalid");
    });
    list.appendChild(row);
    row.querySelector("input").focus();
  });
})();

/* The QA scoring form: the weighted total (Σ weight × points / Σ weight, two places) and the pass
   line while the scorer types. Only a guide for the scorer: the server recomputes the score
   (kefu.quality.sampling.weighted_score) and decides pass or fail. */
(function () {
  "use strict";

  function setup(box) {
    var threshold = parseFloat(box.dataset.threshold);
    var inputs = box.querySelectorAll("input[data-qa-score]");
    var total = box.querySelector(".kefu-qa-running");
    var verdict = box.querySelector(".kefu-qa-verdict");

    function update() {
      var weights = 0;
      var sum = 0;
      var missing = 0;
      Array.prototype.forEach.call(inputs, function (input) {
        var weight = parseFloat(input.dataset.weight) || 0;
        var points = input.value.trim() === "" ? NaN : Number(input.value);
        weights += weight;
        if (isNaN(points) || points < 0 || points > 100) {
          missing += 1;
          return;
        }
        // Whole hundredths, so the sum matches the server's decimal arithmetic.
        sum += weight * Math.round(points * 100);
      });
      var score = weights ? Math.round(sum / weights) / 100 : 0;
      total.textContent = score.toFixed(2);
      box.dataset.score = score.toFixed(2);
      verdict.classList.remove("text-bg-success", "text-bg-danger", "text-bg-secondary");
      if (missing) {
        verdict.textContent = verdict.dataset.pending;
        verdict.classList.add("text-bg-secondary");
        box.dataset.verdict = "pending";
      } else if (score >= threshold) {
        verdict.textContent = verdict.dataset.pass;
        verdict.classList.add("text-bg-success");
        box.dataset.verdict = "pass";
      } else {
        verdict.textContent = verdict.dataset.fail;
        verdict.classList.add("text-bg-danger");
        box.dataset.verdict = "fail";
      }
    }

    box.addEventListener("input", update);
    update();
  }

  Array.prototype.forEach.call(document.querySelectorAll(".kefu-qa-score"), setup);
})();

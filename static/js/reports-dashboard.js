/* Moved out of the page: the Content-Security-Policy allows no inline script. */
(function () {
  function draw() {
    var node = document.getElementById("dashboard-data");
    if (!node || !window.echarts) return;
    var data = JSON.parse(node.textContent);
    var trend = document.getElementById("chart-satisfaction");
    if (trend) {
      var chart = echarts.getInstanceByDom(trend) || echarts.init(trend);
      chart.setOption({grid: {left: 40, right: 10, top: 20, bottom: 30}, tooltip: {trigger: "axis"},
        xAxis: {type: "category", data: data.trend.map(function (r) { return r.week.slice(5); })},
        yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
        series: [{type: "line", connectNulls: true, data: data.trend.map(function (r) { return r.rate === null ? null : Math.round(r.rate * 1000) / 10; })}]});
    }
    var cats = document.getElementById("chart-categories");
    if (cats) {
      var c2 = echarts.getInstanceByDom(cats) || echarts.init(cats);
      c2.setOption({grid: {left: 100, right: 20, top: 10, bottom: 20}, tooltip: {},
        xAxis: {type: "value"}, yAxis: {type: "category", inverse: true, data: data.categories.map(function (r) { return r.label; })},
        series: [{type: "bar", data: data.categories.map(function (r) { return r.count; })}]});
    }
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSettle", function (e) { if (e.target.id === "dashboard-panel") draw(); });
  window.addEventListener("resize", function () { document.querySelectorAll("[_echarts_instance_]").forEach(function (n) { echarts.getInstanceByDom(n).resize(); }); });
})();

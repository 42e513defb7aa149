/* The service analysis page's charts (ECharts from static/vendor, no inline script: the CSP allows
   none). The data is the page's own json_script; drawn again when htmx swaps the results. */
(function () {
  var instances = [];

  function chart(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    var existing = echarts.getInstanceByDom(node);
    if (existing) existing.dispose();
    var c = echarts.init(node, null, {renderer: "canvas"});
    instances.push(c);
    return c;
  }

  function openOnClick(c, rows) {
    c.on("click", function (p) {
      var row = rows[p.dataIndex];
      if (row && row.url) window.location.href = row.url;
    });
  }

  function bars(id, rows, names, color) {
    var c = chart(id);
    if (!c) return;
    c.setOption({
      animation: false, color: [color], tooltip: {trigger: "axis"},
      grid: {left: 8, right: 16, top: 8, bottom: 8, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", inverse: true, data: rows.map(function (r) { return r.label; })},
      series: [{type: "bar", name: names.orders, data: rows.map(function (r) { return r.count; })}],
      graphic: rows.length ? [] : [{type: "text", left: "center", top: "middle", style: {text: names.none}}]
    });
    openOnClick(c, rows);
  }

  function draw() {
    var node = document.getElementById("analysis-chart-data");
    if (!node || !window.echarts) return;
    instances.forEach(function (c) { if (!c.isDisposed()) c.dispose(); });
    instances = [];
    var data = JSON.parse(node.textContent);
    var names = data.names;

    var trend = chart("chart-trend");
    if (trend) {
      var points = data.trend.points;
      trend.setOption({
        animation: false, color: ["#0d6efd"], tooltip: {trigger: "axis"},
        grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
        xAxis: {type: "category", data: points.map(function (p) { return p.start.slice(5); })},
        yAxis: {type: "value", minInterval: 1},
        series: [{type: data.trend.unit === "week" ? "bar" : "line", name: names.orders,
                  data: points.map(function (p) { return p.count; })}]
      });
    }

    var pareto = chart("chart-pareto");
    if (pareto) {
      pareto.setOption({
        animation: false, color: ["#0d6efd", "#dc3545"], tooltip: {trigger: "axis"},
        legend: {top: 0, data: [names.orders, names.cumulative]},
        grid: {left: 8, right: 8, top: 28, bottom: 8, containLabel: true},
        xAxis: {type: "category", data: data.pareto.map(function (r) { return r.label; }),
                axisLabel: {interval: 0, rotate: 30, width: 80, overflow: "truncate"}},
        yAxis: [{type: "value", minInterval: 1}, {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}}],
        series: [{type: "bar", name: names.orders, data: data.pareto.map(function (r) { return r.count; })},
                 {type: "line", name: names.cumulative, yAxisIndex: 1,
                  data: data.pareto.map(function (r) { return r.cumulative; })}],
        graphic: data.pareto.length ? [] : [{type: "text", left: "center", top: "middle", style: {text: names.none}}]
      });
      openOnClick(pareto, data.pareto);
    }

    bars("chart-type", data.type, names, "#0d6efd");
    bars("chart-channel", data.channel, names, "#198754");

    var onTime = chart("chart-on-time");
    if (onTime) {
      onTime.setOption({
        animation: false, color: ["#0d6efd", "#6c757d", "#198754"], tooltip: {trigger: "axis"},
        legend: {top: 0},
        grid: {left: 8, right: 8, top: 28, bottom: 8, containLabel: true},
        xAxis: {type: "category", data: data.on_time.labels, axisLabel: {interval: 0, width: 90, overflow: "break"}},
        yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
        series: data.on_time.series.map(function (s) { return {type: "bar", name: s.name, data: s.rates}; })
      });
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSettle", function (e) {
    if (e.target && (e.target.id === "report-results" || e.target.querySelector("#analysis-chart-data"))) draw();
  });
  window.addEventListener("resize", function () {
    instances.forEach(function (c) { if (!c.isDisposed()) c.resize(); });
  });
})();

/* Moved out of the page: the Content-Security-Policy allows no inline script. */
(function () {
  var el = document.getElementById("rate-chart");
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  if (!el || !window.echarts || !data.labels.length) { if (el) el.remove(); return; }
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toFixed(2) + "%"; }},
    legend: {data: [data.names.rate, data.names.previous]},
    grid: {left: 40, right: 16, bottom: 60, containLabel: true},
    xAxis: {type: "category", data: data.labels, axisLabel: {interval: 0, rotate: data.labels.length > 4 ? 30 : 0}},
    yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
    series: [
      {name: data.names.rate, type: "bar", data: data.rates,
       markLine: {symbol: "none", data: [{yAxis: data.target, name: data.names.target}], label: {position: "insideEndTop", formatter: data.names.target + " {c}%"}}},
      {name: data.names.previous, type: "bar", data: data.previous, itemStyle: {opacity: 0.45}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

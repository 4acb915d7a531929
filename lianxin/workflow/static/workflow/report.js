// 最多跑一次 chart: per programme, share finished with zero / at most one trip (bars) and median days (line).
(function () {
  var el = document.getElementById("wf-chart");
  var src = document.getElementById("wf-rows");
  if (!el || !src || !window.echarts) return;
  var rows = JSON.parse(src.textContent);
  if (!rows.length) { el.style.display = "none"; return; }
  var labels = rows.map(function (r) { return r.programme_name + "（" + r.finished + " 件）"; });
  var chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, left: "center", data: ["零跑腿率", "最多跑一次率", "办结天数中位数"] },
    grid: { left: 50, right: 60, bottom: 40, top: 70 },
    xAxis: { type: "category", data: labels },
    yAxis: [{ type: "value", name: "%", max: 100 }, { type: "value", name: "天" }],
    series: [
      { name: "零跑腿率", type: "bar", barMaxWidth: 48, label: { show: true, position: "top", formatter: "{c}%" }, data: rows.map(function (r) { return r.zero_pct; }), itemStyle: { color: "#1e7d32" } },
      { name: "最多跑一次率", type: "bar", barMaxWidth: 48, label: { show: true, position: "top", formatter: "{c}%" }, data: rows.map(function (r) { return r.one_pct; }), itemStyle: { color: "#8bc34a" } },
      { name: "办结天数中位数", type: "line", yAxisIndex: 1, data: rows.map(function (r) { return r.median_days; }), itemStyle: { color: "#c0392b" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

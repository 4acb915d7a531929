// 领导驾驶舱 charts, drawn from the figures the page already shows in its tables (json_script "dash-data").
// ECharts is served from this site (build/static/vendor); without it the tables alone carry every number.
(function () {
  var src = document.getElementById("dash-data");
  if (!src || !window.echarts) return;
  var d = JSON.parse(src.textContent);
  var charts = [];
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el);
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
  }
  function pick(rows, key) { return rows.map(function (r) { return r[key]; }); }
  var RED = "#c0392b", GREEN = "#1e7d32", BLUE = "#0b57a4", GOLD = "#b26a00";

  draw("chart-ages", {
    tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 20, bottom: 30 },
    xAxis: { type: "category", data: pick(d.ages, "band") }, yAxis: { type: "value", name: "人" },
    series: [{ name: "会员", type: "bar", barMaxWidth: 48, data: pick(d.ages, "count"), itemStyle: { color: RED },
               label: { show: true, position: "top" } }]
  });
  draw("chart-trend", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 50, right: 50, top: 40, bottom: 30 },
    xAxis: { type: "category", data: pick(d.trend, "month") },
    // the right-hand axis draws no grid lines of its own: two unaligned sets of lines make both unreadable
    yAxis: [{ type: "value", name: "人" }, { type: "value", name: "场/篇", splitLine: { show: false } }],
    series: [
      { name: "新入会", type: "bar", data: pick(d.trend, "joined"), itemStyle: { color: RED } },
      { name: "退会", type: "bar", data: pick(d.trend, "left"), itemStyle: { color: "#999" } },
      { name: "活动", type: "line", yAxisIndex: 1, data: pick(d.trend, "activities"), itemStyle: { color: GREEN } },
      { name: "文章", type: "line", yAxisIndex: 1, data: pick(d.trend, "articles"), itemStyle: { color: BLUE } }
    ]
  });
  if (d.by_size.length) draw("chart-size", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: pick(d.by_size, "size") }, yAxis: { type: "value", name: "家" },
    series: [
      { name: "企业", type: "bar", data: pick(d.by_size, "total"), itemStyle: { color: "#bbb" } },
      { name: "已建会", type: "bar", data: pick(d.by_size, "covered"), itemStyle: { color: GREEN } }
    ]
  });
  if (d.children.length) draw("chart-children", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 60, right: 50, top: 40, bottom: 70 },
    xAxis: { type: "category", data: pick(d.children, "name"), axisLabel: { interval: 0, rotate: d.children.length > 6 ? 30 : 0 } },
    yAxis: [{ type: "value", name: "人" }, { type: "value", name: "%", max: 100, splitLine: { show: false } }],
    series: [
      { name: "在册会员", type: "bar", barMaxWidth: 40, data: pick(d.children, "members"), itemStyle: { color: RED } },
      // a unit that reaches no enterprise has no 建会率: no point ("-"), rather than a fall to 0%
      { name: "建会率", type: "line", yAxisIndex: 1, itemStyle: { color: GOLD },
        data: d.children.map(function (c) { return c.enterprises ? c.coverage_rate : "-"; }) }
    ]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();

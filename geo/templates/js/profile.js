/* The profile card of a district page: for each theme, the headline figure with
 * its year and source type, the area's rank among the areas that have it, and
 * its number of named sites. A click on a row shows that theme. */
TongliaoAtlas.part("profile", function (atlas) {
  "use strict";
  if (!atlas.focus) return;
  var el = TongliaoAtlas.dom.el, data = atlas.data, code = atlas.focus, area = data.areas[code];

  function row(t) {
    var v = t.values[code], src = v && v.source ? data.sources[v.source] : null, sites = t.siteCounts[code] || 0;
    var figure = v
      ? [el("b", { text: (v.qualifier ? v.qualifier + " " : "") + v.text + " " + t.metric.unit }), " " + (v.year || "n.d."), atlas.text.oldBadge(v),
         el("span", { cls: "atlas-type atlas-type-" + (src ? src.type : "derived"), text: src ? src.typeZh : "推算 derived" }),
         el("span", { cls: "atlas-rank", title: "rank among the areas with this figure", text: "第 " + v.rank[0] + " / " + v.rank[1] })]
      : [el("span", { cls: "atlas-nodata-text", text: atlas.NO_DATA.zh })];
    var tr = el("tr", { cls: "atlas-profile-row", "data-theme": t.key, tabindex: "0" }, [
      el("th", { text: t.zh }),
      el("td", {}, [el("div", { cls: "atlas-profile-metric", text: t.metric.zh }), el("div", {}, figure)]),
      el("td", { cls: "atlas-profile-sites", text: sites ? "项目 " + sites : "–" })
    ]);
    tr.addEventListener("click", function () { atlas.setTheme(t.key); });
    tr.addEventListener("keydown", function (e) { if (e.key === "Enter") atlas.setTheme(t.key); });
    return tr;
  }
  var rows = data.themes.map(row);
  var card = el("details", { cls: "atlas-profile", open: "open" }, [
    el("summary", { text: area.zh + " 概况 · profile" }),
    el("table", {}, [
      el("thead", {}, [el("tr", {}, [el("th", { text: "专题" }), el("td", { text: "主要指标 · 年份 · 来源 · 排名" }), el("td", { text: "已公开项目" })])]),
      el("tbody", {}, rows)
    ]),
    el("div", { cls: "atlas-legend-note", text: "排名：在有该数据的地区中由大到小 rank among areas with the figure, largest first" })
  ]);
  atlas.on("theme", function (key) {
    rows.forEach(function (r) { r.classList.toggle("atlas-profile-current", r.getAttribute("data-theme") === key); });
  });
  TongliaoAtlas.dom.control(function () { return card; }, { position: "bottomleft" }).addTo(atlas.map);
});

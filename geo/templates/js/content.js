/* Texts shown in tooltips, popups and panels: a figure, its source, a site.
 * Names of site kinds and statuses come from the page data (geo/facts.py). */
TongliaoAtlas.part("content", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, data = atlas.data, vocab = atlas.vocab;

  // "旧 old" beside a figure five or more years older than the newest of the same map.
  function oldBadge(v) {
    return v && v.old ? el("span", { cls: "atlas-old", title: "比本图最新数据早5年以上 five or more years older than the newest figure on this map", text: "旧 old" }) : null;
  }
  function yearText(v) { return v.year ? " (" + v.year + ")" : " (年份未注明 n.d.)"; }
  // The no-figure line, and what else the theme holds for the area (a click lists it).
  function noFigure(code, t) {
    var n = atlas.itemCount(t || atlas.theme(), code);
    return el("div", { cls: "atlas-nodata-text" }, [
      atlas.NO_DATA.zh + " · " + atlas.NO_DATA.en,
      n ? el("div", { cls: "atlas-nodata-more", text: "本专题另有 " + n + " 条资料，点击查看 · " + n + " other item" + (n > 1 ? "s" : "") + " in this theme: click to list" }) : null
    ]);
  }
  /** The value of `code` for a metric view ({metric, values}; the theme's headline by default). */
  function valueLine(code, view) {
    var t = atlas.theme();
    view = view || t;
    var v = view.values[code];
    if (!v) return noFigure(code, t);
    var src = v.source ? data.sources[v.source] : null;
    return el("div", { cls: v.old ? "atlas-value atlas-is-old" : "atlas-value" }, [
      el("b", { text: (v.qualifier ? v.qualifier + " " : "") + v.text + " " + view.metric.unit }),
      yearText(v),
      oldBadge(v),
      src ? el("span", { cls: "atlas-type atlas-type-" + src.type, text: src.typeZh }) : el("span", { cls: "atlas-type atlas-type-derived", text: "推算 derived" })
    ]);
  }
  // A metric's own caveat (metrics.csv description), as a note.
  function caveat(metric) {
    return metric.description ? el("div", { cls: "atlas-note atlas-caveat", text: "说明 note: " + metric.description }) : null;
  }
  function sourceLine(id) {
    var s = data.sources[id];
    if (!s) return el("span", { text: id });
    return el("span", { cls: "atlas-source" }, [
      "来源 ", TongliaoAtlas.dom.link(s.url, s.title), " · " + [s.publisher, s.date].filter(Boolean).join(" · ") + " ",
      el("span", { cls: "atlas-type atlas-type-" + s.type, text: s.typeZh + " " + s.type })
    ]);
  }
  function statusText(s, yearFormat) {
    if (!s.status) return "";
    return (vocab.siteStatuses[s.status] || s.status) + (s.year ? yearFormat(s.year) : "");
  }
  function capacityText(s) { return s.capacity !== null ? s.capacity + " " + s.unit : ""; }
  // One line for a marker's tooltip: name · capacity · status year.
  function siteLine(s) {
    var parts = [s.name, capacityText(s), statusText(s, function (y) { return " " + y; })];
    return el("div", { cls: "atlas-site-line", text: parts.filter(Boolean).join(" · ") });
  }
  // Where a site is, as precisely as its source says.
  function placeText(s) {
    if (s.precision === "point") return "坐标见来源 position as printed by the source";
    if (s.place) return "地点 place: " + s.place;
    return "来源只写明所在旗县 the source names only the " + (s.districts.length > 1 ? "areas" : "area");
  }
  // A fact's or a site's note: Chinese first, the English under it, styled and marked as English.
  function notes(item) {
    var out = document.createDocumentFragment();
    if (item.noteZh) out.appendChild(el("div", { cls: "atlas-note atlas-note-zh", text: item.noteZh }));
    if (item.note) out.appendChild(el("div", item.noteZh ? { cls: "atlas-note atlas-en", lang: "en", text: item.note } : { cls: "atlas-note", text: item.note }));
    return out;
  }
  function siteItem(s) {
    return el("li", { cls: "atlas-site" + (s.shown ? "" : " atlas-site-other") }, [
      el("b", { text: s.name }), s.nameEn ? " " + s.nameEn : "",
      el("span", { cls: "atlas-kind", text: vocab.siteKinds[s.kind] || s.kind }),
      el("div", { text: [capacityText(s) || "容量未公布 capacity not given", statusText(s, function (y) { return " (" + y + ")"; })].filter(Boolean).join(" · ") }),
      el("div", { cls: "atlas-note", text: placeText(s) }),
      s.districts.length > 1 ? el("div", { cls: "atlas-note", text: "跨区项目：计数，容量未计入 · spans " + s.districts.length + " areas: counted, capacity not added" }) : null,
      s.shown ? null : el("div", { cls: "atlas-note", text: "同一项目的另一记载，未计入 · another account of a project listed above, not added" }),
      notes(s),
      el("div", {}, [sourceLine(s.source)])
    ]);
  }
  function factItem(f) {
    return el("li", { cls: "atlas-fact" }, [
      el("div", {}, [el("span", { text: f.metric + " " }), el("b", { text: (f.qualifier ? f.qualifier + " " : "") + f.value + " " + f.unit }), f.year ? " (" + f.year + ")" : " (n.d.)"]),
      f.printed ? el("div", { cls: "atlas-note", text: "原文 as printed: " + f.printed }) : null,
      notes(f),
      el("div", {}, [sourceLine(f.source)])
    ]);
  }
  // A list of facts, or the no-data line.
  function factList(facts, empty) {
    var ul = el("ul", { cls: "atlas-facts" });
    facts.forEach(function (f) { ul.appendChild(factItem(f)); });
    if (!facts.length) ul.appendChild(el("li", { cls: "atlas-nodata-text", text: empty }));
    return ul;
  }

  atlas.text = {
    valueLine: valueLine, noFigure: noFigure, oldBadge: oldBadge, caveat: caveat, sourceLine: sourceLine,
    siteLine: siteLine, siteItem: siteItem, factList: factList, capacityText: capacityText
  };
});

/* Texts shown in tooltips, popups and panels: a figure, its source, a site.
 * Names of site kinds and statuses come from the page data (geo/facts.py). */
TongliaoAtlas.part("content", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, data = atlas.data, vocab = atlas.vocab;

  function valueLine(code) {
    var t = atlas.theme(), v = t.values[code];
    if (!v) return el("div", { cls: "atlas-nodata-text", text: atlas.NO_DATA.zh + " · " + atlas.NO_DATA.en });
    var src = v.source ? data.sources[v.source] : null;
    return el("div", {}, [
      el("b", { text: v.text + " " + t.metric.unit }),
      v.year ? " (" + v.year + ")" : " (年份未注明 n.d.)",
      src ? el("span", { cls: "atlas-type atlas-type-" + src.type, text: src.typeZh }) : el("span", { cls: "atlas-type atlas-type-derived", text: "推算 derived" })
    ]);
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
  function siteItem(s) {
    return el("li", { cls: "atlas-site" }, [
      el("b", { text: s.name }), s.nameEn ? " " + s.nameEn : "",
      el("span", { cls: "atlas-kind", text: vocab.siteKinds[s.kind] || s.kind }),
      el("div", { text: [capacityText(s), statusText(s, function (y) { return " (" + y + ")"; })].filter(Boolean).join(" · ") }),
      s.lat === null ? el("div", { cls: "atlas-note", text: "来源未给出具体位置，未在地图上标点 · no location published" }) : null,
      el("div", {}, [sourceLine(s.source)])
    ]);
  }
  function factItem(f) {
    return el("li", { cls: "atlas-fact" }, [
      el("div", {}, [el("span", { text: f.metric + " " }), el("b", { text: f.value + " " + f.unit }), f.year ? " (" + f.year + ")" : " (n.d.)"]),
      f.printed ? el("div", { cls: "atlas-note", text: "原文 as printed: " + f.printed }) : null,
      f.note ? el("div", { cls: "atlas-note", text: f.note }) : null,
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

  atlas.text = { valueLine: valueLine, sourceLine: sourceLine, siteLine: siteLine, siteItem: siteItem, factList: factList };
});

/* The named sites of the shown theme, always drawn with it:
 * - a site whose source prints coordinates: a marker at that position;
 * - every other site of an area: one symbol per area with the number of named
 *   projects ("已公开项目合计", never an official total), placed beside the
 *   area's label (a symbol position, not a site position); its popup lists them. */
TongliaoAtlas.part("sites", function (atlas) {
  "use strict";
  var dom = TongliaoAtlas.dom, el = dom.el, data = atlas.data, vocab = atlas.vocab, text = atlas.text;
  var layer = L.layerGroup().addTo(atlas.map);
  var label = vocab.sumLabel;

  /** A kind drawn for context only (grey), e.g. a coal-fired station in the new-energy theme. */
  function contextKind(kind) { return vocab.contextKinds.indexOf(kind) >= 0; }
  function context(s) { return contextKind(s.kind); }
  /** The square (round and grey for a context kind) of a site at its printed position; the legend's too. */
  function point(tag, kind, t) {
    var grey = contextKind(kind);
    return el(tag, { cls: "atlas-point" + (grey ? " atlas-point-context" : ""), style: "background:" + (grey ? atlas.CONTEXT_POINT : t.color) });
  }

  function marker(s, t) {
    var node = point("div", s.kind, t);
    var m = L.marker(atlas.project(s.lat, s.lon), {
      icon: L.divIcon({ html: dom.node(node), className: "atlas-point-icon", iconSize: [14, 14], iconAnchor: [7, 7] }),
      keyboard: true, title: s.name
    });
    m.bindTooltip(dom.content(function () { return el("div", {}, [text.siteLine(s), context(s) ? el("div", { cls: "atlas-note", text: (vocab.siteKinds[s.kind] || s.kind) + "，仅作背景 · " + s.kind + ", shown for context" }) : null, el("div", { cls: "atlas-note", text: "位置：来源所载坐标 position printed by the source" })]); }), { className: "atlas-tooltip" });
    m.bindPopup(dom.content(function () { return el("div", { cls: "atlas-popup" }, [el("ul", { cls: "atlas-sites" }, [text.siteItem(s)])]); }), { maxWidth: 360 });
    return m;
  }

  // Capacity sums of one area: "风电等 power: 已并网 10 · 规划 92.3 万千瓦".
  function sumLine(sum) {
    var what = sum.storage ? "储能 storage" : "装机/规模 capacity";
    return el("div", { cls: "atlas-sum-line" }, [
      el("span", { text: what + "（" + sum.projects + " 项）: " }),
      sum.byStatus.map(function (p) { return (vocab.siteStatuses[p[0]] || "状态未注明 status n.g.") + " " + p[1]; }).join(" · ") + " " + sum.unit
    ]);
  }
  function summaryBox(code, t) {
    var sum = t.summaries[code], a = data.areas[code];
    var byId = {};
    t.sites.forEach(function (s) { byId[s.id] = s; });
    var listed = sum.sites.map(function (id) { return byId[id]; }).filter(Boolean);
    var box = el("div", { cls: "atlas-popup" }, [
      el("h3", { text: a.zh + " · " + label.zh }),
      el("div", { cls: "atlas-en", text: a.en + " · " + label.en }),
      el("div", { cls: "atlas-sum-count", text: "已公开项目 " + sum.count + " 个 · " + sum.count + " named in sources" })
    ]);
    sum.sums.forEach(function (s) { box.appendChild(sumLine(s)); });
    if (sum.shared.length || sum.notAdded.length) {
      box.appendChild(el("div", { cls: "atlas-note", text: "未计入容量 not added: " + (sum.shared.length ? sum.shared.length + " 个跨区项目 spanning areas" : "") + (sum.shared.length && sum.notAdded.length ? "; " : "") + (sum.notAdded.length ? sum.notAdded.length + " 个未公布容量 capacity not given" : "") }));
    }
    box.appendChild(el("div", { cls: "atlas-note", text: "位置仅为示意，非项目所在地 · the symbol marks the area, not the sites" }));
    if (listed.length) box.appendChild(el("ul", { cls: "atlas-sites" }, listed.map(text.siteItem)));
    else if (a.link) box.appendChild(el("a", { cls: "atlas-link", href: a.link, text: "项目清单见该地区地图 · list on its map →" }));
    return box;
  }
  // "◆ 已公开项目 n": the words in a span of their own, which give way where room is short
  // (small.css, declutter.js); `extra` is a further class.
  function sumNode(tag, extra, code, t) {
    return el(tag, { cls: "atlas-sum" + (extra ? " " + extra : ""), "data-code": code, title: label.zh + " · " + label.en }, [
      el("i", { cls: "atlas-sum-mark", style: "background:" + t.color }),
      el("span", { cls: "atlas-sum-words", text: "已公开项目 " }), el("span", { text: String(t.summaries[code].count) })
    ]);
  }
  // Where an area's summary stands: under its label.
  function chip(code, t) {
    var a = data.areas[code], sum = t.summaries[code], at = a.label;
    if (!at) return null; // the zone: its count is on its badge (labels.js), its popup lists the sites
    // Below the label, unless that place is taken (declutter.js).
    var node = sumNode("div", atlas.isContext(code) ? "atlas-sum-context" : "", code, t);
    var m = L.marker(atlas.project(at[0], at[1]), {
      icon: L.divIcon({ html: dom.node(node), className: "atlas-sum-icon", iconSize: null }),
      keyboard: true, title: a.zh + " " + label.zh + " " + sum.count, zIndexOffset: 200
    });
    m.bindTooltip(dom.content(function () { return el("div", {}, [el("b", { text: a.zh + " · " + label.zh }), el("div", { text: sum.count + " 个 · " + label.en }), el("div", { cls: "atlas-note", text: "点击查看清单 click to list them" })]); }), { className: "atlas-tooltip" });
    m.bindPopup(dom.content(function () { return summaryBox(code, t); }), { maxWidth: 380, maxHeight: 360, className: "atlas-popup-wrap" });
    return m;
  }

  // Each theme's markers are made once (or ahead, when the page is idle) and swapped on a switch.
  var made = {};
  function group(t) {
    if (made[t.key]) return made[t.key];
    var g = L.layerGroup();
    Object.keys(t.summaries).forEach(function (code) { var m = chip(code, t); if (m) g.addLayer(m); });
    t.sites.forEach(function (s) {
      if (s.precision === "point" && s.lat !== null && s.lon !== null && s.shown) g.addLayer(marker(s, t));
    });
    return (made[t.key] = g);
  }
  function draw() {
    layer.clearLayers();
    layer.addLayer(group(atlas.theme()));
  }
  /** The small "◆ 已公开项目 n" mark of an area's summary, for the zone's badge. */
  function mark(code, t) {
    return t.summaries[code] ? sumNode("span", "atlas-sum-inline", code, t) : null;
  }
  atlas.sites = { layer: layer, mark: mark, point: point, contextKind: contextKind };
  atlas.on("theme", draw);
  atlas.on("shapes", function () { made = {}; draw(); }); // positions follow the datum
  atlas.on("prepare", group);
});

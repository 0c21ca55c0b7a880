/* What hovering and clicking an area shows: its tooltip and its popup. */
TongliaoAtlas.part("popup", function (atlas) {
  "use strict";
  var dom = TongliaoAtlas.dom, el = dom.el, text = atlas.text;

  // One block per drawn metric (headline first): its name and the area's value or the no-figure line.
  function metricLines(code, box) {
    var t = atlas.theme(), views = atlas.views(t);
    if (!views.length) views = [t]; // a theme with nothing drawn still names its headline
    views.forEach(function (view, i) {
      box.appendChild(el("div", { cls: i ? "atlas-tip-metric atlas-tip-second" : "atlas-tip-metric", text: view.metric.zh + " · " + view.metric.en }));
      box.appendChild(text.valueLine(code, view));
    });
  }
  function tooltip(code) {
    var a = atlas.area(code);
    var box = el("div", {}, [el("div", { cls: "atlas-tip-name" }, [el("b", { text: a.zh }), " " + a.en])]);
    metricLines(code, box);
    var sum = atlas.theme().summaries[code];
    if (sum) box.appendChild(el("div", { cls: "atlas-note", text: "已公开项目 " + sum.count + " 个 · " + sum.count + " named in sources" }));
    if (atlas.isContext(code)) box.appendChild(el("div", { cls: "atlas-note", text: "点击查看，可打开该地区地图 · click for its figures and map" }));
    if (!a.drawn) box.appendChild(el("div", { cls: "atlas-note", text: noBoundary(a).short }));
    return box;
  }
  // "Inside <parent>, no published boundary", from the area names in the data.
  function noBoundary(a) {
    var p = atlas.area(a.parent);
    return {
      short: "位于" + p.zh + "内，无公布边界 · inside " + p.en + ", no published boundary",
      long: "位于" + p.zh + "内；无公布边界，故未绘制。Inside " + p.en + "; no published boundary, so none is drawn."
    };
  }
  function mapLink(a, cls) {
    return el("a", { cls: cls || "", href: a.link, text: "打开 " + a.zh + " 地图 → open map" });
  }

  function content(code) {
    var t = atlas.theme(), a = atlas.area(code);
    var box = el("div", { cls: "atlas-popup" }, [el("h3", { text: a.zh }), el("div", { cls: "atlas-en", text: a.en })]);
    if (!a.drawn) box.appendChild(el("p", { cls: "atlas-note", text: noBoundary(a).long }));
    box.appendChild(el("h4", { text: t.zh + " · " + t.en }));
    var views = atlas.views(t);
    if (!views.length) views = [t];
    views.forEach(function (view) {
      var v = view.values[code];
      box.appendChild(el("div", { cls: "atlas-headline" }, [el("span", { text: view.metric.zh + "：" }), text.valueLine(code, view)]));
      if (v && v.rank) box.appendChild(el("div", { cls: "atlas-note", text: "第 " + v.rank[0] + " / " + v.rank[1] + " · rank " + v.rank[0] + " of " + v.rank[1] + " areas with this figure" }));
      if (v && v.basis) box.appendChild(el("div", { cls: "atlas-note", text: "推算 derived: " + v.basis }));
      if (v && v.others && v.others.length) {
        box.appendChild(el("div", { cls: "atlas-note", text: "其他来源 other published values: " + v.others.map(function (o) {
          return o.text + " (" + (o.year || "n.d.") + ", " + ((atlas.data.sources[o.source] || {}).title || o.source) + ")";
        }).join("; ") }));
      }
      var note = text.caveat(view.metric);
      if (note) box.appendChild(note);
    });
    var facts = t.facts[code];
    if (facts) {
      box.appendChild(el("h4", { text: "本专题资料 Figures in this theme (" + facts.length + ")" }));
      box.appendChild(text.factList(facts, ""));
    }
    var sites = t.sites.filter(function (s) { return s.districts.indexOf(code) >= 0; });
    if (sites.length) {
      box.appendChild(el("h4", { text: "已公开项目 Named sites (" + sites.filter(function (s) { return s.shown; }).length + ")" }));
      box.appendChild(el("ul", { cls: "atlas-sites" }, sites.map(text.siteItem)));
    } else if (t.summaries[code]) {
      box.appendChild(el("div", { cls: "atlas-note", text: "已公开项目 " + t.summaries[code].count + " 个，见该地区地图 · named sites: see its map" }));
    }
    if (a.link && code !== atlas.focus) box.appendChild(mapLink(a, "atlas-link"));
    return box;
  }

  atlas.tooltip = tooltip;
  atlas.noBoundary = noBoundary;
  atlas.openPopup = function (code, latlng) {
    L.popup({ maxWidth: 380, maxHeight: 360, className: "atlas-popup-wrap" })
      .setLatLng(latlng).setContent(dom.node(content(code))).openOn(atlas.map);
  };
  atlas.on("theme", function () { atlas.map.closePopup(); });
});

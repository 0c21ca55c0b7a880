/* What hovering and clicking an area shows: its tooltip and its popup. */
TongliaoAtlas.part("popup", function (atlas) {
  "use strict";
  var dom = TongliaoAtlas.dom, el = dom.el, text = atlas.text;

  function tooltip(code) {
    var t = atlas.theme(), a = atlas.area(code);
    var box = el("div", {}, [el("div", { cls: "atlas-tip-name" }, [el("b", { text: a.zh }), " " + a.en])]);
    if (atlas.isContext(code)) {
      box.appendChild(el("div", { text: "点击打开该地区地图 · click to open its map" }));
      return box;
    }
    box.appendChild(el("div", { cls: "atlas-tip-metric", text: t.metric.zh + " · " + t.metric.en }));
    box.appendChild(text.valueLine(code));
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
    if (atlas.isContext(code)) {
      if (a.link) box.appendChild(mapLink(a));
      return box;
    }
    if (!a.drawn) box.appendChild(el("p", { cls: "atlas-note", text: noBoundary(a).long }));
    box.appendChild(el("h4", { text: t.zh + " · " + t.en }));
    var v = t.values[code];
    box.appendChild(el("div", { cls: "atlas-headline" }, [el("span", { text: t.metric.zh + "：" }), text.valueLine(code)]));
    if (v && v.basis) box.appendChild(el("div", { cls: "atlas-note", text: "推算 derived: " + v.basis }));
    if (v && v.others && v.others.length) {
      box.appendChild(el("div", { cls: "atlas-note", text: "其他来源 other published values: " + v.others.map(function (o) {
        return o.text + " (" + (o.year || "n.d.") + ", " + ((atlas.data.sources[o.source] || {}).title || o.source) + ")";
      }).join("; ") }));
    }
    box.appendChild(text.factList(t.facts[code] || [], atlas.NO_DATA.zh + "（本专题）· " + atlas.NO_DATA.en));
    var sites = t.sites.filter(function (s) { return s.districts.indexOf(code) >= 0; });
    if (sites.length) {
      box.appendChild(el("h4", { text: "站点 Sites (" + sites.length + ")" }));
      box.appendChild(el("ul", { cls: "atlas-sites" }, sites.map(text.siteItem)));
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

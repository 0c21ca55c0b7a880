/* The legend of the shown theme: classes, no data, context areas, shown site layers, the zone note. */
TongliaoAtlas.part("legend", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, data = atlas.data, vocab = atlas.vocab;
  var legend = el("div", { cls: "atlas-legend", "aria-live": "polite" });

  function swatch(color, extra) {
    return el("i", { cls: "atlas-swatch" + (extra ? " " + extra : ""), style: color ? "background:" + color : "" });
  }
  function schemeName(key) { return vocab.schemes[key] || key; }
  function themeBlock(t) {
    var block = el("div", { cls: "atlas-legend-theme", "data-theme": t.key }, [
      el("div", { cls: "atlas-box-title", text: t.metric.zh + "（" + t.metric.unit + "）" }),
      el("div", { cls: "atlas-legend-en", text: t.metric.en })
    ]);
    t.classes.forEach(function (c) { block.appendChild(el("div", { cls: "atlas-legend-row" }, [swatch(c.color), c.label])); });
    block.appendChild(el("div", { cls: "atlas-legend-row atlas-legend-nodata" }, [swatch("", "atlas-swatch-nodata"), atlas.NO_DATA.zh + " " + atlas.NO_DATA.en]));
    if (atlas.focus) block.appendChild(el("div", { cls: "atlas-legend-row" }, [swatch("#d9d9d9"), "其他地区 other areas"]));
    block.appendChild(el("div", { cls: "atlas-legend-note", text: "分级 classes: " + schemeName(t.metric.scheme) + "，全市与各区地图相同 same on every map" }));
    return block;
  }
  function sitesRow(s) {
    var placed = s.sites.filter(function (x) { return x.lat !== null; }).length;
    return el("div", { cls: "atlas-legend-row atlas-legend-sites", "data-sites": s.key }, [
      el("i", { cls: "atlas-dot", style: "background:" + atlas.sites.color(s) }),
      s.zh + " 站点 sites: " + placed + " 个定位 placed, " + (s.sites.length - placed) + " 个无坐标（见弹窗）unplaced, in popups"
    ]);
  }
  function draw() {
    legend.textContent = "";
    legend.appendChild(themeBlock(atlas.theme()));
    data.themes.forEach(function (s) { if (atlas.state.sitesShown[s.key]) legend.appendChild(sitesRow(s)); });
    if (atlas.zoneCode) {
      var zone = atlas.area(atlas.zoneCode), parent = atlas.area(zone.parent);
      legend.appendChild(el("div", { cls: "atlas-legend-note", text: "* " + zone.zh + "位于" + parent.zh + "内，无公布边界，未绘制边界。The ETDZ lies inside " + parent.en + " and has no published boundary." }));
    }
  }
  atlas.panel.appendChild(legend);
  atlas.on("theme", draw);
  atlas.on("sites", draw);
});

/* The legend of the shown theme, readable at a glance: the shading (classes, no
 * figure), the circles (two or three reference sizes), the sites (markers and
 * the per-area sum of named projects), each with its years and caveat. */
TongliaoAtlas.part("legend", function (atlas) {
  "use strict";
  var dom = TongliaoAtlas.dom, el = dom.el, data = atlas.data, vocab = atlas.vocab;
  var legend = el("div", { cls: "atlas-legend", "aria-live": "polite" });

  function swatch(color, extra) {
    return el("i", { cls: "atlas-swatch" + (extra ? " " + extra : ""), style: color ? "background:" + color : "" });
  }
  function add(parent, child) { if (child) parent.appendChild(child); }
  function schemeName(key) { return vocab.schemes[key] || key; }
  // The metric's caveat, folded: one line until opened.
  function note(metric) {
    if (!metric.description) return null;
    return el("details", { cls: "atlas-legend-caveat" }, [el("summary", { text: "说明 note" }), atlas.text.caveat(metric)]);
  }
  function heading(metric, role) {
    return el("div", { cls: "atlas-legend-head" }, [
      el("div", { cls: "atlas-box-title", text: metric.zh + "（" + metric.unit + "）" }),
      el("div", { cls: "atlas-legend-en", text: metric.en + (role ? " · " + role : "") }),
      note(metric)
    ]);
  }
  // "年份不同 years differ: 2015–2022" and the old mark, when the map compares years.
  function years(metric) {
    var y = metric.years;
    if (!y.differ) return null;
    var span = y.text ? y.text + (y.undated ? "，部分未注明 some undated" : "") : "未注明 undated";
    return el("div", { cls: "atlas-legend-years" }, [
      el("b", { text: "年份不同 years differ: " + span }),
      el("span", { cls: "atlas-old", text: "旧 old" }), el("span", { cls: "atlas-legend-note", text: " ≥5年 older than the newest" })
    ]);
  }
  function shading(t) {
    var c = t.choropleth;
    var block = el("div", { cls: "atlas-legend-block atlas-legend-shading" }, [heading(c.metric, "颜色 shading")]);
    t.classes.forEach(function (k) { block.appendChild(el("div", { cls: "atlas-legend-row" }, [swatch(k.color), k.label])); });
    block.appendChild(el("div", { cls: "atlas-legend-row atlas-legend-nodata" }, [swatch("", "atlas-swatch-nodata"), atlas.NO_DATA.zh + " " + atlas.NO_DATA.en]));
    add(block, years(c.metric));
    block.appendChild(el("div", { cls: "atlas-legend-note", text: "分级 classes: " + schemeName(c.metric.scheme) + "，全市与各区地图相同 same on every map" }));
    return block;
  }
  // Reference circles drawn at the sizes of the map's circles, nested on one baseline.
  function circles(t) {
    var s = t.symbols, refs = s.scale, big = refs.length ? refs[0].r : 10;
    var h = 2 * big + 2, w = 2 * big + 4;
    var pic = dom.svg("svg", { width: String(w), height: String(h), viewBox: "0 0 " + w + " " + h, "aria-hidden": "true" },
      refs.map(function (ref) {
        return dom.svg("circle", { cx: String(big + 2), cy: String(h - 1 - ref.r), r: String(ref.r), fill: t.choropleth ? "#ffffff" : t.color, "fill-opacity": "0.45", stroke: "#222", "stroke-width": "1" });
      }));
    var values = el("div", { cls: "atlas-legend-refs" }, refs.map(function (ref) { return el("div", { text: ref.text + " " + s.metric.unit }); }));
    var block = el("div", { cls: "atlas-legend-block atlas-legend-circles" }, [heading(s.metric, "圆面积 circle area")]);
    block.appendChild(el("div", { cls: "atlas-legend-row" }, [pic, values]));
    block.appendChild(el("div", { cls: "atlas-legend-note", text: "圆面积∝数值，位置示意 area ∝ value, placed inside the area · 无圆 no figure · 各图同一比例 same scale on every map" }));
    add(block, years(s.metric));
    return block;
  }
  function sites(t) {
    var rows = [];
    var n = Object.keys(t.summaries).length;
    if (n) {
      rows.push(el("div", { cls: "atlas-legend-row" }, [
        el("span", { cls: "atlas-sum atlas-sum-sample" }, [el("i", { cls: "atlas-sum-mark", style: "background:" + t.color }), "n"]),
        el("span", { text: vocab.sumLabel.zh + " · " + vocab.sumLabel.en })
      ]));
    }
    // Sites at their printed position, one row per kind: a kind shown for context (a coal-fired
    // station in the new-energy theme) is grey and says so.
    var kinds = {};
    t.sites.forEach(function (s) { if (s.precision === "point" && s.shown) kinds[s.kind] = (kinds[s.kind] || 0) + 1; });
    Object.keys(kinds).sort().forEach(function (kind) {
      var context = atlas.sites.contextKind(kind), zh = vocab.siteKinds[kind] || kind;
      rows.push(el("div", { cls: "atlas-legend-row" }, [
        atlas.sites.point("i", kind, t),
        zh + (context ? "，仅作背景" : "") + " · " + kind + (context ? ", context only" : "") + " · 来源所载坐标 printed position (" + kinds[kind] + ")"
      ]));
    });
    if (!rows.length) return null;
    return el("div", { cls: "atlas-legend-block atlas-legend-sites" }, [el("div", { cls: "atlas-box-title", text: "已公开项目 Named sites" })].concat(rows));
  }
  function themeBlock(t) {
    var block = el("div", { cls: "atlas-legend-theme", "data-theme": t.key });
    if (t.choropleth) block.appendChild(shading(t));
    else block.appendChild(el("div", { cls: "atlas-legend-row atlas-legend-neutral" }, [swatch(atlas.NEUTRAL), "本专题无比率指标可着色 no rate to shade in this theme"]));
    if (t.symbols) block.appendChild(circles(t));
    add(block, sites(t));
    if (atlas.focus) block.appendChild(el("div", { cls: "atlas-legend-row" }, [swatch("#d9d9d9"), "其他地区 other areas"]));
    return block;
  }
  // Each theme's block is made once (or ahead, when the page is idle) and swapped on a switch.
  var made = {}, zoneNote = null;
  function block(t) { return made[t.key] || (made[t.key] = themeBlock(t)); }
  if (atlas.zoneCode) {
    var zone = atlas.area(atlas.zoneCode), parent = atlas.area(zone.parent);
    zoneNote = el("div", { cls: "atlas-legend-note", text: "* " + zone.zh + "位于" + parent.zh + "内，无公布边界，未绘制边界。The ETDZ lies inside " + parent.en + " and has no published boundary." });
  }
  function draw() {
    legend.textContent = "";
    legend.appendChild(block(atlas.theme()));
    if (zoneNote) legend.appendChild(zoneNote);
  }
  atlas.panel.appendChild(legend);
  atlas.on("theme", draw);
  atlas.on("prepare", block);
});

/* Area names on the map, with the headline value (a toggle, on by default on a
 * district page) and its year when the map compares different years; and the
 * badge of the development zone (an area with no published boundary, shown at
 * its parent's label) with its own figure in its own class colour. */
TongliaoAtlas.part("labels", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, dom = TongliaoAtlas.dom, data = atlas.data, text = atlas.text;
  var labels = L.layerGroup().addTo(atlas.map);
  atlas.state.showValues = !!atlas.focus;

  // The headline figure of `code` as a label line: value and unit, year where years differ, old mark.
  function valueLine(code) {
    var t = atlas.theme(), v = t.values[code], differ = t.metric.years.differ;
    if (!v) return atlas.state.showValues ? el("small", { cls: "atlas-label-value atlas-label-none", text: "–" }) : null;
    var parts = [];
    if (atlas.state.showValues) parts.push(el("b", { text: (v.qualifier ? v.qualifier + " " : "") + v.text + " " + t.metric.unit }));
    if (differ) parts.push(el("span", { cls: "atlas-label-year", text: (parts.length ? " " : "") + (v.year || "年份未注明") }));
    if (!parts.length) return null;
    if (v.old) parts.push(text.oldBadge(v));
    return el("small", { cls: "atlas-label-value" + (v.old ? " atlas-is-old" : "") }, parts);
  }

  // Markers are made when the shapes are drawn; a theme switch refills their value slots only.
  var slots = {}, zoneBox = null;

  function label(code) {
    var a = data.areas[code];
    slots[code] = el("span", { cls: "atlas-label-slot" });
    var node = el("div", { cls: "atlas-label" + (atlas.isContext(code) ? " atlas-label-context" : ""), "data-code": code }, [
      el("span", { text: a.short }), el("small", { text: a.en }), slots[code]
    ]);
    return L.marker(atlas.project(a.label[0], a.label[1]), {
      icon: L.divIcon({ html: dom.node(node), className: "atlas-label-icon", iconSize: null }), interactive: false, keyboard: false,
      zIndexOffset: 100 // a name stays readable over a site at its printed position (the site stays clickable)
    });
  }

  // The zone's badge: its figure always shown (it has no polygon to colour), its class colour as a swatch.
  function zoneContent(code) {
    var zone = data.areas[code], t = atlas.theme();
    var shade = t.choropleth && t.choropleth.values[code], v = t.values[code];
    var swatch = shade && shade.cls !== undefined && shade.cls !== null ? t.classes[shade.cls].color : null;
    return [
      el("span", {}, [swatch ? el("i", { cls: "atlas-swatch atlas-zone-swatch", style: "background:" + swatch }) : null, zone.short + "*"]),
      v ? el("b", { cls: "atlas-zone-value", text: " " + (v.qualifier ? v.qualifier + " " : "") + v.text + " " + t.metric.unit + (t.metric.years.differ || atlas.focus === code ? " (" + (v.year || "n.d.") + ")" : "") }) : null,
      el("small", { text: "ETDZ, no boundary" }),
      atlas.sites.mark(code, t)
    ];
  }
  function badge(code) {
    var zone = data.areas[code], parent = data.areas[zone.parent];
    zoneBox = el("div", { cls: "atlas-zone" + (atlas.focus === code ? " atlas-zone-focus" : ""), title: zone.zh + "位于" + parent.zh + "内，无公布边界" });
    var m = L.marker(atlas.project(parent.label[0], parent.label[1]), {
      icon: L.divIcon({ html: dom.node(zoneBox), className: "atlas-zone-icon", iconSize: null, iconAnchor: [-4, -22] }),
      keyboard: true, title: atlas.areaName(code), zIndexOffset: 300
    });
    m.on("click", function () { atlas.openPopup(code, m.getLatLng()); });
    m.on("keypress", function (e) { if (e.originalEvent.key === "Enter") atlas.openPopup(code, m.getLatLng()); });
    m.bindTooltip(dom.content(function () { return atlas.tooltip(code); }), { className: "atlas-tooltip" });
    return m;
  }

  function fill() {
    Object.keys(slots).forEach(function (code) {
      var line = valueLine(code);
      slots[code].textContent = "";
      if (line) slots[code].appendChild(line);
    });
    if (zoneBox) {
      zoneBox.textContent = "";
      zoneContent(atlas.zoneCode).forEach(function (n) { if (n) zoneBox.appendChild(n); });
    }
  }
  function draw() {
    labels.clearLayers();
    slots = {};
    zoneBox = null;
    Object.keys(data.areas).forEach(function (code) { if (data.areas[code].label) labels.addLayer(label(code)); });
    if (atlas.zoneCode) labels.addLayer(badge(atlas.zoneCode));
    fill();
  }
  // The "values on the map" switch, offered in the layer control (layers.js).
  atlas.overlays = (atlas.overlays || []).concat([{
    key: "values", // in the page's URL: #show=values (hash.js)
    name: "地图上显示数值 values on the map",
    checked: atlas.state.showValues,
    change: function (on) { atlas.state.showValues = on; fill(); }
  }]);
  atlas.on("shapes", draw);
  atlas.on("theme", function () { if (zoneBox || Object.keys(slots).length) fill(); else draw(); });
});

/* Area names on the map, and the badge of the development zone (an area with
 * no published boundary, shown at its parent's label). */
TongliaoAtlas.part("labels", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, dom = TongliaoAtlas.dom, data = atlas.data;
  var labels = L.layerGroup().addTo(atlas.map);

  function label(code) {
    var a = data.areas[code];
    var node = el("div", { cls: "atlas-label" + (atlas.isContext(code) ? " atlas-label-context" : "") }, [
      el("span", { text: a.short }), el("small", { text: a.en })
    ]);
    return L.marker(atlas.project(a.label[0], a.label[1]), {
      icon: L.divIcon({ html: dom.node(node), className: "atlas-label-icon", iconSize: null }), interactive: false, keyboard: false
    });
  }

  function badge(code) {
    var zone = data.areas[code], parent = data.areas[zone.parent];
    var node = el("div", { cls: "atlas-zone", title: zone.zh + "位于" + parent.zh + "内，无公布边界" }, [
      el("span", { text: zone.short + "*" }), el("small", { text: "ETDZ, no boundary" })
    ]);
    var m = L.marker(atlas.project(parent.label[0], parent.label[1]), {
      icon: L.divIcon({ html: dom.node(node), className: "atlas-zone-icon", iconSize: null, iconAnchor: [-4, -22] }),
      keyboard: true, title: atlas.areaName(code)
    });
    m.on("click", function () { atlas.openPopup(code, m.getLatLng()); });
    m.on("keypress", function (e) { if (e.originalEvent.key === "Enter") atlas.openPopup(code, m.getLatLng()); });
    m.bindTooltip(dom.content(function () { return atlas.tooltip(code); }), { className: "atlas-tooltip" });
    return m;
  }

  function draw() {
    labels.clearLayers();
    Object.keys(data.areas).forEach(function (code) { if (data.areas[code].label) labels.addLayer(label(code)); });
    if (atlas.zoneCode) labels.addLayer(badge(atlas.zoneCode));
  }
  atlas.on("shapes", draw);
});

/* Site markers: one layer group per theme, hidden until chosen in the layer
 * control. Sites without a published position are listed in popups only. */
TongliaoAtlas.part("sites", function (atlas) {
  "use strict";
  var dom = TongliaoAtlas.dom, groups = {};

  // Circle area grows with capacity, against the largest site of the same unit.
  function radius(site, sites) {
    if (site.capacity === null) return 5;
    var max = 0;
    sites.forEach(function (s) { if (s.unit === site.unit && s.capacity > max) max = s.capacity; });
    return 5 + 13 * Math.sqrt(site.capacity / (max || 1));
  }
  /** The colour of a theme's sites: its darkest class. */
  function color(t) { return t.classes.length ? t.classes[t.classes.length - 1].color : "#444"; }

  function marker(s, t) {
    var m = L.circleMarker(atlas.project(s.lat, s.lon), {
      radius: radius(s, t.sites), color: "#222", weight: 1, fillColor: color(t), fillOpacity: 0.9
    });
    m.bindTooltip(dom.content(function () { return atlas.text.siteLine(s); }), { className: "atlas-tooltip" });
    m.bindPopup(dom.content(function () { return dom.el("div", { cls: "atlas-popup" }, [atlas.text.siteItem(s)]); }));
    return m;
  }

  function draw() {
    atlas.data.themes.forEach(function (t) {
      var group = groups[t.key];
      group.clearLayers();
      t.sites.forEach(function (s) {
        if (s.lat !== null && s.lon !== null) group.addLayer(marker(s, t)); // no made-up positions
      });
    });
  }

  atlas.data.themes.forEach(function (t) { groups[t.key] = L.layerGroup(); });
  atlas.sites = { groups: groups, color: color };
  atlas.on("shapes", draw);
});

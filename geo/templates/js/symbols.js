/* Amounts as circles: one circle per area with a figure, its AREA proportional to
 * the value, on one scale for the city map and every district map (geo/symbols.py).
 * A circle stands at a point inside the area chosen for drawing, not at a place. */
TongliaoAtlas.part("symbols", function (atlas) {
  "use strict";
  var map = atlas.map, dom = TongliaoAtlas.dom, data = atlas.data;
  map.createPane("atlas-symbols").style.zIndex = 450; // above the polygons, below labels and markers
  var layer = L.layerGroup().addTo(map);

  function circle(code, v, t) {
    var a = data.areas[code], shaded = !!t.choropleth, context = atlas.isContext(code);
    var c = L.circleMarker(atlas.project(a.label[0], a.label[1]), {
      pane: "atlas-symbols", radius: v.r,
      color: context ? "#777" : "#222", weight: 1.2, opacity: 0.9,
      // over shading a circle is hollow-ish so the class colour shows through
      fillColor: shaded || context ? "#ffffff" : t.color, fillOpacity: shaded || context ? 0.45 : 0.5,
      className: "atlas-circle"
    });
    c.bindTooltip(dom.content(function () { return atlas.tooltip(code); }), { sticky: true, className: "atlas-tooltip" });
    c.on("click", function (e) { atlas.openPopup(code, e.latlng); });
    c.atlasCode = code;
    return c;
  }

  // Each theme's circles are made once (or ahead, when the page is idle) and swapped on a switch.
  var made = {};
  function group(t) {
    if (made[t.key]) return made[t.key];
    var g = L.layerGroup(), s = t.symbols;
    if (s) {
      Object.keys(s.values)
        .filter(function (code) { return data.areas[code].label && s.values[code].r > 0; })
        .sort(function (p, q) { return s.values[q].r - s.values[p].r; }) // small circles on top
        .forEach(function (code) { g.addLayer(circle(code, s.values[code], t)); });
    }
    return (made[t.key] = g);
  }
  function draw() {
    layer.clearLayers();
    layer.addLayer(group(atlas.theme()));
  }
  atlas.symbols = { layer: layer };
  atlas.on("theme", draw);
  atlas.on("shapes", function () { made = {}; draw(); }); // positions follow the datum
  atlas.on("prepare", group);
});

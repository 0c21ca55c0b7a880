/* The district polygons: one GeoJSON layer that every theme restyles, with a
 * hatch pattern for "no published figure". */
TongliaoAtlas.part("polygons", function (atlas) {
  "use strict";
  var map = atlas.map, dom = TongliaoAtlas.dom, focus = atlas.focus;
  var HATCH = "atlas-nodata";
  var CONTEXT = "#d9d9d9", NEUTRAL = atlas.NEUTRAL;

  function style(feature) {
    var code = feature.properties.code;
    var base = { color: "#555", weight: 1, opacity: 1, fillOpacity: 0.85 };
    if (atlas.holdsFocus(code)) return Object.assign(base, { fillColor: CONTEXT, color: "#333", weight: 2, dashArray: "6 4", fillOpacity: 0.5 });
    if (atlas.isContext(code)) return Object.assign(base, { fillColor: CONTEXT, color: "#999", weight: 0.8, fillOpacity: 0.6 });
    var c = atlas.theme().choropleth;
    var strong = { weight: focus ? 2.5 : 1, color: focus ? "#222" : "#555" };
    // A theme with no rate to shade: one neutral fill, so the circles carry the figures.
    if (!c) return Object.assign(base, strong, { fillColor: NEUTRAL, fillOpacity: 0.9 });
    var v = c.values[code];
    if (!v || v.cls === null || v.cls === undefined) return Object.assign(base, { fillColor: "url(#" + HATCH + ")", dashArray: "4 3" });
    return Object.assign(base, strong, { fillColor: atlas.theme().classes[v.cls].color });
  }

  function enter(code, layer) {
    return function (e) { if (e.originalEvent.key === "Enter") atlas.openPopup(code, layer.getBounds().getCenter()); };
  }
  var layer = L.geoJSON(null, {
    style: style,
    onEachFeature: function (feature, shape) {
      var code = feature.properties.code;
      shape.bindTooltip(dom.content(function () { return atlas.tooltip(code); }), { sticky: true, className: "atlas-tooltip" });
      shape.on("click", function (e) { atlas.openPopup(code, e.latlng); });
      // keyboard users reach a district with Tab; Enter opens what a click opens
      shape.on("keypress", enter(code, shape));
      shape.on("mouseover", function () { shape.setStyle({ weight: 3 }); });
      shape.on("mouseout", function () { layer.resetStyle(shape); applyHatch(); });
    }
  }); // added to the map once the view is set (init.js), so the polygons are projected once

  function applyHatch() {
    // Leaflet writes fillColor into the SVG fill attribute, so url(#...) points at our pattern.
    var svg = map.getPanes().overlayPane.querySelector("svg");
    if (!svg || svg.querySelector("#" + HATCH)) return;
    var s = dom.svg;
    var pattern = s("pattern", { id: HATCH, width: "8", height: "8", patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, [
      s("rect", { width: "8", height: "8", fill: "#fafafa" }),
      s("line", { x1: "0", y1: "0", x2: "0", y2: "8", stroke: "#b0b0b0", "stroke-width": "3" })
    ]);
    svg.insertBefore(s("defs", {}, [pattern]), svg.firstChild);
  }

  /** The drawn polygon of `code`, or null. */
  function layerOf(code) {
    var found = null;
    layer.eachLayer(function (l) { if (l.feature.properties.code === code) found = l; });
    return found;
  }
  // One ring of an Encoded Polyline string (geo/polyline.py) as `point(lat, lon)` values, in order.
  function ring(text, point) {
    var out = [], i = 0, n = text.length, lat = 0, lon = 0, b, shift, v;
    while (i < n) {
      shift = 0; v = 0;
      do { b = text.charCodeAt(i++) - 63; v |= (b & 31) << shift; shift += 5; } while (b >= 32);
      lat += v & 1 ? ~(v >> 1) : v >> 1;
      shift = 0; v = 0;
      do { b = text.charCodeAt(i++) - 63; v |= (b & 31) << shift; shift += 5; } while (b >= 32);
      lon += v & 1 ? ~(v >> 1) : v >> 1;
      out.push(point(lat / 1e5, lon / 1e5));
    }
    return out;
  }
  function rings(geometry, point) {
    var c = geometry.coordinates, one = function (r) { return ring(r, point); };
    return geometry.type === "Polygon" ? c.map(one) : c.map(function (p) { return p.map(one); });
  }
  function position(lat, lon) { return [lon, lat]; }
  if (atlas.data.geometry.encoding !== "polyline5") throw new Error("atlas: unknown geometry encoding");

  // Shapes in the current datum; what sits on them is redrawn on "shapes". What L.GeoJSON's
  // addData does, but each vertex goes straight from the string to a LatLng (thousands at start).
  function load() {
    layer.clearLayers();
    var wgs = atlas.state.datum === "WGS84";
    var point = wgs ? function (lat, lon) { return new L.LatLng(lat, lon); } : atlas.project;
    atlas.data.geometry.features.forEach(function (f) {
      var shape = L.polygon(rings(f.geometry, point), layer.options), geometry = null;
      shape.feature = {
        type: "Feature", properties: f.properties,
        // its GeoJSON [lon, lat] rings as stored (WGS-84), decoded if someone asks
        get geometry() { return geometry || (geometry = { type: f.geometry.type, coordinates: rings(f.geometry, position) }); }
      };
      shape.defaultOptions = shape.options;
      layer.resetStyle(shape);
      layer.options.onEachFeature(shape.feature, shape);
      layer.addLayer(shape);
    });
  }

  atlas.polygons = { layer: layer, layerOf: layerOf, load: load };
  atlas.on("theme", function () { applyHatch(); layer.setStyle(style); });
  atlas.on("datum", function () { load(); atlas.emit("shapes"); });
  atlas.on("shapes", applyHatch);
});

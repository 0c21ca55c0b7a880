/* Tongliao atlas: draws one page from the JSON that geo/render.py embeds.
 *
 * The script is the files of geo/templates/js/ joined in the order that
 * geo/render.py declares (ASSETS["atlas_js"]). This file opens the one global,
 * TongliaoAtlas; every later file adds one part to it with
 *
 *     TongliaoAtlas.part("legend", function (atlas) { ... });
 *
 * init() (init.js) makes one `atlas` per page and starts the parts in that
 * order. A part reads atlas.data / atlas.state, offers functions on `atlas`
 * and listens to the others through atlas.on(event, fn):
 *   "theme"   the shown theme changed (atlas.state.theme)
 *   "datum"   the basemap's datum changed (atlas.state.datum): redraw shapes
 *   "shapes"  the district polygons were (re)drawn: redraw what sits on them
 *
 * Rules kept here: every text from data enters the DOM through text nodes
 * (dom.js; never innerHTML, never a string to Leaflet), the district geometry
 * exists once and each theme restyles it, and overlays follow the datum of the
 * chosen basemap (Amap is GCJ-02).
 */
var TongliaoAtlas = (function () {
  "use strict";
  var parts = [];

  function part(name, start) {
    parts.push({ name: name, start: start });
  }

  // The per-page object every part shares: data, state, events, and small lookups.
  function create(map, tiles, data) {
    var handlers = {};
    var byKey = {};
    data.themes.forEach(function (t) { byKey[t.key] = t; });
    var city = data.vocab.city;
    var focus = data.focus;
    var atlas = {
      map: map,
      tiles: tiles,
      data: data,
      vocab: data.vocab,
      focus: focus,
      state: { theme: byKey[data.defaultTheme] ? data.defaultTheme : data.themes[0].key, datum: "WGS84" },
      NEUTRAL: "#f3efe6", // the fill of a theme with no rate to shade
      CONTEXT_POINT: "#8c8c8c", // a site of a kind shown for context only (vocab.contextKinds)
      NO_DATA: { zh: "本指标暂无公开数据", en: "no published figure for this metric" },
      on: function (event, fn) { (handlers[event] = handlers[event] || []).push(fn); return atlas; },
      emit: function (event, value) { (handlers[event] || []).forEach(function (fn) { fn(value); }); },
      theme: function () { return byKey[atlas.state.theme]; },
      area: function (code) { return data.areas[code]; },
      areaName: function (code) { var a = data.areas[code]; return a.zh + " " + a.en; },
      // The theme's drawn views, headline first: [{role: "choropleth"|"symbols", metric, values, ...}].
      views: function (t) {
        t = t || atlas.theme();
        var out = ["choropleth", "symbols"].filter(function (r) { return t[r]; }).map(function (r) {
          return Object.assign({ role: r }, t[r]);
        });
        out.sort(function (a, b) { return (b.metric.key === t.metric.key) - (a.metric.key === t.metric.key); });
        return out;
      },
      // Facts and named sites the theme holds for an area (what its popup lists).
      itemCount: function (t, code) {
        return (t.facts[code] || []).length + (t.siteCounts[code] || 0);
      },
      // Codes a person can look for: every area but the city itself.
      areaCodes: function () { return Object.keys(data.areas).filter(function (c) { return c !== city; }); },
      // On a district map every other area is grey context, the area holding the zone too:
      // a page about the zone never shows its surroundings in a class of their own.
      isContext: function (code) { return !!focus && code !== focus; },
      // The area around a focus that has no boundary of its own (科尔沁区 on the zone's page).
      holdsFocus: function (code) { return !!focus && !data.areas[focus].drawn && data.areas[focus].parent === code; },
      project: function (lat, lon) {
        if (atlas.state.datum === "GCJ02") { var g = TongliaoAtlas.wgsToGcj(lon, lat); return L.latLng(g[1], g[0]); }
        return L.latLng(lat, lon);
      },
      setTheme: function (key) {
        atlas.state.theme = key;
        atlas.emit("theme", key);
        document.documentElement.setAttribute("data-theme", key);
      }
    };
    // An area inside a district, with no boundary of its own (the development zone).
    atlas.zoneCode = Object.keys(data.areas).filter(function (c) {
      var a = data.areas[c];
      return !a.drawn && a.parent && a.parent !== city;
    })[0] || null;
    return atlas;
  }

  function start(map, tiles, data) {
    var atlas = create(map, tiles, data);
    parts.forEach(function (p) { p.start(atlas); });
    return atlas;
  }

  return { part: part, start: start };
})();

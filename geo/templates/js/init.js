/* Start-up: the parts above, then the first view drawn once, at its final zoom. */
(function (atlas) {
  "use strict";

  /** Draw the page: `map` is folium's Leaflet map, `tiles` its tile layers by basemap key. */
  atlas.init = function (map, tiles, data) {
    var page = atlas.start(map, tiles, data);
    map.getContainer().classList.add(data.focus ? "atlas-district-page" : "atlas-city-page"); // small.css
    page.polygons.load();
    page.view.reset(); // fit before the polygons join the map, so they are projected once
    page.polygons.layer.addTo(map);
    // The first theme draws what sits on the shapes too: "shapes" is only for a later redraw (datum).
    page.setTheme(page.state.theme);
    page.layers.start(); // opening on Amap shifts the overlays to GCJ-02
    page.emit("ready"); // the first view is drawn: parts may now restore a view (hash.js)
    document.documentElement.setAttribute("data-atlas-ready", "true");
    prepare(page);
    return page;
  };

  // The other themes' legend, circles and site markers are made while the page is idle, one
  // theme at a time, so that a first switch to one only swaps them in ("prepare": legend.js,
  // symbols.js, sites.js). Made on the switch itself where the page was never idle.
  function prepare(page) {
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 50); };
    var waiting = page.data.themes.filter(function (t) { return t.key !== page.state.theme; });
    function next() {
      var t = waiting.shift();
      if (!t) return;
      page.emit("prepare", t);
      idle(next);
    }
    idle(next);
  }
})(TongliaoAtlas);

/* The home view (the city, or the focus district), the reset and fullscreen buttons, the scale bar. */
TongliaoAtlas.part("view", function (atlas) {
  "use strict";
  var dom = TongliaoAtlas.dom, el = dom.el, map = atlas.map, home = null, room = null;

  map.setMinZoom(atlas.data.zoom.min);
  map.setMaxZoom(atlas.data.zoom.max);

  /** Fit the home view without animation ("ready" must mean drawn, not mid-zoom). */
  function reset() {
    if (!home) {
      var polygons = atlas.polygons, focus = atlas.focus, a = focus ? atlas.area(focus) : null;
      home = ((a && polygons.layerOf(a.drawn ? focus : a.parent)) || polygons.layer).getBounds();
    }
    if (!room) {
      // On a wide screen the title (left) and the panel (right) must not cover the areas and their
      // symbols; measured once, so that the home view stays the same whatever the legend holds.
      var c = map.getContainer(), wide = map.getSize().x >= 1000;
      var title = c.querySelector(".atlas-title"), panel = c.querySelector(".atlas-panel");
      room = {
        animate: false,
        // On a narrow screen the title sits above the map: the areas start below it.
        paddingTopLeft: [wide && title ? title.offsetWidth + 20 : 24, !wide && title ? title.offsetTop + title.offsetHeight + 8 : 24],
        // the legend, drawn later, widens the panel up to its CSS max-width
        paddingBottomRight: [wide && panel ? Math.max(panel.offsetWidth, (parseFloat(getComputedStyle(panel).maxWidth) || 0) + 20) + 20 : 24, 24]
      };
    }
    map.fitBounds(home, room);
  }
  function toggleFullscreen() {
    var root = document.documentElement;
    if (document.fullscreenElement) document.exitFullscreen();
    else if (root.requestFullscreen) root.requestFullscreen();
  }
  // Four corner brackets drawn in SVG: the Unicode glyphs are missing from many office fonts.
  function corners() {
    return dom.svg("svg", { viewBox: "0 0 16 16", width: "16", height: "16" }, [
      dom.svg("path", { d: "M1 5V1h4M11 1h4v4M15 11v4h-4M5 15H1v-4", fill: "none", stroke: "#222", "stroke-width": "2" })
    ]);
  }
  function button(cls, label, body, action) {
    var b = el("a", { href: "#", role: "button", title: label, "aria-label": label, cls: "atlas-btn " + cls }, body);
    b.addEventListener("click", function (e) { e.preventDefault(); action(); });
    return b;
  }
  dom.control(function () {
    return el("div", { cls: "leaflet-bar" }, [
      button("atlas-reset", "复位 Reset view", ["⌂"], reset),
      button("atlas-fullscreen", "全屏 Fullscreen", [corners()], toggleFullscreen)
    ]);
  }, { position: "topleft" }).addTo(map);
  L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);

  atlas.view = { reset: reset };
});

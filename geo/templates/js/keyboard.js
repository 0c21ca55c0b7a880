/* Keyboard and screen reader: a skip link to the themes, the themes first in the
 * tab order, every area focusable with a name (site markers are Leaflet's keyboard markers, named by their title), Enter opens its popup and
 * moves focus into it, Esc closes a popup or the data table from anywhere and
 * returns focus, Chinese and English names on Leaflet's own buttons, landmarks. */
TongliaoAtlas.part("keyboard", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, map = atlas.map, container = map.getContainer(), back = null;

  container.setAttribute("role", "main");
  container.setAttribute("aria-label", "地图 Map");
  var skip = el("a", { href: "#", cls: "atlas-skip", text: "跳到专题 Skip to themes" });
  skip.addEventListener("click", function (e) {
    e.preventDefault();
    var radio = document.querySelector(".atlas-themes input:checked") || document.querySelector(".atlas-themes input");
    if (radio) radio.focus();
  });
  document.body.insertBefore(skip, document.body.firstChild);
  // Controls before the areas, and the top-right corner (themes, legend) first, in the tab
  // order; both are placed absolutely, so the order in the page does not move them.
  var corners = container.querySelector(".leaflet-control-container");
  corners.insertBefore(map._controlCorners.topright, corners.firstChild);
  container.insertBefore(corners, container.firstChild);

  /** "奈曼旗 Naiman Banner: 37.53 万人, 2020": what a screen reader says for an area. */
  function areaLabel(code) {
    var t = atlas.theme(), v = t.values[code];
    if (atlas.isContext(code)) return atlas.areaName(code) + ": 其他地区 other area";
    if (!v) return atlas.areaName(code) + ": " + atlas.NO_DATA.zh + " " + atlas.NO_DATA.en;
    return atlas.areaName(code) + ": " + v.text + " " + t.metric.unit + (v.year ? ", " + v.year : "");
  }
  function focusable(path, label, open) {
    if (!path) return;
    path.setAttribute("tabindex", "0");
    path.setAttribute("role", "button");
    path.setAttribute("aria-label", label);
    path.atlasOpen = open;
  }
  function nameAreas() {
    atlas.polygons.layer.eachLayer(function (shape) {
      var code = shape.feature.properties.code;
      focusable(shape.getElement(), areaLabel(code), function () { atlas.openPopup(code, shape.getBounds().getCenter()); });
    });
  }
  container.addEventListener("keydown", function (e) {
    if ((e.key === "Enter" || e.key === " ") && e.target.atlasOpen) {
      e.preventDefault();
      back = e.target;
      e.target.atlasOpen();
    }
  });

  // Into the popup as it opens; back to where the reader was as it closes.
  map.on("popupopen", function (e) {
    var box = e.popup.getElement(), content = box.querySelector(".leaflet-popup-content");
    if (!back || !container.contains(back)) back = document.activeElement;
    content.setAttribute("tabindex", "-1");
    content.setAttribute("role", "dialog");
    content.setAttribute("aria-label", (content.querySelector("h3") || content).textContent.slice(0, 80));
    var close = box.querySelector(".leaflet-popup-close-button");
    if (close) { close.setAttribute("aria-label", "关闭 Close"); close.setAttribute("title", "关闭 Close"); }
    content.focus({ preventScroll: true });
  });
  map.on("popupclose", function (e) {
    var to = back, box = e.popup.getElement(), active = document.activeElement;
    back = null;
    var lost = active === document.body || (box && box.contains(active));
    if (to && document.contains(to) && lost) to.focus({ preventScroll: true });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var table = document.querySelector(".atlas-table:not([hidden])");
    if (table) {
      table.hidden = true;
      var opener = document.querySelector(".atlas-open-table");
      if (opener) opener.focus();
    } else if (container.querySelector(".leaflet-popup")) {
      map.closePopup();
    }
  });

  // The layer control opens on focus and hides its icon: focus goes on into its list
  // (else it falls back to the page), and the list closes as focus leaves it.
  var layersBox = container.querySelector(".atlas-layers");
  if (layersBox) {
    layersBox.querySelector(".leaflet-control-layers-toggle").addEventListener("focus", function () {
      var first = layersBox.querySelector("input:checked") || layersBox.querySelector("input");
      if (first) first.focus();
    });
    layersBox.addEventListener("focusout", function (e) {
      if (!layersBox.contains(e.relatedTarget)) layersBox.classList.remove("leaflet-control-layers-expanded");
    });
  }

  // The data table's scroll area (table.js) is reachable and named; it takes focus as the table opens.
  function tableRegion(focus) {
    var scroll = container.querySelector(".atlas-table:not([hidden]) .atlas-table-scroll");
    if (!scroll) return;
    scroll.setAttribute("tabindex", "0");
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-label", "数据表 Data table");
    if (focus) scroll.focus({ preventScroll: true });
  }
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest(".atlas-open-table")) tableRegion(true);
  });
  atlas.on("theme", function () { tableRegion(false); });

  // Leaflet's own buttons in Chinese and English; English fragments marked for screen readers.
  [[".leaflet-control-zoom-in", "放大 Zoom in"], [".leaflet-control-zoom-out", "缩小 Zoom out"]].forEach(function (b) {
    var node = container.querySelector(b[0]);
    if (node) { node.setAttribute("title", b[1]); node.setAttribute("aria-label", b[1]); }
  });
  var ENGLISH = ".atlas-title h1 small, .atlas-legend-en, .atlas-theme-option small, .atlas-label small, .atlas-en";
  // only nodes not marked yet: setting lang again restyles text that is already laid out
  var UNMARKED = ENGLISH.split(", ").map(function (s) { return s + ":not([lang])"; }).join(", ");
  function markEnglish() {
    container.querySelectorAll(UNMARKED).forEach(function (n) { n.setAttribute("lang", "en"); });
  }
  atlas.on("theme", function () { nameAreas(); markEnglish(); });
  atlas.on("shapes", function () { nameAreas(); markEnglish(); });
  atlas.keyboard = { areaLabel: areaLabel };
});

/* Small screens (small.css, <= 600 px): the panels fold to buttons, popups fit the
 * screen and open clear of the panels. On wider screens the fold buttons are hidden. */
TongliaoAtlas.part("small", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, map = atlas.map;

  /** Put a button before `box`'s content that shows or hides it (on small screens). */
  function fold(box, label, key) {
    var button = el("button", { type: "button", cls: "atlas-fold", "aria-expanded": "false", "data-fold": key, text: label });
    button.addEventListener("click", function () {
      var open = !box.classList.contains("atlas-unfolded");
      box.classList.toggle("atlas-unfolded", open);
      button.setAttribute("aria-expanded", String(open));
      if (open && key === "search") atlas.search.input.focus();
    });
    box.classList.add("atlas-foldable");
    box.insertBefore(button, box.firstChild);
    return button;
  }
  fold(atlas.panel, "专题 · 图例 Themes", "panel");
  fold(atlas.search.box, "搜索 Search", "search");
  fold(atlas.tools.bar.parentNode, "工具 Tools", "tools");

  // Popups no wider or taller than the screen allows, panned clear of the controls
  // (an init hook, so it holds for every popup, whatever options its maker gave).
  L.Popup.addInitHook(function () {
    var size = map.getSize(), o = this.options;
    if (size.x > 600) return;
    o.maxWidth = Math.min(o.maxWidth || 300, size.x - 40);
    o.minWidth = Math.min(o.minWidth || 50, o.maxWidth);
    o.maxHeight = Math.round(size.y * 0.5);
    o.autoPanPaddingTopLeft = L.point(10, 140);
    o.autoPanPaddingBottomRight = L.point(10, 50);
  });
  // Cards that open by default (the district profile) start closed on a small screen: closed
  // before the first drawing, so that what is placed around them (declutter.js) sees them so.
  if (window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
    map.getContainer().querySelectorAll(".leaflet-bottom details[open]").forEach(function (d) { d.open = false; });
  }
  atlas.small = { fold: fold };
});

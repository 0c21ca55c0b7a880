/* The theme switcher (one theme at a time), in the panel that the legend shares. */
TongliaoAtlas.part("themes", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el;
  var box = el("div", { cls: "atlas-themes" }, [el("div", { cls: "atlas-box-title", text: "专题 Themes" })]);
  var radios = {};

  atlas.data.themes.forEach(function (t) {
    var radio = el("input", { type: "radio", name: "atlas-theme", value: t.key });
    radio.addEventListener("change", function () { atlas.setTheme(t.key); });
    radios[t.key] = radio;
    box.appendChild(el("label", { cls: "atlas-theme-option", "data-theme": t.key }, [radio, " " + t.zh + " ", el("small", { text: t.en })]));
  });
  atlas.on("theme", function (key) { radios[key].checked = true; });

  /** The top-right panel: themes, then whatever parts add below them (the legend). */
  atlas.panel = el("div", { cls: "atlas-panel" }, [box]);
  TongliaoAtlas.dom.control(function () { return atlas.panel; }, { position: "topright" }).addTo(atlas.map);
});

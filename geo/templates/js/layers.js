/* Basemaps (datum-aware) and display switches: the atlas's own layer control.
 *
 * Leaflet's L.control.layers writes layer names with innerHTML; this one builds
 * its labels from text nodes. It keeps Leaflet's class names, so it looks and
 * opens the same (hover, focus or tap on the layers icon). */
TongliaoAtlas.part("layers", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, map = atlas.map, data = atlas.data;
  var bases = [], overlays = [];
  var group = "atlas-basemap";

  function option(type, name, checked, onChange) {
    var input = el("input", { type: type, cls: "leaflet-control-layers-selector" });
    if (type === "radio") input.name = group;
    input.checked = checked;
    input.addEventListener("change", onChange);
    return { input: input, label: el("label", {}, [el("span", {}, [input, el("span", { text: " " + name })])]) };
  }

  data.basemaps.forEach(function (b) {
    var layer = b.key === "none" ? L.layerGroup() : atlas.tiles[b.key];
    if (!layer) return;
    var entry = { basemap: b, layer: layer };
    // "无底图 No tiles", "高德地图 Amap (GCJ-02)": both languages, the datum once
    var name = b.zh + (b.en && b.en !== b.zh ? " " + b.en : "");
    if (b.datum === "GCJ02" && name.indexOf("GCJ") < 0) name += "（GCJ-02）";
    entry.option = option("radio", name, false, function () { choose(entry); });
    bases.push(entry);
  });
  // Switches other parts offer ({key, name, checked, change(on)}); sites are drawn with their theme, no switch.
  var switches = {};
  function setOverlay(o, on) {
    switches[o.key].input.checked = on;
    o.change(on);
    atlas.emit("overlay", { key: o.key, on: on });
  }
  (atlas.overlays || []).forEach(function (o) {
    switches[o.key] = option("checkbox", o.name, o.checked, function (e) { setOverlay(o, e.target.checked); });
    overlays.push(switches[o.key]);
  });

  /** Show one basemap; overlays move to its datum (Amap is GCJ-02). */
  function choose(entry) {
    bases.forEach(function (o) { if (o !== entry && map.hasLayer(o.layer)) map.removeLayer(o.layer); });
    if (!map.hasLayer(entry.layer)) entry.layer.addTo(map);
    entry.option.input.checked = true;
    if (atlas.state.basemap !== entry.basemap.key) { atlas.state.basemap = entry.basemap.key; atlas.emit("basemap", entry.basemap.key); }
    if (entry.basemap.datum !== atlas.state.datum) {
      atlas.state.datum = entry.basemap.datum;
      atlas.emit("datum");
    }
  }

  var list = el("section", { cls: "leaflet-control-layers-list" }, [
    el("div", { cls: "leaflet-control-layers-base" }, bases.map(function (o) { return o.option.label; })),
    el("div", { cls: "leaflet-control-layers-separator" }),
    el("div", { cls: "leaflet-control-layers-overlays" }, overlays.map(function (o) { return o.label; }))
  ]);
  var toggle = el("a", { cls: "leaflet-control-layers-toggle", href: "#", role: "button", title: "图层 Layers", "aria-label": "图层 Layers" });
  var box = el("div", { cls: "leaflet-control-layers atlas-layers", "aria-haspopup": "true" }, [toggle, list]);

  function expand() {
    box.classList.add("leaflet-control-layers-expanded");
    // On a short screen the list scrolls instead of running off the map.
    list.style.height = "";
    list.classList.remove("leaflet-control-layers-scrollbar");
    var room = map.getSize().y - (box.offsetTop + 50);
    if (room < list.clientHeight) {
      list.classList.add("leaflet-control-layers-scrollbar");
      list.style.height = room + "px";
    }
  }
  function collapse() { box.classList.remove("leaflet-control-layers-expanded"); }
  box.addEventListener("mouseenter", expand);
  box.addEventListener("mouseleave", collapse);
  toggle.addEventListener("focus", expand);
  toggle.addEventListener("click", function (e) { e.preventDefault(); expand(); });
  map.on("click", collapse);
  TongliaoAtlas.dom.control(function () { return box; }, { position: "topright" }).addTo(map);

  /** Show the page's default basemap (init.js calls this once the view is set). */
  atlas.layers = {
    start: function () {
      bases.forEach(function (o) { if (o.basemap.key === data.defaultBasemap) choose(o); });
    },
    /** Show the basemap `key` (hash.js restores a view from the URL). */
    choose: function (key) { bases.forEach(function (o) { if (o.basemap.key === key) choose(o); }); },
    /** Turn the switch `key` on or off (hash.js). */
    overlay: function (key, on) { (atlas.overlays || []).forEach(function (o) { if (o.key === key) setOverlay(o, on); }); }
  };
});

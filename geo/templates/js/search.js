/* Search an area by Chinese name, short name, pinyin, English or code; fit it and open its popup. */
TongliaoAtlas.part("search", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, data = atlas.data, map = atlas.map;

  var list = el("datalist", { id: "atlas-names" }, atlas.areaCodes().map(function (code) {
    var a = data.areas[code];
    return el("option", { value: a.zh }, [a.pinyin + " · " + a.en]);
  }));
  var input = el("input", { type: "search", list: "atlas-names", placeholder: "搜索 Search: 奈曼旗 / naiman", "aria-label": "搜索地区 Search district", cls: "atlas-search-input" });
  var message = el("div", { cls: "atlas-search-msg", role: "status" });

  function normal(s) { return String(s).toLowerCase().replace(/[\s\-_]/g, ""); }
  /** The code of the area `q` names: an exact name, else the one area a part of a name fits. */
  function find(q) {
    var key = normal(q);
    if (!key) return null;
    var codes = atlas.areaCodes();
    var exact = codes.filter(function (c) { return data.areas[c].names.some(function (n) { return normal(n) === key; }); });
    if (exact.length) return exact[0];
    var part = codes.filter(function (c) { return data.areas[c].names.some(function (n) { return normal(n).indexOf(key) >= 0; }); });
    return part.length === 1 ? part[0] : null;
  }
  function goTo(code) {
    var a = data.areas[code];
    var target = atlas.polygons.layerOf(a.drawn ? code : a.parent);
    if (!target) return;
    map.fitBounds(target.getBounds(), { maxZoom: 10 });
    var parent = data.areas[a.parent];
    atlas.openPopup(code, a.drawn ? target.getBounds().getCenter() : atlas.project(parent.label[0], parent.label[1]));
  }
  var searched = null;
  function search() {
    searched = input.value;
    if (!normal(input.value)) { message.textContent = ""; return; }
    var code = find(input.value);
    message.textContent = code ? "" : "未找到 not found: " + input.value;
    if (code) goTo(code);
  }
  // Enter fires keydown and then change: search once per value
  input.addEventListener("change", function () { if (input.value !== searched) search(); });
  input.addEventListener("keydown", function (e) { if (e.key === "Enter") search(); });
  TongliaoAtlas.dom.control(function () {
    return el("div", { cls: "atlas-search leaflet-bar" }, [input, list, message]);
  }, { position: "topleft" }).addTo(map);
});

/* Tile basemaps need the internet: when tiles fail, one note says so; the overlays stay. */
TongliaoAtlas.part("tiles", function (atlas) {
  "use strict";
  var note = TongliaoAtlas.dom.el("div", { cls: "atlas-tile-note", role: "status", hidden: "hidden", text: "底图需要联网 · the basemap needs internet" });
  Object.keys(atlas.tiles).forEach(function (key) {
    atlas.tiles[key].on("tileerror", function () { if (atlas.state.basemap === key) note.hidden = false; });
  });
  atlas.on("basemap", function () { note.hidden = true; });
  atlas.map.getContainer().appendChild(note);
});

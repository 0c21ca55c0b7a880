/* The title box: area and theme, the metric and its unit, links to the index and the city map. */
TongliaoAtlas.part("title", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, data = atlas.data;
  var box = el("div", { cls: "atlas-title" });

  function draw() {
    var t = atlas.theme();
    box.textContent = "";
    box.appendChild(el("h1", {}, [data.title.zh + " · " + t.zh, el("small", { text: data.title.en + " · " + t.en })]));
    box.appendChild(el("div", { cls: "atlas-subtitle", text: t.metric.zh + "（" + t.metric.unit + "）· " + t.metric.en + (t.metric.derived ? " · 推算 derived" : "") }));
    var nav = el("div", { cls: "atlas-nav" }, [el("a", { href: data.links.index, text: "目录 Index" })]);
    if (atlas.focus) nav.appendChild(el("a", { href: data.links.city, text: "← 全市地图 City map" }));
    box.appendChild(nav);
  }
  TongliaoAtlas.dom.control(function () { return box; }, { position: "topleft" }).addTo(atlas.map);
  draw(); // now, so that the home view (view.js) can leave room for it
  atlas.on("theme", draw);
});

/* City-wide figures (city map only): listed in a panel, never spread over districts. */
TongliaoAtlas.part("city", function (atlas) {
  "use strict";
  if (atlas.focus) return;
  var el = TongliaoAtlas.dom.el;
  var box = el("div", { cls: "atlas-city" });

  function draw() {
    var facts = atlas.theme().facts[atlas.vocab.city] || [];
    box.textContent = "";
    box.appendChild(el("details", {}, [
      el("summary", { text: "全市数据 City-wide figures (" + facts.length + ")" }),
      atlas.text.factList(facts, atlas.NO_DATA.zh)
    ]));
  }
  TongliaoAtlas.dom.control(function () { return box; }, { position: "topright" }).addTo(atlas.map);
  atlas.on("theme", draw);
});

/* City-wide figures (city map only): listed in a panel, never spread over districts. */
TongliaoAtlas.part("city", function (atlas) {
  "use strict";
  if (atlas.focus) return;
  var el = TongliaoAtlas.dom.el;
  var summary = el("summary");
  var details = el("details", {}, [summary]);
  var box = el("div", { cls: "atlas-city" }, [details]);
  var list = null, listed = null; // the list is made when the panel opens (it starts closed)

  function facts() { return atlas.theme().facts[atlas.vocab.city] || []; }
  function fill() {
    if (listed === atlas.state.theme) return;
    if (list) list.remove();
    list = atlas.text.factList(facts(), atlas.NO_DATA.zh);
    details.appendChild(list);
    listed = atlas.state.theme;
  }
  function draw() {
    summary.textContent = "全市数据 City-wide figures (" + facts().length + ")";
    details.open = false; // as before: a new theme shows the panel closed
  }
  // before the click opens it (so it never shows empty), and for any other way it opens
  summary.addEventListener("click", fill);
  details.addEventListener("toggle", function () { if (details.open) fill(); });
  TongliaoAtlas.dom.control(function () { return box; }, { position: "topright" }).addTo(atlas.map);
  atlas.on("theme", draw);
});

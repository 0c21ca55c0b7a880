/* Search an area by any of its names; fit it and open its popup.
 *
 * The same rules as geo/areas.py `match` (tests/fixtures/search-cases.csv checks
 * both): normalise (NFKC, lower case, no spaces - _ · .), then an exact name (the
 * names the payload ships, areas.search_names), else the names starting with the
 * input, else the names within a small edit distance. One area found: go there;
 * several: list them as buttons; the city (通辽, 通辽市): the whole-city view. */
TongliaoAtlas.part("search", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el, data = atlas.data, map = atlas.map, city = atlas.vocab.city;

  function normal(s) { return String(s).normalize("NFKC").toLowerCase().replace(/[\s\-_·.]+/g, ""); }
  // normalised name -> code, first area (code order) wins, as in areas._index;
  // made on the first search, not at start (NFKC over every name costs the first view time)
  var byName = null;
  function names() {
    if (byName) return byName;
    byName = {};
    Object.keys(data.areas).sort().forEach(function (code) {
      data.areas[code].names.forEach(function (n) { var k = normal(n); if (!(k in byName)) byName[k] = code; });
    });
    return byName;
  }
  /** Edit distance with adjacent transpositions (areas.distance). */
  function distance(a, b) {
    var prev2 = [], prev = [], i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      var row = [i];
      for (j = 1; j <= b.length; j++) {
        row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], prev2[j - 2] + 1);
      }
      prev2 = prev; prev = row;
    }
    return prev[b.length];
  }
  function typoLimit(key) { return key.length < 2 ? 0 : key.length <= 7 ? 1 : 2; }
  function found(kind, keys) {
    var codes = {}, index = names();
    keys.forEach(function (n) { codes[index[n]] = true; });
    return { kind: kind, codes: Object.keys(codes).sort() };
  }
  /** {kind: exact|prefix|typo|none, codes} for what a person typed. */
  function match(q) {
    // Array.from counts characters as Python does (code points, not UTF-16 units)
    var index = names(), key = Array.from(normal(q)).join(""), all = Object.keys(index);
    if (!key) return { kind: "none", codes: [] };
    if (key in index) return { kind: "exact", codes: [index[key]] };
    var starts = all.filter(function (n) { return n.indexOf(key) === 0; });
    if (starts.length) return found("prefix", starts);
    var limit = typoLimit(Array.from(key)), best = Infinity, scored = all.map(function (n) {
      var d = distance(Array.from(key), Array.from(n));
      best = Math.min(best, d);
      return [d, n];
    });
    if (limit && best <= limit) return found("typo", scored.filter(function (s) { return s[0] === best; }).map(function (s) { return s[1]; }));
    return { kind: "none", codes: [] };
  }

  var list = el("datalist", { id: "atlas-names" }, atlas.areaCodes().map(function (code) {
    var a = data.areas[code];
    return el("option", { value: a.zh }, [a.pinyin + " · " + a.en]);
  }));
  var input = el("input", { type: "search", id: "atlas-search", list: "atlas-names", placeholder: "搜索 Search: 奈曼旗 / naiman", "aria-label": "搜索地区 Search district", cls: "atlas-search-input" });
  var message = el("div", { cls: "atlas-search-msg", role: "status" });

  function goTo(code) {
    if (code === city) {
      if (atlas.focus) window.location.href = data.links.city + (atlas.url ? atlas.url.hash() : "");
      else atlas.view.reset();
      return;
    }
    var a = data.areas[code];
    var target = atlas.polygons.layerOf(a.drawn ? code : a.parent);
    if (!target) return;
    // no animation: the popup's pan into view (small screens) would be lost mid-zoom
    map.fitBounds(target.getBounds(), { maxZoom: 10, animate: false });
    var parent = data.areas[a.parent];
    atlas.openPopup(code, a.drawn ? target.getBounds().getCenter() : atlas.project(parent.label[0], parent.label[1]));
  }
  var searched = null;
  function search() {
    searched = input.value;
    message.textContent = "";
    var m = match(input.value);
    if (m.kind === "none") {
      if (normal(input.value)) message.textContent = "未找到 not found: " + input.value;
      return;
    }
    if (m.codes.length === 1) { goTo(m.codes[0]); return; }
    message.appendChild(el("span", { text: "有多个地区 several areas: " }));
    m.codes.forEach(function (code) {
      var b = el("button", { type: "button", cls: "atlas-search-choice", text: atlas.areaName(code) });
      b.addEventListener("click", function () { message.textContent = ""; goTo(code); });
      message.appendChild(b);
    });
  }
  // Enter fires keydown and then change: search once per value
  input.addEventListener("change", function () { if (input.value !== searched) search(); });
  input.addEventListener("keydown", function (e) { if (e.key === "Enter") search(); });
  var box = el("div", { cls: "atlas-search leaflet-bar", role: "search" }, [input, list, message]);
  TongliaoAtlas.dom.control(function () { return box; }, { position: "topleft" }).addTo(map);
  atlas.search = { match: match, go: goTo, box: box, input: input };
});

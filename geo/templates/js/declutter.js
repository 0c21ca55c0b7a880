/* Declutter: the symbols that stand beside a label (an area's named-sites symbol, the zone's
 * badge) step aside from area labels, sites at their printed position, the panels over the
 * map and each other.
 *
 * Labels and printed positions never move. Each movable box tries a few places around its
 * anchor, its usual place first, and takes the first that overlaps nothing already placed and
 * stays on the map; where every place overlaps, the one that overlaps least. The zone's badge
 * is placed first (it carries the zone's figure), then the symbols from north to south; a
 * symbol with no free place drops its words ("◆ 3") if that frees one. Boxes move by CSS
 * transforms, which cost no layout. */
TongliaoAtlas.part("declutter", function (atlas) {
  "use strict";
  var map = atlas.map, GAP = 1;

  // Places of a box's top-left corner relative to its anchor, as [x, y] for its width and height.
  var SYMBOL = [
    function (w) { return [-w / 2, 22]; }, // under the label (atlas.css)
    function (w) { return [-w - 6, 14]; }, // under it, to the left
    function () { return [6, 14]; }, // under it, to the right
    function (w, h) { return [-w / 2, -h - 22]; }, // above it
    function (w) { return [-w / 2, 40]; }, // further down
    function (w) { return [-w - 6, 34]; },
    function () { return [6, 34]; },
    function (w, h) { return [-w / 2, -h - 40]; }, // further up
    function (w) { return [-w - 30, 22]; },
    function () { return [30, 22]; },
    function (w) { return [-w / 2, 58]; }
  ];
  // The zone's badge keeps to the right of its parent's label (further away, it would seem to
  // name a neighbour); under the label or left of it only where the right runs off the map.
  var BADGE = [
    function () { return [0, 0]; }, // below the parent's label, to the right (labels.js)
    function () { return [0, -8]; },
    function () { return [0, -12]; },
    function () { return [0, -16]; },
    function (w, h) { return [0, -h - 30]; },
    function () { return [16, 18]; },
    function () { return [24, -8]; },
    function () { return [0, 16]; },
    function (w, h) { return [24, -h - 30]; },
    function (w) { return [-w / 2, 24]; },
    function (w) { return [-w - 8, 0]; }
  ];

  var COMPACT = "atlas-sum-compact";
  var NUDGES = [[0, 0], [0, 4], [0, -4], [8, 0], [-8, 0], [8, 4], [-8, 4]];

  function box(r) { return [r.left - GAP, r.top - GAP, r.right + GAP, r.bottom + GAP]; }
  function overlap(a, b) {
    var x = Math.min(a[2], b[2]) - Math.max(a[0], b[0]), y = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
    return x > 0 && y > 0 ? x * y : 0;
  }
  function outside(a, frame) {
    return Math.max(0, frame.left - a[0]) + Math.max(0, a[2] - frame.right) + Math.max(0, frame.top - a[1]) + Math.max(0, a[3] - frame.bottom);
  }

  /** Place every movable box; called after each drawing of labels and symbols, and on zoom. */
  function run() {
    var pane = map.getPanes().markerPane;
    // nothing to place (the first fit of the view, before the first theme is drawn): no layout read
    if (!pane.querySelector(".atlas-zone, .atlas-sum-icon")) return;
    var frame = map.getContainer().getBoundingClientRect();
    var fixed = [];
    pane.querySelectorAll(".atlas-label, .atlas-point").forEach(function (n) { fixed.push(box(n.getBoundingClientRect())); });
    // the panels and buttons over the map too: a symbol under the legend cannot be read
    map.getContainer().querySelectorAll(".leaflet-control").forEach(function (n) {
      var r = n.getBoundingClientRect();
      if (r.width && r.height) fixed.push(box(r));
    });
    var movable = [];
    function collect(selector, places) {
      pane.querySelectorAll(selector).forEach(function (n) {
        n.classList.remove(COMPACT);
        var anchor = n.parentNode.getBoundingClientRect(), r = n.getBoundingClientRect();
        var words = n.querySelector(".atlas-sum-words");
        movable.push({
          node: n, x: anchor.left, y: anchor.top, w: r.width, h: r.height, places: places,
          words: words ? words.getBoundingClientRect().width : 0,
          // a symbol whose label is off the map stays by its label, not pulled into view
          seen: anchor.left >= frame.left && anchor.left <= frame.right && anchor.top >= frame.top && anchor.top <= frame.bottom
        });
      });
    }
    collect(".atlas-zone", BADGE); // all measured before any box moves: one layout for all
    var badges = movable.length;
    collect(".atlas-sum-icon > .atlas-sum", SYMBOL);
    var symbols = movable.slice(badges).sort(function (a, b) { return a.y - b.y || a.x - b.x; });
    movable.slice(0, badges).concat(symbols).forEach(function (m) {
      var best = place(m, fixed, frame);
      if (best.cost > 0 && m.words > 0) {
        // No free place for "◆ 已公开项目 3": "◆ 3" may fit (the words stay in its tooltip).
        var small = place(Object.assign({}, m, { w: m.w - m.words }), fixed, frame);
        if (small.cost < best.cost) { best = small; m.node.classList.add(COMPACT); }
      }
      m.node.style.transform = "translate(" + Math.round(best.p[0]) + "px, " + Math.round(best.p[1]) + "px)";
      m.node.setAttribute("data-place", String(best.i));
      fixed.push([best.a[0] - GAP, best.a[1] - GAP, best.a[2] + GAP, best.a[3] + GAP]);
    });
  }
  // The first free place of `m` (each place, then a few pixels around it: on a crowded map a
  // nudge is often enough), else the least covered one. Plain loops: this runs on every switch.
  function place(m, fixed, frame) {
    var best = null;
    for (var i = 0; i < m.places.length; i++) {
      var base = m.places[i](m.w, m.h);
      for (var j = 0; j < NUDGES.length; j++) {
        var x = m.x + base[0] + NUDGES[j][0], y = m.y + base[1] + NUDGES[j][1];
        var a = [x, y, x + m.w, y + m.h], cost = m.seen ? outside(a, frame) * 1000 : 0;
        for (var k = 0; k < fixed.length && (!best || cost < best.cost); k++) cost += overlap(a, fixed[k]);
        if (!best || cost < best.cost) best = { p: [x - m.x, y - m.y], a: a, cost: cost, i: i };
        if (cost === 0) return best;
      }
    }
    return best;
  }
  ["theme", "shapes", "overlay"].forEach(function (e) { atlas.on(e, run); });
  map.on("zoomend resize", run);
});

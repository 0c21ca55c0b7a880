/* "图片 PNG": the current view as a picture at twice the screen's resolution, made
 * in the page (no library, no network): the SVG of the areas and sites drawn from
 * a data: URL, then the labels, the title and the legend drawn from the page's
 * own text and colours at their places on screen. Tile basemaps are left out
 * (images from another site cannot be read back), the background stays plain. */
TongliaoAtlas.part("png", function (atlas) {
  "use strict";
  var map = atlas.map, SCALE = 2;

  function svgImage(svg) {
    var copy = svg.cloneNode(true), box = svg.getBoundingClientRect();
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    copy.setAttribute("width", box.width);
    copy.setAttribute("height", box.height);
    copy.style.transform = "";
    var url = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(copy));
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve({ img: img, box: box }); };
      img.onerror = reject;
      img.src = url;
    });
  }
  // Text nodes under `root`, one canvas line per screen line, in their computed font and colour.
  function drawText(ctx, root, origin, halo) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), node, range = document.createRange();
    while ((node = walker.nextNode())) {
      var style = getComputedStyle(node.parentNode);
      if (!node.textContent.trim() || style.visibility === "hidden" || !node.parentNode.getClientRects().length) continue;
      if (node.parentNode.closest("details:not([open]) > :not(summary)")) continue; // folded away
      ctx.font = style.fontStyle + " " + style.fontWeight + " " + style.fontSize + " " + style.fontFamily;
      ctx.fillStyle = style.color;
      ctx.textBaseline = "alphabetic";
      var text = node.textContent, line = "", top = null, left = 0, bottom = 0;
      var flush = function () {
        if (!line.trim()) return;
        if (halo) { ctx.strokeStyle = "#fff"; ctx.lineWidth = 3; ctx.strokeText(line, left - origin.left, bottom - origin.top); }
        ctx.fillText(line, left - origin.left, bottom - origin.top);
      };
      for (var i = 0; i < text.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        var r = range.getClientRects()[0];
        if (!r) continue;
        if (top === null || Math.abs(r.top - top) > r.height / 2) {
          flush();
          line = ""; top = r.top; left = r.left; bottom = r.bottom - r.height * 0.22;
        }
        line += text[i];
      }
      flush();
    }
  }
  // A panel: its white box, its colour swatches, its text.
  function drawBox(ctx, box, origin) {
    if (!box || !box.getClientRects().length) return;
    var r = box.getBoundingClientRect();
    ctx.fillStyle = "rgba(255,255,255,0.95)";
    ctx.fillRect(r.left - origin.left, r.top - origin.top, r.width, r.height);
    swatches(ctx, box, origin);
    drawText(ctx, box, origin, false);
  }
  // Colour marks (legend swatches, site points, summary marks) as filled boxes.
  var MARKS = ".atlas-swatch, .atlas-dot, .atlas-point, .atlas-sum-mark";
  function swatches(ctx, root, origin) {
    root.querySelectorAll(MARKS).forEach(function (sw) {
      var s = sw.getBoundingClientRect(), bg = getComputedStyle(sw).backgroundColor;
      ctx.fillStyle = bg === "rgba(0, 0, 0, 0)" ? "#c8c8c8" : bg;
      ctx.fillRect(s.left - origin.left, s.top - origin.top, s.width, s.height);
      ctx.strokeStyle = "#555";
      ctx.lineWidth = 1;
      ctx.strokeRect(s.left - origin.left, s.top - origin.top, s.width, s.height);
    });
  }

  /** A PNG Blob of the view as shown: map overlays, labels, title, legend. */
  function picture() {
    var container = map.getContainer(), origin = container.getBoundingClientRect();
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(origin.width * SCALE);
    canvas.height = Math.round(origin.height * SCALE);
    var ctx = canvas.getContext("2d");
    ctx.scale(SCALE, SCALE);
    ctx.fillStyle = getComputedStyle(container).backgroundColor;
    ctx.fillRect(0, 0, origin.width, origin.height);
    var title = container.querySelector(".atlas-title"), legend = container.querySelector(".atlas-legend");
    function shown(svg) { return svg.getClientRects().length > 0; }
    function svgsIn(root) { return root ? Array.prototype.slice.call(root.querySelectorAll("svg")).filter(shown) : []; }
    var mapSvgs = svgsIn(map.getPane("mapPane")), boxSvgs = svgsIn(title).concat(svgsIn(legend));
    return Promise.all(mapSvgs.concat(boxSvgs).map(svgImage)).then(function (images) {
      function draw(i) { ctx.drawImage(i.img, i.box.left - origin.left, i.box.top - origin.top, i.box.width, i.box.height); }
      images.slice(0, mapSvgs.length).forEach(draw); // areas, circles, sites: in the order the page stacks them
      var markers = map.getPanes().markerPane;
      swatches(ctx, markers, origin);
      markers.querySelectorAll(".leaflet-marker-icon").forEach(function (n) { drawText(ctx, n, origin, true); });
      drawBox(ctx, title, origin);
      if (legend && legend.getClientRects().length) drawBox(ctx, legend, origin);
      images.slice(mapSvgs.length).forEach(draw); // the legend's reference circles
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
    });
  }
  function save() {
    return picture().then(function (blob) {
      var a = TongliaoAtlas.dom.el("a", { href: URL.createObjectURL(blob), download: "tongliao-" + (atlas.focus || "city") + "-" + atlas.state.theme + ".png" });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    });
  }
  atlas.tools.add("atlas-png-button", "图片 PNG", function () {
    save().then(function () { atlas.tools.say(""); }, function () { atlas.tools.say("图片未能生成 the picture failed"); });
  });
  atlas.png = { picture: picture };
});

/* The tool bar: print, PNG picture and copy link (print.js, png.js, hash.js add their buttons). */
TongliaoAtlas.part("tools", function (atlas) {
  "use strict";
  var el = TongliaoAtlas.dom.el;
  var bar = el("div", { cls: "atlas-tools", role: "toolbar", "aria-label": "工具 Tools" });
  var status = el("div", { cls: "atlas-tools-msg", role: "status" });

  /** A button in the bar: `label` is its text, `action` runs on click. */
  function add(cls, label, action) {
    var b = el("button", { type: "button", cls: "atlas-tool " + cls, text: label });
    b.addEventListener("click", function () { action(b); });
    bar.appendChild(b);
    return b;
  }
  /** A short message under the bar ("已复制 copied"). */
  function say(text) { status.textContent = text; }
  TongliaoAtlas.dom.control(function () { return el("div", { cls: "atlas-tools-box" }, [bar, status]); }, { position: "topleft" }).addTo(atlas.map);
  atlas.tools = { add: add, say: say, bar: bar };
});

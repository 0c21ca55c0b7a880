/* The view in the URL: #theme=energy&basemap=osm&show=values (layer-control switches).
 *
 * Opening a page with such a hash shows that view; every change pushes a history
 * entry, so Back returns to the previous view; links to the other pages of the
 * atlas carry the hash; "复制链接 Copy link" copies the address. */
TongliaoAtlas.part("hash", function (atlas) {
  "use strict";
  var data = atlas.data, restoring = false, ready = false;
  var themes = {}, basemaps = {}, switches = {};
  data.themes.forEach(function (t) { themes[t.key] = true; });
  data.basemaps.forEach(function (b) { basemaps[b.key] = true; });
  // The switches of the layer control, by key, with what they show when the page opens.
  (atlas.overlays || []).forEach(function (o) { switches[o.key] = o; });
  var defaults = {};
  Object.keys(switches).forEach(function (k) { defaults[k] = !!switches[k].checked; });
  var shown = Object.assign({}, defaults);

  /** The view a hash names, keeping only the keys this page knows. */
  function parse(hash) {
    var view = {};
    String(hash || "").replace(/^#/, "").split("&").forEach(function (pair) {
      var i = pair.indexOf("="), k = pair.slice(0, i), v = decodeURIComponent(pair.slice(i + 1));
      if (k === "theme" && themes[v]) view.theme = v;
      else if (k === "basemap" && basemaps[v]) view.basemap = v;
      else if (k === "show") view.show = v.split(",").filter(function (s) { return switches[s]; });
    });
    return view;
  }
  /** The hash of the shown view ("" for the page's default view). */
  function hash() {
    var parts = [], s = atlas.state;
    if (s.theme !== data.defaultTheme) parts.push("theme=" + s.theme);
    if (s.basemap && s.basemap !== data.defaultBasemap) parts.push("basemap=" + s.basemap);
    var on = Object.keys(shown).filter(function (k) { return shown[k]; }).sort();
    if (on.join(",") !== Object.keys(defaults).filter(function (k) { return defaults[k]; }).sort().join(",")) parts.push("show=" + on.join(","));
    return parts.length ? "#" + parts.join("&") : "";
  }
  function apply(view) {
    restoring = true;
    var theme = view.theme || data.defaultTheme, basemap = view.basemap || data.defaultBasemap;
    if (theme !== atlas.state.theme) atlas.setTheme(theme);
    if (basemap !== atlas.state.basemap) atlas.layers.choose(basemap);
    Object.keys(switches).forEach(function (k) {
      var on = view.show ? view.show.indexOf(k) >= 0 : defaults[k];
      if (shown[k] !== on) atlas.layers.overlay(k, on);
    });
    restoring = false;
  }
  // The address follows the view once the change is on screen: a history entry costs the
  // click a few milliseconds (more on an old PC) that nobody sees. Changes within one frame
  // make one entry.
  var pending = false;
  function write() {
    pending = false;
    var h = hash();
    if (h !== (location.hash === "#" ? "" : location.hash)) history.pushState(null, "", h || location.pathname + location.search);
  }
  function record() {
    if (restoring || !ready || pending) return;
    pending = true;
    requestAnimationFrame(function () { setTimeout(function () { if (pending) write(); }, 0); });
  }
  function flush() { if (pending) write(); }
  // The theme is set before the first drawing, the rest once the page is ready.
  var first = parse(location.hash);
  if (first.theme) atlas.state.theme = first.theme;
  atlas.on("ready", function () { apply(first); ready = true; });
  atlas.on("overlay", function (e) { shown[e.key] = e.on; record(); });
  ["theme", "basemap"].forEach(function (e) { atlas.on(e, record); });
  window.addEventListener("popstate", function () { pending = false; apply(parse(location.hash)); });

  // Links to the atlas's other pages carry the view (set as the link is followed).
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href]");
    if (!a) return;
    var href = a.getAttribute("href"), page = href.replace(/#.*$/, "");
    if (/^[\w.-]+\.html$/.test(page) && page !== data.links.index) a.setAttribute("href", page + hash());
  }, true);

  /** Copy `text`: the Clipboard API where allowed, else a selected textarea (file:// pages). */
  function copy(text) {
    function fallback() {
      var area = TongliaoAtlas.dom.el("textarea", { cls: "atlas-copy-area", readonly: "readonly", "aria-hidden": "true" });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
      area.remove();
      return Promise.resolve(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, fallback);
    }
    return fallback();
  }
  atlas.tools.add("atlas-copy-link", "复制链接 Copy link", function () {
    flush();
    copy(location.href).then(function (ok) {
      atlas.tools.say(ok ? "已复制链接 link copied" : "请手动复制地址栏 copy the address bar: " + location.href);
    });
  });
  atlas.url = { hash: hash, parse: parse, copy: copy };
});

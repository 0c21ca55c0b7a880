/* DOM helpers: the only way the atlas makes page content.
 *
 * Text goes in as text nodes; attributes are set one by one (no event-handler
 * attributes, no links but http(s), the atlas's own pages and blob: downloads);
 * Leaflet gets nodes, never strings (its tooltips, popups, icons and controls
 * put strings in with innerHTML). */
(function (atlas) {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  // http(s) links from data; the atlas's own page names; "#" for buttons; blob: for the CSV download.
  var SAFE_HREF = /^(https?:\/\/|blob:)|^[\w.-]+\.html$|^#$/i;

  function isHttp(url) { return typeof url === "string" && /^https?:\/\/\S/i.test(url); }

  function setAttr(node, name, value) {
    if (/^on/i.test(name)) throw new Error("atlas: no event-handler attributes (" + name + ")");
    if (name === "href" && !SAFE_HREF.test(value)) throw new Error("atlas: refused link " + JSON.stringify(value));
    node.setAttribute(name, value);
  }

  /** An HTML element: props {text, cls, ...attributes}, children nodes or strings (as text). */
  function el(tag, props, children) {
    var node = document.createElement(tag);
    props = props || {};
    Object.keys(props).forEach(function (k) {
      if (k === "text") node.textContent = props[k];
      else if (k === "cls") node.className = props[k];
      else setAttr(node, k, props[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === "") return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  /** An SVG element with the given attributes and children. */
  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { setAttr(node, k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  /** A link opening in a new tab if `url` is http(s); otherwise `text` as plain text. */
  function link(url, text, cls) {
    if (!isHttp(url)) return el("span", { cls: cls || "", text: text });
    return el("a", { href: url, target: "_blank", rel: "noopener noreferrer", cls: cls || "", text: text });
  }

  /** `value` if it is a DOM node; anything else is refused before it reaches Leaflet. */
  function node(value) {
    if (!(value instanceof Node)) throw new TypeError("atlas: Leaflet content must be a DOM node");
    return value;
  }

  /** A content function for bindTooltip/bindPopup that can only hand Leaflet a node. */
  function content(build) {
    return function (layer) { return node(build(layer)); };
  }

  /** A Leaflet control around a node: clicks and wheel stay in it. */
  function control(build, options) {
    var Box = L.Control.extend({
      onAdd: function () {
        var box = node(build());
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      }
    });
    return new Box(options);
  }

  atlas.dom = { el: el, svg: svg, link: link, isHttp: isHttp, node: node, content: content, control: control };
})(TongliaoAtlas);

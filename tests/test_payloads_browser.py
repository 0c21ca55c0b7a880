"""Markup, script and formulas typed into every free-text column: shown as text, run nowhere.

A copy of data/ gets a distinct payload in every free-text cell of every CSV (ids,
keys, numbers and years stay valid, so the rows still build), a few sites get
positions inside their district, and the CLI builds the atlas. Headless Chromium
then does what a reader does on the city page and two district pages: every
theme, basemap and site layer, hover and click on every area and marker, the
zone badge, search, the city-wide panel, the data table and its CSV download.

Every payload would call ``__pwn(tag)`` (a function exposed to the page) if it
ever ran as script; the test asserts it was never called, no dialog opened, no
element or attribute came from the data, and the payloads were seen as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
import shapely.geometry
import shapely.ops
from playwright.sync_api import Page, expect

from geo import areas

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["tongliao.html", "150525-naiman.html", "150502-keerqin.html"]
PAYLOAD_RE = re.compile(r'<script type="application/json" id="atlas-data">(.*?)</script>', re.S)

# {t} is replaced by the cell's tag (file.column.row): the tag says which cell ran.
KINDS = [
    "<img src=x onerror=\"__pwn('{t}')\">",
    '"><svg onload="__pwn(\'{t}\')">',
    "<details open ontoggle=\"__pwn('{t}')\">",
    "</script><script>__pwn('{t}')</script>",
    "<iframe srcdoc=\"<script>parent.__pwn('{t}')</script>\"></iframe>",
    "' onmouseover='__pwn(\"{t}\")' x='",
    '" onfocus="__pwn(\'{t}\')" autofocus x="',
    "{{7*7}} {t}",
    "${7*7} {t}",
    '="=1+1 {t}"',  # Excel's ="..." text cell: the reader keeps =1+1 as text
    "+SUM(1+1) {t}",
    "-2+3 {t}",
    "@SUM(1) {t}",
    "{t}\r=1+1",
    "{t}\n@SUM(1)",
]
ONE_LINE = [k for k in KINDS if "\r" not in k and "\n" not in k]
# Addresses must be http(s) (the reader refuses others, see test_non_web_addresses_are_refused),
# so these break out of an href or a text instead.
URL_KINDS = [
    'https://example.invalid/"><img src=x onerror="__pwn(\'{t}\')">',
    "http://example.invalid/' onmouseover='__pwn(\"{t}\")",
    "https://example.invalid/?q=</script><script>__pwn('{t}')</script>",
]
FREE_TEXT = {
    "themes.csv": ["label_zh", "label_en", "description"],
    "metrics.csv": ["label_zh", "label_en", "description"],
    "sources.csv": ["title", "publisher", "date", "file", "note"],
    "facts.csv": ["evidence", "note", "note_zh"],
    "sites.csv": ["name_zh", "name_en", "capacity_unit", "place", "evidence", "note", "note_zh"],
    "conflicts.csv": ["reason"],
}
# Columns whose text the pages show (the others are carried for the record only).
SHOWN = [
    ("themes.csv", "label_zh"),
    ("themes.csv", "label_en"),
    ("metrics.csv", "label_zh"),
    ("metrics.csv", "label_en"),
    ("metrics.csv", "unit"),
    ("sources.csv", "title"),
    ("sources.csv", "publisher"),
    ("sources.csv", "date"),
    ("facts.csv", "note"),
    ("facts.csv", "note_zh"),
    ("sites.csv", "name_zh"),
    ("sites.csv", "name_en"),
    ("sites.csv", "capacity_unit"),
]
PLACED_IN = ("150525", "150502", "150523", "150522")  # districts that get a few sites with positions

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_AFTER_BREAK = re.compile(r"[\r\n][=+\-@\t\r]")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


# ---------------------------------------------------------------- the poisoned data folder


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)


def _interior_points(code: str, n: int) -> list[tuple[float, float]]:
    """`n` points well inside a district, away from its label and from each other (3 decimals)."""
    features = json.loads((ROOT / "boundaries" / "districts.geojson").read_text(encoding="utf-8"))["features"]
    shape = shapely.geometry.shape(next(f for f in features if f["properties"]["code"] == code)["geometry"])
    inner = shape.buffer(-0.03)
    label = shapely.ops.polylabel(shape.geoms[0] if shape.geom_type == "MultiPolygon" else shape, 0.005)
    minx, miny, maxx, maxy = inner.bounds
    size = max(maxx - minx, maxy - miny)  # spacing in proportion: markers must not hide each other
    points: list[tuple[float, float]] = []
    steps = 12
    for i in range(1, steps):
        for j in range(1, steps):
            p = shapely.Point(
                round(minx + (maxx - minx) * i / steps, 3), round(miny + (maxy - miny) * j / steps, 3)
            )
            far = p.distance(label) > size / 4 and all(
                p.distance(shapely.Point(q)) > size / 5 for q in points
            )
            if inner.contains(p) and far:
                points.append((p.x, p.y))
    assert len(points) >= n, code
    return points[:n]


def poison(folder: Path) -> dict[tuple[str, str], list[str]]:
    """Put a payload in every free-text cell under `folder`; return the payloads by (file, column)."""
    planted: dict[tuple[str, str], list[str]] = {}

    def payload(name: str, column: str, row: int, kinds: list[str]) -> str:
        # Each column goes through the kinds on its own, so that every kind lands in every
        # long column, whatever the number of columns poisoned beside it.
        tag = f"{name.split('.')[0]}.{column}.{row}"
        cells = planted.setdefault((name, column), [])
        text = kinds[len(cells) % len(kinds)].replace("{t}", tag)
        cells.append(text)
        return text

    tables = {name: _read(folder / name) for name in FREE_TEXT}
    for name, columns in FREE_TEXT.items():
        header, rows = tables[name]
        for i, row in enumerate(rows):
            for column in columns:
                # Line breaks only in the last column: the reader takes a multi-line cell
                # followed by more columns for a stray quote (reported to the integrator).
                kinds = KINDS if column == header[-1] else ONE_LINE
                if column != "place" or row[column]:  # a place only where the row names one
                    row[column] = payload(name, column, i + 2, kinds)
    for i, row in enumerate(tables["sources.csv"][1]):
        if i % 2 == 0:  # every other source keeps its real address (or none): links still work
            row["url"] = payload("sources.csv", "url", i + 2, URL_KINDS)
    # A metric's unit is free text too; facts must then give the same unit (no conversion applies).
    facts = tables["facts.csv"][1]
    for i, metric in enumerate(tables["metrics.csv"][1]):
        own = [f for f in facts if f["metric"] == metric["metric"]]
        if metric["derived"] or not own or any(f["unit"] != metric["unit"] for f in own):
            continue
        metric["unit"] = payload("metrics.csv", "unit", i + 2, ONE_LINE)
        for f in own:
            f["unit"] = metric["unit"]
    # A few sites with one district get positions inside it, so markers exist.
    sites = tables["sites.csv"][1]
    for code in PLACED_IN:
        chosen = [s for s in sites if "|" not in s["district"] and areas.resolve(s["district"]).code == code]
        chosen = chosen[:2]
        for site, (lon, lat) in zip(chosen, _interior_points(code, len(chosen)), strict=True):
            site.update(lon=f"{lon:.3f}", lat=f"{lat:.3f}", datum="WGS84", precision="point")
            site["position_source_id"] = site["source_id"]
    for name, (header, rows) in tables.items():
        _write(folder / name, header, rows)
    return planted


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory) -> tuple[Path, dict[tuple[str, str], list[str]]]:
    base = tmp_path_factory.mktemp("payloads")
    data = base / "data"
    shutil.copytree(ROOT / "data", data)
    planted = poison(data)
    out = base / "maps"
    done = build(data, out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out, planted


def build(data: Path, out: Path) -> subprocess.CompletedProcess:
    """The CLI, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "geo", "build", "--data", str(data), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("url", ["JaVaScRiPt:alert(1)", "data:text/html,x"])
def test_non_web_addresses_are_refused(tmp_path, url):
    """A source address that is not http(s) never reaches a page: the build names the row."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    header, rows = _read(data / "sources.csv")
    rows[2]["url"] = url
    _write(data / "sources.csv", header, rows)
    done = build(data, tmp_path / "maps")
    assert done.returncode == 2
    assert re.search(r"sources\.csv:4: url .* http", done.stdout + done.stderr), done.stdout + done.stderr
    assert not (tmp_path / "maps").exists()


# ---------------------------------------------------------------- the page


# Installed on every page: the map, the points where an area or marker receives the pointer, all texts.
HELPERS = """
() => {
  const map = window[Object.keys(window).find((k) => k.startsWith("map_"))];
  // A viewport point where `path` is the topmost element: `first` if given, the middle, a grid over its box.
  function pointOn(path, first) {
    const box = path.getBoundingClientRect();
    const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
    const grid = [];
    for (let x = box.left + 1; x < box.right; x += 6)
      for (let y = box.top + 1; y < box.bottom; y += 6) grid.push([x, y]);
    grid.sort((p, q) => Math.hypot(p[0] - cx, p[1] - cy) - Math.hypot(q[0] - cx, q[1] - cy));
    for (const [x, y] of (first ? [first] : []).concat([[cx, cy]], grid)) {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const hit = document.elementFromPoint(x, y);
      if (hit && (hit === path || path.contains(hit))) return [x, y];
    }
    return null;
  }
  function layers(kind) {
    const out = [];
    map.eachLayer((l) => {
      const area = !!(l.feature && l.feature.properties);
      // markers: circles, site markers and site symbols, the zone badge (labels take no pointer)
      const marker = l instanceof L.CircleMarker ? !area : l instanceof L.Marker && l.options.keyboard;
      if (kind === "areas" ? area : marker) out.push(l);
    });
    return out;
  }
  // Where to hover the i-th area or marker: an area at its label point when that is free.
  function target(kind, i) {
    const l = layers(kind)[i];
    const c = map.getContainer().getBoundingClientRect();
    const at = kind === "areas" ? l.getBounds().getCenter() : l.getLatLng();
    const p = map.latLngToContainerPoint(at);
    return pointOn(l._path || l._icon, [c.left + p.x, c.top + p.y]);
  }
  function count(kind) { return layers(kind).length; }
  // Every text node of the document but scripts and styles.
  function texts() {
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const out = [];
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!n.parentElement.closest("script, style, noscript")) out.push(n.data);
    }
    return out.join("\\n");
  }
  // Anything the data could have made: frames, images other than tiles, handlers, odd links.
  function intruders() {
    const out = [];
    const made = document.querySelectorAll("iframe, object, embed, img:not(.leaflet-tile)");
    made.forEach((e) => out.push(e.outerHTML));
    document.querySelectorAll("*").forEach((e) => {
      for (const a of e.attributes) if (/^on/i.test(a.name)) out.push(e.tagName + " " + a.name);
    });
    document.querySelectorAll("a[href]").forEach((a) => {
      const href = a.getAttribute("href");
      if (!/^(https?:\\/\\/|blob:)|^[\\w.-]+\\.html$|^#(close)?$/i.test(href)) out.push("a " + href);
    });
    return out;
  }
  window.__probe = { map, count, target, texts, intruders };
}
"""


class Reader:
    """One browser page doing what a reader does, recording what it saw."""

    def __init__(self, offline_page) -> None:
        self.offline = offline_page
        self.page: Page = offline_page.page
        self.hits: list[str] = []
        self.dialogs: list[str] = []
        self.seen: list[str] = []
        self.page.expose_function("__pwn", lambda tag: self.hits.append(tag))
        self.page.on("dialog", self._dialog)
        # Room for panels grown by long payload texts next to the map.
        self.page.set_viewport_size({"width": 1600, "height": 1000})

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path) -> dict:
        self.offline.open(path)
        self.page.evaluate(HELPERS)
        self.look()
        return json.loads(PAYLOAD_RE.search(path.read_text(encoding="utf-8")).group(1))

    def look(self) -> None:
        self.seen.append(self.page.evaluate("__probe.texts()"))
        assert self.page.evaluate("__probe.intruders()") == []
        assert self.hits == [] and self.dialogs == []

    def close_popup(self) -> None:
        """Close the popup and go back to the home view (a popup pans the map to fit)."""
        self.page.evaluate("__probe.map.closePopup(); document.querySelector('.atlas-reset').click()")
        expect(self.page.locator(".leaflet-popup")).to_have_count(0)  # gone, not fading over an area

    def hover_and_click(self, kind: str) -> int:
        """Hover and click every area (or marker) in view; return how many."""
        done = 0
        for i in range(self.page.evaluate("(k) => __probe.count(k)", kind)):
            self.page.evaluate("document.querySelector('.atlas-reset').click()")
            point = self.page.evaluate("([k, i]) => __probe.target(k, i)", [kind, i])
            if point is None:  # under the last popup: close it and look again
                self.close_popup()
                point = self.page.evaluate("([k, i]) => __probe.target(k, i)", [kind, i])
            if point is None:  # outside the home view (a district map shows its neighbours only in part)
                continue
            self.page.mouse.move(1, 300)
            self.page.mouse.move(*point)
            expect(self.page.locator(".leaflet-tooltip").last).to_be_attached()
            self.look()
            self.page.mouse.click(*point)
            expect(self.page.locator(".leaflet-popup .atlas-popup")).to_have_count(1)
            self.look()
            done += 1
        self.close_popup()
        return done

    def layers(self) -> None:
        self.page.hover(".leaflet-control-layers")
        expect(self.page.locator(".leaflet-control-layers-list")).to_be_visible()

    def choose_basemap(self, index: int) -> None:
        self.layers()
        self.page.locator(".leaflet-control-layers-base input").nth(index).check()


def _neutral(text: str) -> str:
    """What the CSV must hold for `text`: OWASP's leading quote where a spreadsheet would see a formula."""
    if text.startswith(FORMULA_START) or FORMULA_AFTER_BREAK.search(text):
        return "'" + text
    return text


def check_download(reader: Reader, data: dict, theme: dict) -> int:
    page = reader.page
    with page.expect_download() as info:
        page.locator(".atlas-download").click()
    download = info.value
    assert download.suggested_filename == f"tongliao-{data['focus'] or 'city'}-{theme['key']}.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    expected = []

    def more(s: dict) -> list[str]:  # the columns after the notes: publisher, source date, theme
        return [s.get("publisher", ""), s.get("date", ""), f"{theme['zh']} {theme['en']}"]

    for code in sorted(theme["facts"]):
        for f in theme["facts"][code]:
            s = data["sources"].get(f["source"], {})
            area = data["areas"][code]["zh"]
            cited = [s.get("title") or f["source"], s.get("typeZh", ""), s.get("url", "")]
            cited += [f.get("qualifier", ""), f["note"], f["noteZh"], *more(s)]
            expected.append([area, code, f["metric"], f["plain"], f["unit"], f["year"], *cited])
    vocab = data["vocab"]
    for site in theme["sites"]:  # named sites follow the figures (table.js)
        s = data["sources"].get(site["source"], {})
        cited = [s.get("title") or site["source"], s.get("typeZh", ""), s.get("url", "")]
        cited += ["", site["note"], site["noteZh"], *more(s)]
        what = ["项目 site", vocab["siteKinds"].get(site["kind"], site["kind"]), site["name"]]
        what += [vocab["siteStatuses"].get(site["status"], ""), site["place"]]
        what += ["" if site["shown"] else "另一记载 other account"]
        names = "、".join(data["areas"][c]["zh"] for c in site["districts"])
        capacity = "" if site["capacity"] is None else str(site["capacity"])
        row = [names, "|".join(site["districts"]), " · ".join(w for w in what if w), capacity]
        expected.append([*row, site["unit"], site["year"], *cited])
    assert len(rows) == len(expected) + 1
    for row, want in zip(rows[1:], expected, strict=True):
        assert row[3] == "" or PLAIN_NUMBER.fullmatch(row[3]), row[3]
        assert row[3] == want[3]
        text = row[:3] + row[4:]
        for cell in text:
            assert not cell.startswith(FORMULA_START), cell
            assert cell.startswith("'") or not FORMULA_AFTER_BREAK.search(cell), cell
        assert text == [_neutral(c) for c in want[:3] + want[4:]]
    return sum(c.startswith("'") for r in rows for c in r)


def exercise(reader: Reader, path: Path) -> dict:
    """Every path a reader takes on one map page."""
    page = reader.page
    data = reader.open(path)
    bases = page.locator(".leaflet-control-layers-base input").count()
    for index in [*range(1, bases), 0]:  # tile basemaps fail offline, yet the overlays are redrawn
        reader.choose_basemap(index)
        reader.look()
    counts = {"areas": 0, "markers": 0, "neutralised": 0}
    for theme in data["themes"]:
        page.locator(f"label.atlas-theme-option[data-theme={theme['key']}]").click()
        expect(page.locator("html")).to_have_attribute("data-theme", theme["key"])
        reader.look()
        counts["areas"] += reader.hover_and_click("areas")
        # Sites are drawn with their theme (no layer switch); the values switch redraws the labels.
        page.mouse.move(1, 300)
        counts["markers"] += reader.hover_and_click("markers")
        reader.layers()
        page.locator(".leaflet-control-layers-overlays input").first.click()
        reader.look()
        parent = data["areas"][data["areas"]["150571"]["parent"]]["label"]  # the badge sits at its label
        page.evaluate("(p) => __probe.map.panTo(p, { animate: false })", parent)
        badge = page.locator(".atlas-zone")
        badge.hover()
        badge.click()
        expect(page.locator(".leaflet-popup .atlas-popup")).to_have_count(1)
        reader.look()
        reader.close_popup()
        if not data["focus"]:
            page.locator(".atlas-city summary").click()
            expect(page.locator(".atlas-city details")).to_have_attribute("open", "")
            reader.look()
            page.locator(".atlas-city summary").click()  # closed again: it would cover areas
        page.locator(".atlas-open-table").click()
        expect(page.locator(".atlas-table")).to_be_visible()
        reader.look()
        counts["neutralised"] += check_download(reader, data, theme)
        page.locator(".atlas-close").click()
    box = page.locator(".atlas-search-input")
    for query in ["<img src=x onerror=\"__pwn('search')\">", "奈曼旗"]:
        box.fill(query)
        box.press("Enter")
        reader.look()
    expect(page.locator(".atlas-search-msg")).to_have_text("")
    expect(page.locator(".leaflet-popup .atlas-popup h3")).to_have_text("奈曼旗")
    reader.look()
    # Every area on the city map; on a district map at least the district and a neighbour.
    assert counts["areas"] >= len(data["themes"]) * (2 if data["focus"] else 8), counts
    return counts


def test_payloads_in_every_text_column_stay_text_on_every_path(poisoned, offline_page):
    out, planted = poisoned
    for html in out.glob("*.html"):  # no payload's markup reaches the HTML source itself
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"<(img|svg|details|iframe) [^>]*__pwn|<script>__pwn", text), html.name
    reader = Reader(offline_page)
    counts = [exercise(reader, out / name) for name in PAGES]
    assert reader.hits == [] and reader.dialogs == []
    assert [e for e in offline_page.errors if "Failed to load resource" not in e] == []
    assert sum(c["markers"] for c in counts) >= len(PLACED_IN), counts  # markers were there to hover
    assert sum(c["neutralised"] for c in counts) > 0, counts
    seen = "\n".join(reader.seen)
    for key in SHOWN:
        shown = [p for p in planted.get(key, []) if p in seen]
        assert shown, f"no payload of {key} was seen as text"
    for kind in KINDS:  # every kind of payload reached the page as its own text somewhere
        shown = kind[2:-1] if kind.startswith('="') else kind  # the reader unwraps Excel's ="..."
        start = shown.split("{t}")[0] or shown.split("{t}")[1]
        assert start in seen, kind

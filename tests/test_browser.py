"""The built atlas in headless Chromium with the network cut: what a reader sees and clicks.

Every test opens pages through ``offline_page`` (conftest): only file:, data: and
blob: URLs load, anything else is aborted and recorded. Assertions read
fragments of the live page (class names from geo/templates/js/) and compare
them with the JSON payload the page itself carries, so the tests follow the data
instead of a snapshot.

One atlas is built per module: the project's data/ (the session ``atlas``
fixture) or, while data/ does not validate, tests/fixtures/data-small.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import warnings
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from geo.datum import wgs84_to_gcj02
from geo.errors import AtlasError
from geo.pipeline import build_atlas

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SMALL_DATA = ROOT / "tests" / "fixtures" / "data-small"
BOUNDARIES = ROOT / "boundaries"

INDEX = "index.html"
CITY = "tongliao.html"
NAIMAN = "150525-naiman.html"
DISTRICT_PAGES = [
    "150502-keerqin.html",
    "150521-kezuozhong.html",
    "150522-kezuohou.html",
    "150523-kailu.html",
    "150524-kulun.html",
    NAIMAN,
    "150526-zhalute.html",
    "150571-kaifaqu.html",
    "150581-huolinguole.html",
]
MAP_PAGES = [CITY, *DISTRICT_PAGES]
DRAWN = 8  # districts with a published boundary; the development zone has none
HATCH = "url(#atlas-nodata)"
CONTEXT_GREY = "#d9d9d9"
NO_DATA = "暂无公开数据"
NEUTRAL = "#f3efe6"  # fill of a theme with no rate to shade (core.js)
PAYLOAD_RE = re.compile(r'<script type="application/json" id="atlas-data">(.*?)</script>', re.S)

# Installed on every opened map: finds the folium map and the district layers.
HELPERS = """
() => {
  const map = window[Object.keys(window).find((k) => k.startsWith("map_"))];
  const data = JSON.parse(document.getElementById("atlas-data").textContent);
  function polygons() {
    const out = {};
    map.eachLayer((l) => { if (l.feature && l.feature.properties) out[l.feature.properties.code] = l; });
    return out;
  }
  function polygon(code) { return polygons()[code]; }
  function fills() {
    const out = {};
    Object.entries(polygons()).forEach(([code, l]) => { out[code] = l._path.getAttribute("fill"); });
    return out;
  }
  function firstLatLng(code) {
    let ll = polygon(code).getLatLngs();
    while (Array.isArray(ll)) ll = ll[0];
    return [ll.lat, ll.lng];
  }
  function firstCoord(code) {  // [lon, lat] as stored (WGS-84)
    let c = polygon(code).feature.geometry.coordinates;
    while (Array.isArray(c[0])) c = c[0];
    return c;
  }
  // A viewport point where the district's own path is the topmost element:
  // its label point first, else the grid point nearest the middle of its box.
  function pointIn(code) {
    const path = polygon(code)._path;
    const box = path.getBoundingClientRect();
    const tries = [];
    const label = data.areas[code].label;
    if (label) {
      const p = map.latLngToContainerPoint(L.latLng(label[0], label[1]));
      const c = map.getContainer().getBoundingClientRect();
      tries.push([c.left + p.x, c.top + p.y]);
    }
    const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
    const grid = [];
    for (let x = box.left + 2; x < box.right; x += 5)
      for (let y = box.top + 2; y < box.bottom; y += 5) grid.push([x, y]);
    grid.sort((p, q) => Math.hypot(p[0] - cx, p[1] - cy) - Math.hypot(q[0] - cx, q[1] - cy));
    for (const [x, y] of tries.concat(grid)) {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      if (document.elementFromPoint(x, y) === path) return [x, y];
    }
    return null;
  }
  window.__atlasTest = { map, data, polygons, polygon, fills, firstLatLng, firstCoord, pointIn };
}
"""

# Resolves once Leaflet has no zoom or pan animation running or about to start
# (an animated setView starts on the next animation frame).
SETTLE = """
async () => {
  const m = __atlasTest.map;
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  await frame();
  await frame();
  while (m._animatingZoom || (m._panAnim && m._panAnim._inProgress)) await frame();
}
"""


# ---------------------------------------------------------------- fixtures and helpers


def _build_small(out: Path) -> Path:
    build_atlas(SMALL_DATA, BOUNDARIES, out)
    return out


@pytest.fixture(scope="module")
def maps(request, tmp_path_factory) -> Path:
    """The atlas of data/ if it builds, else the atlas of tests/fixtures/data-small."""
    try:
        return request.getfixturevalue("atlas")
    except AtlasError as exc:
        warnings.warn(
            f"data/ does not build ({len(exc.problems)} problem(s)); browser tests use data-small",
            stacklevel=1,
        )
        return _build_small(tmp_path_factory.mktemp("browser-small") / "maps")


def payload(page: Path) -> dict:
    match = PAYLOAD_RE.search(page.read_text(encoding="utf-8"))
    assert match, f"{page.name}: no atlas-data element"
    return json.loads(match.group(1))


def open_map(offline_page, path: Path) -> Page:
    """Open a map page; wait out any view animation (none expected: see test_ready_means_...)."""
    offline_page.open(path)
    offline_page.page.evaluate(HELPERS)
    settle(offline_page.page)
    return offline_page.page


def settle(page: Page) -> None:
    page.evaluate(SETTLE)


def theme_of(data: dict, key: str) -> dict:
    return next(t for t in data["themes"] if t["key"] == key)


def expected_fill(data: dict, theme: dict, code: str) -> str:
    """The fill a district path must have (city map: no context areas)."""
    if theme["choropleth"] is None:
        return NEUTRAL
    value = theme["choropleth"]["values"].get(code)
    if value is None or value["cls"] is None:
        return HATCH
    return theme["classes"][value["cls"]]["color"].lower()


def drawn_codes(data: dict) -> list[str]:
    return sorted(code for code, a in data["areas"].items() if a["drawn"])


def select_theme(page: Page, key: str) -> None:
    page.locator(f"label.atlas-theme-option[data-theme={key}]").click()
    expect(page.locator("html")).to_have_attribute("data-theme", key)


def hover(page: Page, code: str) -> tuple[float, float]:
    point = page.evaluate("(c) => __atlasTest.pointIn(c)", code)
    assert point, f"no visible point of {code} on the map"
    page.mouse.move(1, 400)  # leave whatever was hovered, so mouseover fires
    page.mouse.move(*point)
    return point[0], point[1]


def tooltip(page: Page):
    """The newest tooltip (a closed one fades out for 200 ms before Leaflet removes it)."""
    tips = page.locator(".leaflet-tooltip.atlas-tooltip")
    expect(tips.first).to_be_attached()
    return tips.last


def click_district(page: Page, code: str):
    x, y = hover(page, code)
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup .atlas-popup")
    expect(popup).to_have_count(1)
    return popup


def expand_layers(page: Page) -> None:
    page.hover(".leaflet-control-layers")
    expect(page.locator(".leaflet-control-layers-list")).to_be_visible()


def assert_clean(offline_page) -> None:
    assert offline_page.failed == [], offline_page.failed
    assert offline_page.blocked == [], offline_page.blocked
    assert offline_page.errors == [], offline_page.errors


SCALE = """
() => {
  const m = __atlasTest.map, line = document.querySelector(".leaflet-control-scale-line");
  const y = m.getSize().y / 2;
  const perPx = m.distance(m.containerPointToLatLng([0, y]), m.containerPointToLatLng([100, y])) / 100;
  return { text: line.textContent, width: parseFloat(line.style.width), perPx: perPx };
}
"""


def assert_scale_matches_zoom(page: Page) -> None:
    """The scale bar's label over its width is the map's metres per pixel."""
    scale = page.evaluate(SCALE)
    number, unit = re.fullmatch(r"(\d+) (km|m)", scale["text"]).groups()
    shown = int(number) * (1000 if unit == "km" else 1) / scale["width"]
    assert shown == pytest.approx(scale["perPx"], rel=0.02), scale


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    k = math.pi / 180
    dy = (lat2 - lat1) * k
    dx = (lon2 - lon1) * k * math.cos((lat1 + lat2) / 2 * k)
    return 6_371_000 * math.hypot(dx, dy)


# ---------------------------------------------------------------- 1. every page loads offline


def test_the_atlas_has_every_page(maps):
    assert sorted(p.name for p in maps.glob("*.html")) == sorted([INDEX, *MAP_PAGES])


@pytest.mark.parametrize("name", [INDEX, *MAP_PAGES])
def test_page_loads_offline(maps, offline_page, name):
    page = offline_page.page
    if name == INDEX:
        page.goto((maps / name).as_uri())
        page.wait_for_load_state("load")
        assert "通辽" in page.title()
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map((e) => e.getAttribute('href'))")
        assert set(MAP_PAGES) <= set(hrefs)
        assert_clean(offline_page)
        return
    data = payload(maps / name)
    open_map(offline_page, maps / name)
    area = data["title"]["zh"]
    assert area in page.title()
    expect(page.locator(".atlas-title h1")).to_contain_text(area)
    # Site layers start hidden: the overlay pane holds the district polygons only.
    expect(page.locator(".leaflet-overlay-pane svg path")).to_have_count(DRAWN)
    assert sorted(page.evaluate("Object.keys(__atlasTest.fills())")) == drawn_codes(data)
    expect(page.locator(".atlas-legend")).to_be_visible()
    expect(page.locator(".atlas-legend-row .atlas-swatch").first).to_be_visible()
    expect(page.locator(".atlas-legend-nodata")).to_be_visible()
    expect(page.locator(".leaflet-control-scale")).to_be_visible()
    assert_scale_matches_zoom(page)
    assert page.locator("input[name=atlas-theme]").count() == len(data["themes"])
    assert_clean(offline_page)


READY_PROBE = """
new MutationObserver((changes, observer) => {
  if (!document.documentElement.hasAttribute("data-atlas-ready")) return;
  observer.disconnect();
  const m = window[Object.keys(window).find((k) => k.startsWith("map_"))];
  const line = document.querySelector(".leaflet-control-scale-line");
  window.__atReady = { zoom: m.getZoom(), scale: line ? line.textContent : null };
}).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-atlas-ready"] });
"""


@pytest.mark.parametrize("name", [CITY, NAIMAN])
def test_ready_means_the_first_view_is_final(maps, offline_page, name):
    """data-atlas-ready is set once the first view is drawn: no zoom animation still to run."""
    page = offline_page.page
    page.add_init_script(READY_PROBE)
    offline_page.open(maps / name)
    at_ready = page.evaluate("window.__atReady")
    page.evaluate(HELPERS)
    settle(page)
    final = page.evaluate(
        "({ zoom: __atlasTest.map.getZoom(),"
        " scale: document.querySelector('.leaflet-control-scale-line').textContent })"
    )
    assert at_ready == final, (at_ready, final)


def test_reset_and_fullscreen_buttons(maps, offline_page):
    page = open_map(offline_page, maps / CITY)
    view = "[__atlasTest.map.getZoom(), __atlasTest.map.getCenter().lat, __atlasTest.map.getCenter().lng]"
    home = page.evaluate(view)
    page.evaluate("void __atlasTest.map.setView([45.3, 119.9], 10, { animate: false })")
    assert page.evaluate(view) != pytest.approx(home)
    page.locator(".atlas-reset").click()
    settle(page)
    assert page.evaluate(view) == pytest.approx(home, abs=1e-6)
    page.locator(".atlas-fullscreen").click()
    page.wait_for_function("!!document.fullscreenElement")
    page.locator(".atlas-fullscreen").click()
    page.wait_for_function("!document.fullscreenElement")
    assert page.url.endswith(CITY)  # the buttons are links to "#": their default is prevented
    assert_clean(offline_page)


# ---------------------------------------------------------------- 2. themes


def test_each_theme_restyles_the_districts_and_swaps_the_legend(maps, offline_page):
    data = payload(maps / CITY)
    page = open_map(offline_page, maps / CITY)
    keys = [t["key"] for t in data["themes"]]
    assert len(keys) >= 2
    seen = {}
    for key in [*keys[1:], keys[0]]:  # the default theme last: switching back works too
        theme = theme_of(data, key)
        select_theme(page, key)
        expect(page.locator(f"input[name=atlas-theme][value={key}]")).to_be_checked()
        expect(page.locator(f".atlas-legend-theme[data-theme={key}]")).to_be_visible()
        expect(page.locator(".atlas-legend-theme")).to_have_count(1)
        expect(page.locator(f".atlas-legend-theme:not([data-theme={key}])")).to_have_count(0)
        expect(page.locator(".atlas-title h1")).to_contain_text(theme["zh"])
        if theme["choropleth"]:
            expect(
                page.locator(f".atlas-legend-theme[data-theme={key}] .atlas-legend-shading .atlas-legend-row")
            ).to_have_count(
                len(theme["classes"]) + 1  # + the no-data row
            )
        else:
            expect(page.locator(".atlas-legend-neutral")).to_have_count(1)
        fills = {c: f.lower() for c, f in page.evaluate("__atlasTest.fills()").items()}
        assert fills == {c: expected_fill(data, theme, c) for c in drawn_codes(data)}, key
        seen[key] = tuple(sorted(fills.items()))
    assert len(set(seen.values())) > 1, "every theme drew the same colours"
    assert_clean(offline_page)


# ---------------------------------------------------------------- 3. sites: see test_maps_browser.py


# ---------------------------------------------------------------- 4. tooltips


def test_hover_shows_name_value_and_unit(maps, offline_page):
    page = open_map(offline_page, maps / CITY)
    select_theme(page, "basic")
    hover(page, "150525")
    tip = tooltip(page)
    for text in ("奈曼旗", "Naiman Banner", "37.53", "万人", "2020"):
        expect(tip).to_contain_text(text)
    assert_clean(offline_page)


def test_tooltip_is_not_squeezed_to_one_word_per_line(maps, offline_page):
    page = open_map(offline_page, maps / CITY)
    select_theme(page, "basic")
    hover(page, "150525")
    tip = tooltip(page)
    expect(tip).to_contain_text("37.53")
    value = tip.locator("b").last  # "37.53 万人": one inline box, not broken over two lines
    assert value.evaluate("b => b.getClientRects().length") == 1
    assert tip.bounding_box()["width"] > 150


def test_hover_over_every_district_names_it_with_its_value(maps, offline_page):
    data = payload(maps / CITY)
    page = open_map(offline_page, maps / CITY)
    theme = theme_of(data, page.evaluate("document.documentElement.dataset.theme"))
    for code in drawn_codes(data):
        area = data["areas"][code]
        hover(page, code)
        tip = tooltip(page)
        expect(tip.locator(".atlas-tip-name")).to_have_text(f"{area['zh']} {area['en']}")
        expect(tip.locator(".atlas-tip-metric").first).to_contain_text(theme["metric"]["zh"])
        value = theme["values"].get(code)
        if value:
            expect(tip).to_contain_text(f"{value['text']} {theme['metric']['unit']}")
        else:
            expect(tip).to_contain_text(NO_DATA)
    assert_clean(offline_page)


# ---------------------------------------------------------------- 5. popups and no data


def test_click_opens_popup_with_sources_and_their_type(maps, offline_page):
    data = payload(maps / CITY)
    page = open_map(offline_page, maps / CITY)
    select_theme(page, "basic")
    popup = click_district(page, "150525")
    expect(popup.locator("h3")).to_have_text("奈曼旗")
    expect(popup.locator(":scope > .atlas-en")).to_have_text("Naiman Banner")  # notes have English lines too
    expect(popup.locator(".atlas-headline").first).to_contain_text("37.53 万人")
    expect(popup.locator(".atlas-fact").first).to_be_visible()
    assert popup.locator(".atlas-source").count() >= 1
    assert popup.locator(".atlas-fact .atlas-type").count() >= 1
    source = data["sources"][theme_of(data, "basic")["values"]["150525"]["source"]]
    expect(popup.locator(f".atlas-headline .atlas-type-{source['type']}").first).to_have_text(
        source["typeZh"]
    )
    link = popup.locator(".atlas-source a", has_text=source["title"]).first
    expect(link).to_have_attribute("href", source["url"])
    expect(link).to_have_attribute("rel", re.compile("noopener"))
    # The popup links to the district's own map.
    expect(popup.locator("a.atlas-link")).to_have_attribute("href", NAIMAN)
    assert_clean(offline_page)


def test_clicking_a_district_draws_no_focus_box(maps, offline_page):
    page = open_map(offline_page, maps / CITY)
    click_district(page, "150525")
    outline = page.evaluate(
        "(() => { const p = __atlasTest.polygon('150525')._path;"
        " return document.activeElement === p ? getComputedStyle(p).outlineStyle : 'none'; })()"
    )
    assert outline == "none"


def _no_data_case(data: dict) -> tuple[str, str] | None:
    for theme in data["themes"]:
        for code in drawn_codes(data):
            if theme["choropleth"] and code not in theme["choropleth"]["values"]:
                return theme["key"], code
    return None


def test_district_without_figure_is_hatched_and_says_so(maps, offline_page, tmp_path):
    folder = maps
    case = _no_data_case(payload(maps / CITY))
    if case is None:  # every district has a figure in every theme of data/: use data-small
        folder = _build_small(tmp_path / "maps")
        case = _no_data_case(payload(folder / CITY))
    key, code = case
    page = open_map(offline_page, folder / CITY)
    select_theme(page, key)
    assert page.evaluate("(c) => __atlasTest.fills()[c]", code) == HATCH
    # The pattern the fill points at exists in the same SVG.
    assert page.evaluate("!!document.querySelector('.leaflet-overlay-pane svg pattern#atlas-nodata')")
    hover(page, code)
    expect(tooltip(page)).to_contain_text(NO_DATA)
    popup = click_district(page, code)
    expect(popup.locator(".atlas-headline").first).to_contain_text(NO_DATA)
    # Hover styling must not lose the hatch when the pointer leaves.
    page.mouse.move(1, 400)
    assert page.evaluate("(c) => __atlasTest.fills()[c]", code) == HATCH
    assert_clean(offline_page)


def test_zone_badge_opens_the_development_zone_popup(maps, offline_page):
    page = open_map(offline_page, maps / CITY)
    page.locator(".atlas-zone").click()
    popup = page.locator(".leaflet-popup .atlas-popup")
    expect(popup.locator("h3")).to_have_text("通辽经济技术开发区")
    expect(popup).to_contain_text("无公布边界")
    assert_clean(offline_page)


def test_keyboard_focus_on_a_district_shows_its_tooltip(maps, offline_page):
    page = open_map(offline_page, maps / CITY)
    page.evaluate("__atlasTest.polygon('150525')._path.focus()")
    assert page.evaluate("document.activeElement === __atlasTest.polygon('150525')._path")
    expect(tooltip(page)).to_contain_text("奈曼旗")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("__atlasTest.polygon('150525')._path", "奈曼旗"),
        ("document.querySelector('.atlas-zone-icon')", "通辽经济技术开发区"),
    ],
    ids=["district", "zone-badge"],
)
def test_keyboard_enter_opens_the_popup(maps, offline_page, target, expected):
    page = open_map(offline_page, maps / CITY)
    page.evaluate(f"{target}.focus()")
    assert page.evaluate(f"document.activeElement === {target}")
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup .atlas-popup h3")).to_have_text(expected, timeout=500)


# ---------------------------------------------------------------- 6. search


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("奈曼旗", "奈曼旗"),
        ("naiman", "奈曼旗"),
        ("Naiman Banner", "奈曼旗"),
        ("150525", "奈曼旗"),
        ("开发区", "通辽经济技术开发区"),
    ],
)
def test_search_fits_the_district_and_opens_its_popup(maps, offline_page, query, expected):
    page = open_map(offline_page, maps / CITY)
    page.evaluate("void __atlasTest.map.setView([45.3, 119.9], 10, { animate: false })")  # somewhere else
    box = page.locator(".atlas-search-input")
    box.fill(query)
    box.press("Enter")
    popup = page.locator(".leaflet-popup .atlas-popup")
    expect(popup).to_have_count(1)
    expect(popup.locator("h3")).to_have_text(expected)
    expect(page.locator(".atlas-search-msg")).to_have_text("")
    settle(page)
    if expected == "奈曼旗":
        assert page.evaluate(
            "__atlasTest.map.getBounds().pad(0.01).contains(__atlasTest.polygon('150525').getBounds())"
        )
    assert_clean(offline_page)


def test_enter_searches_once(maps, offline_page):
    page = open_map(offline_page, maps / CITY)
    page.evaluate("window.__opened = 0; __atlasTest.map.on('popupopen', () => window.__opened++)")
    box = page.locator(".atlas-search-input")
    box.fill("naiman")
    box.press("Enter")
    expect(page.locator(".leaflet-popup .atlas-popup")).to_have_count(1)
    settle(page)
    assert page.evaluate("window.__opened") == 1


def test_search_for_nonsense_says_not_found(maps, offline_page):
    page = open_map(offline_page, maps / CITY)
    box = page.locator(".atlas-search-input")
    box.fill("xyzzy 不存在")
    box.press("Enter")
    expect(page.locator(".atlas-search-msg")).to_contain_text("未找到")
    expect(page.locator(".atlas-search-msg")).to_be_visible()
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    assert_clean(offline_page)


# ---------------------------------------------------------------- 7. data table and CSV


def test_data_table_lists_the_theme_and_downloads_csv(maps, offline_page):
    data = payload(maps / CITY)
    page = open_map(offline_page, maps / CITY)
    select_theme(page, "basic")
    basic = theme_of(data, "basic")
    count = sum(len(facts) for facts in basic["facts"].values()) + len(basic["sites"])
    table = page.locator(".atlas-table")
    expect(table).to_be_hidden()
    page.locator(".atlas-open-table").click()
    expect(table).to_be_visible()
    expect(table.locator(".atlas-table-bar")).to_contain_text(f"{basic['zh']} · {count} 条")
    expect(table.locator("tbody tr")).to_have_count(count)
    expect(table.locator("tbody tr", has_text="奈曼旗").filter(has_text="37.53")).not_to_have_count(0)

    with page.expect_download() as info:
        table.locator(".atlas-download").click()
    download = info.value
    assert download.suggested_filename == "tongliao-city-basic.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:6] == ["地区 area", "代码 code", "指标 metric", "数值 value", "单位 unit", "年份 year"]
    assert len(rows) == count + 1
    assert any(r[0] == "奈曼旗" and r[1] == "150525" and r[3] == "37.53" for r in rows[1:])

    # Another theme while the table is open: the table follows it.
    other = next(t for t in data["themes"] if t["key"] != "basic")
    select_theme(page, other["key"])
    other_count = sum(len(facts) for facts in other["facts"].values()) + len(other["sites"])
    expect(table.locator(".atlas-table-bar")).to_contain_text(f"{other['zh']} · {other_count} 条")
    table.locator(".atlas-close").click()
    expect(table).to_be_hidden()
    assert_clean(offline_page)


# ---------------------------------------------------------------- 8. data is never markup

PAYLOAD_NOTE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>{{ 7*7 }}'
PAYLOAD_TITLE = "</script><b>bold</b>"


def test_markup_in_facts_renders_inert(small_data, tmp_path, offline_page):
    with (small_data / "sources.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(["xss", PAYLOAD_TITLE, "<i>pub</i>", "2020", "", "news", "", ""])
    with (small_data / "facts.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(
            ["150525", "basic", "area_published", "8120", "km²", "2021", "xss", PAYLOAD_NOTE, PAYLOAD_NOTE]
        )
    out = tmp_path / "maps"
    build_atlas(small_data, BOUNDARIES, out, district="150525")
    for html_file in out.glob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        assert "<img src=x" not in html, html_file.name
        assert PAYLOAD_TITLE not in html and "<b>bold" not in html, html_file.name
        assert "window.__pwned=2</script>" not in html, html_file.name

    page = open_map(offline_page, out / NAIMAN)
    popup = click_district(page, "150525")
    expect(popup.locator(".atlas-source", has_text=PAYLOAD_TITLE)).to_have_count(1)
    text = popup.evaluate("el => el.textContent")
    assert "<img src=x" in text and "{{ 7*7 }}" in text and PAYLOAD_TITLE in text
    # The note arrives verbatim: not parsed as HTML, not evaluated as a template ({{ 7*7 }} is not 49).
    expect(popup.locator(".atlas-fact .atlas-note", has_text="<img src=x")).to_have_text(PAYLOAD_NOTE)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert popup.locator("img, script, i").count() == 0
    assert "bold" not in popup.evaluate(
        "el => Array.from(el.querySelectorAll('b')).map((b) => b.textContent)"
    )
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    # The data table shows the same texts, as text.
    page.locator(".atlas-open-table").click()
    expect(page.locator(".atlas-table td", has_text=PAYLOAD_TITLE)).to_have_count(1)
    assert page.locator(".atlas-table img, .atlas-table script").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert_clean(offline_page)


# ---------------------------------------------------------------- 9. district map


def test_district_map_greys_the_others_and_links_back(maps, offline_page):
    data = payload(maps / NAIMAN)
    page = open_map(offline_page, maps / NAIMAN)
    fills = {c: f.lower() for c, f in page.evaluate("__atlasTest.fills()").items()}
    theme = theme_of(data, page.evaluate("document.documentElement.dataset.theme"))
    assert fills.pop("150525") == expected_fill(data, theme, "150525")
    assert set(fills.values()) == {CONTEXT_GREY}
    expect(page.locator(".atlas-nav a[href='tongliao.html']")).to_have_count(1)
    expect(page.locator(".atlas-legend")).to_contain_text("其他地区 other areas")

    hover(page, "150525")
    expect(tooltip(page)).to_contain_text("奈曼旗")
    hover(page, "150524")
    tip = tooltip(page)
    expect(tip).to_contain_text("库伦旗")
    expect(tip).to_contain_text("点击查看，可打开该地区地图")
    expect(tip).to_contain_text("click for its figures and map")
    # A neighbour's value is on this page too: comparing needs no page change.
    kulun = theme["values"].get("150524")
    expect(tip).to_contain_text(kulun["text"] if kulun else NO_DATA)
    popup = click_district(page, "150524")
    expect(popup.locator("a[href='150524-kulun.html']")).to_have_count(1)
    assert_clean(offline_page)


# ---------------------------------------------------------------- 10. GCJ-02 for the Amap basemap


def test_amap_basemap_shifts_overlays_to_gcj02(maps, offline_page):
    page = open_map(offline_page, maps / CITY)
    codes = page.evaluate("Object.keys(__atlasTest.fills()).sort()")
    before = {c: page.evaluate("(c) => __atlasTest.firstLatLng(c)", c) for c in codes}
    stored = {c: page.evaluate("(c) => __atlasTest.firstCoord(c)", c) for c in codes}
    for c in codes:  # WGS-84 basemap: drawn where stored
        assert before[c] == pytest.approx([stored[c][1], stored[c][0]], abs=1e-12)

    expand_layers(page)
    page.locator(".leaflet-control-layers-base label", has_text="高德地图").locator("input").check()
    for c in codes:
        lon, lat = stored[c]
        g_lon, g_lat = page.evaluate("([lon, lat]) => TongliaoAtlas.wgsToGcj(lon, lat)", [lon, lat])
        after = page.evaluate("(c) => __atlasTest.firstLatLng(c)", c)
        assert after == pytest.approx([g_lat, g_lon], abs=1e-12), c
        assert 300 < metres(before[c][0], before[c][1], after[0], after[1]) < 800, c
    # The district polygons are still clickable after the redraw.
    popup = click_district(page, "150525")
    expect(popup.locator("h3")).to_have_text("奈曼旗")
    page.keyboard.press("Escape")

    # Back to a WGS-84 basemap: back where stored, not shifted twice or left shifted.
    expand_layers(page)
    page.locator(".leaflet-control-layers-base label", has_text="无底图").locator("input").check()
    for c in codes:
        assert page.evaluate("(c) => __atlasTest.firstLatLng(c)", c) == pytest.approx(before[c], abs=1e-12)
    # Only Amap tiles were asked for (and refused by the closed network).
    assert offline_page.blocked and all("autonavi.com" in u for u in offline_page.blocked)
    assert [e for e in offline_page.errors if "Failed to load resource" not in e] == []


def test_js_gcj02_agrees_with_python(maps, offline_page):
    page = open_map(offline_page, maps / CITY)
    points = [(119.2, 42.2), (121.4, 43.0), (122.26, 43.62), (120.65, 42.85), (119.65, 45.53), (123.7, 44.9)]
    for lon, lat in points:
        js = page.evaluate("([lon, lat]) => TongliaoAtlas.wgsToGcj(lon, lat)", [lon, lat])
        py = wgs84_to_gcj02(lon, lat)
        assert js == pytest.approx(list(py), abs=1e-9), (lon, lat)
        assert 300 < metres(lat, lon, py[1], py[0]) < 800
    # Outside China both leave the point alone.
    assert page.evaluate("TongliaoAtlas.wgsToGcj(2.35, 48.85)") == [2.35, 48.85]
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


# ---------------------------------------------------------------- 11. screenshot

COUNT_COLOURS = """
async (b64) => {
  const img = new Image();
  img.src = "data:image/png;base64," + b64;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const px = new Uint32Array(ctx.getImageData(0, 0, img.width, img.height).data.buffer);
  const counts = new Map();
  for (const p of px) counts.set(p, (counts.get(p) || 0) + 1);
  const top = Math.max(...counts.values()) / px.length;
  return { width: img.width, height: img.height, colours: counts.size, top: top };
}
"""


def test_city_map_screenshot_is_not_blank(maps, offline_page, tmp_path):
    import base64

    data = payload(maps / CITY)
    page = open_map(offline_page, maps / CITY)
    shot = page.screenshot(path=tmp_path / "tongliao.png")
    stats = page.evaluate(COUNT_COLOURS, base64.b64encode(shot).decode("ascii"))
    assert (stats["width"], stats["height"]) == (1280, 800)
    assert stats["colours"] > 200, stats  # polygons, labels and text, not an empty canvas
    assert stats["top"] < 0.8, stats  # the background does not fill the picture
    # Every class colour in use on the default theme shows up somewhere.
    theme = theme_of(data, page.evaluate("document.documentElement.dataset.theme"))
    used = {expected_fill(data, theme, c) for c in drawn_codes(data)} - {HATCH, NEUTRAL}
    assert used and used <= {f.lower() for f in page.evaluate("Object.values(__atlasTest.fills())")}
    assert_clean(offline_page)


# ---------------------------------------------------------------- 12. the page's own guards

# (cell as the table holds it, what the CSV file must hold)
CSV_CELLS = [
    ("plain", "plain"),
    ("a,b", '"a,b"'),
    ('say "hi"', '"say ""hi"""'),
    ("two\nlines", '"two\nlines"'),
    ("bare\rcr", '"bare\rcr"'),
    ("=1+1", '"\'=1+1"'),
    ("+1", '"\'+1"'),
    ("-2+3", '"\'-2+3"'),
    ("@SUM(1)", '"\'@SUM(1)"'),
    ("\t=1", '"\'\t=1"'),
    ("\r=1", '"\'\r=1"'),
    ("x\r=1+1", '"\'x\r=1+1"'),
    ("x\n@cmd", '"\'x\n@cmd"'),
    ("x\r\n+1", '"\'x\r\n+1"'),
    ("x\n\tA", '"\'x\n\tA"'),
    ("1-2", "1-2"),  # a minus inside is no formula
    ({"number": "151133"}, "151133"),
    ({"number": "-3.50"}, "-3.50"),
    ({"number": "=1+1"}, '"\'=1+1"'),  # not a plain number: written as text, neutralised
]


@pytest.mark.parametrize(("cell", "expected"), CSV_CELLS)
def test_csv_cells_are_quoted_and_neutralised(maps, offline_page, cell, expected):
    page = open_map(offline_page, maps / CITY)
    assert page.evaluate("(c) => TongliaoAtlas.csv.cell(c)", cell) == expected
    # Python's csv reads the cell back as one cell, with the text intact.
    parsed = next(csv.reader(io.StringIO(expected + ",end", newline="")))
    assert parsed[-1] == "end" and len(parsed) == 2


@pytest.mark.parametrize(
    ("url", "tag"),
    [
        ("https://example.org/a", "A"),
        ("HTTP://example.org", "A"),
        ("javascript:alert(1)", "SPAN"),
        (" javascript:alert(1)", "SPAN"),
        ("data:text/html,x", "SPAN"),
        ("//example.org", "SPAN"),
        ("", "SPAN"),
    ],
)
def test_only_web_addresses_become_links(maps, offline_page, url, tag):
    page = open_map(offline_page, maps / CITY)
    made = page.evaluate(
        "(u) => { const n = TongliaoAtlas.dom.link(u, 'title'); return [n.tagName, n.textContent]; }", url
    )
    assert made == [tag, "title"]


@pytest.mark.parametrize(
    "call",
    [
        "TongliaoAtlas.dom.node('<b>x</b>')",
        "TongliaoAtlas.dom.content(() => '<b>x</b>')()",
        "TongliaoAtlas.dom.el('a', { href: 'javascript:alert(1)' })",
        "TongliaoAtlas.dom.el('div', { onclick: 'alert(1)' })",
    ],
)
def test_strings_never_reach_leaflet_or_attributes(maps, offline_page, call):
    """A string where a node belongs, a script link or a handler attribute is an error, not markup."""
    page = open_map(offline_page, maps / CITY)
    outcome = page.evaluate(f"() => {{ try {{ {call}; return 'made'; }} catch (e) {{ return 'refused'; }} }}")
    assert outcome == "refused"

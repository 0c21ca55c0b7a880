"""Issue 13 in headless Chromium: phone, paper, PNG, the view in the URL, search, offline tiles, keyboard.

Pages open through ``offline_page`` (conftest: only file:, data: and blob: URLs
load). The search test runs the page's search over tests/fixtures/search-cases.csv,
the table that tests/test_areas.py checks against geo.areas.match.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_areas import search_cases
from test_browser import CITY, HELPERS, INDEX, NAIMAN, SETTLE, open_map, payload, settle

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_page(browser):
    from conftest import OfflinePage

    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, accept_downloads=True)
    yield OfflinePage(context.new_page())
    context.close()


def centre_hit(page: Page, selector: str) -> bool:
    """Whether a tap at the middle of `selector` reaches it (or a node inside it)."""
    return page.evaluate(
        """(sel) => {
          const n = document.querySelector(sel), r = n.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return n === hit || n.contains(hit);
        }""",
        selector,
    )


# ---------------------------------------------------------------- 1. small screens


def test_phone_taps_reach_the_search_box_and_the_back_link(atlas, phone_page):
    page = open_map(phone_page, atlas / NAIMAN)
    assert centre_hit(page, ".atlas-nav a[href='tongliao.html']")
    expect(page.locator(".atlas-search-input")).to_be_hidden()  # folded to its button
    assert centre_hit(page, "[data-fold=search]")
    page.locator("[data-fold=search]").tap()
    expect(page.locator(".atlas-search-input")).to_be_focused()
    assert centre_hit(page, ".atlas-search-input")


def test_phone_panels_fold_to_buttons_and_the_map_fills_the_screen(atlas, phone_page):
    page = open_map(phone_page, atlas / CITY)
    box = page.evaluate("document.querySelector('.folium-map').getBoundingClientRect().toJSON()")
    assert (box["width"], box["height"]) == (PHONE["width"], PHONE["height"])
    expect(page.locator(".atlas-legend")).to_be_hidden()
    page.locator("[data-fold=panel]").tap()
    expect(page.locator(".atlas-legend")).to_be_visible()
    expect(page.locator("[data-fold=panel]")).to_have_attribute("aria-expanded", "true")


def test_phone_city_map_gives_labels_room(atlas, phone_page):
    page = open_map(phone_page, atlas / CITY)
    page.evaluate("location.hash = '#theme=energy'")  # a theme with site symbols
    expect(page.locator("label.atlas-theme-option[data-theme=energy] input")).to_be_checked()
    # English name lines and the words of the site symbols give way; names and counts stay.
    expect(page.locator(".atlas-label > small").first).to_be_hidden()
    expect(page.locator(".atlas-label > span").first).to_be_visible()
    expect(page.locator(".atlas-sum[data-code] .atlas-sum-words").first).to_be_attached()
    expect(page.locator(".atlas-sum[data-code] .atlas-sum-words").first).to_be_hidden()
    expect(page.locator(".atlas-sum[data-code]").first).to_be_visible()
    # The areas start below the title: no polygon is under it.
    title = page.evaluate("document.querySelector('.atlas-title').getBoundingClientRect().bottom")
    top = page.evaluate(
        "Math.min(...[...document.querySelectorAll(\"path.leaflet-interactive[tabindex='0']\")]"
        ".map(p => p.getBoundingClientRect().top))"
    )
    assert top >= title
    # A district page keeps both: its map has the room.
    page = open_map(phone_page, atlas / NAIMAN)
    expect(page.locator(".atlas-label > small").first).to_be_visible()


# What a symbol beside a label must not cover, and what it is: area labels and sites at their
# printed position stay where they are; site symbols and the zone's badge step aside (declutter.js).
COVERED = """() => {
  const boxes = (sel) => [...document.querySelectorAll(sel)].map((n) => {
    const r = n.getBoundingClientRect();
    const what = n.getAttribute("data-code") || n.className.split(" ")[0];
    return { what: what + " " + n.textContent.trim(), r };
  });
  const pane = ".leaflet-marker-pane ";
  const fixed = boxes(pane + ".atlas-label, " + pane + ".atlas-point");
  const movable = boxes(pane + ".atlas-sum-icon > .atlas-sum, " + pane + ".atlas-zone");
  const map = document.querySelector(".folium-map").getBoundingClientRect();
  const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const out = [];
  const seen = (r) => r.right > map.left && r.left < map.right && r.bottom > map.top && r.top < map.bottom;
  movable.forEach((m, i) => {
    const r = m.r;
    if (r.left < map.left || r.right > map.right || r.top < map.top || r.bottom > map.bottom) {
      out.push(m.what + " | past the edge");
    }
    fixed.concat(movable.slice(i + 1)).forEach((o) => {
      if (seen(r) && hit(r, o.r)) out.push(m.what + " | " + o.what);
    });
  });
  return { out, movable: movable.length };
}"""
# After zooming in, some boxes lie beyond the edge with their areas: only overlaps count.
OVERLAPS = "(" + COVERED + ")().out.filter((line) => !line.endsWith('past the edge'))"


@pytest.mark.parametrize("size", [(1366, 768), (1200, 760), (390, 844)], ids=["desktop", "readme", "phone"])
@pytest.mark.parametrize("theme", ["basic", "industry", "energy", "desert", "agri"])
def test_site_symbols_and_the_zone_badge_cover_no_label_and_stay_on_the_map(atlas, browser, theme, size):
    from conftest import OfflinePage

    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = open_map(OfflinePage(context.new_page()), atlas / CITY)
        page.locator(f"label.atlas-theme-option[data-theme={theme}]").dispatch_event("click")
        expect(page.locator("html")).to_have_attribute("data-theme", theme)
        covered = page.evaluate(COVERED)
        assert covered["movable"] >= 1  # the zone's badge, and the site symbols of a theme that has them
        assert covered["out"] == []
        # and after zooming in, where the labels stand further apart
        page.evaluate("__atlasTest.map.setZoom(__atlasTest.map.getZoom() + 1, { animate: false })")
        assert page.evaluate(OVERLAPS) == []
    finally:
        context.close()


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", [NAIMAN, "150571-kaifaqu.html"])
def test_on_a_district_page_symbols_cover_no_label_and_the_zone_badge_stays_on_screen(
    atlas, browser, name, size
):
    # Neighbours' symbols may stand at the edge with their areas: here only overlaps count,
    # and the zone's badge (on its own page, the page's subject) must be whole on screen.
    from conftest import OfflinePage

    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = open_map(OfflinePage(context.new_page()), atlas / name)
        for theme in (None, "industry", "energy"):  # as the page opens, then after switches
            if theme:
                page.locator(f"label.atlas-theme-option[data-theme={theme}]").dispatch_event("click")
                expect(page.locator("html")).to_have_attribute("data-theme", theme)
            assert page.evaluate(OVERLAPS) == []
            badge = page.evaluate(
                "document.querySelector('.leaflet-marker-pane .atlas-zone').getBoundingClientRect().toJSON()"
            )
            if name.startswith("150571"):
                assert badge["left"] >= 0 and badge["right"] <= size[0], badge
                assert badge["top"] >= 0 and badge["bottom"] <= size[1], badge
    finally:
        context.close()


def test_the_profile_card_opens_on_a_desktop_and_starts_closed_on_a_phone(atlas, offline_page, phone_page):
    is_open = "document.querySelector('details.atlas-profile').open"
    assert open_map(offline_page, atlas / NAIMAN).evaluate(is_open) is True
    page = open_map(phone_page, atlas / NAIMAN)
    expect(page.locator("details.atlas-profile")).to_be_visible()
    assert page.evaluate(is_open) is False


def test_phone_popup_fits_the_screen(atlas, phone_page):
    page = open_map(phone_page, atlas / CITY)
    page.locator("[data-fold=search]").tap()
    page.locator(".atlas-search-input").fill("naiman")
    page.locator(".atlas-search-input").press("Enter")
    expect(page.locator(".leaflet-popup h3")).to_have_text("奈曼旗")
    page.evaluate(SETTLE)
    box = page.evaluate("document.querySelector('.leaflet-popup').getBoundingClientRect().toJSON()")
    assert box["left"] >= 0 and box["right"] <= PHONE["width"], box
    assert box["top"] >= 0 and box["bottom"] <= PHONE["height"], box


def test_phone_text_is_at_least_12px_and_pinch_zoom_is_allowed(atlas, phone_page):
    page = open_map(phone_page, atlas / CITY)
    viewport = page.evaluate("document.querySelector('meta[name=viewport]').content")
    assert "user-scalable" not in viewport and "maximum-scale" not in viewport
    page.locator("[data-fold=panel]").tap()
    small = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter((n) =>
            [...n.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim())
            && n.getClientRects().length && parseFloat(getComputedStyle(n).fontSize) < 12
          ).map((n) => n.className + ': ' + n.textContent.slice(0, 30))"""
    )
    assert small == []


def test_phone_index_reads_without_sideways_scrolling(atlas, phone_page):
    phone_page.page.goto((atlas / INDEX).as_uri())
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# ---------------------------------------------------------------- 2. print


@pytest.mark.parametrize("landscape", [True, False], ids=["landscape", "portrait"])
def test_print_one_a4_page_with_title_legend_and_sources_beside_the_map(atlas, offline_page, landscape):
    page = open_map(offline_page, atlas / CITY)
    if not landscape:
        page.set_viewport_size({"width": 794, "height": 1123})
    page.emulate_media(media="print")
    expect(page.locator("html")).to_have_attribute("data-atlas-print", "paper")
    expect(page.locator(".leaflet-control-container")).to_be_hidden()
    block = page.locator(".atlas-print")
    expect(block).to_be_visible()
    expect(block.locator("h1")).to_contain_text("通辽市")
    expect(block.locator(".atlas-legend")).to_be_visible()
    expect(block.locator(".atlas-print-sources")).to_contain_text("来源 Sources")
    expect(block.locator(".atlas-print-sources")).to_contain_text("newest source: 20")
    overlap = page.evaluate(
        """() => { const a = document.querySelector('.folium-map').getBoundingClientRect(),
                     b = document.querySelector('.atlas-print').getBoundingClientRect();
                   return !(b.left >= a.right || b.top >= a.bottom
                            || b.right <= a.left || b.bottom <= a.top); }"""
    )
    assert not overlap
    pdf = page.pdf(format="A4", landscape=landscape, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_print_button_is_there(atlas, offline_page):
    page = open_map(offline_page, atlas / CITY)
    expect(page.get_by_role("button", name="打印 Print")).to_be_visible()


# ---------------------------------------------------------------- 3. PNG


def test_png_button_saves_the_view_at_twice_the_resolution(atlas, offline_page):
    page = open_map(offline_page, atlas / NAIMAN)
    with page.expect_download() as info:
        page.get_by_role("button", name="图片 PNG").click()
    download = info.value
    assert download.suggested_filename == "tongliao-150525-basic.png"
    data = Path(download.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (2 * 1280, 2 * 800)
    assert len(data) > 50_000  # areas, labels and legend, not a blank canvas
    assert offline_page.errors == []


# ---------------------------------------------------------------- 6. the view in the URL


def test_hash_opens_a_view_and_back_returns_to_the_previous_one(atlas, offline_page):
    page = offline_page.page
    page.goto((atlas / CITY).as_uri() + "#theme=energy&show=values")
    page.wait_for_selector("html[data-atlas-ready]")
    expect(page.locator("html")).to_have_attribute("data-theme", "energy")
    expect(page.locator(".leaflet-control-layers-overlays input")).to_be_checked()
    page.locator("label.atlas-theme-option[data-theme=desert]").click()
    # the address follows once the switch is drawn (hash.js), not within the click
    expect(page).to_have_url(re.compile(r"#theme=desert&show=values$"))
    page.go_back()
    expect(page.locator("html")).to_have_attribute("data-theme", "energy")
    page.go_forward()
    expect(page.locator("html")).to_have_attribute("data-theme", "desert")


def test_links_between_city_and_district_carry_the_view(atlas, offline_page):
    page = offline_page.page
    page.goto((atlas / CITY).as_uri() + "#theme=energy")
    page.wait_for_selector("html[data-atlas-ready]")
    page.locator(".atlas-search-input").fill("naiman")
    page.locator(".atlas-search-input").press("Enter")
    # The popup pans the map to show itself: a click during the pan can land beside the link
    # (about 1 run in 20 on a busy machine), so click once the map stands still.
    page.locator(".leaflet-popup a.atlas-link").wait_for()
    page.evaluate(HELPERS)
    settle(page)
    page.locator(".leaflet-popup a.atlas-link").click()
    page.wait_for_url(re.compile(r"150525-naiman\.html#theme=energy$"))
    page.wait_for_selector("html[data-atlas-ready]")
    expect(page.locator("html")).to_have_attribute("data-theme", "energy")
    page.locator(".atlas-nav a[href^='tongliao.html']").click()
    page.wait_for_url(re.compile(r"tongliao\.html#theme=energy$"))
    page.go_back()
    page.wait_for_url(re.compile(r"150525-naiman\.html#theme=energy$"))


def test_copy_link_copies_the_address_with_the_view(atlas, offline_page):
    page = offline_page.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto((atlas / CITY).as_uri() + "#theme=agri")
    page.wait_for_selector("html[data-atlas-ready]")
    page.get_by_role("button", name="复制链接 Copy link").click()
    expect(page.locator(".atlas-tools-msg")).to_have_text("已复制链接 link copied")
    assert page.evaluate("navigator.clipboard.readText()").endswith("tongliao.html#theme=agri")


def test_copy_link_within_the_click_that_changed_the_view_copies_the_new_view(atlas, offline_page):
    # The address is written after the switch is drawn; a copy in the same task must not
    # copy the view before it.
    page = offline_page.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto((atlas / CITY).as_uri() + "#theme=agri")
    page.wait_for_selector("html[data-atlas-ready]")
    page.evaluate(
        """() => {
        document.querySelector("input[name=atlas-theme][value=desert]").click();
        document.querySelector(".atlas-copy-link").click();
    }"""
    )
    expect(page.locator(".atlas-tools-msg")).to_have_text("已复制链接 link copied")
    assert page.evaluate("navigator.clipboard.readText()").endswith("tongliao.html#theme=desert")


# ---------------------------------------------------------------- 7. search


def test_the_page_search_finds_what_the_command_line_finds(atlas, offline_page):
    page = open_map(offline_page, atlas / CITY)
    names = {code: a["zh"] for code, a in payload(atlas / CITY)["areas"].items()}
    box = page.locator(".atlas-search-input")
    wrong = []
    for query, kind, codes in search_cases():
        page.keyboard.press("Escape")
        expect(page.locator(".leaflet-popup")).to_have_count(0)
        box.fill(query)
        box.press("Enter")
        codes = codes.split("|") if codes else []
        if kind == "none":
            got = page.locator(".atlas-search-msg").text_content()
            ok = got.startswith("未找到")
        elif len(codes) > 1:
            got = page.locator(".atlas-search-choice").all_text_contents()
            ok = [g.split(" ")[0] for g in got] == [names[c] for c in codes]
        elif codes == ["150500"]:
            got = page.locator(".atlas-search-msg").text_content()
            ok = got == "" and page.locator(".leaflet-popup").count() == 0
        else:
            got = page.locator(".leaflet-popup h3").text_content()
            ok = got == names[codes[0]]
        if not ok:
            wrong.append((query, kind, codes, got))
    assert wrong == []


def test_ambiguous_search_lists_clickable_matches(atlas, offline_page):
    page = open_map(offline_page, atlas / CITY)
    page.locator(".atlas-search-input").fill("kezuo")
    page.locator(".atlas-search-input").press("Enter")
    page.locator(".atlas-search-choice", has_text="科尔沁左翼后旗").click()
    expect(page.locator(".leaflet-popup h3")).to_have_text("科尔沁左翼后旗")


def test_the_city_name_on_a_district_page_opens_the_city_map(atlas, offline_page):
    page = open_map(offline_page, atlas / NAIMAN)
    page.locator(".atlas-search-input").fill("通辽市")
    page.locator(".atlas-search-input").press("Enter")
    page.wait_for_url(re.compile(r"tongliao\.html$"))


# ---------------------------------------------------------------- 8. offline basemaps


def test_failed_tiles_show_one_note_and_the_areas_stay_usable(atlas, offline_page):
    page = offline_page.page
    page.goto((atlas / CITY).as_uri() + "#basemap=osm")
    page.wait_for_selector("html[data-atlas-ready]")
    note = page.locator(".atlas-tile-note")
    expect(note).to_be_visible()
    expect(note).to_have_text("底图需要联网 · the basemap needs internet")
    assert offline_page.blocked  # the tiles were asked for and refused
    page.locator(".atlas-search-input").fill("kailu")
    page.locator(".atlas-search-input").press("Enter")
    expect(page.locator(".leaflet-popup h3")).to_have_text("开鲁县")


# ---------------------------------------------------------------- 4. keyboard


def test_themes_are_reached_within_three_tabs(atlas, offline_page):
    page = open_map(offline_page, atlas / CITY)
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "atlas-theme"


def test_skip_link_moves_focus_to_the_themes(atlas, offline_page):
    page = open_map(offline_page, atlas / CITY)
    page.keyboard.press("Tab")
    expect(page.locator(".atlas-skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".atlas-themes input:checked")).to_be_focused()
    page.keyboard.press("ArrowDown")  # radio keys switch the theme
    expect(page.locator("html")).to_have_attribute("data-theme", "industry")


def test_areas_have_names_and_enter_opens_the_popup_with_focus_in_it(atlas, offline_page):
    page = open_map(offline_page, atlas / CITY)
    data = payload(atlas / CITY)
    value = data["themes"][0]["values"]["150525"]
    unit = data["themes"][0]["metric"]["unit"]
    naiman = page.locator("path[aria-label^='奈曼旗']")
    name = f"奈曼旗 Naiman Banner: {value['text']} {unit}, {value['year']}"
    expect(naiman).to_have_attribute("aria-label", name)
    paths = page.locator("path.leaflet-interactive[tabindex='0']")
    assert paths.count() == sum(1 for a in data["areas"].values() if a["drawn"])
    naiman.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    expect(naiman).to_be_focused()


def test_escape_closes_the_data_table_from_anywhere(atlas, offline_page):
    page = open_map(offline_page, atlas / CITY)
    page.locator(".atlas-open-table").click()
    expect(page.locator(".atlas-table")).to_be_visible()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Escape")
    expect(page.locator(".atlas-table")).to_be_hidden()
    expect(page.locator(".atlas-open-table")).to_be_focused()


def test_leaflet_buttons_speak_chinese_and_english(atlas, offline_page):
    page = open_map(offline_page, atlas / CITY)
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "放大 Zoom in")
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("aria-label", "缩小 Zoom out")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    expect(page.locator(".atlas-title h1 small")).to_have_attribute("lang", "en")


# ---------------------------------------------------------------- 10. CSV


def test_all_themes_csv_has_plain_numbers_sources_and_sites(atlas, offline_page):
    import csv
    import io

    data = payload(atlas / CITY)
    page = open_map(offline_page, atlas / CITY)
    page.locator(".atlas-open-table").click()
    with page.expect_download() as info:
        page.locator(".atlas-download-all").click()
    assert info.value.suggested_filename == "tongliao-city-all.csv"
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_bytes().decode("utf-8-sig"), newline="")))
    head = rows[0]
    assert head == [
        "地区 area", "代码 code", "指标 metric", "数值 value", "单位 unit", "年份 year", "来源 source",
        "来源类型 type", "网址 url", "限定 qualifier", "说明 note", "中文备注 note (Chinese)",
        "发布者 publisher", "来源日期 source date", "专题 theme",
    ]  # fmt: skip
    facts = sum(len(f) for t in data["themes"] for f in t["facts"].values())
    sites = sum(len(t["sites"]) for t in data["themes"])
    assert len(rows) == 1 + facts + sites
    assert {r[-1] for r in rows[1:]} == {f"{t['zh']} {t['en']}" for t in data["themes"]}
    assert all(re.fullmatch(r"-?\d+(\.\d+)?|", r[3]) for r in rows[1:])  # no digit grouping
    assert sum(r[2].startswith("项目 site") for r in rows[1:]) == sites
    naiman = next(r for r in rows[1:] if r[1] == "150525" and r[3] == "37.53")
    source = data["sources"][data["themes"][0]["values"]["150525"]["source"]]
    assert naiman[12:14] == [source["publisher"], source["date"]]
    qualified = [f for t in data["themes"] for fs in t["facts"].values() for f in fs if f.get("qualifier")]
    assert (
        qualified
    )  # the data has qualifiers (约, 超过 ...): each is a cell of its own, the number stays plain
    assert sum(r[9] != "" for r in rows[1:]) == len(qualified)


# ---------------------------------------------------------------- 9. words for people


@pytest.mark.parametrize("name", [CITY, NAIMAN])
def test_no_file_names_reach_the_page(atlas, name):
    data = payload(atlas / name)
    items = [f for t in data["themes"] for fs in t["facts"].values() for f in fs]
    items += [s for t in data["themes"] for s in t["sites"]]
    notes = [item[key] for item in items for key in ("note", "noteZh")]
    assert [n for n in notes if re.search(r"\.(md|csv|txt|py)\b", n)] == []
    assert any("公开资料汇编 compiled public facts" in n for n in notes)


def test_tab_goes_through_the_layer_control_and_out(atlas, offline_page):
    page = open_map(offline_page, atlas / CITY)
    page.locator(".leaflet-control-layers-toggle").focus()
    expect(page.locator(".leaflet-control-layers-base input:checked")).to_be_focused()
    for _ in range(8):
        page.keyboard.press("Tab")
        if not page.evaluate("!!document.activeElement.closest('.atlas-layers')"):
            break
    assert page.evaluate("document.activeElement !== document.body")
    expect(page.locator(".leaflet-control-layers-list")).to_be_hidden()

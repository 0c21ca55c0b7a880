"""What the maps show (issue 12), in headless Chromium with the network cut.

Amounts as circles on one scale, named sites on every theme (markers at printed
positions, one summed symbol per area), years and caveats in view, values on
labels, the zone's page about the zone, and the profile card of a district page.
Expectations come from the payload each page carries and from data/ itself.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CITY = "tongliao.html"
NAIMAN = "150525-naiman.html"
ZONE = "150571-kaifaqu.html"
ZONE_CODE = "150571"
BANNERS = ["150502", "150521", "150522", "150523", "150524", "150525", "150526", "150581"]
PAYLOAD_RE = re.compile(r'<script type="application/json" id="atlas-data">(.*?)</script>', re.S)
CONTEXT_GREY = "#d9d9d9"
SUM_LABEL = "已公开项目合计 · sum of projects named in sources, not an official total"
NO_FIGURE = "本指标暂无公开数据 · no published figure for this metric"

HELPERS = """
() => {
  const map = window[Object.keys(window).find((k) => k.startsWith("map_"))];
  function circles() {
    const out = {};
    map.eachLayer((l) => { if (l.atlasCode) out[l.atlasCode] = l.getRadius(); });
    return out;
  }
  function fills() {
    const out = {};
    map.eachLayer((l) => {
      if (l.feature && l.feature.properties) out[l.feature.properties.code] = l._path.getAttribute("fill");
    });
    return out;
  }
  window.__maps = { map, circles, fills };
}
"""


def payload(page: Path) -> dict:
    match = PAYLOAD_RE.search(page.read_text(encoding="utf-8"))
    assert match, page
    return json.loads(match.group(1))


def theme_of(data: dict, key: str) -> dict:
    return next(t for t in data["themes"] if t["key"] == key)


def open_map(offline_page, path: Path) -> Page:
    offline_page.open(path)
    offline_page.page.evaluate(HELPERS)
    return offline_page.page


def select_theme(page: Page, key: str) -> None:
    page.locator(f"label.atlas-theme-option[data-theme={key}]").click()
    expect(page.locator("html")).to_have_attribute("data-theme", key)


def assert_clean(offline_page) -> None:
    assert (offline_page.failed, offline_page.blocked, offline_page.errors) == ([], [], [])


def named_site_areas(theme: str, kinds: set[str] | None = None) -> set[str]:
    """Areas with a named site of `theme` in data/sites.csv (the city itself aside)."""
    with (ROOT / "data" / "sites.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["theme"] == theme and (kinds is None or r["kind"] in kinds)]
    return {code for r in rows for code in r["district"].split("|")} - {"150500"}


# ---------------------------------------------------------------- sites on every theme


@pytest.mark.parametrize("key", ["basic", "industry", "energy", "desert", "agri"])
def test_every_theme_draws_its_sites_with_it(atlas, offline_page, key):
    data = payload(atlas / CITY)
    theme = theme_of(data, key)
    page = open_map(offline_page, atlas / CITY)
    select_theme(page, key)
    summaries = page.locator(".atlas-sum[data-code]")  # under each label, the zone's on its badge
    expect(summaries).to_have_count(len(theme["summaries"]))
    for code, summary in theme["summaries"].items():
        symbol = page.locator(f".atlas-sum[data-code='{code}']")
        expect(symbol).to_contain_text(f"已公开项目 {summary['count']}")
    points = [s for s in theme["sites"] if s["precision"] == "point" and s["shown"]]
    expect(page.locator(".atlas-point-icon")).to_have_count(len(points))
    if summaries.count():
        expect(page.locator(".atlas-legend")).to_contain_text(SUM_LABEL)
    # No layer switch that draws nothing: the only overlay switch is the values on the labels.
    page.hover(".leaflet-control-layers")
    switches = page.locator(".leaflet-control-layers-overlays label")
    expect(switches).to_have_text(["地图上显示数值 values on the map"])
    assert_clean(offline_page)


def test_a_coal_station_in_the_energy_theme_is_grey_and_says_context(atlas, offline_page):
    data = payload(atlas / CITY)
    coal = [
        s for s in theme_of(data, "energy")["sites"] if s["kind"] == "thermal" and s["precision"] == "point"
    ]
    assert coal, "the energy theme's printed positions are the two GEM coal-fired stations"
    page = open_map(offline_page, atlas / CITY)
    select_theme(page, "energy")
    grey = page.locator(".atlas-point-icon .atlas-point-context")
    expect(grey).to_have_count(len(coal))
    for i in range(len(coal)):  # never the theme's colour: it is no new-energy site
        assert grey.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(140, 140, 140)"
    legend = page.locator(".atlas-legend")
    expect(legend).to_contain_text(
        f"火电，仅作背景 · thermal, context only · 来源所载坐标 printed position ({len(coal)})"
    )
    grey.first.hover()
    expect(page.locator(".leaflet-tooltip")).to_contain_text("火电，仅作背景")
    assert_clean(offline_page)


@pytest.mark.parametrize(
    ("key", "kinds", "must"),
    [("energy", None, {*BANNERS, ZONE_CODE}), ("industry", {"park"}, set())],
)
def test_every_area_with_a_named_site_shows_something(atlas, offline_page, key, kinds, must):
    wanted = named_site_areas(key, kinds)
    assert must <= wanted  # with today's facts: all eight banners and the zone have a named project
    data = payload(atlas / CITY)
    page = open_map(offline_page, atlas / CITY)
    select_theme(page, key)
    circles = page.evaluate("__maps.circles()")
    for code in sorted(wanted):
        symbol = page.locator(f".atlas-sum[data-code='{code}']")
        if symbol.count() == 0:
            assert circles.get(code, 0) > 0, f"{code}: neither a site symbol nor a circle"
            continue
        expect(symbol).to_be_visible()
    symbol = page.locator(".atlas-sum[data-code='150581']")
    symbol.click()
    popup = page.locator(".leaflet-popup .atlas-popup")
    expect(popup).to_contain_text("已公开项目合计")
    theme = theme_of(data, key)
    listed = [s for s in theme["sites"] if "150581" in s["districts"] and s["precision"] != "point"]
    expect(popup.locator(".atlas-site")).to_have_count(len(listed))
    site = listed[0]
    for text in (site["name"], "来源"):
        expect(popup).to_contain_text(text)
    if site["place"]:
        expect(popup).to_contain_text(site["place"])
    assert_clean(offline_page)


def test_energy_symbol_splits_capacity_by_status(atlas, offline_page):
    data = payload(atlas / CITY)
    summary = theme_of(data, "energy")["summaries"]["150581"]
    power = next(s for s in summary["sums"] if s["unit"] == "万千瓦" and not s["storage"])
    page = open_map(offline_page, atlas / CITY)
    select_theme(page, "energy")
    page.locator(".atlas-sum[data-code='150581']").click()
    line = page.locator(".leaflet-popup .atlas-sum-line").first
    for status, value in power["byStatus"]:
        expect(line).to_contain_text(f"{data['vocab']['siteStatuses'][status]} {value}")
    expect(line).to_contain_text("万千瓦")
    assert_clean(offline_page)


def test_sites_are_rows_of_the_table_and_its_csv(atlas, offline_page):
    data = payload(atlas / CITY)
    energy = theme_of(data, "energy")
    page = open_map(offline_page, atlas / CITY)
    select_theme(page, "energy")
    page.locator(".atlas-open-table").click()
    site = next(s for s in energy["sites"] if s["capacity"] is not None)
    expect(page.locator(".atlas-table tbody tr", has_text=site["name"]).first).to_be_visible()
    with page.expect_download() as info:
        page.locator(".atlas-download").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_bytes().decode("utf-8-sig"))))
    named = [r for r in rows if site["name"] in r[2]]
    assert named and named[0][3] == str(site["capacity"]) and named[0][4] == site["unit"]
    assert sum(r[2].startswith("项目 site") for r in rows) == len(energy["sites"])
    assert_clean(offline_page)


# ---------------------------------------------------------------- circles for amounts


def test_amounts_are_circles_with_area_proportional_and_one_scale(atlas, offline_page):
    city = payload(atlas / CITY)
    basic = theme_of(city, "basic")
    assert basic["symbols"]["metric"]["kind"] == "amount" and basic["choropleth"]["metric"]["kind"] == "rate"
    page = open_map(offline_page, atlas / CITY)
    radii = page.evaluate("__maps.circles()")
    drawn = {c for c, a in city["areas"].items() if a["label"]}
    assert set(radii) == {c for c in basic["symbols"]["values"] if c in drawn}
    values = {c: basic["symbols"]["values"][c]["v"] for c in radii}
    top = max(values, key=values.get)
    for code, r in radii.items():
        assert (r / radii[top]) ** 2 == pytest.approx(values[code] / values[top], rel=0.01)
    expect(page.locator(".atlas-legend-circles svg circle")).to_have_count(len(basic["symbols"]["scale"]))
    # The district page draws the same district with the same radius.
    naiman = open_map(offline_page, atlas / NAIMAN)
    assert naiman.evaluate("__maps.circles()")["150525"] == pytest.approx(radii["150525"])
    assert_clean(offline_page)


# ---------------------------------------------------------------- years, caveats, no figure


def test_forest_cover_map_says_years_differ_and_marks_old_figures(atlas, offline_page):
    data = payload(atlas / CITY)
    desert = theme_of(data, "desert")
    forest = desert["choropleth"]
    assert forest["metric"]["key"] == "forest_cover" and forest["metric"]["years"]["differ"]
    span = forest["metric"]["years"]["text"]
    assert re.fullmatch(r"20\d\d–20\d\d", span)
    page = open_map(offline_page, atlas / CITY)
    select_theme(page, "desert")
    expect(page.locator(".atlas-legend-shading")).to_contain_text(f"年份不同 years differ: {span}")
    for code, value in forest["values"].items():
        if not data["areas"][code]["label"]:
            continue
        label = page.locator(f".atlas-label[data-code='{code}']")
        expect(label).to_contain_text(value["year"])
        expect(label.locator(".atlas-old")).to_have_count(1 if value.get("old") else 0)
    assert any(v.get("old") for v in forest["values"].values())  # 2015 and 2017 against 2022
    assert_clean(offline_page)


def test_a_metric_caveat_is_in_its_legend_and_popup(atlas, offline_page):
    data = payload(atlas / CITY)
    forest = theme_of(data, "desert")["choropleth"]["metric"]
    assert "breaks between 2022 and 2024" in forest["description"] and ".csv" not in forest["description"]
    page = open_map(offline_page, atlas / CITY)
    select_theme(page, "desert")
    legend = page.locator(".atlas-legend-shading")
    legend.locator(".atlas-legend-caveat summary").click()
    expect(legend.locator(".atlas-caveat")).to_be_visible()
    expect(legend.locator(".atlas-caveat")).to_contain_text(forest["description"])
    page.evaluate("document.querySelector('.atlas-zone').click()")
    expect(page.locator(".leaflet-popup .atlas-popup")).to_contain_text(forest["description"])
    assert_clean(offline_page)


def test_no_published_figure_is_about_the_metric(atlas, offline_page):
    data = payload(atlas / CITY)
    energy = theme_of(data, "energy")
    code = next(c for c in BANNERS if c not in energy["values"] and energy["siteCounts"].get(c))
    items = len(energy["facts"].get(code, [])) + energy["siteCounts"][code]
    page = open_map(offline_page, atlas / CITY)
    select_theme(page, "energy")
    tip = page.evaluate(
        "(c) => { let t = null; __maps.map.eachLayer((l) => {"
        " if (l.feature && l.feature.properties.code === c)"
        " { l.openTooltip(); t = l.getTooltip().getElement().textContent; } }); return t; }",
        code,
    )
    assert NO_FIGURE in tip
    assert f"本专题另有 {items} 条资料，点击查看" in tip
    assert_clean(offline_page)


# ---------------------------------------------------------------- values on labels


def test_values_on_labels_switch_off_on_city_on_on_district_pages(atlas, offline_page):
    data = payload(atlas / CITY)
    page = open_map(offline_page, atlas / CITY)
    expect(page.locator(".atlas-label .atlas-label-value b")).to_have_count(0)
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays input").check()
    value = theme_of(data, "basic")["values"]["150525"]
    expect(page.locator(".atlas-label[data-code='150525'] b")).to_have_text(f"{value['text']} 万人")
    naiman = open_map(offline_page, atlas / NAIMAN)
    expect(naiman.locator(".atlas-label[data-code='150525'] b")).to_have_text(f"{value['text']} 万人")
    assert_clean(offline_page)


# ---------------------------------------------------------------- the zone's page and the profile card


@pytest.mark.parametrize("key", ["basic", "industry", "energy"])
def test_zone_page_is_about_the_zone(atlas, offline_page, key):
    data = payload(atlas / ZONE)
    theme = theme_of(data, key)
    page = open_map(offline_page, atlas / ZONE)
    select_theme(page, key)
    value = theme["values"].get(ZONE_CODE)
    if value:  # the zone's own figure, without hovering: on its badge and in its card
        expect(page.locator(".atlas-zone-value")).to_be_visible()
        expect(page.locator(".atlas-zone-value")).to_contain_text(value["text"])
        expect(page.locator(f".atlas-profile-row[data-theme={key}]")).to_contain_text(value["text"])
    fills = page.evaluate("__maps.fills()")
    parent = data["areas"][ZONE_CODE]["parent"]
    assert fills[parent].lower() == CONTEXT_GREY  # 科尔沁区: context, never in a class of its own
    assert {f.lower() for f in fills.values()} == {CONTEXT_GREY}
    expect(page.locator(".atlas-title h1")).to_contain_text("通辽经济技术开发区")
    assert_clean(offline_page)


def test_district_page_has_a_profile_card(atlas, offline_page):
    data = payload(atlas / NAIMAN)
    page = open_map(offline_page, atlas / NAIMAN)
    card = page.locator(".atlas-profile")
    expect(card).to_be_visible()
    expect(card.locator(".atlas-profile-row")).to_have_count(len(data["themes"]))
    for theme in data["themes"]:
        row = card.locator(f".atlas-profile-row[data-theme={theme['key']}]")
        value = theme["values"].get("150525")
        if value:
            rank = value["rank"]
            expect(row).to_contain_text(f"{value['text']} {theme['metric']['unit']}")
            expect(row).to_contain_text(f"第 {rank[0]} / {rank[1]}")
            if value["year"]:
                expect(row).to_contain_text(value["year"])
        else:
            expect(row).to_contain_text("暂无公开数据")
        sites = theme["siteCounts"].get("150525", 0)
        expect(row.locator(".atlas-profile-sites")).to_have_text(f"项目 {sites}" if sites else "–")
    card.locator(".atlas-profile-row[data-theme=energy]").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "energy")
    assert_clean(offline_page)

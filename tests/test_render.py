"""Rendered pages, checked by fragments: offline assets, one geometry, escaping, determinism."""

import json
import re
from pathlib import Path

import pytest

from geo.areas import CITY_CODE
from geo.model import SCHEME_ZH, SITE_KIND_ZH, SITE_STATUS_ZH
from geo.pipeline import ROOT, build_atlas
from geo.render import ASSETS
from geo.spec import basemaps


@pytest.fixture(scope="module")
def small_maps(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("render") / "maps"
    build_atlas(ROOT / "tests/fixtures/data-small", ROOT / "boundaries", out)
    return out


def payload(page: Path) -> dict:
    html = page.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_pages_load_nothing_from_the_network(small_maps):
    for page in small_maps.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?:", html), page.name
        assert "sourceMappingURL" not in html


def test_leaflet_and_its_images_are_inline(small_maps):
    html = (small_maps / "tongliao.html").read_text(encoding="utf-8")
    assert "Leaflet 1.9.3" in html
    assert "url(images/" not in html and "data:image/png;base64," in html


def test_geometry_is_embedded_once_for_all_themes(small_maps):
    html = (small_maps / "tongliao.html").read_text(encoding="utf-8")
    data = payload(small_maps / "tongliao.html")
    ring = data["geometry"]["features"][0]["geometry"]["coordinates"][0]
    first_vertices = json.dumps(
        ring[0][:3] if isinstance(ring[0][0], list) else ring[:3], separators=(",", ":")
    )
    assert html.count(first_vertices[1:-1]) == 1
    assert len(data["geometry"]["features"]) == 8
    assert [t["key"] for t in data["themes"]] == ["basic", "energy"]


def test_every_shown_value_cites_a_source_or_is_derived(small_maps):
    data = payload(small_maps / "tongliao.html")
    for theme in data["themes"]:
        for code, value in theme["values"].items():
            assert value.get("source") in data["sources"] or value.get("basis"), (theme["key"], code)


def test_no_data_is_not_zero(small_maps):
    basic = payload(small_maps / "tongliao.html")["themes"][0]
    assert (
        "150524" not in basic["values"] and "150581" not in basic["values"]
    )  # 库伦旗, 霍林郭勒市: no figure
    assert all(v["v"] > 0 for v in basic["values"].values())


def test_city_and_district_maps_share_the_breaks(small_maps):
    city = payload(small_maps / "tongliao.html")["themes"]
    naiman = payload(small_maps / "150525-naiman.html")["themes"]
    assert [t["classes"] for t in city] == [t["classes"] for t in naiman]


def test_district_page_carries_its_own_facts(small_maps):
    data = payload(small_maps / "150525-naiman.html")
    assert data["focus"] == "150525"
    assert set(data["themes"][0]["facts"]) == {"150525"}
    keerqin = payload(small_maps / "150502-keerqin.html")
    assert set(keerqin["themes"][0]["facts"]) == {"150502", "150571"}  # the zone lies inside 科尔沁区


def test_city_facts_only_on_the_city_map(small_maps):
    assert "150500" in payload(small_maps / "tongliao.html")["themes"][0]["facts"]
    assert "150500" not in payload(small_maps / "150525-naiman.html")["themes"][0]["facts"]


@pytest.mark.parametrize(
    "text",
    [
        '<img src=x onerror="alert(1)">',
        "</script><script>alert(1)</script>",
        "{{ 7*7 }}{% raw %}",
        "' onmouseover='alert(1)",
    ],
)
def test_text_from_data_never_becomes_markup(small_data, tmp_path, text):
    facts = small_data / "facts.csv"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace(
            "includes the development zone", f'"{text.replace(chr(34), chr(34) * 2)}"'
        ),
        encoding="utf-8",
    )
    sources = small_data / "sources.csv"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace(
            "通辽市第七次人口普查数据", f'"{text.replace(chr(34), chr(34) * 2)}"'
        ),
        encoding="utf-8",
    )
    out = tmp_path / "maps"
    build_atlas(small_data, ROOT / "boundaries", out)
    for page in ("tongliao.html", "150502-keerqin.html", "index.html"):
        html = (out / page).read_text(encoding="utf-8")
        assert "<img src=x" not in html and "<script>alert" not in html
    data = payload(out / "tongliao.html")
    notes = [f["note"] for f in data["themes"][0]["facts"]["150502"]]
    assert text in notes  # the text survives as text
    assert text in [s["title"] for s in data["sources"].values()]


def test_same_inputs_give_identical_bytes(small_data, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build_atlas(small_data, ROOT / "boundaries", first)
    build_atlas(small_data, ROOT / "boundaries", second)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_tianditu_only_with_a_key():
    assert "tianditu" not in {b.key for b in basemaps({})}
    with_key = {b.key: b for b in basemaps({"TIANDITU_KEY": "abc123"})}
    assert with_key["tianditu"].url.endswith("tk=abc123")


def test_amap_basemap_is_marked_gcj02():
    datums = {b.key: b.datum for b in basemaps({})}
    assert datums == {"none": "WGS84", "osm": "WGS84", "amap": "GCJ02"}


def test_index_links_every_map(small_maps):
    html = (small_maps / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]+\.html)"', html))
    assert links == {p.name for p in small_maps.glob("*.html")} - {"index.html"}
    assert "位于科尔沁区内，无公布边界" in html


def test_every_script_part_is_declared_once():
    """The atlas script is exactly the files of geo/templates/js/, each once, core first and init last."""
    parts = ASSETS["atlas_js"]
    on_disk = {f"js/{p.name}" for p in (ROOT / "geo" / "templates" / "js").glob("*.js")}
    assert sorted(parts) == sorted(on_disk)
    assert len(set(parts)) == len(parts)
    assert (parts[0], parts[-1]) == ("js/core.js", "js/init.js")


def test_script_parts_stay_small_and_define_one_global(small_maps):
    for part in ASSETS["atlas_js"]:
        text = (ROOT / "geo" / "templates" / part).read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 150, part
        # one global: core.js opens TongliaoAtlas, every other part is a closure over it
        top = re.findall(r"^(?:var|let|const|function) (\w+)", text, re.M)
        assert top == (["TongliaoAtlas"] if part == "js/core.js" else []), (part, top)
    html = (small_maps / "tongliao.html").read_text(encoding="utf-8")
    assert html.count("var TongliaoAtlas =") == 1


def test_page_vocabularies_come_from_the_model(small_maps):
    vocab = payload(small_maps / "tongliao.html")["vocab"]
    assert vocab == {
        "city": CITY_CODE,
        "siteKinds": SITE_KIND_ZH,
        "siteStatuses": SITE_STATUS_ZH,
        "schemes": SCHEME_ZH,
    }
    schemes = {t["metric"]["scheme"] for t in payload(small_maps / "tongliao.html")["themes"]}
    assert schemes <= set(SCHEME_ZH)  # a key the legend can name, never "breaks:10;20"


def test_csv_values_are_plain_numbers(small_maps):
    for theme in payload(small_maps / "tongliao.html")["themes"]:
        for facts in theme["facts"].values():
            for f in facts:
                assert re.fullmatch(r"-?\d+(\.\d+)?", f["plain"]), f
                assert f["plain"] == f["value"].replace(",", ""), f


def test_script_parts_hand_leaflet_nodes_only():
    """The page's safety rule, checked in the source so a new part cannot slip past it."""
    for part in ASSETS["atlas_js"]:
        code = re.sub(
            r"/\*.*?\*/|//[^\n]*", "", (ROOT / "geo/templates" / part).read_text(encoding="utf-8"), flags=re.S
        )
        for banned in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "L.control.layers",
            "eval(",
        ):
            assert banned not in code, (part, banned)
        for call in re.findall(r"\.(?:bindTooltip|bindPopup)\(([^,]*)", code):
            assert call.startswith("dom.content("), (part, call)
        for call in re.findall(r"\.setContent\(([^)]*)", code):
            assert call.startswith("dom.node("), (part, call)
        for call in re.findall(r"html:\s*([^,}]*)", code):
            assert call.startswith("dom.node("), (part, call)

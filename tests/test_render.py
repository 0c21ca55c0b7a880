"""Rendered pages, checked by fragments: offline assets, one geometry, escaping, determinism."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from geo import polyline
from geo.areas import CITY_CODE
from geo.model import CONTEXT_KINDS, SCHEME_ZH, SITE_KIND_ZH, SITE_STATUS_ZH, Cell, Site
from geo.pipeline import ROOT, build_atlas
from geo.render import ASSETS
from geo.spec import basemaps, caveat
from geo.symbols import SUM_LABEL, site_summaries, symbol_scale, year_span


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
    assert data["geometry"]["encoding"] == polyline.NAME
    ring = data["geometry"]["features"][0]["geometry"]["coordinates"][0]
    ring = ring if isinstance(ring, str) else ring[0]  # a Polygon's outer ring, or a MultiPolygon's
    assert len(ring) > 20 and html.count(json.dumps(ring)[1:-1]) == 1
    assert len(data["geometry"]["features"]) == 8
    assert [t["key"] for t in data["themes"]] == ["basic", "energy"]


def test_page_geometry_decodes_to_the_rounded_polygons(small_maps):
    data = payload(small_maps / "tongliao.html")
    districts = json.loads((ROOT / "boundaries" / "districts.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["code"] for f in data["geometry"]["features"]} <= {
        f["properties"]["code"] for f in districts["features"]
    }
    for feature in data["geometry"]["features"]:
        shape = polyline.decode_geometry(feature["geometry"])
        assert polyline.encode_geometry(shape) == feature["geometry"]  # exact both ways
        for polygon in shape["coordinates"] if shape["type"] == "MultiPolygon" else [shape["coordinates"]]:
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4  # closed rings
                # inside the city's box, at the page's precision
                assert all(119 < lon < 124 and 42 < lat < 46 for lon, lat in ring)
                assert all(round(v, polyline.PRECISION) == v for xy in ring for v in xy)


def test_polyline_matches_the_published_example():
    # the example of the Encoded Polyline Algorithm Format's documentation
    ring = [[-120.2, 38.5], [-120.95, 40.7], [-126.453, 43.252]]
    assert polyline.encode_ring(ring) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    assert polyline.decode_ring("_p~iF~ps|U_ulLnnqC_mqNvxq`@") == ring


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


# ---------------------------------------------------------------- issue 12: what a map draws, as data


def _site(site_id: str, capacity: float | None, unit: str, status: str = "", **kw) -> Site:
    fields = {
        "site_id": site_id,
        "districts": ("150525",),
        "theme": "energy",
        "name_zh": site_id,
        "name_en": "",
        "kind": "wind",
        "capacity": capacity,
        "capacity_unit": unit,
        "status": status,
        "status_year": "",
        "lon": None,
        "lat": None,
        "source_id": "s",
        "evidence": "",
        "note": "",
        "where": "",
    }
    fields.update(kw)
    return Site(**fields)


def test_site_sums_add_only_shown_rows_and_split_by_unit_and_status():
    sites = [
        _site("a", 20, "万千瓦", "planned"),
        _site("b", 150, "MW", "planned"),  # 15 万千瓦: converted, added to a
        _site("c", 10, "万千瓦", "on-grid"),
        _site("d", 1670, "MW", "on-grid", project="p", shown=False),  # another account: not added
        _site("e", 345, "兆瓦时", "operating", kind="storage"),  # energy, not power: its own line
        _site("f", 10, "万千瓦", "planned", kind="storage"),  # storage power apart from generation
        _site("g", 238, "万千瓦", "on-grid", districts=("150525", "150523")),  # spans areas: counted only
        _site("h", None, "", "planned"),  # no capacity: counted only
        _site("i", 1670, "MW", "operating", precision="point", lon=122.2, lat=43.6),  # a marker, not summed
    ]
    summary = site_summaries(sites, ["150525", "150523"])["150525"]
    assert summary.count == 7  # a b c e f g h: shown rows without printed coordinates
    sums = {(s.unit, s.storage): dict(s.by_status) for s in summary.sums}
    assert sums == {
        ("万千瓦", False): {"planned": 35.0, "on-grid": 10.0},
        ("兆瓦时", True): {"operating": 345.0},
        ("万千瓦", True): {"planned": 10.0},
    }
    assert summary.shared == ("g",)
    assert summary.not_added == ("h",)
    assert [s.site_id for s in summary.sites][-1] == "d"  # listed after the shown rows
    other = site_summaries(sites, ["150525", "150523"])["150523"]
    assert (other.count, other.sums) == (1, ())  # the shared project, capacity not added


@pytest.mark.parametrize(
    ("values", "references"),
    [([92.18, 37.53, 15.11], (50, 20, 5)), ([150.0, 13.0], (100, 20, 5)), ([3.0], (2, 0.5, 0.1))],
)
def test_symbol_scale_circle_area_is_proportional_to_value(values, references):
    scale = symbol_scale(values)
    assert scale.references == pytest.approx(references)
    top = max(values)
    for v in values:
        assert (scale.radius(v) / scale.radius(top)) ** 2 == pytest.approx(v / top)
    assert symbol_scale([]) is None


@pytest.mark.parametrize(
    ("years", "differ", "text", "old"),
    [
        (["2015", "2017", "2020", "2022"], True, "2015–2022", {"2015", "2017"}),
        (["2020", "2020"], False, "2020", set()),
        (["2011-2015", "2020", ""], True, "2015–2020", {"2011-2015"}),
    ],
)
def test_year_span_says_when_years_differ_and_what_is_old(years, differ, text, old):
    cells = [Cell("150525", "m", 1.0, y, None) for y in years]
    span = year_span(cells)
    assert (span.differ, span.text) == (differ, text)
    assert {y for y in years if span.is_old(y)} == old


def test_spec_shades_rates_and_sizes_amounts_from_the_kind(small_maps):
    city = payload(small_maps / "tongliao.html")
    for theme in city["themes"]:
        if theme["choropleth"]:
            assert theme["choropleth"]["metric"]["kind"] == "rate"
        if theme["symbols"]:
            assert theme["symbols"]["metric"]["kind"] == "amount"
        assert theme["metric"]["role"] in {"choropleth", "symbols", ""}
    basic = next(t for t in city["themes"] if t["key"] == "basic")
    assert basic["metric"]["role"] == "symbols"  # the census population is an amount: circles
    assert basic["choropleth"]["metric"]["key"] == "population_density"


def test_city_and_district_maps_share_the_circle_scale(small_maps):
    city = payload(small_maps / "tongliao.html")
    naiman = payload(small_maps / "150525-naiman.html")
    for c, n in zip(city["themes"], naiman["themes"], strict=True):
        assert (c["symbols"] or {}).get("scale") == (n["symbols"] or {}).get("scale")
        if c["symbols"]:
            assert c["symbols"]["values"] == n["symbols"]["values"]


def test_caveat_drops_pointers_to_project_files():
    from geo.model import Metric

    metric = Metric(
        "m",
        "desert",
        "z",
        "e",
        "%",
        False,
        True,
        "quantiles",
        3,
        1,
        "",
        "Forest cover (actual); breaks in 2022, see conflicts.csv",
    )
    assert caveat(metric) == "Forest cover (actual); breaks in 2022"


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
        "contextKinds": sorted(CONTEXT_KINDS),
        "siteKinds": SITE_KIND_ZH,
        "siteStatuses": SITE_STATUS_ZH,
        "schemes": SCHEME_ZH,
        "sumLabel": {"zh": SUM_LABEL[0], "en": SUM_LABEL[1]},
    }
    themes = payload(small_maps / "tongliao.html")["themes"]
    schemes = {t["choropleth"]["metric"]["scheme"] for t in themes if t["choropleth"]}
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


# ------------------------------------------------------- issue 10: the page's data and the page apart


def test_page_geometry_rounds_without_renoding_shared_borders():
    import shapely

    from geo.payload import COORD_DECIMALS, page_geometry

    # Two squares sharing the edge x = 1; the shared vertices lie off the 5-decimal grid.
    west = shapely.Polygon([(0, 0), (1.000004, 0), (1.000004, 1.0000049), (0, 1)])
    east = shapely.Polygon([(1.000004, 0), (2, 0), (2, 1), (1.000004, 1.0000049)])
    geometry = page_geometry(["a", "b"], [west, east])
    rings = [polyline.decode_geometry(f["geometry"])["coordinates"][0] for f in geometry.features]
    assert [f["properties"]["code"] for f in geometry.features] == ["a", "b"]
    for ring in rings:
        assert all(round(c, COORD_DECIMALS) == c for xy in ring for c in xy)
    shared = [set(map(tuple, ring)) for ring in rings]
    assert {(1.0, 0.0), (1.0, 1.0)} <= shared[0] & shared[1]
    assert geometry.center == [0.5, 1.0]


def test_index_page_is_drawn_from_its_spec(small_data):
    from geo.pipeline import load_joined
    from geo.render import render_index
    from geo.spec import index_spec, theme_layers

    joined, _ = load_joined(small_data, ROOT / "boundaries")
    layers = theme_layers(joined)
    index = index_spec(joined, layers, {"150525": "150525-naiman.html"})
    naiman = next(e for e in index.entries if e.area.code == "150525")
    assert naiman.link == "150525-naiman.html"
    assert naiman.facts == len(joined.facts_of("150525"))
    assert len(naiman.coverage) == len(index.themes)
    html = render_index(index)
    row = re.search(r'<tr data-code="150525">(.*?)</tr>', html, re.S).group(1)
    for metric, _cell in naiman.figures:
        assert metric.label_zh in row
    assert f">{naiman.facts}</td>" in row


def test_atlas_element_takes_no_children():
    from branca.element import Element

    from geo.render import AtlasLayers

    with pytest.raises(TypeError, match="AtlasLayers takes no child elements"):
        AtlasLayers("{}").add_child(Element())


@pytest.mark.parametrize("note", ["plain", "@atlas-geometry@", '"@atlas-geometry@"', "</script><b>&'"])
def test_page_json_is_what_tojson_writes_with_the_geometry_made_once(note):
    import jinja2.utils
    import shapely

    from geo.payload import JSON_OPTIONS, page_geometry, page_json

    geometry = page_geometry(["150525"], [shapely.box(120.0, 42.5, 121.25, 43.5)])
    payload = {"areas": {"150525": {"note": note}}, "geometry": geometry.collection}
    expected = str(jinja2.utils.htmlsafe_json_dumps(payload, **JSON_OPTIONS))
    assert page_json(payload, geometry) == expected
    assert "<" not in expected and json.loads(expected)["areas"]["150525"]["note"] == note


@pytest.mark.parametrize(
    "geom",
    [
        "POLYGON ((120 43, 121.5 43, 121.5 44.25, 120 43))",
        "POLYGON ((120 43, 122 43, 122 45, 120 45, 120 43), (120.5 43.5, 121 43.5, 121 44, 120.5 43.5))",
        "MULTIPOLYGON (((119.00001 42.99999, 119.5 43, 119.5 43.5, 119.00001 42.99999)),"
        " ((-0.000005 -0.000015, 0.5 0, 0.5 0.5, -0.000005 -0.000015)))",
    ],
    ids=["polygon", "with-hole", "multipolygon-halves"],
)
def test_page_rings_are_polylines_that_decode_to_the_rounded_coordinates(geom):
    import shapely

    from geo.payload import COORD_DECIMALS, round_coordinates

    shape = shapely.from_wkt(geom)
    rounded = round_coordinates(np.array([shape], dtype=object), COORD_DECIMALS)[0]  # halves to even
    encoded = polyline.encode_geometry(rounded)  # from shapely's coordinates
    assert encoded == polyline.encode_geometry(shapely.geometry.mapping(shape))  # from GeoJSON
    decoded = shapely.geometry.shape(polyline.decode_geometry(encoded))
    assert shapely.equals_exact(decoded, rounded, 1e-9)

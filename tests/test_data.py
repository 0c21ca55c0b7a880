"""The committed facts: every row validates, cites a real source, and is found in it.

The evidence of each fact and site must appear verbatim (ignoring spaces and
full-width forms) in the shared source text it cites: the five reports by file
name, public-facts.md / public-facts-2.md for web pages (the `file` column, several
separated by ``|``), or in a quote re-checked on the page itself and recorded in
data/rechecks.csv for that source. That is the "nothing invented" check. Places and
printed positions of sites are held to the same rule, and a printed position must
lie inside its district's boundary.
"""

import csv
import functools
import json
import os
import re
import shutil
import unicodedata
from pathlib import Path

import geopandas
import pyogrio
import pytest
from helpers import fingerprints
from shapely.geometry import Point

from geo import resolve
from geo.areas import districts
from geo.cells import parse_number
from geo.errors import AtlasError
from geo.facts import load_facts
from geo.join import join

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared" / "sources"
BOUNDARIES = ROOT / "boundaries" / "districts.geojson"
SMALL = ROOT / "tests" / "fixtures" / "data-small"
ROUND2 = "public-facts-2.md"
CORPORA = ("pages", "docs")


def rows(name: str) -> list[tuple[int, dict]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(enumerate(csv.DictReader(f), start=2))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def base():
    return load_facts(DATA)


def test_every_row_validates(base):
    assert len(base.facts) > 150 and len(base.sites) > 40


def test_registries_are_complete(base):
    used_sources = {f.source_id for f in base.facts} | {s.source_id for s in base.sites}
    assert used_sources <= set(base.sources)
    assert {f.metric for f in base.facts} <= set(base.metrics)
    for _, row in rows("facts.csv"):
        resolve(row["district"])


def test_every_theme_has_one_headline_and_census_covers_all_nine(base):
    for theme in base.themes:
        assert base.headline(theme).theme == theme
    census = {f.district for f in base.facts if f.metric == "population_census"}
    assert {a.code for a in districts()} <= census


def test_no_fact_row_uses_a_derived_metric(base):
    derived = {m.key for m in base.metrics.values() if m.derived}
    assert not derived & {f.metric for f in base.facts}


@pytest.mark.parametrize(
    ("line", "row"), rows("facts.csv"), ids=lambda v: str(v) if isinstance(v, int) else ""
)
def test_value_appears_in_its_evidence(line, row):
    value = squash(row["value"])
    evidence = squash(row["evidence"])
    assert value in evidence or value.replace(",", "") in evidence.replace(",", ""), f"facts.csv:{line}"
    assert parse_number(row["value"]) is not None


# How the sources print each qualifier (data/README.md): a qualifier is recorded only where its words are.
QUALIFIER_WORDS = {
    "约": ("约", "左右", "approximately", "about"),
    "近": ("近", "nearly"),
    "超过": ("超", "突破", "多", "more than"),
    "以上": ("以上", "at least"),
    "不足": ("不足", "less than"),
}


@pytest.mark.parametrize(
    ("line", "row"),
    [(line, row) for line, row in rows("facts.csv") if row["qualifier"]],
    ids=lambda v: str(v) if isinstance(v, int) else "",
)
def test_a_qualifier_is_printed_in_its_evidence(line, row):
    words = QUALIFIER_WORDS[row["qualifier"]]
    assert any(w in row["evidence"] for w in words), f"facts.csv:{line}: {row['qualifier']} not in evidence"


def test_qualified_figures_have_their_qualifier():
    # the figures whose evidence says 以上 / 超 / 左右 next to the number: none may lose it
    loose = [
        line
        for line, row in rows("facts.csv")
        if re.search(rf"{re.escape(row['value'])}\s*(万|亿|%)?\S{{0,3}}(以上|左右)", row["evidence"])
        and not row["qualifier"]
    ]
    assert loose == []


def _sources() -> dict[str, dict]:
    return {r["source_id"]: r for _, r in rows("sources.csv")}


def _files(source: dict) -> list[str]:
    return [name.strip() for name in (source["file"] or "public-facts.md").split("|")]


@functools.cache
def _shipped() -> dict:
    return fingerprints.load()


def _texts(source_id: str) -> list:
    """What a row citing `source_id` may quote: its shared files and its re-checked quotes.

    Each is a squashed text, or, where the shared sources are not beside this
    checkout, the fingerprint of the file shipped in tests/fixtures.
    """
    if os.environ.get("CI") and not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: CI must have shared/ beside the clone")
    source = _sources()[source_id]
    if SHARED.is_dir():
        texts: list = [squash((SHARED / name).read_text(encoding="utf-8")) for name in _files(source)]
    else:
        texts = [_shipped()[name] for name in _files(source)]
    return texts + [squash(r["quote"]) for _, r in rows("rechecks.csv") if r["source_id"] == source_id]


def _found(piece: str, texts: list) -> bool:
    piece = squash(piece)
    return any(piece in t if isinstance(t, str) else fingerprints.found(piece, t) for t in texts)


@pytest.mark.parametrize("name", sorted(fingerprints.load()))
def test_shipped_fingerprints_are_those_of_the_shared_sources(name: str) -> None:
    # Outside CI without shared/ beside the checkout there is nothing to compare with.
    if not SHARED.is_dir() and not os.environ.get("CI"):
        pytest.skip("the shared source texts are not beside this checkout")
    assert fingerprints.compute()[name] == json.loads(fingerprints.FILE.read_text(encoding="utf-8"))[name], (
        "run python tests/helpers/fingerprints.py"
    )


def test_fingerprints_find_quotes_and_refuse_made_up_ones() -> None:
    shipped = _shipped()["public-facts-2.md"]
    assert fingerprints.found(squash("开鲁县玉米种植面积280万亩"), shipped)
    assert fingerprints.found(squash("保康镇"), shipped)  # 3 to 5 characters: 3-character windows
    assert not fingerprints.found(squash("保康县"), shipped)
    assert not fingerprints.found(squash("开鲁县玉米种植面积380万亩"), shipped)
    assert not fingerprints.found(squash("鲁"), shipped)  # too short to tell


@pytest.mark.parametrize(
    ("name", "line", "row"),
    [("facts.csv", line, row) for line, row in rows("facts.csv")]
    + [("sites.csv", line, row) for line, row in rows("sites.csv")],
    ids=lambda v: v if isinstance(v, str) else (str(v) if isinstance(v, int) else ""),
)
def test_evidence_is_found_in_the_cited_source(name, line, row):
    source = _sources()[row["source_id"]]
    texts = _texts(row["source_id"])
    # "…" in evidence marks words left out between two quoted pieces
    for piece in re.split(r"…|\.\.\.", row["evidence"]):
        assert _found(piece, texts), (
            f"{name}:{line}: {piece!r} not found in {source['file'] or 'public-facts.md'} "
            f"nor in a re-checked quote of {row['source_id']} (rechecks.csv)"
        )


@pytest.mark.parametrize(
    ("line", "row"), rows("rechecks.csv"), ids=lambda v: str(v) if isinstance(v, int) else ""
)
def test_every_recheck_belongs_to_a_source_with_that_address(line, row):
    source = _sources().get(row["source_id"])
    assert source is not None, f"rechecks.csv:{line}: unknown source {row['source_id']!r}"
    assert row["url"] == source["url"] and row["url"].startswith(("http://", "https://")), (
        f"rechecks.csv:{line}"
    )
    assert ROUND2 in _files(source) or "public-facts.md" in _files(source), f"rechecks.csv:{line}"
    assert row["quote"].strip() and len(row["quote"]) <= 80, (
        f"rechecks.csv:{line}: a few words, not a passage"
    )
    assert row["how_found"].split(":")[0] in CORPORA and row["how_found"].split(":", 1)[1].strip()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date_checked"]), f"rechecks.csv:{line}"


def test_round_two_sources_have_a_page_address():
    for source_id, source in _sources().items():
        if ROUND2 in _files(source):
            assert source["url"].startswith(("http://", "https://")), source_id


@pytest.mark.parametrize(
    ("line", "row"),
    [(line, row) for line, row in rows("sites.csv") if row["capacity"]],
    ids=lambda v: str(v) if isinstance(v, int) else "",
)
def test_site_capacity_appears_in_its_evidence(line, row):
    capacity = squash(row["capacity"]).replace(",", "")
    assert capacity in squash(row["evidence"]).replace(",", ""), f"sites.csv:{line}"


@pytest.mark.parametrize(
    ("line", "row"),
    [(line, row) for line, row in rows("sites.csv") if row["place"]],
    ids=lambda v: str(v) if isinstance(v, int) else "",
)
def test_site_place_is_named_by_its_source(line, row):
    assert row["precision"] in ("place", "point"), f"sites.csv:{line}"
    assert _found(row["place"], _texts(row["source_id"])), f"sites.csv:{line}: {row['place']!r}"


POINTS = [(line, row) for line, row in rows("sites.csv") if row["lon"] or row["lat"]]


def test_only_printed_positions_are_points():
    points = {row["site_id"] for _, row in POINTS}
    assert points == {row["site_id"] for _, row in rows("sites.csv") if row["precision"] == "point"}
    assert len(points) == 2  # the two power stations of the coordinates table; never a banner seat


@pytest.fixture(scope="module")
def district_shapes() -> dict[str, object]:
    assert pyogrio.read_info(BOUNDARIES)["driver"] == "GeoJSON"
    frame = geopandas.read_file(BOUNDARIES, engine="pyogrio")
    return dict(zip(frame["code"], frame.geometry, strict=True))


@pytest.mark.parametrize(("line", "row"), POINTS, ids=lambda v: str(v) if isinstance(v, int) else "")
def test_point_site_is_printed_by_its_position_source_and_lies_in_its_district(line, row, district_shapes):
    assert row["precision"] == "point" and row["datum"] == "WGS84", f"sites.csv:{line}"
    printed = f"{row['lat']}, {row['lon']}"  # the coordinates table prints latitude first
    assert _found(printed, _texts(row["position_source_id"])), f"sites.csv:{line}: {printed} not printed"
    codes = [code.strip() for code in row["district"].split("|")]
    assert any(district_shapes[c].contains(Point(float(row["lon"]), float(row["lat"]))) for c in codes), (
        f"sites.csv:{line}: ({row['lon']}, {row['lat']}) outside {row['district']}"
    )


SHARES = [
    # derived metric, metric it is a share of, districts whose shown year has a published city total
    ("population_share", "population_census", {a.code for a in districts()}),
    ("gdp_share", "gdp", {"150522", "150526"}),  # 2024 and 2023: no other banner's GDP year has one
    ("population_registered_share", "population_registered", {"150502"}),  # 2022
]


@pytest.mark.parametrize(("share", "of", "codes"), SHARES, ids=[s[0] for s in SHARES])
def test_share_of_city_only_against_the_city_total_of_the_same_year(base, share, of, codes):
    joined = join(base, {})
    cells = {code: cell for (code, metric), cell in joined.cells.items() if metric == share}
    city = {f.year: f.value for f in base.facts if f.district == "150500" and f.metric == of}
    assert set(cells) == codes
    for code, cell in cells.items():
        part = joined.cell(code, of)
        assert cell.year == part.year and cell.value == pytest.approx(100 * part.value / city[part.year])


def test_only_the_shown_row_of_a_project_is_summed(base):
    projects: dict[str, list] = {}
    for site in base.sites:
        if site.project:
            projects.setdefault(site.project, []).append(site)
    assert len(projects) == 5 and all(sum(s.shown for s in rows) == 1 for rows in projects.values())
    plant = next(s for s in base.sites if s.site_id == "power-tongliao-plant")
    assert (plant.shown, plant.precision, plant.position_source_id) == (True, "point", "pf2-gem-tongliao")


def test_every_metric_has_a_kind_and_rates_are_not_summed(base):
    for metric in base.metrics.values():
        assert metric.kind in ("amount", "rate")
        if metric.kind == "rate" or metric.unit in ("%", "人/km²"):
            assert metric.kind == "rate" and not metric.summable, metric.key


# The reader on the new columns: one bad cell at a time in a copy of the small fixture.
SITE = {
    "site_id": "s1",
    "district": "150525",
    "theme": "energy",
    "name_zh": "测试风电场",
    "kind": "wind",
    "source_id": "pf-xny100",
    "precision": "district",
}
GOOD_POINT = {"precision": "point", "lon": "120.9", "lat": "42.9", "position_source_id": "pf-xny100"}


def _write_sites(folder: Path, *sites: dict) -> None:
    header = [*SITE, "place", "lon", "lat", "datum", "position_source_id", "project", "shown"]
    with (folder / "sites.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows({**SITE, **site} for site in sites)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SMALL, folder)
    return folder


BAD_SITES = [
    (
        "precision-unknown",
        [{"precision": "exact"}],
        r"precision 'exact' is not point, place or district; write",
    ),
    ("precision-empty", [{"precision": ""}], r"precision '' is not point, place or district"),
    (
        "place-without-place",
        [{"precision": "place"}],
        r"precision is place but place is empty; write the town",
    ),
    ("point-without-position", [{**GOOD_POINT, "lon": "", "lat": ""}], r"precision is point but lon/lat"),
    (
        "point-without-source",
        [{**GOOD_POINT, "position_source_id": ""}],
        r"position_source_id is empty; name",
    ),
    ("point-unknown-source", [{**GOOD_POINT, "position_source_id": "gem"}], r"unknown position source 'gem'"),
    ("position-on-district", [{"lon": "120.9", "lat": "42.9"}], r"whose precision is 'district'; keep"),
    (
        "source-on-place",
        [{"precision": "place", "place": "八仙筒", "position_source_id": "pf-xny100"}],
        r"'place'",
    ),
    ("position-outside", [{**GOOD_POINT, "lon": "42.9", "lat": "120.9"}], r"is outside Tongliao; check"),
    (
        "shown-not-yes",
        [{"project": "p", "shown": "y"}, {"site_id": "s2", "project": "p"}],
        r"shown 'y' is not",
    ),
    ("shown-without-project", [{"shown": "yes"}], r"shown=yes on a row without project; write the project"),
    ("project-of-one", [{"project": "p", "shown": "yes"}], r"project 'p' has only this row; leave"),
    (
        "project-none-shown",
        [{"project": "p"}, {"site_id": "s2", "project": "p"}],
        r"'p' has 0 rows with shown",
    ),
    (
        "project-two-shown",
        [{"project": "p", "shown": "yes"}, {"site_id": "s2", "project": "p", "shown": "yes"}],
        r"project 'p' has 2 rows with shown=yes",
    ),
]


@pytest.mark.parametrize(("case", "sites", "message"), BAD_SITES, ids=[c[0] for c in BAD_SITES])
def test_reader_refuses_a_bad_site_location_or_project(small, case, sites, message):
    _write_sites(small, *sites)
    with pytest.raises(AtlasError, match=message) as caught:
        load_facts(small)
    assert len(caught.value.problems) == 1 and "sites.csv" in str(caught.value.problems[0]), case


def test_reader_keeps_a_point_and_hides_the_other_rows_of_a_project(small):
    _write_sites(
        small,
        {**GOOD_POINT, "project": "p", "shown": "yes"},
        {"site_id": "s2", "project": "p", "precision": "place", "place": "八仙筒"},
    )
    point, other = load_facts(small).sites
    assert (point.lon, point.lat, point.shown, other.shown, other.place) == (
        120.9,
        42.9,
        True,
        False,
        "八仙筒",
    )


BAD_METRICS = [
    ("kind-unknown", ("amount", "count"), r"kind 'count' is not amount or rate; write amount"),
    ("kind-empty", (",amount,", ",,"), r"kind '' is not amount or rate"),
    ("share-of-unknown", (",density,", ",share_of_city:gdp,"), r"names 'gdp', which is not a metric"),
    ("share-of-derived", (",density,", ",share_of_city:population_density,"), r"'population_density', which"),
    (
        "colon-on-density",
        (",density,", ",density:area_published,"),
        r"derived 'density:area_published' takes no",
    ),
]


@pytest.mark.parametrize(("case", "edit", "message"), BAD_METRICS, ids=[c[0] for c in BAD_METRICS])
def test_reader_refuses_a_bad_metric_kind_or_formula(small, case, edit, message):
    path = small / "metrics.csv"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text, case
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(AtlasError, match=message):
        load_facts(small)

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
import os
import re
import unicodedata
from pathlib import Path

import geopandas
import pyogrio
import pytest
from shapely.geometry import Point

from geo import resolve
from geo.areas import districts
from geo.csvio import parse_number
from geo.facts import load_facts

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared" / "sources"
BOUNDARIES = ROOT / "boundaries" / "districts.geojson"
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


def _sources() -> dict[str, dict]:
    return {r["source_id"]: r for _, r in rows("sources.csv")}


def _files(source: dict) -> list[str]:
    return [name.strip() for name in (source["file"] or "public-facts.md").split("|")]


def _texts(source_id: str) -> list[str]:
    """Squashed texts a row citing `source_id` may quote: its shared files and its re-checked quotes."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} is missing: CI must have shared/ beside the clone")
        pytest.skip("the shared source texts are not beside this checkout")
    source = _sources()[source_id]
    texts = [squash((SHARED / name).read_text(encoding="utf-8")) for name in _files(source)]
    return texts + [squash(r["quote"]) for _, r in rows("rechecks.csv") if r["source_id"] == source_id]


def _found(piece: str, texts: list[str]) -> bool:
    return any(squash(piece) in text for text in texts)


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

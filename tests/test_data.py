"""The committed facts: every row validates, cites a real source, and is found in it.

The evidence of each fact and site must appear verbatim (ignoring spaces and
full-width forms) in the shared source text it cites: the five reports by file
name, public-facts.md for web pages. That is the "nothing invented" check.
"""

import csv
import os
import re
import unicodedata
from pathlib import Path

import pytest

from geo import resolve
from geo.areas import districts
from geo.csvio import parse_number
from geo.facts import load_facts

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared" / "sources"


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


@pytest.mark.parametrize(
    ("name", "line", "row"),
    [("facts.csv", line, row) for line, row in rows("facts.csv")]
    + [("sites.csv", line, row) for line, row in rows("sites.csv")],
    ids=lambda v: v if isinstance(v, str) else (str(v) if isinstance(v, int) else ""),
)
def test_evidence_is_found_in_the_cited_source(name, line, row):
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} is missing: CI must have shared/ beside the clone")
        pytest.skip("the shared source texts are not beside this checkout")
    source = _sources()[row["source_id"]]
    text = squash((SHARED / (source["file"] or "public-facts.md")).read_text(encoding="utf-8"))
    # "…" in evidence marks words left out between two quoted pieces
    for piece in re.split(r"…|\.\.\.", row["evidence"]):
        assert squash(piece) in text, (
            f"{name}:{line}: {piece!r} not found in {source['file'] or 'public-facts.md'}"
        )

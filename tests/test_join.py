"""The join: which value a map shows is a recorded rule, derived values are labelled."""

import csv
from pathlib import Path

import pytest

from geo import AtlasError
from geo.facts import load_facts
from geo.join import choose, join, report

KM2 = {"150502": 3000.0, "150525": 8000.0}


def _append(path: Path, row: dict) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    with path.open("a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow([row.get(c, "") for c in header])


def test_latest_year_is_shown_and_older_values_are_kept(small_data):
    joined = join(load_facts(small_data), KM2)
    cell = joined.cell("150502", "area_published")
    assert (cell.value, cell.year, cell.fact.source_id) == (2821.0, "2021", "pf-czkjst-keerqin")
    assert [f.value for f in cell.alternatives] == [3212.0]


def test_row_order_does_not_change_the_choice(small_data):
    facts = small_data / "facts.csv"
    lines = facts.read_text(encoding="utf-8").splitlines()
    facts.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    cell = join(load_facts(small_data), KM2).cell("150502", "area_published")
    assert cell.value == 2821.0


def test_same_year_disagreement_needs_a_recorded_choice(small_data):
    row = {"district": "150525", "theme": "basic", "metric": "population_census", "value": "37.6"}
    row |= {"unit": "万人", "year": "2020", "source_id": "pf-82l", "evidence": "37.6万人"}
    _append(small_data / "facts.csv", row)
    with pytest.raises(
        AtlasError, match=r"sources disagree on population_census of 150525 in 2020.*conflicts\.csv"
    ):
        load_facts(small_data)
    _append(
        small_data / "conflicts.csv",
        {"district": "奈曼旗", "metric": "population_census", "year": "2020"}
        | {"show_source_id": "pf-82l", "reason": "test"},
    )
    cell = join(load_facts(small_data), KM2).cell("150525", "population_census")
    assert (cell.value, cell.fact.source_id) == (37.6, "pf-82l")
    assert [f.value for f in cell.alternatives] == [37.53]


def test_stronger_source_wins_a_tie_on_year(small_data):
    base = load_facts(small_data)
    facts = [f for f in base.facts if f.metric == "population_census" and f.district == "150525"]
    official = facts[0].__class__(**{**facts[0].__dict__, "source_id": "r000"})
    shown, others = choose([facts[0], official], base)
    assert shown.source_id == "r000" and others == (facts[0],)


def test_derived_density_comes_from_census_and_boundary(small_data):
    joined = join(load_facts(small_data), KM2)
    density = joined.cell("150525", "population_density")
    assert density.derived and density.fact is None
    assert density.value == pytest.approx(37.53e4 / 8000.0)
    assert "census population" in density.basis
    assert joined.cell("150571", "population_density") is None  # the zone has no boundary, so no density


def test_city_figures_stay_city_wide(small_data):
    joined = join(load_facts(small_data), KM2)
    assert joined.cell("150500", "population_census").value == pytest.approx(287.3168)
    assert all(f.district == "150500" for f in joined.facts_of("150500"))


def test_join_report_names_matches_and_boundaries(small_data):
    lines = report(join(load_facts(small_data), KM2))
    assert "name '科尔沁区' -> 150502 科尔沁区" in lines
    assert "name 'kailu' -> 150523 开鲁县" in lines
    assert any(line.startswith("150571 通辽经济技术开发区: 1 facts, 0 sites, no boundary") for line in lines)
    assert any(line.startswith("150502 科尔沁区: 3 facts, 1 sites, boundary") for line in lines)

"""Stage 3 of the pipeline: join facts to the areas and pick what each map shows.

For each area and metric there may be several facts (years, sources). The one
a map shows is chosen by a recorded rule, never by row order:

1. a row in conflicts.csv for that area and metric (and year, or all years)
   names the source to show;
2. otherwise the latest year wins (an undated figure is the oldest);
3. on a tie, the stronger source type wins (official > news > news-mirror >
   aggregator), then the smaller source id, so the choice is deterministic.

Derived metrics (area from the boundary, density, share of the city) are
computed here from published figures and labelled as derived.
"""

from __future__ import annotations

from . import areas
from .areas import CITY_CODE
from .model import Cell, Fact, FactBase, Joined, Metric

__all__ = ["choose", "coverage_table", "join", "report"]


def choose(facts: list[Fact], base: FactBase) -> tuple[Fact, tuple[Fact, ...]]:
    """Pick the fact a map shows among `facts` (same area and metric).

    Returns
    -------
    shown, alternatives
        The chosen fact and the others, newest first.
    """

    def rank(f: Fact):
        source = base.sources[f.source_id]
        return (-f.year_end, source.strength, f.source_id)

    ordered = sorted(facts, key=rank)
    first = ordered[0]
    for conflict in base.conflicts:
        if conflict.district != first.district or conflict.metric != first.metric:
            continue
        pool = [
            f
            for f in ordered
            if f.source_id == conflict.show_source_id and (not conflict.year or f.year == conflict.year)
        ]
        if pool and (not conflict.year or conflict.year == first.year):
            first = pool[0]
            break
    return first, tuple(f for f in ordered if f is not first)


def _derive(metric: Metric, joined: Joined) -> None:
    population = "population_census"
    city = joined.cell(CITY_CODE, population)
    for area in areas.districts():
        code = area.code
        km2 = joined.area_km2.get(code)
        pop = joined.cell(code, population)
        if metric.derived == "boundary_area" and km2 is not None:
            joined.cells[(code, metric.key)] = Cell(
                code, metric.key, km2, "", None, "area of the boundary polygon (equal-area projection)"
            )
        elif metric.derived == "density" and km2 and pop is not None:
            people = pop.value * 1e4  # population_census is in 万人
            joined.cells[(code, metric.key)] = Cell(
                code,
                metric.key,
                people / km2,
                pop.year,
                None,
                "census population / area of the boundary polygon",
            )
        elif metric.derived == "share_of_city" and pop is not None and city is not None and city.value:
            joined.cells[(code, metric.key)] = Cell(
                code,
                metric.key,
                100 * pop.value / city.value,
                pop.year,
                None,
                "census population / city census population",
            )


def join(base: FactBase, area_km2: dict[str, float]) -> Joined:
    """Join checked facts to the areas.

    Parameters
    ----------
    base : FactBase
        From :func:`geo.facts.load_facts`; every district already resolved.
    area_km2 : dict
        Area in km² of each area that has a boundary, by code.

    Returns
    -------
    Joined
    """
    joined = Joined(base, dict(area_km2))
    groups: dict[tuple[str, str], list[Fact]] = {}
    for fact in base.facts:
        groups.setdefault((fact.district, fact.metric), []).append(fact)
    for (code, metric), facts in groups.items():
        shown, others = choose(facts, base)
        joined.cells[(code, metric)] = Cell(code, metric, shown.value, shown.year, shown, "", others)
    for metric in base.metrics.values():
        if metric.derived:
            _derive(metric, joined)
    return joined


def report(joined: Joined) -> list[str]:
    """Lines of the join report: which facts matched which area."""
    lines = []
    for name, code in sorted(joined.base.aliases_used.items(), key=lambda kv: kv[1]):
        lines.append(f"name {name!r} -> {code} {areas.resolve(code).name_zh}")
    for area in areas.all_areas():
        facts = joined.facts_of(area.code)
        sites = joined.sites_of(area.code)
        shape = "boundary" if area.code in joined.area_km2 else "no boundary"
        lines.append(f"{area.code} {area.name_zh}: {len(facts)} facts, {len(sites)} sites, {shape}")
    return lines


def coverage_table(joined: Joined) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Facts + sites per area and theme: the districts x themes coverage table."""
    themes = sorted(joined.base.themes.values(), key=lambda t: t.order)
    rows = []
    for area in areas.all_areas():
        counts = [
            len(joined.facts_of(area.code, t.key)) + len(joined.sites_of(area.code, t.key)) for t in themes
        ]
        rows.append((area.code, counts))
    return [t.key for t in themes], rows

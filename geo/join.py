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

from typing import TYPE_CHECKING

import shapely

from . import areas
from .areas import CITY_CODE
from .cells import display_path
from .errors import Problem
from .model import Cell, Fact, FactBase, Joined, Metric

if TYPE_CHECKING:
    import geopandas

__all__ = ["check", "choose", "coverage_table", "join", "report"]


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


def _city_value(joined: Joined, metric: str, year: str) -> float | None:
    """The city's published value of `metric` for `year` (chosen as for any cell), or None."""
    cell = joined.cell(CITY_CODE, metric)
    if cell is None or cell.fact is None or not year:
        return None
    same_year = [f for f in (cell.fact, *cell.alternatives) if f.year == year]
    return choose(same_year, joined.base)[0].value if same_year else None


def _derive(metric: Metric, joined: Joined) -> None:
    population = "population_census"
    formula, _, of = metric.derived.partition(":")
    of = of or population
    for area in areas.districts():
        code = area.code
        km2 = joined.area_km2.get(code)
        pop = joined.cell(code, population)
        part = joined.cell(code, of)
        if formula == "boundary_area" and km2 is not None:
            joined.cells[(code, metric.key)] = Cell(
                code, metric.key, km2, "", None, "area of the boundary polygon (equal-area projection)"
            )
        elif formula == "density" and km2 and pop is not None:
            people = pop.value * 1e4  # population_census is in 万人
            joined.cells[(code, metric.key)] = Cell(
                code,
                metric.key,
                people / km2,
                pop.year,
                None,
                "census population / area of the boundary polygon",
            )
        elif formula == "share_of_city" and part is not None and part.fact is not None:
            # Only against the city figure of the same year: never a share of another year's total.
            whole = _city_value(joined, of, part.year)
            if whole:
                label = joined.base.metrics[of].label_en.lower()
                joined.cells[(code, metric.key)] = Cell(
                    code,
                    metric.key,
                    100 * part.value / whole,
                    part.year,
                    None,
                    f"{label} / city {label} of the same year ({part.year})",
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


# Sites within this distance of their district's border count as inside it: the
# committed borders are accurate to a few metres, a typed position to ~50 m.
_SITE_TOLERANCE_DEG = 0.0005


def check(joined: Joined, shapes: geopandas.GeoDataFrame) -> list[Problem]:
    """Problems that only facts and boundaries together show.

    - an explicit ``breaks:`` scheme whose breaks lie outside the values it
      classifies (empty or upside-down classes);
    - a site whose position lies outside its own district, or outside the city.

    Parameters
    ----------
    joined : Joined
    shapes : geopandas.GeoDataFrame
        The boundaries, as :func:`geo.boundaries.load_boundaries` returns them.

    Returns
    -------
    list of Problem
        Empty when all is well; ``tongliao-maps validate`` and ``build`` both report them.
    """
    problems: list[Problem] = []
    metrics_csv = display_path(joined.base.directory / "metrics.csv")
    drawn = {a.code for a in areas.districts()} & set(joined.area_km2)
    for metric in joined.base.metrics.values():
        breaks = metric.parsed_scheme.breaks
        # the values the classes are computed from: areas drawn as polygons (see geo.spec)
        values = [c.value for (code, key), c in joined.cells.items() if key == metric.key and code in drawn]
        if not breaks or not values:
            continue
        low, high = min(values), max(values)
        if breaks[0] < low or sum(b >= high for b in breaks) > 1:
            problems.append(
                Problem(
                    metrics_csv,
                    f"scheme {metric.scheme!r} of {metric.key!r} has breaks outside the figures it "
                    f"classifies ({low:g} to {high:g}): some classes would be empty",
                    f"choose increasing breaks between {low:g} and {high:g}, or use natural_breaks",
                )
            )
    geoms = dict(zip(shapes["code"], shapes.geometry, strict=True))
    for site in joined.base.sites:
        if site.lon is None or site.lat is None:
            continue
        point = shapely.Point(site.lon, site.lat)
        if areas.CITY_CODE in site.districts:  # a city-wide site may lie in any district
            own = list(geoms.values())
        else:
            own = [geoms.get(code) or geoms.get(areas.resolve(code).parent) for code in site.districts]
            own = [g for g in own if g is not None]
        if any(shapely.dwithin(g, point, _SITE_TOLERANCE_DEG) for g in own):
            continue
        inside = next((c for c, g in geoms.items() if g.contains(point) and c != areas.ZONE_CODE), None)
        names = "/".join(areas.resolve(c).name_zh for c in site.districts)
        where = (
            f"lies in {areas.resolve(inside).name_zh}, not in {names}" if inside else "lies outside Tongliao"
        )
        problems.append(
            Problem(
                site.where,
                f"position ({site.lon:g}, {site.lat:g}) of site {site.site_id!r} {where}",
                "check the numbers (longitude first) and the datum column (WGS84 or GCJ02), "
                "or correct the district",
            )
        )
    return problems

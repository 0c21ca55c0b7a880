"""What a map draws besides shading, described as data: circle scales, years, site summaries.

Used by :mod:`geo.spec`. Three rules of the cartography live here:

- an amount is drawn as a circle whose *area* is proportional to the value, with
  one scale for the city map and every district map (:func:`symbol_scale`);
- figures of different years on one map are said to differ, and a figure five
  or more years older than the newest is marked old (:func:`year_span`);
- sites without printed coordinates are summed per district into one symbol:
  the number of named projects and, within one unit, their documented capacity
  by status, counting only the shown row of a project (:func:`site_summaries`).
  Such a sum is a sum of named projects, never an area's total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .model import SITE_STATUSES, Cell, Site
from .units import convert

__all__ = [
    "OLD_AFTER_YEARS",
    "SUM_LABEL",
    "CapacitySum",
    "SiteSummary",
    "SymbolScale",
    "YearSpan",
    "site_summaries",
    "symbol_scale",
    "year_span",
]

#: A figure this many years (or more) older than the newest on the same map is marked old.
OLD_AFTER_YEARS = 5
#: How every sum of named projects is labelled, on the map and in the legend.
SUM_LABEL = ("已公开项目合计", "sum of projects named in sources, not an official total")
MAX_RADIUS_PX = 34.0  # the largest value's circle: visible on the city map, not hiding a small district
# Capacities are added in these units when an exact conversion exists (facts.UNIT_FACTORS).
_SUM_UNITS = ("万千瓦", "km²", "万亩")


@dataclass(frozen=True)
class SymbolScale:
    """Circle sizes for an amount: area proportional to the value, one scale for every page."""

    max_value: float
    max_radius: float
    references: tuple[float, ...]  # values of the legend's reference circles, largest first

    def radius(self, value: float) -> float:
        """Radius in pixels of the circle for `value` (area proportional to the value)."""
        return self.max_radius * math.sqrt(max(value, 0.0) / self.max_value) if self.max_value > 0 else 0.0


def _nice_at_most(value: float) -> float:
    """The largest 1, 2 or 5 times a power of ten that is at most `value`."""
    power = 10 ** math.floor(math.log10(value))
    return max(step * power for step in (1, 2, 5) if step * power <= value * (1 + 1e-9))


def symbol_scale(values: list[float], max_radius: float = MAX_RADIUS_PX) -> SymbolScale | None:
    """The circle scale of one metric from all its area values, or None when none is positive.

    The legend shows two or three round reference values: the largest round value
    not above the maximum, and about a quarter and a sixteenth of it.
    """
    positive = [v for v in values if v > 0 and math.isfinite(v)]
    if not positive:
        return None
    top = max(positive)
    refs = sorted({_nice_at_most(top), _nice_at_most(top / 4), _nice_at_most(top / 16)}, reverse=True)
    return SymbolScale(top, max_radius, tuple(refs))


@dataclass(frozen=True)
class YearSpan:
    """The years of the figures one map compares."""

    newest: int | None  # last year of the newest dated figure
    oldest: int | None
    undated: bool  # some figure has no year
    differ: bool  # more than one year (or dated and undated) on the map

    def is_old(self, year: str) -> bool:
        """True if a figure of `year` is OLD_AFTER_YEARS or more older than the newest one."""
        end = _year_end(year)
        return end is not None and self.newest is not None and self.newest - end >= OLD_AFTER_YEARS

    @property
    def text(self) -> str:
        """'2015–2022' (or one year); empty when no figure is dated."""
        if self.newest is None or self.oldest is None:
            return ""
        return str(self.newest) if self.newest == self.oldest else f"{self.oldest}–{self.newest}"


def _year_end(year: str) -> int | None:
    return int(year.split("-")[-1]) if year else None


def year_span(cells: list[Cell]) -> YearSpan:
    """The span of years of the figures drawn on one map (a period counts by its last year)."""
    ends = sorted({e for c in cells if (e := _year_end(c.year)) is not None})
    undated = any(not c.year for c in cells)
    texts = {c.year for c in cells}
    return YearSpan(ends[-1] if ends else None, ends[0] if ends else None, undated, len(texts) > 1)


@dataclass(frozen=True)
class CapacitySum:
    """Documented capacity of the named projects of one area, in one unit, by status."""

    unit: str
    storage: bool  # storage kept apart from generating capacity
    by_status: tuple[tuple[str, float], ...]  # (status or "" for not given, sum), in project order
    total: float
    projects: int  # projects added


@dataclass(frozen=True)
class SiteSummary:
    """The one symbol of an area for its sites without printed coordinates."""

    code: str
    sites: tuple[Site, ...]  # every such site of the area, shown rows first
    count: int  # named parks or projects (shown rows only)
    sums: tuple[CapacitySum, ...]
    not_added: tuple[str, ...]  # site ids counted but whose capacity is not added, and why below
    shared: tuple[str, ...]  # site ids that span several areas: counted here, capacity not added


def _unit_of(site: Site) -> tuple[str, float] | None:
    """The capacity in the unit it is added in, or None if it cannot be added to others."""
    if site.capacity is None:
        return None
    if site.capacity_unit in _SUM_UNITS:
        return site.capacity_unit, site.capacity
    for unit in _SUM_UNITS:
        value = convert(site.capacity, site.capacity_unit, unit)
        if value is not None:
            return unit, value
    return site.capacity_unit, site.capacity  # added only to capacities printed in the same unit


def _sums(sites: list[Site]) -> tuple[CapacitySum, ...]:
    groups: dict[tuple[str, bool], dict[str, float]] = {}
    counts: dict[tuple[str, bool], int] = {}
    for site in sites:
        unit_value = _unit_of(site)
        if unit_value is None:
            continue
        key = (unit_value[0], site.kind == "storage")
        by_status = groups.setdefault(key, {})
        by_status[site.status] = by_status.get(site.status, 0.0) + unit_value[1]
        counts[key] = counts.get(key, 0) + 1
    order = {s: i for i, s in enumerate(SITE_STATUSES)}
    out = []
    for (unit, storage), by_status in groups.items():
        ranked = sorted(by_status.items(), key=lambda kv: order.get(kv[0], len(order)))
        total = round(sum(by_status.values()), 6)
        ranked = [(status, round(value, 6)) for status, value in ranked]
        out.append(CapacitySum(unit, storage, tuple(ranked), total, counts[(unit, storage)]))
    return tuple(out)


def site_summaries(sites: list[Site], codes: list[str]) -> dict[str, SiteSummary]:
    """One summary per area that has sites without printed coordinates.

    A site of several areas is counted in each but its capacity is added in none
    (it cannot be split); a project's rows other than its shown row are listed,
    neither counted nor added.
    """
    out = {}
    for code in codes:
        own = [s for s in sites if code in s.districts and s.precision != "point"]
        if not own:
            continue
        own.sort(key=lambda s: not s.shown)
        shown = [s for s in own if s.shown]
        single = [s for s in shown if len(s.districts) == 1]
        shared = tuple(s.site_id for s in shown if len(s.districts) > 1)
        not_added = tuple(s.site_id for s in single if s.capacity is None)
        out[code] = SiteSummary(code, tuple(own), len(shown), _sums(single), not_added, shared)
    return out

"""The atlas's data types, in one place: every stage imports them from here.

The readers (:mod:`geo.facts`, :mod:`geo.boundaries`) return these types, the
join fills :class:`Joined`, and the map specs and the renderer read them. The
vocabularies that the page and the command line share (source types, site
kinds and statuses, scheme names, derived formulas) are written once here.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

__all__ = [
    "DERIVED_FORMULAS",
    "METRIC_KINDS",
    "PALETTES",
    "QUALIFIERS",
    "QUALIFIER_EN",
    "SCHEME_NAMES",
    "SCHEME_ZH",
    "SITE_KINDS",
    "SITE_KIND_ZH",
    "SITE_PRECISIONS",
    "SITE_STATUSES",
    "SITE_STATUS_ZH",
    "SOURCE_TYPES",
    "SOURCE_TYPE_ZH",
    "YEAR_RANGE",
    "Cell",
    "Conflict",
    "Fact",
    "FactBase",
    "Joined",
    "Metric",
    "Scheme",
    "Site",
    "Source",
    "Theme",
    "parse_scheme",
]

#: Source types from strongest to weakest; maps show them beside each figure.
SOURCE_TYPES = ("official", "news", "news-mirror", "aggregator")
SOURCE_TYPE_ZH = {"official": "官方", "news": "新闻", "news-mirror": "新闻转载", "aggregator": "聚合网站"}
#: Words a source prints with a figure that change what it means, and their English.
#: The map shows them with the number: "超过 400" is not "400".
QUALIFIER_EN = {
    "约": "about",
    "近": "nearly",
    "超过": "more than",
    "以上": "at least",
    "不足": "less than",
}
QUALIFIERS = tuple(QUALIFIER_EN)
YEAR_RANGE = (1949, 2035)  # the People's Republic to the 2035 plans the sources quote

#: ColorBrewer's sequential palettes (colour-blind safe), as geo.classify.palette draws them.
PALETTES = (
    "Blues", "BuGn", "BuPu", "GnBu", "Greens", "Greys", "Oranges", "OrRd", "PuBu",
    "PuBuGn", "PuRd", "Purples", "RdPu", "Reds", "YlGn", "YlGnBu", "YlOrBr", "YlOrRd",
)  # fmt: skip

#: Site kinds (the technology of a project, or what a site is) and their Chinese names.
SITE_KIND_ZH = {
    "park": "园区",
    "wind": "风电",
    "solar": "光伏",
    "storage": "储能",
    "hybrid": "风光储",
    "hydrogen": "氢能",
    "thermal": "火电",
    "sand-control": "治沙",
    "nature-reserve": "自然保护区",
    "agri-park": "农业园区",
    "brand": "品牌",
    "industry-project": "产业项目",
}
SITE_KINDS = tuple(SITE_KIND_ZH)
#: Kinds drawn for context only, in grey and named as such: the coal-fired stations
#: in the new-energy theme are the theme's only printed positions, not new-energy sites.
CONTEXT_KINDS = frozenset({"thermal"})
#: Statuses of a site, in the order a project goes through them, and their Chinese names.
SITE_STATUS_ZH = {
    "planned": "规划",
    "approved": "已批复",
    "under-construction": "在建",
    "on-grid": "已并网",
    "operating": "运营",
    "completed": "建成",
    "certified": "已认证",
}
SITE_STATUSES = tuple(SITE_STATUS_ZH)
#: How precisely a site is located: printed coordinates, a named town or park, or only its district.
SITE_PRECISIONS = ("point", "place", "district")
#: Metric kinds: totals and counts (drawn as sized symbols) or intensive figures (drawn as shading).
METRIC_KINDS = ("amount", "rate")

#: Classification schemes by name, with words for people (legend, notes).
SCHEME_ZH = {
    "quantiles": "分位数 quantiles",
    "natural_breaks": "自然断点 natural breaks",
    "equal_interval": "等间距 equal interval",
    "breaks": "自定断点 custom breaks",
}
SCHEME_NAMES = tuple(SCHEME_ZH)

#: Formulas of derived metrics (metrics.csv `derived`), computed in geo.join;
#: ``share_of_city:<metric>`` takes the share of another metric than the census population.
DERIVED_FORMULAS = ("boundary_area", "density", "share_of_city")


@dataclass(frozen=True)
class Scheme:
    """A parsed classification scheme: a name and, for ``breaks:``, the upper bounds."""

    name: str
    breaks: tuple[float, ...] = ()


def parse_scheme(text: str) -> Scheme:
    """Parse a scheme as metrics.csv writes it (``quantiles``, ``breaks:10;20;40``).

    Raises
    ------
    ValueError
        Naming the bad part: an unknown name, or breaks that are not finite,
        increasing numbers.
    """
    name, _, rest = text.strip().partition(":")
    if name not in SCHEME_NAMES:
        raise ValueError(f"unknown scheme {text!r}; use one of {', '.join(SCHEME_NAMES)}")
    if name != "breaks":
        if rest:
            raise ValueError(f"scheme {text!r} takes no ':' part")
        return Scheme(name)
    try:
        bounds = tuple(float(b) for b in rest.split(";") if b.strip())
    except ValueError:
        raise ValueError(f"scheme {text!r} has breaks that are not numbers") from None
    if not bounds:
        raise ValueError(f"scheme {text!r} has no breaks")
    if not all(math.isfinite(b) for b in bounds):
        raise ValueError(f"scheme {text!r} has a break that is not a finite number")
    if any(b <= a for a, b in itertools.pairwise(bounds)):
        raise ValueError(f"scheme {text!r} has breaks that are not strictly increasing")
    return Scheme(name, bounds)


@dataclass(frozen=True)
class Theme:
    """A thematic layer: one choropleth plus its named sites."""

    key: str
    order: int
    label_zh: str
    label_en: str
    palette: str
    description: str


@dataclass(frozen=True)
class Metric:
    """A registered metric (one row of metrics.csv)."""

    key: str
    theme: str
    label_zh: str
    label_en: str
    unit: str
    summable: bool
    headline: bool
    scheme: str
    k: int
    decimals: int
    derived: str
    description: str
    kind: str = "amount"  # METRIC_KINDS

    @property
    def parsed_scheme(self) -> Scheme:
        """The scheme, parsed (metrics.csv was checked when read)."""
        return parse_scheme(self.scheme)


@dataclass(frozen=True)
class Source:
    """A cited source and how strong it is."""

    source_id: str
    title: str
    publisher: str
    date: str
    url: str
    type: str
    file: str
    note: str

    @property
    def type_zh(self) -> str:
        return SOURCE_TYPE_ZH.get(self.type, self.type)

    @property
    def strength(self) -> int:
        """0 for official, higher for weaker sources."""
        return SOURCE_TYPES.index(self.type) if self.type in SOURCE_TYPES else len(SOURCE_TYPES)


@dataclass(frozen=True)
class Fact:
    """One figure for one area, metric and year, in the metric's unit."""

    district: str
    theme: str
    metric: str
    value: float
    value_text: str
    unit: str
    year: str
    source_id: str
    evidence: str
    note: str
    where: str
    qualifier: str = ""  # one of QUALIFIERS, as the source prints it with the figure
    note_zh: str = ""  # the note in Chinese (facts.csv `note_zh`), empty when not written

    @property
    def year_end(self) -> int:
        """Last year of the period, 0 when undated (so undated sorts oldest)."""
        return int(self.year.split("-")[-1]) if self.year else 0


@dataclass(frozen=True)
class Site:
    """A named site: park, energy project, sand-control project or brand."""

    site_id: str
    districts: tuple[str, ...]
    theme: str
    name_zh: str
    name_en: str
    kind: str
    capacity: float | None
    capacity_unit: str
    status: str
    status_year: str
    lon: float | None
    lat: float | None
    source_id: str
    evidence: str
    note: str
    where: str
    place: str = ""  # town, 苏木, village or park the source names
    precision: str = "district"  # SITE_PRECISIONS; lon/lat only for "point"
    position_source_id: str = ""  # source printing the coordinates of a "point"
    project: str = ""  # key shared by rows describing one project
    shown: bool = True  # False for the rows of a project that the maps do not show or sum
    note_zh: str = ""  # the note in Chinese (sites.csv `note_zh`), empty when not written


@dataclass(frozen=True)
class Conflict:
    """A recorded choice between sources that disagree."""

    district: str
    metric: str
    year: str
    show_source_id: str
    reason: str
    where: str


@dataclass
class FactBase:
    """Everything in a data folder, checked."""

    directory: Path
    themes: dict[str, Theme]
    metrics: dict[str, Metric]
    sources: dict[str, Source]
    facts: list[Fact]
    sites: list[Site]
    conflicts: list[Conflict] = field(default_factory=list)
    aliases_used: dict[str, str] = field(default_factory=dict)

    def headline(self, theme: str) -> Metric:
        """The metric drawn as `theme`'s choropleth."""
        return next(m for m in self.metrics.values() if m.theme == theme and m.headline)


@dataclass(frozen=True)
class Cell:
    """The value one map shows for one area and metric."""

    district: str
    metric: str
    value: float
    year: str
    fact: Fact | None  # None for derived values
    basis: str = ""  # how a derived value was computed
    alternatives: tuple[Fact, ...] = ()  # other published values, not shown

    @property
    def derived(self) -> bool:
        return self.fact is None


@dataclass
class Joined:
    """Facts joined to areas: the input of classification and rendering."""

    base: FactBase
    area_km2: dict[str, float]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def cell(self, district: str, metric: str) -> Cell | None:
        return self.cells.get((district, metric))

    @cached_property
    def _facts_by_area(self) -> dict[tuple[str, str | None], list[Fact]]:
        # One pass over the facts, not one per area and theme: a large data folder stays linear.
        index: dict[tuple[str, str | None], list[Fact]] = {}
        for f in sorted(self.base.facts, key=lambda f: (f.metric, f.year_end, f.source_id)):
            index.setdefault((f.district, None), []).append(f)
            index.setdefault((f.district, f.theme), []).append(f)
        return index

    def facts_of(self, district: str, theme: str | None = None) -> list[Fact]:
        """Facts of one area, optionally of one theme, in metric then year order."""
        return list(self._facts_by_area.get((district, theme), ()))

    def sites_of(self, district: str, theme: str | None = None) -> list[Site]:
        """Sites in one area, optionally of one theme."""
        return [s for s in self.base.sites if district in s.districts and (theme is None or s.theme == theme)]

"""Maps described as data: one :class:`MapSpec` per page, one :class:`ThemeLayer` per theme.

The renderer draws whatever a spec says; adding a theme or a basemap is a
change of data (themes.csv, metrics.csv, :data:`BASEMAPS`), not of code.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from . import areas, join
from .areas import CITY_CODE, Area
from .classify import Classification, classify
from .model import Cell, Fact, Joined, Metric, Site, Theme
from .symbols import SiteSummary, SymbolScale, YearSpan, site_summaries, symbol_scale, year_span

__all__ = [
    "BASEMAPS",
    "TIANDITU_ENV",
    "Basemap",
    "IndexEntry",
    "IndexSpec",
    "MapSpec",
    "MetricView",
    "ThemeLayer",
    "basemaps",
    "caveat",
    "index_spec",
    "map_specs",
    "theme_layers",
]

TIANDITU_ENV = "TIANDITU_KEY"


@dataclass(frozen=True)
class Basemap:
    """A tile basemap and the datum its tiles are drawn in."""

    key: str
    label_zh: str
    label_en: str
    url: str
    attribution: str
    datum: str  # "WGS84" or "GCJ02": overlays are converted to match the tiles
    subdomains: str = "abc"
    max_zoom: int = 18


#: Basemaps offered in every map. "none" needs no network at all.
BASEMAPS: tuple[Basemap, ...] = (
    Basemap("none", "无底图", "No tiles", "", "", "WGS84"),
    Basemap(
        "osm",
        "OpenStreetMap",
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        "WGS84",
        "abc",
        19,
    ),
    Basemap(
        "amap",
        "高德地图",
        "Amap (GCJ-02)",
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "&copy; 高德地图 AutoNavi",
        "GCJ02",
        "1234",
        18,
    ),
)


def basemaps(environ: dict[str, str] | None = None) -> tuple[Basemap, ...]:
    """The basemaps of a build: Tianditu is added only when a key is configured.

    The key comes from the environment variable ``TIANDITU_KEY`` and ends up in
    the generated HTML, so maps built with a key must not be committed.
    """
    environ = os.environ if environ is None else environ
    key = environ.get(TIANDITU_ENV, "").strip()
    if not key:
        return BASEMAPS
    # Tianditu's CGCS2000 differs from WGS-84 by centimetres: no conversion needed.
    tianditu = Basemap(
        "tianditu",
        "天地图",
        "Tianditu",
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
        "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + key,
        "&copy; 天地图 Tianditu",
        "WGS84",
        "01234567",
        18,
    )
    return (*BASEMAPS, tianditu)


@dataclass(frozen=True)
class MetricView:
    """One metric as one map draws it: its value per area, the years they span, ranks."""

    metric: Metric
    cells: dict[str, Cell]  # value per area code (districts and the zone)
    years: YearSpan
    ranks: dict[str, tuple[int, int]]  # code -> (rank from the largest, areas with a value)


@dataclass(frozen=True)
class ThemeLayer:
    """One theme of one map: what is shaded, what is sized, its facts and sites.

    ``metric``/``cells`` are the theme's headline (metrics.csv); ``choropleth`` is
    a rate drawn as shading with ``classes``; ``symbols`` an amount drawn as
    circles with ``scale``. Either may be None (no rate or amount with figures).
    """

    theme: Theme
    metric: Metric
    classes: Classification | None
    cells: dict[str, Cell]  # headline value per area code
    facts: dict[str, list[Fact]]  # every fact of the theme per area code (popups, table)
    sites: list[Site]
    choropleth: MetricView | None = None
    symbols: MetricView | None = None
    scale: SymbolScale | None = None
    headline: MetricView | None = None
    summaries: dict[str, SiteSummary] | None = None  # per area, sites without coordinates


@dataclass(frozen=True)
class MapSpec:
    """One page of the atlas."""

    slug: str
    kind: str  # "city" or "district"
    focus: Area | None
    layers: tuple[ThemeLayer, ...]
    basemaps: tuple[Basemap, ...]
    default_basemap: str = "none"
    default_theme: str = ""

    @property
    def filename(self) -> str:
        return f"{self.slug}.html"

    @property
    def area(self) -> Area:
        return self.focus or areas.resolve(CITY_CODE)


@dataclass(frozen=True)
class IndexEntry:
    """One area's row on the index page."""

    area: Area
    link: str  # its page's file name; empty for an area without a page
    figures: tuple[tuple[Metric, Cell], ...]  # each theme's headline figure the area has
    facts: int
    sites: int
    coverage: tuple[int, ...]  # facts + sites per theme, in :attr:`IndexSpec.themes` order


@dataclass(frozen=True)
class IndexSpec:
    """The index page: every map with a one-line summary, and what each area has per theme."""

    themes: tuple[Theme, ...]
    entries: tuple[IndexEntry, ...]
    facts: int
    sites: int
    sources: int


def index_spec(joined: Joined, layers: tuple[ThemeLayer, ...], links: dict[str, str]) -> IndexSpec:
    """Describe the index page.

    Parameters
    ----------
    joined : Joined
    layers : tuple of ThemeLayer
        The themes as the maps draw them (:func:`theme_layers`): the index
        summarises each area by the same headline figures.
    links : dict
        File name of every page by area code.
    """
    base = joined.base
    theme_keys, rows = join.coverage_table(joined)
    coverage = dict(rows)
    entries = []
    for area in areas.all_areas():
        figures = []
        for layer in layers:
            cell = joined.cell(area.code, layer.metric.key) if area.is_city else layer.cells.get(area.code)
            if cell is not None:
                figures.append((layer.metric, cell))
        entries.append(
            IndexEntry(
                area=area,
                link=links.get(area.code, ""),
                figures=tuple(figures),
                facts=len(joined.facts_of(area.code)),
                sites=len(joined.sites_of(area.code)),
                coverage=tuple(coverage[area.code]),
            )
        )
    return IndexSpec(
        themes=tuple(base.themes[k] for k in theme_keys),
        entries=tuple(entries),
        facts=len(base.facts),
        sites=len(base.sites),
        sources=len(base.sources),
    )


def caveat(metric: Metric) -> str:
    """The metric's description for a reader: without pointers to the project's files."""
    return re.sub(r",?\s*see [\w.]+\.csv", "", metric.description).strip()


def _view(joined: Joined, metric: Metric) -> MetricView:
    cells = {a.code: c for a in areas.districts() if (c := joined.cell(a.code, metric.key)) is not None}
    ranks = {
        code: (1 + sum(o.value > c.value for o in cells.values()), len(cells)) for code, c in cells.items()
    }
    return MetricView(metric, cells, year_span(list(cells.values())), ranks)


def _pick(joined: Joined, theme: str, kind: str, drawn: set[str]) -> Metric | None:
    """The headline if it is of `kind`, else the `kind` metric with figures for most areas (two or more)."""
    headline = joined.base.headline(theme)
    if headline.kind == kind:
        return headline
    best, most = None, 1
    for metric in joined.base.metrics.values():  # metrics.csv order settles ties
        if metric.theme != theme or metric.kind != kind:
            continue
        count = sum(1 for a in areas.districts() if a.code in drawn and joined.cell(a.code, metric.key))
        if count > most:
            best, most = metric, count
    return best


def theme_layers(joined: Joined) -> tuple[ThemeLayer, ...]:
    """Describe every theme once, from all district values: shading, circles, site summaries.

    A rate is shaded (classified from the areas drawn as polygons), an amount is
    drawn as circles (one scale from every area's value). The same classes and
    circle scale serve the city map and every district map, so pages compare.
    """
    base = joined.base
    drawn = set(joined.area_km2)
    codes = [a.code for a in areas.districts()]
    layers = []
    for theme in sorted(base.themes.values(), key=lambda t: t.order):
        headline = _view(joined, base.headline(theme.key))
        rate = _pick(joined, theme.key, "rate", drawn)
        amount = _pick(joined, theme.key, "amount", drawn)
        choropleth = symbols = None
        if rate is not None:
            choropleth = headline if rate is headline.metric else _view(joined, rate)
        if amount is not None:
            symbols = headline if amount is headline.metric else _view(joined, amount)
        classes = None
        if choropleth is not None:
            # Only areas drawn as polygons take part in the classes; the zone has
            # no published boundary unless a user supplied one.
            values = [c.value for code, c in choropleth.cells.items() if code in drawn]
            classes = classify(values, rate.scheme, rate.k, theme.palette)
        scale = symbol_scale([c.value for c in symbols.cells.values()]) if symbols else None
        facts = {a.code: joined.facts_of(a.code, theme.key) for a in areas.all_areas()}
        sites = [s for s in base.sites if s.theme == theme.key]
        layers.append(
            ThemeLayer(
                theme,
                headline.metric,
                classes,
                headline.cells,
                facts,
                sites,
                choropleth,
                symbols,
                scale,
                headline,
                site_summaries(sites, codes),
            )
        )
    return tuple(layers)


def map_specs(
    joined: Joined,
    *,
    only: Area | None = None,
    default_basemap: str = "none",
    default_theme: str = "",
    environ: dict[str, str] | None = None,
) -> list[MapSpec]:
    """Describe every page of the atlas, or only `only`'s page (the index is built apart).

    Parameters
    ----------
    joined : Joined
    only : Area, optional
        Describe just this district's page (the index is always rebuilt).
    default_basemap : str
        Key of the basemap shown on opening.
    default_theme : str
        Key of the theme shown on opening (the first theme when empty).
    """
    layers = theme_layers(joined)
    tiles = basemaps(environ)
    specs = []
    if only is None:
        specs.append(MapSpec("tongliao", "city", None, layers, tiles, default_basemap, default_theme))
    for area in areas.districts():
        if only is None or area.code == only.code:
            specs.append(MapSpec(area.slug, "district", area, layers, tiles, default_basemap, default_theme))
    return specs

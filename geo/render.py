"""Stage 5 of the pipeline: render a :class:`~geo.spec.MapSpec` to one HTML page.

folium builds the page and the Leaflet map; the atlas adds one element that
carries the map's data as JSON and the script that draws it. Design points:

- Geometry once per page: every theme restyles the same district polygons in
  the browser instead of embedding the geometry once per layer.
- Offline: Leaflet's JS and CSS (from the XStatic-Leaflet package) and the
  atlas script are inlined; no request leaves the page unless a tile basemap
  is chosen.
- Safe: data reaches the page only as JSON (``tojson``, which escapes ``<``,
  ``>``, ``&`` and ``'``) and the script puts it into the DOM as text. Rendered
  template output is never fed back through Jinja (branca's default would
  re-parse it as a template).
- Deterministic: element ids are numbered, JSON keys sorted, coordinates
  rounded, so the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import folium
import jinja2
import shapely
import shapely.ops
from branca.element import Element, Figure, MacroElement
from markupsafe import Markup

from . import areas, polyline
from .areas import CITY_CODE
from .classify import palette
from .model import (
    SCHEME_ZH,
    SITE_KIND_ZH,
    SITE_STATUS_ZH,
    SOURCE_TYPE_ZH,
    Cell,
    Fact,
    FactBase,
    Site,
    parse_scheme,
)
from .spec import MapSpec, MetricView, ThemeLayer, caveat
from .symbols import SUM_LABEL, SiteSummary

__all__ = [
    "ASSETS",
    "ENV",
    "VOCAB",
    "PageGeometry",
    "page_geometry",
    "page_payload",
    "render_index",
    "render_map",
]

#: Jinja environment of the atlas templates; autoescaping on for everything.
ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("geo", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
ENV.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}

COORD_DECIMALS = polyline.PRECISION  # ~1 m: finer than the simplification tolerance needs
MIN_ZOOM, MAX_ZOOM = 6, 13  # the city fits at 7; beyond 13 the simplified borders show their corners


class _Raw(Element):
    """Already-rendered text, added to the page verbatim (never re-templated)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class TemplateElement(MacroElement):
    """A MacroElement whose header/html/script macros come from an autoescaping template."""

    template_name = ""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        module = ENV.get_template(self.template_name).module
        for part in ("header", "html", "script"):
            macro = getattr(module, part, None)
            if macro is not None:
                getattr(figure, part).add_child(_Raw(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class AtlasLayers(TemplateElement):
    """The atlas on a folium map: data, styles, panels and the drawing script."""

    template_name = "atlas.html.j2"

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "AtlasLayers"
        self.payload = payload
        self.leaflet_css = Markup(_leaflet_css())
        self.leaflet_js = Markup(_asset_text("leaflet_js"))
        self.atlas_css = Markup(_asset_text("atlas_css"))
        self.atlas_js = Markup(_asset_text("atlas_js"))


class AtlasMap(folium.Map):
    """A folium Map that loads nothing from a CDN: assets come inline from AtlasLayers."""

    default_js: ClassVar[list[tuple[str, str]]] = []
    default_css: ClassVar[list[tuple[str, str]]] = []


#: Every file of geo/templates/ that the pages inline, by asset name. The atlas
#: script is its parts joined in this order: core.js opens the TongliaoAtlas
#: namespace, each later part adds to it, init.js starts them (see core.js).
ASSETS: dict[str, tuple[str, ...]] = {
    "atlas_css": ("atlas.css", "access.css", "small.css", "print.css"),
    "atlas_js": tuple(
        f"js/{part}.js"
        for part in (
            "core",
            "gcj",
            "dom",
            "csv",
            "content",
            "popup",
            "polygons",
            "symbols",
            "labels",
            "sites",
            "title",
            "search",
            "view",
            "themes",
            "legend",
            "city",
            "layers",
            "table",
            "profile",
            "tools",
            "hash",
            "tiles",
            "keyboard",
            "small",
            "print",
            "png",
            "init",
        )
    ),
}


@cache
def _asset_text(name: str) -> str:
    if name == "leaflet_js":
        text = _leaflet_dir().joinpath("leaflet.js").read_text(encoding="utf-8")
        text = re.sub(r"\n//# sourceMappingURL=.*$", "", text)  # no request for a .map file
    else:
        folder = resources.files("geo").joinpath("templates")
        text = "\n".join(
            folder.joinpath(*file.split("/")).read_text(encoding="utf-8").rstrip("\n") + "\n"
            for file in ASSETS[name]
        )
    # Inlined into <script>/<style>: a closing tag inside would end the element early.
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        raise RuntimeError(f"asset {name} contains a closing tag and cannot be inlined")
    return text


def _leaflet_dir() -> Path:
    from xstatic.pkg import leaflet

    return Path(leaflet.BASE_DIR)


@cache
def _leaflet_css() -> str:
    """Leaflet's CSS with its images inlined as data: URIs (no request for images/*.png)."""
    folder = _leaflet_dir()
    css = folder.joinpath("leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = folder.joinpath(match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)


# ---------------------------------------------------------------- payload

#: Names the page shows for codes in the data; written once, in the registries they belong to.
VOCAB: dict[str, Any] = {
    "city": CITY_CODE,
    "siteKinds": SITE_KIND_ZH,
    "siteStatuses": SITE_STATUS_ZH,
    "sumLabel": {"zh": SUM_LABEL[0], "en": SUM_LABEL[1]},
    "schemes": SCHEME_ZH,
}


def _num(value: float | None, decimals: int = 6) -> float | None:
    if value is None:
        return None
    rounded = round(float(value), decimals)
    return int(rounded) if rounded == int(rounded) and abs(rounded) < 1e15 else rounded


def _format(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


#: File names that notes in data/ cite, in the words a reader of the page understands.
_FILE_WORDS = {
    "public-facts.md": "公开资料汇编 compiled public facts",
    "public-facts-2.md": "公开资料汇编 compiled public facts",
    "conflicts.csv": "数据冲突记录 record of conflicting figures",
    "facts.csv": "数据表 table of figures",
    "sites.csv": "站点表 table of sites",
}
_FILE_NAME = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(f) for f in _FILE_WORDS) + r")(?![\w-])")


def for_people(note: str) -> str:
    """A note from data/ as the page shows it: no file names (``public-facts.md``)."""
    return _FILE_NAME.sub(lambda m: _FILE_WORDS[m.group(1)], note)


def _fact_json(fact: Fact, base: FactBase) -> dict[str, Any]:
    metric = base.metrics[fact.metric]
    return {
        "metric": metric.label_zh,
        "metricEn": metric.label_en,
        "value": _format(fact.value, metric.decimals),
        "plain": f"{fact.value:.{metric.decimals}f}",  # for the CSV download: no digit grouping
        "qualifier": fact.qualifier,  # 约 / 超过 ...: shown before the number, "超过 400" is not "400"
        "unit": metric.unit,
        "printed": f"{fact.value_text} {fact.unit}" if fact.unit != metric.unit else "",
        "year": fact.year,
        "source": fact.source_id,
        "evidence": fact.evidence,
        "note": for_people(fact.note),
    }


def _cell_json(cell: Cell, view: MetricView, layer: ThemeLayer) -> dict[str, Any]:
    decimals = view.metric.decimals
    out: dict[str, Any] = {
        "v": _num(cell.value),
        "text": _format(cell.value, decimals),
        "year": cell.year,
        "rank": list(view.ranks[cell.district]),
    }
    if view.years.is_old(cell.year):
        out["old"] = True
    if view is layer.choropleth and layer.classes is not None:
        out["cls"] = layer.classes.class_of(cell.value)
    if view is layer.symbols and layer.scale is not None:
        out["r"] = _num(layer.scale.radius(cell.value), 1)
    if cell.fact is not None:
        if cell.fact.qualifier:
            out["qualifier"] = cell.fact.qualifier
        out["source"] = cell.fact.source_id
        out["others"] = [
            {"text": _format(f.value, decimals), "year": f.year, "source": f.source_id}
            for f in cell.alternatives
        ]
    else:
        out["basis"] = cell.basis
    return out


def _metric_json(view: MetricView, layer: ThemeLayer) -> dict[str, Any]:
    metric = view.metric
    out: dict[str, Any] = {
        "key": metric.key,
        "zh": metric.label_zh,
        "en": metric.label_en,
        "unit": metric.unit,
        "kind": metric.kind,
        "derived": bool(metric.derived),
        "description": caveat(metric),
        "years": {"differ": view.years.differ, "text": view.years.text, "undated": view.years.undated},
    }
    if view is layer.choropleth and layer.classes is not None:
        out["scheme"] = parse_scheme(layer.classes.scheme).name  # a key of the page's vocab.schemes
    return out


def _view_json(view: MetricView | None, layer: ThemeLayer) -> dict[str, Any] | None:
    if view is None:
        return None
    out = {
        "metric": _metric_json(view, layer),
        "values": {code: _cell_json(cell, view, layer) for code, cell in view.cells.items()},
    }
    if view is layer.symbols and layer.scale is not None:
        scale = layer.scale
        out["scale"] = [
            {"v": _num(v), "text": _short(v), "r": _num(scale.radius(v), 1)} for v in scale.references
        ]
    return out


def _site_json(site: Site) -> dict[str, Any]:
    return {
        "id": site.site_id,
        "name": site.name_zh,
        "nameEn": site.name_en,
        "kind": site.kind,
        "capacity": _num(site.capacity),
        "unit": site.capacity_unit,
        "status": site.status,
        "year": site.status_year,
        "place": site.place,
        "precision": site.precision,
        "shown": site.shown,
        "districts": list(site.districts),
        "lat": _num(site.lat, COORD_DECIMALS),
        "lon": _num(site.lon, COORD_DECIMALS),
        "source": site.source_id,
        "evidence": site.evidence,
        "note": for_people(site.note),
    }


def _short(value: float) -> str:
    """A sum as text: grouped digits, no trailing zeros (15.0 -> 15, 92.30 -> 92.3)."""
    return _format(value, 2).rstrip("0").rstrip(".")


def _summary_json(summary: SiteSummary) -> dict[str, Any]:
    return {
        "count": summary.count,
        "sites": [s.site_id for s in summary.sites],
        "sums": [
            {
                "unit": c.unit,
                "storage": c.storage,
                "projects": c.projects,
                "byStatus": [[status, _short(value)] for status, value in c.by_status],
            }
            for c in summary.sums
        ],
        "shared": list(summary.shared),
        "notAdded": list(summary.not_added),
    }


def _class_label(low: float, high: float, decimals: int, first: bool) -> str:
    # Classes are (low, high]; only the first includes its lower bound. A class
    # holding a single value (few figures) is labelled by that value.
    if _format(low, decimals) == _format(high, decimals):
        return _format(high, decimals)
    return f"{'' if first else '> '}{_format(low, decimals)} – {_format(high, decimals)}"


def _layer_json(layer: ThemeLayer, base: FactBase, codes: set[str]) -> dict[str, Any]:
    classes = layer.classes
    rows = []
    if classes is not None and layer.choropleth is not None and classes.bounds:  # else no drawn area has one
        lows = (classes.minimum, *classes.bounds[:-1])
        decimals = layer.choropleth.metric.decimals
        rows = [
            {
                "lo": _num(lo),
                "hi": _num(hi),
                "color": color,
                "label": _class_label(lo, hi, decimals, first=i == 0),
            }
            for i, (lo, hi, color) in enumerate(zip(lows, classes.bounds, classes.colors, strict=True))
        ]
    headline = layer.headline
    assert headline is not None
    views = {"choropleth": layer.choropleth, "symbols": layer.symbols}
    drawn_as = [role for role, view in views.items() if view is not None and view.metric is headline.metric]
    summaries = layer.summaries or {}
    return {
        "key": layer.theme.key,
        "zh": layer.theme.label_zh,
        "en": layer.theme.label_en,
        # Circles and site symbols: the dark end of the theme's ColorBrewer palette.
        "color": palette(layer.theme.palette, 5)[-1],
        # The headline (title, tooltip, profile); drawn as one of the two views, or listed only.
        "metric": {**_metric_json(headline, layer), "role": drawn_as[0] if drawn_as else ""},
        "values": {code: _cell_json(cell, headline, layer) for code, cell in headline.cells.items()},
        "classes": rows,
        "choropleth": _view_json(layer.choropleth, layer),
        "symbols": _view_json(layer.symbols, layer),
        "facts": {
            code: [_fact_json(f, base) for f in facts]
            for code, facts in layer.facts.items()
            if facts and code in codes
        },
        "sites": [_site_json(s) for s in layer.sites if codes.intersection(s.districts)],
        # Every area's summary (counts, sums) so that neighbours' popups can tell them too.
        "summaries": {code: _summary_json(s) for code, s in summaries.items()},
        "siteCounts": {
            code: sum(1 for s in layer.sites if code in s.districts and s.shown)
            for code in sorted({c for s in layer.sites for c in s.districts})
        },
    }


@dataclass(frozen=True)
class PageGeometry:
    """The district polygons as every page embeds them: computed once per build."""

    features: list[dict[str, Any]]
    labels: dict[str, list[float | None]]  # label position [lat, lon] by code
    center: list[float]  # [lat, lon] of the bounding box


def page_geometry(geometry) -> PageGeometry:
    """Round the simplified polygons and place their labels.

    Parameters
    ----------
    geometry : GeoDataFrame
        Simplified district polygons (column ``code``) in WGS-84.
    """
    features = []
    labels: dict[str, list[float | None]] = {}
    for code, geom in zip(geometry["code"], geometry.geometry, strict=True):
        rounded = shapely.set_precision(geom, 10**-COORD_DECIMALS)
        # rings as polyline strings: a third of the bytes of JSON numbers (geo/polyline.py)
        shape = polyline.encode_geometry(shapely.geometry.mapping(rounded))
        features.append({"type": "Feature", "properties": {"code": code}, "geometry": shape})
        point = shapely.ops.polylabel(geom.geoms[0] if geom.geom_type == "MultiPolygon" else geom, 0.005)
        labels[code] = [_num(point.y, 4), _num(point.x, 4)]
    minx, miny, maxx, maxy = geometry.total_bounds
    return PageGeometry(features, labels, [round((miny + maxy) / 2, 4), round((minx + maxx) / 2, 4)])


def page_payload(
    spec: MapSpec, base: FactBase, geometry: PageGeometry, links: dict[str, str]
) -> dict[str, Any]:
    """Everything the page's script needs, as JSON-ready data.

    Parameters
    ----------
    spec : MapSpec
    base : FactBase
    geometry : PageGeometry
        From :func:`page_geometry`.
    links : dict
        File name of every page by area code (and ``index``).
    """
    focus = spec.focus
    if focus is None:
        codes = {a.code for a in areas.all_areas()}
    else:
        # A district page carries its own facts; 科尔沁区 and the zone inside it carry each other's.
        related = {focus.code, focus.parent} | {a.code for a in areas.districts() if a.parent == focus.code}
        codes = related - {CITY_CODE}
    labels = geometry.labels
    area_json = {}
    for area in areas.all_areas():
        area_json[area.code] = {
            "zh": area.name_zh,
            "short": area.short_zh,
            "en": area.name_en,
            "pinyin": area.pinyin,
            "names": list(areas.search_names(area)),  # the names search.js treats as exact
            "parent": area.parent,
            "drawn": area.code in labels,
            "label": labels.get(area.code),
            "link": links.get(area.code, ""),
        }
    used = set()
    layers = []
    for layer in spec.layers:
        data = _layer_json(layer, base, codes | ({CITY_CODE} if focus is None else set()))
        layers.append(data)
        for code_facts in data["facts"].values():
            used.update(f["source"] for f in code_facts)
        used.update(s["source"] for s in data["sites"])
        for view in (data, data["choropleth"] or {}, data["symbols"] or {}):
            values = view.get("values", {}).values()
            used.update(v["source"] for v in values if "source" in v)
            used.update(o["source"] for v in values for o in v.get("others", []))
    sources = {
        sid: {
            "title": s.title,
            "publisher": s.publisher,
            "date": s.date,
            "url": s.url,
            "type": s.type,
            "typeZh": SOURCE_TYPE_ZH[s.type],
        }
        for sid, s in sorted(base.sources.items())
        if sid in used
    }
    area = spec.area
    return {
        "kind": spec.kind,
        "focus": focus.code if focus else None,
        "title": {"zh": area.name_zh, "en": area.name_en},
        "geometry": {"type": "FeatureCollection", "encoding": polyline.NAME, "features": geometry.features},
        "areas": area_json,
        "themes": layers,
        "sources": sources,
        "basemaps": [
            {"key": b.key, "zh": b.label_zh, "en": b.label_en, "datum": b.datum} for b in spec.basemaps
        ],
        "defaultBasemap": spec.default_basemap,
        # folium passes min/max zoom only to a default tile layer, so the page sets them
        "zoom": {"min": MIN_ZOOM, "max": MAX_ZOOM},
        "defaultTheme": spec.default_theme or spec.layers[0].theme.key,
        "links": {"index": links["index"], "city": links[CITY_CODE]},
        "vocab": VOCAB,
    }


# ---------------------------------------------------------------- pages


def _stable_ids(root: Element) -> None:
    """Replace folium's random element ids by numbers in tree order."""
    counter = 0

    def walk(element: Element) -> None:
        nonlocal counter
        element._id = f"{counter:02d}"
        counter += 1
        for child in element._children.values():
            walk(child)

    walk(root)


def render_map(spec: MapSpec, base: FactBase, geometry: PageGeometry, links: dict[str, str]) -> str:
    """Render one map page to HTML.

    Parameters
    ----------
    spec : MapSpec
        What to draw.
    base : FactBase
        Sources and metric labels.
    geometry : PageGeometry
        From :func:`page_geometry`, shared by every page of a build.
    links : dict
        File name of every page by area code, plus ``index``.

    Returns
    -------
    str
        A complete HTML document.
    """
    payload = page_payload(spec, base, geometry, links)
    figure = Figure(title=f"{spec.area.name_zh} · 专题地图 | {spec.area.name_en} thematic atlas")
    fmap = AtlasMap(
        location=geometry.center,
        zoom_start=7,
        tiles=None,
        control_scale=False,  # the atlas adds a metric-only scale bar
        zoom_control=True,
        zoom_snap=0.25,
    )
    figure.add_child(fmap)
    names = {}
    for basemap in spec.basemaps:
        if not basemap.url:
            continue
        tile = folium.TileLayer(
            tiles=basemap.url,
            attr=basemap.attribution,
            name=basemap.label_zh,
            max_zoom=basemap.max_zoom,
            subdomains=basemap.subdomains,
            show=False,
            control=False,
        )
        fmap.add_child(tile)
        names[basemap.key] = tile
    layers = AtlasLayers(payload)
    fmap.add_child(layers)
    _stable_ids(figure)
    layers.tile_vars = {key: tile.get_name() for key, tile in sorted(names.items())}
    return _page_head(figure.render())


#: folium's viewport forbids pinch-zoom (maximum-scale=1, user-scalable=no); phones need it.
_FOLIUM_VIEWPORT = re.compile(
    r'<meta name="viewport" content="width=device-width,\s*'
    r'initial-scale=1\.0, maximum-scale=1\.0, user-scalable=no" />'
)
_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1" />'


def _page_head(html: str) -> str:
    """The page's language and a viewport that lets people zoom, in place of branca's and folium's."""
    html, langs = re.subn(r"^<!DOCTYPE html>\n<html>", '<!DOCTYPE html>\n<html lang="zh-CN">', html, count=1)
    html, viewports = _FOLIUM_VIEWPORT.subn(_VIEWPORT, html)
    if (langs, viewports) != (1, 1):  # a new folium or branca writes its head differently
        raise RuntimeError(f"page head not as expected (html tag {langs}, viewport {viewports})")
    return html


def render_index(layers: tuple[ThemeLayer, ...], joined, links: dict[str, str]) -> str:
    """Render the index page that links every map with a one-line summary per area."""
    from .join import coverage_table

    base = joined.base
    themes, rows = coverage_table(joined)
    theme_labels = [base.themes[t] for t in themes]
    entries = []
    for area in areas.all_areas():
        summary = []
        for layer in layers:
            cell = (
                layer.cells.get(area.code) if not area.is_city else joined.cell(area.code, layer.metric.key)
            )
            if cell is not None:
                summary.append(
                    f"{layer.metric.label_zh} "
                    f"{_format(cell.value, layer.metric.decimals)} {layer.metric.unit}"
                    + (f"（{cell.year}）" if cell.year else "")
                )
        facts = len(joined.facts_of(area.code))
        sites = len(joined.sites_of(area.code))
        entries.append(
            {
                "area": area,
                "link": links.get(area.code, ""),
                "summary": summary,
                "facts": facts,
                "sites": sites,
            }
        )
    counts = dict(rows)
    return ENV.get_template("index.html.j2").render(
        entries=entries,
        themes=theme_labels,
        counts=counts,
        sources=len(base.sources),
        facts=len(base.facts),
        n_sites=len(base.sites),
        css=Markup(_asset_text("atlas_css")),
    )

"""Stage 5a of the pipeline: a :class:`~geo.spec.MapSpec` as the data its page carries.

Everything the page's script needs, as JSON-ready dicts: the district polygons
(once per page; every theme restyles them in the browser), each theme's
values, classes, circle scale, facts and sites, the sources they cite and the
vocabularies the page shows. :mod:`geo.render` puts it into the page with
``tojson``; nothing here writes HTML.

Deterministic: keys are sorted on output, numbers rounded, coordinates on a
fixed grid, so the same inputs give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jinja2.utils
import numpy as np
import shapely
import shapely.ops

from . import areas, polyline
from .areas import CITY_CODE
from .classify import palette
from .coverage import round_coordinates
from .model import (
    CONTEXT_KINDS,
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
    "JSON_OPTIONS",
    "VOCAB",
    "PageGeometry",
    "for_people",
    "format_value",
    "page_geometry",
    "page_json",
    "page_payload",
]

#: How the page's JSON is written: sorted keys, UTF-8 text, no spaces (the same bytes every build).
JSON_OPTIONS: dict[str, Any] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}

COORD_DECIMALS = polyline.PRECISION  # ~1 m: finer than the simplification tolerance needs
MIN_ZOOM, MAX_ZOOM = 6, 13  # the city fits at 7; beyond 13 the simplified borders show their corners

#: Names the page shows for codes in the data; written once, in the registries they belong to.
VOCAB: dict[str, Any] = {
    "city": CITY_CODE,
    "contextKinds": sorted(CONTEXT_KINDS),
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


def format_value(value: float, decimals: int) -> str:
    """A figure as the page prints it: grouped digits, the metric's decimals (92.18, 1,234)."""
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
        "value": format_value(fact.value, metric.decimals),
        "plain": f"{fact.value:.{metric.decimals}f}",  # for the CSV download: no digit grouping
        "qualifier": fact.qualifier,  # 约 / 超过 ...: shown before the number, "超过 400" is not "400"
        "unit": metric.unit,
        "printed": f"{fact.value_text} {fact.unit}" if fact.unit != metric.unit else "",
        "year": fact.year,
        "source": fact.source_id,
        "evidence": fact.evidence,
        "note": for_people(fact.note),
        "noteZh": for_people(fact.note_zh),
    }


def _cell_json(cell: Cell, view: MetricView, layer: ThemeLayer) -> dict[str, Any]:
    decimals = view.metric.decimals
    out: dict[str, Any] = {
        "v": _num(cell.value),
        "text": format_value(cell.value, decimals),
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
            {"text": format_value(f.value, decimals), "year": f.year, "source": f.source_id}
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
        "noteZh": for_people(site.note_zh),
    }


def _short(value: float) -> str:
    """A sum as text: grouped digits, no trailing zeros (15.0 -> 15, 92.30 -> 92.3)."""
    return format_value(value, 2).rstrip("0").rstrip(".")


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
    if format_value(low, decimals) == format_value(high, decimals):
        return format_value(high, decimals)
    return f"{'' if first else '> '}{format_value(low, decimals)} – {format_value(high, decimals)}"


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

    @property
    def collection(self) -> dict[str, Any]:
        """The polygons as the page embeds them: rings as polyline strings (geo/polyline.py)."""
        return {"type": "FeatureCollection", "encoding": polyline.NAME, "features": self.features}

    @cached_property
    def json(self) -> str:
        """The polygons as HTML-safe JSON text, serialized once for every page of a build."""
        return _to_json(self.collection)


def page_geometry(codes: Sequence[str], polygons: np.ndarray) -> PageGeometry:
    """Round the simplified polygons and place their labels.

    Parameters
    ----------
    codes : sequence of str
        Area code of each polygon.
    polygons : numpy.ndarray of shapely geometries
        Simplified district polygons in WGS-84 (e.g. from
        :func:`geo.coverage.simplify_coverage`), in the order of `codes`.
    """
    # Plain rounding, as the simplification does: a shared border stays shared.
    rounded = round_coordinates(np.asarray(polygons, dtype=object), COORD_DECIMALS)
    features = []
    labels: dict[str, list[float | None]] = {}
    for code, geom, page_geom in zip(codes, polygons, rounded, strict=True):
        # rings as polyline strings: a third of the bytes of JSON numbers (geo/polyline.py)
        shape = polyline.encode_geometry(page_geom)
        features.append({"type": "Feature", "properties": {"code": code}, "geometry": shape})
        point = shapely.ops.polylabel(geom.geoms[0] if geom.geom_type == "MultiPolygon" else geom, 0.005)
        labels[code] = [_num(point.y, 4), _num(point.x, 4)]
    minx, miny, maxx, maxy = shapely.total_bounds(rounded)
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
    codes = {a.code for a in areas.all_areas()} if focus is None else set(areas.page_codes(focus))
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
        "geometry": geometry.collection,
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


def _to_json(data: Any) -> str:
    # jinja2's tojson: JSON with <, >, & and ' escaped, safe inside <script>
    return str(jinja2.utils.htmlsafe_json_dumps(data, **JSON_OPTIONS))


#: Stands for the geometry while the rest of a payload is serialized.
_GEOMETRY_SLOT = "@atlas-geometry@"


def page_json(payload: dict[str, Any], geometry: PageGeometry) -> str:
    """A page's payload as HTML-safe JSON text, the same as ``tojson`` would write.

    The geometry is half of every page and the same on all of them, so its text
    (:attr:`PageGeometry.json`) is made once per build and put in its place.
    """
    text = _to_json({**payload, "geometry": _GEOMETRY_SLOT})
    slot = _to_json(_GEOMETRY_SLOT)
    if text.count(slot) != 1:  # the placeholder's text occurs in the data itself
        return _to_json(payload)
    return text.replace(slot, geometry.json)

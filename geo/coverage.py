"""Measure and simplify the district coverage.

The eight districts tile the city: :func:`coverage_report` measures how well
(overlaps, gaps, shared edges) and :func:`simplify_coverage` simplifies them
together so that shared borders stay shared on every page. :func:`area_km2`
measures areas on an equal-area projection.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

from .areas import ZONE_CODE

__all__ = [
    "DEFAULT_SIMPLIFY_TOLERANCE_DEG",
    "EQUAL_AREA_CRS",
    "area_km2",
    "coverage_report",
    "round_coordinates",
    "simplify_coverage",
]

# Areas in km²: a cylindrical equal-area projection on the WGS-84 ellipsoid is
# exact for area anywhere, so one CRS serves the city and every district.
EQUAL_AREA_CRS = "EPSG:6933"

# At Tongliao's latitude 0.001° is ~80 m east-west and ~110 m north-south: under
# a pixel at zoom 7-10 and about 3 px at zoom 12, the closest the atlas zooms.
# Measured on the committed districts: 99 % of source vertices stay within
# ~75 m of the simplified border (a few narrow spikes lose up to ~300 m), and
# the GeoJSON shrinks from ~27,400 vertices / 625 kB to ~7,600 / 144 kB.
DEFAULT_SIMPLIFY_TOLERANCE_DEG = 0.001
_FINEST_DECIMALS = 6  # the committed files' precision (~0.1 m)
_WGS84 = "EPSG:4326"


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


def round_coordinates(geoms: np.ndarray, decimals: int) -> np.ndarray:
    """Every coordinate rounded to `decimals`, repeated points dropped."""
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

    first = min(_FINEST_DECIMALS, max(0, math.ceil(-math.log10(tolerance_deg / 10))))
    for decimals in range(first, _FINEST_DECIMALS + 1):
        rounded_tiles, rounded_zone = round_coordinates(tiles, decimals), round_coordinates(zone, decimals)
        if _clean(rounded_tiles) and shapely.is_valid(rounded_zone).all():
            tiles, zone = rounded_tiles, rounded_zone
            break
    result = np.empty(len(geoms), dtype=object)
    result[~is_zone] = tiles
    result[is_zone] = zone
    out[out.geometry.name] = geopandas.GeoSeries(result, index=gdf.index, crs=gdf.crs)
    return out

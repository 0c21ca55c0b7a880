"""GCJ-02 <-> WGS-84 datum shifts.

Amap (Gaode) and every boundary derived from it publish coordinates in GCJ-02,
the "Mars" datum mandated for Chinese web maps. It is WGS-84 plus a smooth,
deliberately obfuscated offset; around Tongliao (lon ~122°, lat ~43.6°) the
offset is about 500 m, enough to put a county border on the wrong side of a
river on an OpenStreetMap base layer. The atlas stores WGS-84 only.

The forward shift (:func:`wgs84_to_gcj02`) is the closed form that circulates
as the de-facto definition: a polynomial-plus-sine offset in "metres" scaled by
the Krasovsky 1940 ellipsoid. There is no closed-form inverse, so
:func:`gcj02_to_wgs84` solves ``forward(w) = g`` by fixed-point iteration; the
offset changes by only ~0.3 % per degree, so each step shrinks the error about
300-fold and two or three steps reach the 1e-9° (~0.1 mm) stopping residual.

Points outside the rough bounding box of China are left unchanged, as the
forward definition does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely

if TYPE_CHECKING:
    import geopandas

__all__ = [
    "INVERSE_MAX_ITERATIONS",
    "INVERSE_TOLERANCE_DEG",
    "gcj02_to_wgs84",
    "out_of_china",
    "to_gcj02_frame",
    "to_wgs84_frame",
    "transform_geometry",
    "wgs84_to_gcj02",
]

# Krasovsky 1940 ellipsoid, as the GCJ-02 definition uses it.
_A = 6378245.0
_EE = 0.00669342162296594323

# Stop when forward(w) is within this of the GCJ-02 input (1e-9° ≈ 0.1 mm).
INVERSE_TOLERANCE_DEG = 1e-9
# Convergence takes 2-3 steps near China; the bound only guards against NaN input.
INVERSE_MAX_ITERATIONS = 30

ArrayLike = npt.ArrayLike
Coords = Callable[[Any, Any], tuple[Any, Any]]


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray | np.bool_:
    """Whether points lie outside the box where GCJ-02 applies.

    Parameters
    ----------
    lon, lat : float or array_like
        Longitude and latitude in degrees.

    Returns
    -------
    numpy.ndarray or numpy.bool_
        True where the point is outside the box (the datum shift is then zero).
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84 in degrees, evaluated at WGS-84 (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    # Shared short-wavelength wobble of both components.
    wobble = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    sqrt_abs_x = np.sqrt(np.abs(x))

    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + wobble
    d_lat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0

    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + wobble
    d_lon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0

    # The offsets above are in metres on the Krasovsky ellipsoid: turn them
    # into degrees with the meridian and parallel radii of curvature.
    rad_lat = np.radians(lat)
    w = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_w = np.sqrt(w)
    d_lat = np.degrees(d_lat / ((_A * (1.0 - _EE)) / (w * sqrt_w)))
    d_lon = np.degrees(d_lon / (_A / sqrt_w * np.cos(rad_lat)))

    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def _result(lon: np.ndarray, lat: np.ndarray, scalar: bool) -> tuple[Any, Any]:
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """Shift WGS-84 coordinates to GCJ-02.

    Parameters
    ----------
    lon, lat : float or array_like
        WGS-84 longitude and latitude in degrees; arrays broadcast together.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02: floats for scalar input, otherwise arrays of
        the broadcast shape. Points outside China come back unchanged.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    d_lon, d_lat = _offset(lon_a, lat_a)
    return _result(lon_a + d_lon, lat_a + d_lat, scalar)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """Shift GCJ-02 coordinates back to WGS-84.

    Solves ``wgs84_to_gcj02(w) == (lon, lat)`` by fixed-point iteration until
    the residual is below :data:`INVERSE_TOLERANCE_DEG` for every point, with at
    most :data:`INVERSE_MAX_ITERATIONS` steps. The result is exact to well under
    a millimetre wherever the forward shift is defined.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 longitude and latitude in degrees; arrays broadcast together.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS-84: floats for scalar input, otherwise arrays.
        Points outside China come back unchanged.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    g_lon, g_lat = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    # Start from "GCJ minus its own offset": already within a few metres.
    d_lon, d_lat = _offset(g_lon, g_lat)
    w_lon, w_lat = g_lon - d_lon, g_lat - d_lat
    for _ in range(INVERSE_MAX_ITERATIONS):
        d_lon, d_lat = _offset(w_lon, w_lat)
        r_lon = g_lon - (w_lon + d_lon)
        r_lat = g_lat - (w_lat + d_lat)
        w_lon = w_lon + r_lon
        w_lat = w_lat + r_lat
        # NaN residuals (NaN input) compare False and so do not block the stop.
        if not (
            np.any(np.abs(r_lon) >= INVERSE_TOLERANCE_DEG) or np.any(np.abs(r_lat) >= INVERSE_TOLERANCE_DEG)
        ):
            break
    # A GCJ point outside the box was never shifted: keep it bit for bit.
    outside = out_of_china(g_lon, g_lat)
    return _result(np.where(outside, g_lon, w_lon), np.where(outside, g_lat, w_lat), scalar)


def transform_geometry(geom: Any, func: Coords) -> Any:
    """Apply a coordinate function such as :func:`gcj02_to_wgs84` to geometries.

    Parameters
    ----------
    geom : shapely.Geometry or array_like of shapely.Geometry
        Geometries in longitude/latitude; ``None`` entries pass through.
    func : callable
        ``func(lon, lat) -> (lon, lat)`` taking and returning 1-D arrays.

    Returns
    -------
    shapely.Geometry or numpy.ndarray
        The transformed geometry (or array), same types and vertex counts.
    """

    def on_array(xy: np.ndarray) -> np.ndarray:
        new_lon, new_lat = func(xy[:, 0], xy[:, 1])
        return np.column_stack([np.asarray(new_lon, dtype=float), np.asarray(new_lat, dtype=float)])

    return shapely.transform(geom, on_array)


def _frame(gdf: geopandas.GeoDataFrame, func: Coords) -> geopandas.GeoDataFrame:
    if gdf.crs is not None and not gdf.crs.is_geographic:
        raise ValueError(f"expected longitude/latitude coordinates, got CRS {gdf.crs.to_string()}")
    out = gdf.copy()
    out[out.geometry.name] = transform_geometry(gdf.geometry.values.to_numpy(), func)
    return out


def to_wgs84_frame(gdf: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """Copy of `gdf` with GCJ-02 geometry shifted to WGS-84.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Longitude/latitude geometry in GCJ-02 (such files usually claim
        EPSG:4326; the CRS label is kept as it is).

    Returns
    -------
    geopandas.GeoDataFrame
        The same rows with WGS-84 geometry.
    """
    return _frame(gdf, gcj02_to_wgs84)


def to_gcj02_frame(gdf: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """Copy of `gdf` with WGS-84 geometry shifted to GCJ-02 (e.g. for an Amap base layer).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Longitude/latitude geometry in WGS-84.

    Returns
    -------
    geopandas.GeoDataFrame
        The same rows with GCJ-02 geometry.
    """
    return _frame(gdf, wgs84_to_gcj02)

"""Deterministic GeoJSON text of polygon layers (RFC 7946): same rows, same bytes."""

from __future__ import annotations

import json
from typing import Any

import geopandas
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

__all__ = ["COORD_DECIMALS", "is_wgs84", "to_geojson"]

COORD_DECIMALS = 6  # ≈ 0.1 m
_WGS84 = "EPSG:4326"


def is_wgs84(crs: Any) -> bool:
    """Whether `crs` is WGS-84 longitude/latitude (EPSG:4326 or OGC:CRS84)."""
    # OGC:CRS84 and EPSG:4326 differ only in axis order, which GeoJSON fixes as lon, lat.
    return bool(crs.equals(_WGS84, ignore_axis_order=True))


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


def to_geojson(gdf: geopandas.GeoDataFrame, *, name: str, decimals: int = COORD_DECIMALS) -> str:
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
    if gdf.crs is not None and not is_wgs84(gdf.crs):
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

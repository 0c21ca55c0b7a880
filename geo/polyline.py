"""Polygon rings as Encoded Polyline strings, for the page's embedded geometry.

The Encoded Polyline Algorithm Format (Google's, precision 5: 1e-5 degree,
about 1 m) writes each vertex as the zigzag-varint difference to the one
before, in printable ASCII (63-126). A ring of the simplified district
polygons takes about a third of the bytes of its JSON numbers, and the page
reads less: the browser tokenises and parses every byte of the embedded JSON
before the first drawing. geo/templates/js/polygons.js decodes it back to
GeoJSON coordinates; rounding to ``PRECISION`` decimals first makes the round
trip exact.

Each ring is encoded as (lat, lon) pairs, the format's own order; the GeoJSON
it decodes to is [lon, lat] as usual.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["NAME", "PRECISION", "decode_geometry", "decode_ring", "encode_geometry", "encode_ring"]

PRECISION = 5
NAME = f"polyline{PRECISION}"
_SCALE = 10**PRECISION


def encode_ring(ring: Any) -> str:
    """One ring of [lon, lat] positions (rounded to ``PRECISION`` decimals) as a polyline string.

    Vectorised: each value's 5-bit chunks, low first, all but its last flagged with 0x20,
    every chunk + 63 (the format's printable range).
    """
    xy = np.asarray(ring, dtype=float).reshape(-1, 2)
    ints = np.rint(xy[:, ::-1] * _SCALE).astype(np.int64)  # (lat, lon); rint rounds half to even, as round()
    deltas = np.diff(ints, axis=0, prepend=np.zeros((1, 2), np.int64)).ravel()
    values = np.where(deltas < 0, ~(deltas << 1), deltas << 1)
    if not values.size:
        return ""
    width = int(values.max()).bit_length() // 5 + 1  # chunks of the longest value
    k = np.arange(width)
    count = 1 + (values[:, None] >= 32 ** k[1:]).sum(axis=1)  # chunks of each value
    chunks = ((values[:, None] >> (5 * k)) & 0x1F) | np.where(k < count[:, None] - 1, 0x20, 0)
    return (chunks[k < count[:, None]] + 63).astype(np.uint8).tobytes().decode("ascii")


def decode_ring(text: str) -> list[list[float]]:
    """The [lon, lat] positions of a polyline string (the inverse of :func:`encode_ring`)."""
    ring: list[list[float]] = []
    index = lat = lon = 0
    while index < len(text):
        deltas = []
        for _ in range(2):
            shift = result = 0
            while True:
                byte = ord(text[index]) - 63
                index += 1
                result |= (byte & 0x1F) << shift
                shift += 5
                if byte < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat += deltas[0]
        lon += deltas[1]
        ring.append([lon / _SCALE, lat / _SCALE])
    return ring


def _polygons(geometry: Any) -> tuple[str, list[list[Any]]]:
    """The type and the rings (per polygon) of a GeoJSON mapping or a shapely (Multi)Polygon."""
    if isinstance(geometry, dict):
        kind, coords = geometry["type"], geometry["coordinates"]
        polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    else:  # straight from shapely's coordinates: no GeoJSON tuples in between
        kind = geometry.geom_type
        parts = [geometry] if kind == "Polygon" else list(geometry.geoms) if kind == "MultiPolygon" else None
        polygons = None if parts is None else [
            [np.asarray(ring.coords) for ring in (part.exterior, *part.interiors)] for part in parts
        ]  # fmt: skip
    if polygons is None:
        raise ValueError(f"only polygons are encoded, not {kind}")
    return kind, polygons


def encode_geometry(geometry: Any) -> dict[str, Any]:
    """A Polygon or MultiPolygon (GeoJSON mapping or shapely) as GeoJSON with each ring a polyline string."""
    kind, polygons = _polygons(geometry)
    encoded = [[encode_ring(ring) for ring in polygon] for polygon in polygons]
    return {"type": kind, "coordinates": encoded[0] if kind == "Polygon" else encoded}


def decode_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """The GeoJSON mapping of an :func:`encode_geometry` result."""
    coords = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [decode_ring(r) for r in coords]}
    return {"type": "MultiPolygon", "coordinates": [[decode_ring(r) for r in p] for p in coords]}

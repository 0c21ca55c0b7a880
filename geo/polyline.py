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

__all__ = ["NAME", "PRECISION", "decode_geometry", "decode_ring", "encode_geometry", "encode_ring"]

PRECISION = 5
NAME = f"polyline{PRECISION}"
_SCALE = 10**PRECISION


def _varint(value: int, out: list[str]) -> None:
    value = ~(value << 1) if value < 0 else value << 1
    while value >= 0x20:
        out.append(chr((0x20 | (value & 0x1F)) + 63))
        value >>= 5
    out.append(chr(value + 63))


def encode_ring(ring: Any) -> str:
    """One ring of [lon, lat] positions (rounded to ``PRECISION`` decimals) as a polyline string."""
    out: list[str] = []
    last_lat = last_lon = 0
    for position in ring:
        lat, lon = round(position[1] * _SCALE), round(position[0] * _SCALE)
        _varint(lat - last_lat, out)
        _varint(lon - last_lon, out)
        last_lat, last_lon = lat, lon
    return "".join(out)


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


def encode_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon mapping with each ring as a polyline string."""
    coords = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [encode_ring(r) for r in coords]}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[encode_ring(r) for r in p] for p in coords]}
    raise ValueError(f"only polygons are encoded, not {geometry['type']}")


def decode_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """The GeoJSON mapping of an :func:`encode_geometry` result."""
    coords = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [decode_ring(r) for r in coords]}
    return {"type": "MultiPolygon", "coordinates": [[decode_ring(r) for r in p] for p in coords]}

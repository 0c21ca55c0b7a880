"""Tongliao thematic atlas: boundaries -> facts -> join -> classify -> render -> publish.

The public API is small; each stage lives in a module named for it::

    import geo
    geo.build_atlas("data", "boundaries", "maps")                 # every map
    geo.build_atlas("data", "boundaries", "maps", district="奈曼旗")  # one district
    geo.resolve("科左中旗").code                                    # '150521'
    geo.export_atlas("data", "boundaries", "maps/tongliao-atlas.gpkg")  # GeoPackage + facts CSV

Heavy libraries (geopandas, folium) load when a stage first needs them, not
on ``import geo``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .areas import Area, resolve
from .errors import AtlasError, Problem

__all__ = [
    "Area",
    "AtlasError",
    "Problem",
    "build_atlas",
    "classify",
    "export_atlas",
    "gcj02_to_wgs84",
    "load_boundaries",
    "load_facts",
    "read_boundaries",
    "read_facts",
    "resolve",
    "validate",
    "wgs84_to_gcj02",
]

_LAZY = {
    "classify": "classify",
    "load_facts": "facts",
    "read_facts": "facts",
    "load_boundaries": "boundaries",
    "read_boundaries": "boundaries",
    "build_atlas": "pipeline",
    "validate": "pipeline",
    "export_atlas": "export",
    "wgs84_to_gcj02": "datum",
    "gcj02_to_wgs84": "datum",
}

if TYPE_CHECKING:
    from .boundaries import load_boundaries, read_boundaries
    from .classify import classify
    from .datum import gcj02_to_wgs84, wgs84_to_gcj02
    from .export import export_atlas
    from .facts import load_facts, read_facts
    from .pipeline import build_atlas, validate


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")

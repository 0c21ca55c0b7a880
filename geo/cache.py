"""Stage 1's result kept between builds: the checked boundaries, their areas, the simplified coverage.

The usual rebuild follows a changed fact, with the boundaries as they were;
reading, checking and simplifying them again is a third of a one-district
rebuild. So the result of that stage is stored in the user's cache folder
(``platformdirs.user_cache_dir("tongliao-atlas")``; ``TONGLIAO_ATLAS_CACHE``
names another folder, or ``off``) under a key made of every byte it came
from: the boundary files and the atlas's own code. A changed file or another
version of the atlas is a miss, never a stale hit.

Only a clean result is kept: with any problem or warning the stage runs in
full every time, so its messages are never lost. A cache file that cannot be
read is a miss. The file holds numbers and WKB only (JSON, no pickle), and it
is written atomically, so two builds at once at worst both write it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import shapely

from . import boundaries, coverage
from .errors import AtlasError, Problem

__all__ = ["CACHE_ENV", "BoundaryStage", "boundary_stage", "cache_dir"]

CACHE_ENV = "TONGLIAO_ATLAS_CACHE"
_FORMAT = 1  # bump when the stored fields change
_KEEP = 8  # results kept: a few boundary versions, not every one ever built


@dataclass(frozen=True)
class BoundaryStage:
    """The boundaries as the later stages use them."""

    shapes: geopandas.GeoDataFrame  # as geo.boundaries.read_boundaries returns them
    km2: dict[str, float]  # area of each by code
    simple: np.ndarray  # the coverage-simplified polygons, in the order of `shapes`


def cache_dir() -> Path | None:
    """The folder the stage is kept in, or None when ``TONGLIAO_ATLAS_CACHE=off``."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    import platformdirs

    return Path(platformdirs.user_cache_dir("tongliao-atlas", appauthor=False))


def _inputs(directory: Path, zone_file: Path | None) -> list[Path]:
    # The files boundaries.read_boundaries reads, found the same way. A zone file
    # named on the command line is always one: if it cannot be read there is no key.
    districts = Path(directory) / boundaries.DISTRICTS_FILE
    if zone_file is not None:
        return [districts, Path(zone_file)]
    zone = Path(directory) / boundaries.ZONE_FILE
    return [districts, *([zone] if zone.exists() else [])]


def _key(files: list[Path]) -> str | None:
    digest = hashlib.sha256(f"tongliao-atlas boundary stage {_FORMAT}\n".encode())
    code = resources.files("geo")
    for item in sorted(code.iterdir(), key=lambda p: p.name):
        if item.name.endswith((".py", ".csv")):
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
    for path in files:
        try:
            digest.update(b"\0file\0" + path.read_bytes())
        except OSError:
            return None  # unreadable: let the reader say why
    return digest.hexdigest()


def _wkb(geoms: np.ndarray) -> list[str]:
    return [base64.b64encode(b).decode("ascii") for b in shapely.to_wkb(geoms)]


def _geoms(texts: list[str]) -> np.ndarray:
    return shapely.from_wkb([base64.b64decode(t) for t in texts])


def _load(path: Path) -> BoundaryStage | None:
    try:
        data: dict[str, Any] = json.loads(path.read_bytes())
        if data.get("format") != _FORMAT:
            return None
        codes = [str(c) for c in data["codes"]]
        shapes = boundaries.frame(codes, list(_geoms(data["geometry"])))
        simple = _geoms(data["simple"])
        km2 = {str(k): float(v) for k, v in data["km2"].items()}
        if len(simple) != len(codes) or set(km2) != set(codes):
            return None
        return BoundaryStage(shapes, km2, simple)
    except (OSError, ValueError, KeyError, TypeError, AtlasError, shapely.errors.GEOSException):
        return None  # unreadable or from elsewhere: run the stage


def _save(path: Path, stage: BoundaryStage) -> None:
    from .publish import atomic_write

    data = {
        "format": _FORMAT,
        "codes": list(stage.shapes["code"]),
        "geometry": _wkb(stage.shapes.geometry.to_numpy()),
        "simple": _wkb(stage.simple),
        "km2": stage.km2,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data, separators=(",", ":")).encode())
        kept = sorted(path.parent.glob("boundaries-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home, a full disk, a file gone meanwhile: the next build runs the stage again


def boundary_stage(
    directory: Path, zone_file: Path | None = None
) -> tuple[BoundaryStage | None, list[Problem]]:
    """Read, check, measure and simplify the boundaries, or take the kept result of the same inputs.

    Parameters
    ----------
    directory : Path
        The boundaries folder.
    zone_file : Path, optional
        A boundary of the development zone, as for :func:`geo.boundaries.read_boundaries`.

    Returns
    -------
    stage, problems
        `stage` is None when there are problems.
    """
    folder = cache_dir()
    key = _key(_inputs(directory, zone_file)) if folder is not None else None
    path = folder / f"boundaries-{key}.json" if folder is not None and key is not None else None
    if path is not None and path.is_file():
        kept = _load(path)
        if kept is not None:
            return kept, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shapes, problems = boundaries.read_boundaries(directory, zone_file)
    for w in caught:  # said again to the caller, and the result is not kept
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if problems or shapes is None:
        return None, problems
    km2 = dict(zip(shapes["code"], coverage.area_km2(shapes).astype(float), strict=True))
    simple = coverage.simplify_coverage(shapes).geometry.to_numpy()
    stage = BoundaryStage(shapes, km2, simple)
    if path is not None and not caught:
        _save(path, stage)
    return stage, []

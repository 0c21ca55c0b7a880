"""The pipeline end to end: boundaries -> facts -> join -> classify -> render -> publish.

Each stage lives in the module named for it; this module only wires them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import areas, boundaries, coverage, facts, join, publish, render, spec
from .errors import AtlasError, Problem
from .model import Theme

__all__ = ["ROOT", "BuildResult", "build_atlas", "load_joined", "validate"]

#: The project folder: data/, boundaries/ and maps/ are found here by default.
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class BuildResult:
    """What a build wrote and what it joined."""

    out_dir: Path
    pages: list[str]
    published: publish.PublishResult
    report: list[str]


def _read_inputs(data_dir: Path, boundaries_dir: Path, zone_file: Path | None):
    """Read boundaries and facts once each; every problem of both, boundaries first."""
    shapes, problems = boundaries.read_boundaries(boundaries_dir, zone_file)
    base, fact_problems = facts.read_facts(data_dir)
    return shapes, base, problems + fact_problems


def load_joined(data_dir: Path, boundaries_dir: Path, zone_file: Path | None = None):
    """Read boundaries and facts and join them; every problem of both at once.

    Returns
    -------
    joined, geometry
        The joined facts and the boundaries (GeoDataFrame with ``code``).
    """
    shapes, base, problems = _read_inputs(data_dir, boundaries_dir, zone_file)
    if problems or shapes is None:
        raise AtlasError(*problems)
    km2 = dict(zip(shapes["code"], coverage.area_km2(shapes).astype(float), strict=True))
    return join.join(base, km2), shapes


def validate(data_dir: Path, boundaries_dir: Path, zone_file: Path | None = None) -> list[Problem]:
    """Check data/ and boundaries/ and return every problem; writes nothing."""
    return _read_inputs(data_dir, boundaries_dir, zone_file)[2]


def _theme_key(name: str, themes: dict[str, Theme]) -> str:
    """A theme named by key or by its Chinese or English label."""
    wanted = name.strip().casefold()
    for key, theme in themes.items():
        if wanted in {key.casefold(), theme.label_zh.casefold(), theme.label_en.casefold()}:
            return key
    choices = ", ".join(f"{k} ({t.label_zh})" for k, t in themes.items())
    raise AtlasError(Problem("--theme", f"unknown theme {name!r}", f"use one of {choices}"))


def _links() -> dict[str, str]:
    links = {a.code: f"{a.slug}.html" for a in areas.districts()}
    links[areas.CITY_CODE] = "tongliao.html"
    links["index"] = "index.html"
    return links


def build_atlas(
    data_dir: Path,
    boundaries_dir: Path,
    out_dir: Path,
    *,
    district: str | None = None,
    zone_file: Path | None = None,
    basemap: str = "none",
    theme: str = "",
) -> BuildResult:
    """Build the atlas (every map and the index), or one district's map and the index.

    Parameters
    ----------
    data_dir, boundaries_dir : Path
        Facts (see data/README.md) and boundaries (see boundaries/README.md).
    out_dir : Path
        Output folder; replaced atomically, never left half-written.
    district : str, optional
        Any name of one district: only its map and the index are rebuilt, every
        other file in `out_dir` is left untouched.
    zone_file : Path, optional
        A boundary for 通辽经济技术开发区 to draw.
    basemap : str
        Basemap shown on opening: ``none`` (works offline), ``osm``, ``amap``.
    theme : str
        Theme shown on opening (a key of themes.csv); the first theme when empty.

    Returns
    -------
    BuildResult

    Raises
    ------
    AtlasError
        For any problem in the input or an unwritable `out_dir`.
    """
    only = areas.resolve(district, where="--district", allow_city=False) if district else None
    keys = {b.key for b in spec.basemaps()}
    if basemap not in keys:
        raise AtlasError(
            Problem("--basemap", f"unknown basemap {basemap!r}", f"use one of {', '.join(sorted(keys))}")
        )
    joined, shapes = load_joined(data_dir, boundaries_dir, zone_file)
    theme = _theme_key(theme, joined.base.themes) if theme else ""
    geometry = render.page_geometry(coverage.simplify_coverage(shapes))
    links = _links()
    specs = spec.map_specs(joined, only=only, default_basemap=basemap, default_theme=theme)
    pages = {s.filename: render.render_map(s, joined.base, geometry, links).encode("utf-8") for s in specs}
    pages["index.html"] = render.render_index(specs[0].layers, joined, links).encode("utf-8")
    result = publish.publish(Path(out_dir), pages, replace_all=only is None)
    return BuildResult(Path(out_dir), sorted(pages), result, join.report(joined))

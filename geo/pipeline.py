"""The pipeline end to end: boundaries -> facts -> join -> classify -> render -> publish.

Each stage lives in the module named for it; this module only wires them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import areas, facts, join, payload, publish, render, spec
from .areas import Area
from .cache import BoundaryStage, boundary_stage
from .errors import AtlasError, Problem
from .model import FactBase, Joined, Theme

__all__ = [
    "ROOT",
    "BuildResult",
    "Coverage",
    "build_atlas",
    "default_folder",
    "load_joined",
    "summary",
    "validate",
]

#: The project folder: data/, boundaries/ and maps/ are found here by default.
ROOT = Path(__file__).resolve().parent.parent


def default_folder(name: str) -> Path:
    """`name` (data, boundaries, maps) in the current folder if it is there, else in the project's."""
    here = Path(name)
    return here if here.exists() else ROOT / name


@dataclass(frozen=True)
class Coverage:
    """What ``tongliao-maps list`` and ``report`` print: facts + sites per area and theme."""

    themes: list[str]
    rows: list[tuple[Area, list[int]]]
    report: list[str]


def summary(data_dir: Path, boundaries_dir: Path, zone_file: Path | None = None) -> Coverage:
    """Read and join the inputs and count facts and sites per area and theme.

    Raises
    ------
    AtlasError
        With every problem of the inputs.
    """
    joined, _ = load_joined(data_dir, boundaries_dir, zone_file)
    themes, rows = join.coverage_table(joined)
    return Coverage(themes, [(areas.resolve(code), counts) for code, counts in rows], join.report(joined))


@dataclass
class BuildResult:
    """What a build wrote and what it joined."""

    out_dir: Path
    pages: list[str]
    published: publish.PublishResult
    report: list[str]


#: The largest map page the atlas writes. Pages hold every figure they show, so a
#: facts file far larger than the atlas is meant for would make a page that old
#: PCs and phones cannot open.
PAGE_LIMIT_BYTES = 5_000_000


def _page_floor(base: FactBase, codes: frozenset[str] | None) -> int:
    """A lower bound of the bytes the figures of `codes` (None: all) take on a page."""
    return sum(
        60 + len((f.evidence + f.note + f.note_zh).encode()) + len(f.value_text) + len(f.source_id)
        for f in base.facts
        if codes is None or f.district in codes
    )


def _too_big(shown: str, size: int, count: str) -> Problem:
    return Problem(
        shown,
        f"the page would be {size / 1e6:.1f} MB ({count}), more than the {PAGE_LIMIT_BYTES / 1e6:g} MB "
        "a map page may hold",
        "build one district with --district NAME, or use a smaller --data folder",
    )


def _read(
    data_dir: Path, boundaries_dir: Path, zone_file: Path | None, only: Area | None = None
) -> tuple[Joined | None, BoundaryStage | None, list[Problem]]:
    """Read, join and cross-check: (joined or None, boundaries or None, every problem)."""
    stage, problems = boundary_stage(boundaries_dir, zone_file)
    base, fact_problems = facts.read_facts(data_dir)
    problems += fact_problems
    if problems or stage is None:
        return None, stage, problems
    floor = _page_floor(base, None if only is None else areas.page_codes(only))
    if floor > PAGE_LIMIT_BYTES:
        page = "tongliao.html" if only is None else f"{only.slug}.html"
        problems.append(_too_big(page, floor, f"{len(base.facts):,} fact rows at least"))
        return None, stage, problems
    joined = join.join(base, stage.km2)
    problems += join.check(joined, stage.shapes)
    return joined, stage, problems


def load_joined(data_dir: Path, boundaries_dir: Path, zone_file: Path | None = None) -> tuple[Joined, Any]:
    """Read boundaries and facts, join and check them; every problem of both at once.

    Returns
    -------
    joined, geometry
        The joined facts and the boundaries (GeoDataFrame with ``code``).

    Raises
    ------
    AtlasError
        With every problem of the inputs.
    """
    joined, stage, problems = _read(data_dir, boundaries_dir, zone_file)
    if problems or joined is None or stage is None:
        raise AtlasError(*problems)
    return joined, stage.shapes


def validate(data_dir: Path, boundaries_dir: Path, zone_file: Path | None = None) -> list[Problem]:
    """Every problem a build would refuse (inputs, joins, page size); writes nothing."""
    return list(_read(data_dir, boundaries_dir, zone_file)[2])


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
    joined, stage, problems = _read(data_dir, boundaries_dir, zone_file, only)
    if problems or joined is None or stage is None:
        raise AtlasError(*problems)
    theme = _theme_key(theme, joined.base.themes) if theme else ""
    geometry = payload.page_geometry(list(stage.shapes["code"]), stage.simple)
    links = _links()
    specs = spec.map_specs(joined, only=only, default_basemap=basemap, default_theme=theme)
    pages = {s.filename: render.render_map(s, joined.base, geometry, links).encode("utf-8") for s in specs}
    pages["index.html"] = render.render_index(spec.index_spec(joined, specs[0].layers, links)).encode("utf-8")
    big = [
        _too_big(name, len(page), f"{len(joined.base.facts):,} fact rows")
        for name, page in pages.items()
        if len(page) > PAGE_LIMIT_BYTES
    ]
    if big:
        raise AtlasError(*big)
    result = publish.publish(Path(out_dir), pages, replace_all=only is None)
    return BuildResult(Path(out_dir), sorted(pages), result, join.report(joined))

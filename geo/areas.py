"""The nine areas (旗县市区) of Tongliao and the alias table that names them.

Every fact, site and boundary is joined by code. People type names, so
:func:`resolve` accepts a code, the full or short Chinese name, pinyin, the
English name or a recorded alias, and suggests the closest names for a typo.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import AtlasError, Problem, closest

__all__ = ["CITY_CODE", "HORQIN_CODE", "ZONE_CODE", "Area", "all_areas", "districts", "find", "resolve"]

CITY_CODE = "150500"
#: 通辽经济技术开发区: a functional zone inside 科尔沁区 with no published boundary.
ZONE_CODE = "150571"
HORQIN_CODE = "150502"


@dataclass(frozen=True)
class Area:
    """One area of the atlas: the city, a county-level division or the zone."""

    code: str
    name_zh: str
    short_zh: str
    pinyin: str
    name_en: str
    kind: str
    has_boundary: bool
    parent: str
    aliases: tuple[str, ...]

    @property
    def slug(self) -> str:
        """File stem of the area's map, e.g. ``150525-naiman``."""
        return f"{self.code}-{self.pinyin}"

    @property
    def is_city(self) -> bool:
        return self.code == CITY_CODE

    def names(self) -> tuple[str, ...]:
        """Every name this area answers to, the code first."""
        return (self.code, self.name_zh, self.short_zh, self.pinyin, self.name_en, *self.aliases)


def _key(text: str) -> str:
    # NFKC folds full-width letters and digits that Excel users paste in.
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    return " ".join(folded.replace("-", " ").replace("_", " ").split())


@cache
def all_areas() -> tuple[Area, ...]:
    """The city and its nine areas, in code order."""
    text = resources.files(__package__).joinpath("areas.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        Area(
            code=r["code"],
            name_zh=r["name_zh"],
            short_zh=r["short_zh"],
            pinyin=r["pinyin"],
            name_en=r["name_en"],
            kind=r["kind"],
            has_boundary=r["has_boundary"] == "yes",
            parent=r["parent"],
            aliases=tuple(a for a in r["aliases"].split("|") if a),
        )
        for r in rows
    )


def districts() -> tuple[Area, ...]:
    """The nine 旗县市区: eight county-level divisions and the development zone."""
    return tuple(a for a in all_areas() if not a.is_city)


@cache
def _index() -> dict[str, Area]:
    index: dict[str, Area] = {}
    for area in all_areas():
        for name in area.names():
            index[_key(name)] = area
        # "Naiman Banner" -> also "naiman"; "150525" already there
        index.setdefault(_key(area.name_en.rsplit(" ", 1)[0]), area)
    return index


def find(name: str) -> Area | None:
    """Return the area that `name` names, or None."""
    return _index().get(_key(str(name)))


def suggestions(name: str, n: int = 3) -> list[str]:
    """Closest known names to `name`, Chinese names first."""
    index = _index()
    close = closest(_key(str(name)), index, n=n * 3, cutoff=0.4)
    seen: list[str] = []
    for key in close:
        label = f"{index[key].name_zh} ({index[key].code})"
        if label not in seen:
            seen.append(label)
    return seen[:n]


def resolve(name: str, *, where: str = "district", allow_city: bool = True) -> Area:
    """Return the area that `name` names, or raise a one-line :class:`AtlasError`.

    Parameters
    ----------
    name : str
        A code (``150525``), full name (``科尔沁左翼中旗``), short name
        (``科左中旗``), pinyin (``naiman``), English name or alias.
    where : str
        Where the name came from, for the error message (``data/facts.csv:12``).
    allow_city : bool
        Whether the city itself (``150500``) is an acceptable answer.

    Raises
    ------
    AtlasError
        When nothing matches; the message lists the closest names.
    """
    area = find(name)
    if area is not None and (allow_city or not area.is_city):
        return area
    close = suggestions(name)
    hint = (
        f"did you mean {' or '.join(close)}?"
        if close
        else "use a code such as 150525 or a name such as 奈曼旗"
    )
    if area is not None:
        raise AtlasError(
            Problem(
                where,
                f"{str(name)!r} is the whole city ({area.code}), not a district",
                "name one of the nine districts",
            )
        )
    raise AtlasError(Problem(where, f"unknown district {str(name)!r}", hint))

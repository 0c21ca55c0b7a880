"""The nine areas (旗县市区) of Tongliao and the alias table that names them.

Every fact, site and boundary is joined by code. People type names, so
:func:`resolve` accepts a code, the full or short Chinese name, pinyin (with or
without the suffix qi/xian/qu/shi), the English name or a recorded alias, and
suggests the closest names for a typo.

:func:`match` is the search of the map pages, written once here and once in
geo/templates/js/search.js with the same rules (tests/fixtures/search-cases.csv
checks both): normalise (NFKC, lower case, no spaces, ``-``, ``_``, ``·``, ``.``),
then an exact name; else names starting with the input; else names within a small
edit distance. The command line accepts only exact names (a build should not
guess); the page also jumps to a single prefix or typo match and lists several.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import AtlasError, Problem, closest

__all__ = [
    "CITY_CODE",
    "HORQIN_CODE",
    "ZONE_CODE",
    "Area",
    "Match",
    "all_areas",
    "districts",
    "find",
    "match",
    "normalise",
    "page_codes",
    "resolve",
    "search_names",
]

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


#: Pinyin suffix of each kind of area: 旗 qi, 县 xian, 区 qu, 市 shi.
PINYIN_SUFFIX = {"banner": "qi", "county": "xian", "district": "qu", "city-county": "shi", "city": "shi"}
_IGNORED = re.compile(r"[\s\-_·.]+")


def normalise(text: str) -> str:
    """The form names are compared in: NFKC, lower case, no spaces, ``-``, ``_``, ``·`` or ``.``.

    NFKC folds the full-width letters and digits that Excel users paste in; the
    page's search (search.js) applies the same steps.
    """
    return _IGNORED.sub("", unicodedata.normalize("NFKC", str(text)).lower())


_key = normalise


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


def page_codes(area: Area) -> frozenset[str]:
    """The areas whose figures a district's page carries.

    Its own, and 科尔沁区's and the development zone's for each other: the zone
    lies inside 科尔沁区, so each page shows the other as context.
    """
    related = {area.code, area.parent} | {a.code for a in districts() if a.parent == area.code}
    return frozenset(related - {CITY_CODE})


def search_names(area: Area) -> tuple[str, ...]:
    """Every name of `area` that counts as exact: its names, pinyin with its suffix, English without it.

    The page ships these (render.py) so that its search knows the same names.
    """
    extra = [area.name_en.rsplit(" ", 1)[0]]  # "Naiman Banner" -> "Naiman"
    if area.kind in PINYIN_SUFFIX:
        extra.append(area.pinyin + PINYIN_SUFFIX[area.kind])  # naiman -> naimanqi
    out: list[str] = []
    for name in (*area.names(), *extra):
        if name and name not in out:
            out.append(name)
    return tuple(out)


@cache
def _index() -> dict[str, Area]:
    index: dict[str, Area] = {}
    for area in all_areas():
        for name in search_names(area):
            index.setdefault(_key(name), area)
    return index


def find(name: str) -> Area | None:
    """Return the area that `name` names, or None."""
    return _index().get(_key(str(name)))


@dataclass(frozen=True)
class Match:
    """What a search finds: ``exact``, ``prefix``, ``typo`` or ``none``, and the areas (code order)."""

    kind: str
    areas: tuple[Area, ...]


def distance(a: str, b: str) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment), as in search.js."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[len(b)]


def typo_limit(key: str) -> int:
    """How many edits a typo of `key` may have: none under 2 characters, 1 up to 7, then 2."""
    return 0 if len(key) < 2 else 1 if len(key) <= 7 else 2


def match(text: str) -> Match:
    """What the page's search finds for `text` (see the module docstring for the rules)."""
    key = _key(text)
    if not key:
        return Match("none", ())
    index = _index()
    if key in index:
        return Match("exact", (index[key],))

    def found(kind: str, names: list[str]) -> Match:
        codes = sorted({index[n].code for n in names})
        return Match(kind, tuple(a for a in all_areas() if a.code in codes))

    starts = [n for n in index if n.startswith(key)]
    if starts:
        return found("prefix", starts)
    limit = typo_limit(key)
    scored = [(distance(key, n), n) for n in index]
    best = min(d for d, _ in scored)
    if limit and best <= limit:
        return found("typo", [n for d, n in scored if d == best])
    return Match("none", ())


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
    near = match(name)
    # what the page's search would offer; difflib's closest names when the search finds nothing
    close = [f"{a.name_zh} ({a.code})" for a in near.areas] if near.areas else suggestions(name)
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

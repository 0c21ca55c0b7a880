"""Stage 2 of the pipeline: read and check the facts in data/.

:func:`read_facts` returns a :class:`~geo.model.FactBase` (themes, metrics,
sources, facts, sites and recorded conflicts) with every problem found, each
naming the file, the row, the bad value and the fix; :func:`load_facts` raises
one :class:`AtlasError` with all of them instead. Same contract as
:mod:`geo.boundaries`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

from . import areas
from .cells import fold_digits, number_problem, parse_number
from .csvio import Row, read_rows
from .errors import AtlasError, Once, Problem, Problems, unknown
from .model import (
    QUALIFIERS,
    SITE_KINDS,
    SITE_STATUSES,
    YEAR_RANGE,
    Conflict,
    Fact,
    FactBase,
    Site,
    Source,
)
from .registries import read_metrics, read_sources, read_themes
from .sites import check_projects, locate, shown_flag
from .units import UNIT_FACTORS, convert, fold_unit

__all__ = ["load_facts", "read_facts"]


_YEAR = re.compile(r"^([0-9]{4})(?:-([0-9]{4}))?$")


def _year(text: str) -> tuple[str, tuple[str, str] | None]:
    """The year or period as text, and (message, fix) if it is not a usable one."""
    folded = unicodedata.normalize("NFKC", text).strip().replace("—", "-").replace("–", "-").replace("年", "")
    folded = folded.replace("~", "-").replace("至", "-")
    if not folded:
        return "", None
    match = _YEAR.match(folded)
    low, high = YEAR_RANGE
    if not match:
        return folded, (
            f"year {text!r} is not a year (2020) or a period (2021-2025)",
            "write the year the figure is for, e.g. 2020 or 2021-2025",
        )
    for part in match.groups():
        if part is not None and not low <= int(part) <= high:
            return folded, (f"year {text!r} is outside {low}-{high}", f"use a year between {low} and {high}")
    if match.group(2) and int(match.group(2)) < int(match.group(1)):
        return folded, (
            f"period {text!r} ends before it starts",
            "write the earlier year first, e.g. 2021-2025",
        )
    return folded, None


def _district(
    row: Row, base_aliases: dict[str, str], problems: list[Problem], text: str | None = None
) -> str | None:
    name = row["district"] if text is None else text
    if not name.strip():
        problems.append(
            Problem(row.where, "district is empty", "write a code or name such as 150525 or 奈曼旗")
        )
        return None
    if re.fullmatch(r"\d{6}\.0+", name.strip()):
        name = name.strip().split(".")[0]  # 150525.0: a code that went through a spreadsheet as a number
    try:
        area = areas.resolve(name, where=f"{row.where}")
    except AtlasError as exc:
        problems += exc.problems
        return None
    if name.strip() != area.code:
        base_aliases[name.strip()] = area.code
    return area.code


def _source_ok(row: Row, sources: dict[str, Source], problems: list[Problem]) -> bool:
    if row["source_id"] in sources or not sources:
        return True  # (no sources at all: sources.csv could not be read, reported already)
    if not row["source_id"]:
        problems.append(
            Problem(
                row.where, "source_id is empty", "every figure cites a source: add its id from sources.csv"
            )
        )
        return False
    problems.append(unknown(row.where, "source id", row["source_id"], list(sources), "sources.csv"))
    return False


def _read_fact(r: Row, base: FactBase, problems: list[Problem]) -> Fact | None:
    before = len(problems)
    code = _district(r, base.aliases_used, problems)
    metric = base.metrics.get(r["metric"])
    if metric is None and not base.metrics:
        pass  # metrics.csv could not be read: reported already
    elif metric is None:
        problems.append(unknown(r.where, "metric", r["metric"], list(base.metrics), "metrics.csv"))
    elif metric.derived:
        problems.append(
            Problem(
                r.where,
                f"metric {metric.key!r} is derived ({metric.derived}) and computed by the atlas",
                "delete this row",
            )
        )
    theme = r["theme"] or (metric.theme if metric else "")
    if metric and theme != metric.theme:
        problems.append(
            Problem(
                r.where,
                f"theme {theme!r} does not match metric {metric.key!r} (theme {metric.theme!r})",
                f"write {metric.theme!r}",
            )
        )
    value = parse_number(r["value"])
    if value is None:
        problems.append(Problem(r.where, *number_problem(r["value"])))
    unit = fold_unit(r["unit"])
    if metric and value is not None:
        converted = convert(value, unit, metric.unit)
        if converted is None:
            convertible = sorted(f for f, t in UNIT_FACTORS if t == metric.unit)
            problems.append(
                Problem(
                    r.where,
                    f"unit {r['unit']!r} is not the unit of {metric.key!r} ({metric.unit})",
                    f"write {metric.unit!r}"
                    + (f" or one of {', '.join(convertible)}" if convertible else ""),
                )
            )
        if converted is not None and not math.isfinite(converted):
            problems.append(
                Problem(
                    r.where,
                    f"value {r['value']!r} {r['unit']} is too large to convert to {metric.unit}",
                    "check the figure and its unit",
                )
            )
            converted = None
        value = converted
    year, issue = _year(r["year"])
    if issue:
        problems.append(Problem(r.where, *issue))
    qualifier = r["qualifier"].strip()
    if qualifier and qualifier not in QUALIFIERS:
        problems.append(
            unknown(r.where, "qualifier", qualifier, list(QUALIFIERS), "data/README.md (qualifier)")
        )
    _source_ok(r, base.sources, problems)
    if len(problems) > before or code is None or metric is None or value is None:
        return None
    return Fact(
        code,
        metric.theme,
        metric.key,
        value,
        fold_digits(r["value"]),
        unit,
        year,
        r["source_id"],
        r["evidence"],
        r["note"],
        r.where,
        qualifier,
        note_zh=r["note_zh"],
    )


def _read_site(r: Row, base: FactBase, problems: list[Problem]) -> Site | None:
    before = len(problems)
    codes = [
        _district(r, base.aliases_used, problems, part) for part in r["district"].split("|") if part.strip()
    ]
    if not codes:
        problems.append(
            Problem(r.where, "site has no district", "name the district (or 150500 if the source gives none)")
        )
    if base.themes and r["theme"] not in base.themes:
        problems.append(unknown(r.where, "theme", r["theme"], list(base.themes), "themes.csv"))
    if r["kind"] not in SITE_KINDS:
        problems.append(unknown(r.where, "site kind", r["kind"], list(SITE_KINDS), "data/README.md"))
    if r["status"] and r["status"] not in SITE_STATUSES:
        problems.append(unknown(r.where, "status", r["status"], list(SITE_STATUSES), "data/README.md"))
    capacity = None
    if r["capacity"]:
        capacity = parse_number(r["capacity"])
        if capacity is None:
            problems.append(Problem(r.where, *number_problem(r["capacity"], "capacity")))
    status_year, issue = _year(r["status_year"])
    if issue:
        problems.append(Problem(r.where, *issue))
    loc = locate(r, base.sources, problems)
    shown = shown_flag(r, problems)
    _source_ok(r, base.sources, problems)
    if len(problems) > before:
        return None
    return Site(
        r["site_id"],
        tuple(c for c in codes if c),
        r["theme"],
        r["name_zh"],
        r["name_en"],
        r["kind"],
        capacity,
        fold_unit(r["capacity_unit"]),
        r["status"],
        status_year,
        loc.lon,
        loc.lat,
        r["source_id"],
        r["evidence"],
        r["note"],
        r.where,
        place=loc.place,
        precision=loc.precision,
        position_source_id=loc.position_source_id,
        project=r["project"].strip(),
        shown=bool(shown) or not r["project"].strip(),
        note_zh=r["note_zh"],
    )


def _read_conflicts(directory: Path, base: FactBase, problems: list[Problem]) -> list[Conflict]:
    path = directory / "conflicts.csv"
    if not path.exists():
        return []
    rows, found = read_rows(path, ["district", "metric", "show_source_id"], ["year", "reason"])
    problems += found
    out = []
    for r in rows:
        code = _district(r, base.aliases_used, problems)
        year, issue = _year(r["year"])
        if issue:
            problems.append(Problem(r.where, issue[0], issue[1] + ", or leave it empty for all years"))
        if base.metrics and r["metric"] not in base.metrics:
            problems.append(unknown(r.where, "metric", r["metric"], list(base.metrics), "metrics.csv"))
        if base.sources and r["show_source_id"] not in base.sources:
            problems.append(
                unknown(r.where, "source id", r["show_source_id"], list(base.sources), "sources.csv")
            )
        if code:
            out.append(Conflict(code, r["metric"], year, r["show_source_id"], r["reason"], r.where))
    return out


def _check_conflicts(base: FactBase, problems: list[Problem]) -> None:
    """Each recorded choice names a source that gives a figure for its cell, once per cell."""
    seen: dict[tuple[str, str, str], Conflict] = {}
    given = {(f.district, f.metric, f.source_id, f.year) for f in base.facts}
    given_any_year = {cell[:3] for cell in given}
    for c in base.conflicts:
        cell = f"{c.metric} of {c.district}" + (f" in {c.year}" if c.year else "")
        earlier = seen.setdefault((c.district, c.metric, c.year), c)
        if earlier is not c:
            what = (
                f"names {c.show_source_id!r} where {earlier.where} names {earlier.show_source_id!r}"
                if earlier.show_source_id != c.show_source_id
                else f"repeats {earlier.where}"
            )
            problems.append(
                Problem(c.where, f"a second choice for {cell} {what}", "keep one row per disputed cell")
            )
            continue
        if c.show_source_id not in base.sources:
            continue  # reported as an unknown source id
        key = (c.district, c.metric, c.show_source_id)
        if not ((*key, c.year) in given if c.year else key in given_any_year):
            problems.append(
                Problem(
                    c.where,
                    f"source {c.show_source_id!r} has no figure for {cell} in facts.csv",
                    "name the source of one of the disagreeing rows, or delete this row",
                )
            )


def _check_duplicates(base: FactBase, problems: list[Problem]) -> None:
    recorded = {(c.district, c.metric, c.year) for c in base.conflicts}
    recorded_any = {(c.district, c.metric) for c in base.conflicts if not c.year}
    first: dict[tuple, Fact] = {}
    for fact in base.facts:
        same_source = (fact.district, fact.metric, fact.year, fact.source_id)
        if same_source in first and first[same_source].value != fact.value:
            other = first[same_source]
            problems.append(
                Problem(
                    fact.where,
                    f"{fact.metric} of {fact.district} in {fact.year or 'an undated year'} from "
                    f"{fact.source_id} is given twice with different values: "
                    f"{other.value_text} at {other.where}, {fact.value_text} here",
                    "keep the row that matches the source and delete the other",
                )
            )
        first.setdefault(same_source, fact)
    by_cell: dict[tuple, list[Fact]] = {}
    for fact in base.facts:
        by_cell.setdefault((fact.district, fact.metric, fact.year), []).append(fact)
    for (district, metric, year), facts in by_cell.items():
        # One value per source: a source contradicting itself is reported above.
        by_source: dict[str, float] = {}
        for f in facts:
            by_source.setdefault(f.source_id, round(f.value, 9))
        values = set(by_source.values())
        if (
            len(values) > 1
            and (district, metric, year) not in recorded
            and (district, metric) not in recorded_any
        ):
            rows = ", ".join(f"{f.value_text} ({f.source_id}, {f.where})" for f in facts)
            problems.append(
                Problem(
                    facts[-1].where,
                    f"sources disagree on {metric} of {district} in {year or 'an undated year'}: {rows}",
                    "record which one the map shows in conflicts.csv",
                )
            )


def read_facts(directory: Path) -> tuple[FactBase, list[Problem]]:
    """Read a data folder: what could be read, and every problem found (an empty list when none)."""
    directory = Path(directory)
    problems = Problems()
    if not directory.is_dir():
        problems.append(
            Problem(
                str(directory), "data folder not found", "pass --data with the folder that holds facts.csv"
            )
        )
        return FactBase(directory, {}, {}, {}, [], []), problems
    themes = read_themes(directory, problems)
    base = FactBase(
        directory,
        themes,
        read_metrics(directory, themes, problems),
        read_sources(directory, problems),
        [],
        [],
    )
    rows, found = read_rows(
        directory / "facts.csv",
        ["district", "metric", "value", "unit", "source_id"],
        ["theme", "year", "evidence", "note", "note_zh", "qualifier"],
        need_rows=True,
    )
    problems += found
    base.facts = [f for r in rows if (f := _read_fact(r, base, problems)) is not None]
    path = directory / "sites.csv"
    if path.exists():
        rows, found = read_rows(
            path,
            ["site_id", "district", "theme", "name_zh", "kind", "precision", "source_id"],
            [
                "name_en",
                "capacity",
                "capacity_unit",
                "status",
                "status_year",
                "lon",
                "lat",
                "datum",
                "place",
                "position_source_id",
                "project",
                "shown",
                "evidence",
                "note",
                "note_zh",
            ],
        )
        problems += found
        read = [(r, _read_site(r, base, problems)) for r in rows]
        base.sites = [site for _, site in read if site is not None]
        once = Once("site id", "give each site its own id")
        for site in base.sites:
            once(site.site_id, site.where, problems)
        # a project with a row refused above is not judged on the rows left
        check_projects(base.sites, problems, {r["project"].strip() for r, site in read if site is None})
    base.conflicts = _read_conflicts(directory, base, problems)
    _check_conflicts(base, problems)
    _check_duplicates(base, problems)
    return base, problems


def load_facts(directory: Path) -> FactBase:
    """Read and check a data folder, raising on any problem.

    Parameters
    ----------
    directory : Path
        Folder with facts.csv, sources.csv, metrics.csv, themes.csv and
        optionally sites.csv and conflicts.csv (see data/README.md).

    Returns
    -------
    FactBase

    Raises
    ------
    AtlasError
        With one problem per bad cell, row or file, all at once.
    """
    base, problems = read_facts(directory)
    if problems:
        raise AtlasError(*problems)
    return base

"""Stage 2 of the pipeline: read and check the facts in data/.

:func:`read_facts` returns a :class:`~geo.model.FactBase` (themes, metrics,
sources, facts, sites and recorded conflicts) with every problem found, each
naming the file, the row, the bad value and the fix; :func:`load_facts` raises
one :class:`AtlasError` with all of them instead. Same contract as
:mod:`geo.boundaries`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

from . import areas, datum
from .csvio import Row, _display, fold_digits, number_problem, parse_number, read_rows
from .errors import AtlasError, Problem
from .model import (
    DERIVED_FORMULAS,
    PALETTES,
    SCHEME_NAMES,
    SITE_KINDS,
    SITE_STATUSES,
    SOURCE_TYPES,
    YEAR_RANGE,
    Conflict,
    Fact,
    FactBase,
    Metric,
    Site,
    Source,
    Theme,
    parse_scheme,
)

__all__ = ["UNIT_FACTORS", "convert", "load_facts", "read_facts"]

# Spellings of one unit, folded to the spelling used in metrics.csv.
UNIT_SYNONYMS = {
    "平方公里": "km²",
    "平方千米": "km²",
    "km2": "km²",
    "km^2": "km²",
    "公顷": "ha",
    "hm²": "ha",
    "兆瓦": "MW",
    "千瓦": "kW",
    "吉瓦": "GW",
    "万吨/yr": "万吨/年",
    "人/平方公里": "人/km²",
}
# (from, to) -> factor. Only exact, definitional conversions: never a guess.
UNIT_FACTORS = {
    ("人", "万人"): 1e-4,
    ("万人", "人"): 1e4,
    ("亩", "万亩"): 1e-4,
    ("ha", "万亩"): 15e-4,
    ("万亩", "ha"): 1e4 / 15,
    ("km²", "万亩"): 0.15,
    ("万亩", "km²"): 1 / 0.15,
    ("ha", "km²"): 0.01,
    ("MW", "万千瓦"): 0.1,
    ("GW", "万千瓦"): 100.0,
    ("kW", "万千瓦"): 1e-4,
    ("万千瓦", "MW"): 10.0,
    ("万元", "亿元"): 1e-4,
    ("亿元", "万元"): 1e4,
    ("吨", "万吨"): 1e-4,
}


def _unknown(where: str, kind: str, value: str, known: list[str], file: str) -> Problem:
    """The problem of a name that is not in its registry, with the closest name or the choices."""
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        fix = f"did you mean {close[0]!r}?"
    else:
        fix = f"use one of {', '.join(known[:8])}{' ...' if len(known) > 8 else ''} or add it to {file}"
    return Problem(where, f"unknown {kind} {value!r}", fix)


def _yes(text: str) -> bool:
    return text.strip().lower() in {"yes", "y", "true", "1", "是"}


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


def _unit(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip()
    return UNIT_SYNONYMS.get(folded, folded.replace("km2", "km²"))


def convert(value: float, unit: str, target: str) -> float | None:
    """Convert `value` from `unit` to `target`, or None if no exact factor exists."""
    if unit == target:
        return value
    factor = UNIT_FACTORS.get((unit, target))
    # round away binary noise such as 251806 * 1e-4 = 25.180600000000002
    return None if factor is None else round(value * factor, 10)


def _read_themes(directory: Path, problems: list[Problem]) -> dict[str, Theme]:
    rows, found = read_rows(
        directory / "themes.csv",
        ["theme", "label_zh", "label_en"],
        ["order", "palette", "description"],
        need_rows=True,
    )
    problems += found
    themes = {}
    for i, r in enumerate(rows):
        order = _count(r, "order", i + 1, problems)
        order = i + 1 if order is None else order
        if r["theme"] in themes:
            problems.append(
                Problem(r.where, f"theme {r['theme']!r} appears twice", "give each theme its own row")
            )
            continue
        if r["palette"] and r["palette"] not in PALETTES:
            problems.append(
                _unknown(r.where, "palette", r["palette"], list(PALETTES), "the ColorBrewer sequential set")
            )
        themes[r["theme"]] = Theme(
            r["theme"],
            order,
            r["label_zh"],
            r["label_en"],
            r["palette"] or "Blues",
            r["description"],
        )
    return themes


def _read_metrics(directory: Path, themes: dict[str, Theme], problems: list[Problem]) -> dict[str, Metric]:
    rows, found = read_rows(
        directory / "metrics.csv",
        ["metric", "theme", "label_zh", "label_en", "unit"],
        ["summable", "headline", "scheme", "k", "decimals", "derived", "description"],
        need_rows=True,
    )
    problems += found
    metrics: dict[str, Metric] = {}
    for r in rows:
        # A metric with a problem is still registered, so that its facts are checked
        # (and not all reported as "unknown metric"); the problem stops the build.
        if themes and r["theme"] not in themes:
            problems.append(_unknown(r.where, "theme", r["theme"], list(themes), "themes.csv"))
        scheme = r["scheme"] or "quantiles"
        try:
            parse_scheme(scheme)
        except ValueError as exc:
            name = scheme.split(":", 1)[0]
            if name not in SCHEME_NAMES:
                problems.append(_unknown(r.where, "scheme", scheme, list(SCHEME_NAMES), "data/README.md"))
            else:
                problems.append(
                    Problem(
                        r.where, str(exc), "write increasing numbers separated by ';', e.g. breaks:10;20;40"
                    )
                )
        if r["derived"] and r["derived"] not in DERIVED_FORMULAS:
            problems.append(
                _unknown(r.where, "derived formula", r["derived"], list(DERIVED_FORMULAS), "data/README.md")
            )
        k = _count(r, "k", 5, problems, low=1, high=9)
        k = 5 if k is None else k
        decimals = _count(r, "decimals", 1, problems, high=6)
        decimals = 1 if decimals is None else decimals
        if r["metric"] in metrics:
            problems.append(
                Problem(r.where, f"metric {r['metric']!r} appears twice", "give each metric one row")
            )
            continue
        metrics[r["metric"]] = Metric(
            key=r["metric"],
            theme=r["theme"],
            label_zh=r["label_zh"],
            label_en=r["label_en"],
            unit=_unit(r["unit"]),
            summable=_yes(r["summable"]),
            headline=_yes(r["headline"]),
            scheme=scheme,
            k=k,
            decimals=decimals,
            derived=r["derived"],
            description=r["description"],
        )
    for key in themes:
        heads = [m.key for m in metrics.values() if m.theme == key and m.headline]
        if len(heads) != 1:
            problems.append(
                Problem(
                    _display(directory / "metrics.csv"),
                    f"theme {key!r} has {len(heads)} headline metrics {heads}",
                    "mark exactly one metric of each theme headline=yes",
                )
            )
    return metrics


def _count(
    row: Row, column: str, default: int, problems: list[Problem], low: int = 0, high: int = 999
) -> int | None:
    """A whole number from `low` to `high` in `column` (`default` when empty), or None after a problem."""
    text = fold_digits(row[column])
    if not text:
        return default
    if text.isascii() and text.isdigit() and len(text) <= 3 and low <= int(text) <= high:
        return int(text)
    what = "is not a whole number" if not (text.isascii() and text.isdigit()) else f"is not {low}-{high}"
    problems.append(
        Problem(
            row.where,
            f"{column} {row[column]!r} {what}",
            f"write a whole number from {low} to {high}, e.g. {default}",
        )
    )
    return None


def _read_sources(directory: Path, problems: list[Problem]) -> dict[str, Source]:
    rows, found = read_rows(
        directory / "sources.csv",
        ["source_id", "title", "type"],
        ["publisher", "date", "url", "file", "note"],
        need_rows=True,
    )
    problems += found
    sources: dict[str, Source] = {}
    for r in rows:
        kind = r["type"].strip().lower()
        if kind not in SOURCE_TYPES:
            problems.append(
                Problem(
                    r.where, f"unknown source type {r['type']!r}", f"use one of {', '.join(SOURCE_TYPES)}"
                )
            )  # still registered below, so its facts are not all reported as citing an unknown source
        if r["source_id"] in sources:
            problems.append(
                Problem(r.where, f"source id {r['source_id']!r} appears twice", "give each source its own id")
            )
            continue
        sources[r["source_id"]] = Source(
            r["source_id"], r["title"], r["publisher"], r["date"], r["url"], kind, r["file"], r["note"]
        )
    return sources


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
    problems.append(_unknown(row.where, "source id", row["source_id"], list(sources), "sources.csv"))
    return False


def _read_fact(r: Row, base: FactBase, problems: list[Problem]) -> Fact | None:
    before = len(problems)
    code = _district(r, base.aliases_used, problems)
    metric = base.metrics.get(r["metric"])
    if metric is None and not base.metrics:
        pass  # metrics.csv could not be read: reported already
    elif metric is None:
        problems.append(_unknown(r.where, "metric", r["metric"], list(base.metrics), "metrics.csv"))
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
    unit = _unit(r["unit"])
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
        value = converted
    year, issue = _year(r["year"])
    if issue:
        problems.append(Problem(r.where, *issue))
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
        problems.append(_unknown(r.where, "theme", r["theme"], list(base.themes), "themes.csv"))
    if r["kind"] not in SITE_KINDS:
        problems.append(_unknown(r.where, "site kind", r["kind"], list(SITE_KINDS), "data/README.md"))
    if r["status"] and r["status"] not in SITE_STATUSES:
        problems.append(_unknown(r.where, "status", r["status"], list(SITE_STATUSES), "data/README.md"))
    capacity = None
    if r["capacity"]:
        capacity = parse_number(r["capacity"])
        if capacity is None:
            problems.append(Problem(r.where, *number_problem(r["capacity"], "capacity")))
    status_year, issue = _year(r["status_year"])
    if issue:
        problems.append(Problem(r.where, *issue))
    lon, lat = _position(r, problems)
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
        _unit(r["capacity_unit"]),
        r["status"],
        status_year,
        lon,
        lat,
        r["source_id"],
        r["evidence"],
        r["note"],
        r.where,
    )


# Generous box around Tongliao: a position outside it is a typo or swapped lon/lat.
_BOX = (118.5, 41.5, 124.5, 46.5)


def _position(r: Row, problems: list[Problem]) -> tuple[float | None, float | None]:
    if not r["lon"] and not r["lat"]:
        return None, None
    lon = parse_number(r["lon"])
    lat = parse_number(r["lat"])
    if lon is None or lat is None:
        problems.append(
            Problem(
                r.where,
                f"position ({r['lon']!r}, {r['lat']!r}) is not two numbers",
                "write decimal degrees, e.g. 122.26, 43.65",
            )
        )
        return None, None
    if not (_BOX[0] <= lon <= _BOX[2] and _BOX[1] <= lat <= _BOX[3]):
        problems.append(
            Problem(
                r.where,
                f"position ({lon}, {lat}) is outside Tongliao",
                "check the numbers; longitude (about 120-123) comes first",
            )
        )
        return None, None
    kind = (r["datum"] or "WGS84").upper().replace("-", "")
    if kind == "GCJ02":
        lon, lat = (float(v) for v in datum.gcj02_to_wgs84(lon, lat))
    elif kind != "WGS84":
        problems.append(
            Problem(
                r.where,
                f"unknown datum {r['datum']!r}",
                "write WGS84 (GPS, OpenStreetMap) or GCJ02 (Amap/Gaode)",
            )
        )
    return lon, lat


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
            problems.append(_unknown(r.where, "metric", r["metric"], list(base.metrics), "metrics.csv"))
        if base.sources and r["show_source_id"] not in base.sources:
            problems.append(
                _unknown(r.where, "source id", r["show_source_id"], list(base.sources), "sources.csv")
            )
        if code:
            out.append(Conflict(code, r["metric"], year, r["show_source_id"], r["reason"], r.where))
    return out


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
    problems: list[Problem] = []
    if not directory.is_dir():
        problems.append(
            Problem(
                str(directory), "data folder not found", "pass --data with the folder that holds facts.csv"
            )
        )
        return FactBase(directory, {}, {}, {}, [], []), problems
    themes = _read_themes(directory, problems)
    base = FactBase(
        directory,
        themes,
        _read_metrics(directory, themes, problems),
        _read_sources(directory, problems),
        [],
        [],
    )
    rows, found = read_rows(
        directory / "facts.csv",
        ["district", "metric", "value", "unit", "source_id"],
        ["theme", "year", "evidence", "note"],
        need_rows=True,
    )
    problems += found
    base.facts = [f for r in rows if (f := _read_fact(r, base, problems)) is not None]
    path = directory / "sites.csv"
    if path.exists():
        rows, found = read_rows(
            path,
            ["site_id", "district", "theme", "name_zh", "kind", "source_id"],
            [
                "name_en",
                "capacity",
                "capacity_unit",
                "status",
                "status_year",
                "lon",
                "lat",
                "datum",
                "evidence",
                "note",
            ],
        )
        problems += found
        base.sites = [s for r in rows if (s := _read_site(r, base, problems)) is not None]
        seen: dict[str, str] = {}
        for site in base.sites:
            if site.site_id in seen:
                problems.append(
                    Problem(
                        site.where,
                        f"site id {site.site_id!r} also used at {seen[site.site_id]}",
                        "give each site its own id",
                    )
                )
            seen.setdefault(site.site_id, site.where)
    base.conflicts = _read_conflicts(directory, base, problems)
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

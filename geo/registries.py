"""The registries of a data folder: themes.csv, metrics.csv and sources.csv.

Facts and sites name their theme, metric and source by key; these readers
check each registry row and return the registry, with one problem per bad
cell. Part of stage 2 (facts); :func:`geo.facts.read_facts` calls them first.
"""

from __future__ import annotations

import re
from pathlib import Path

from .cells import display_path, fold_digits, short
from .csvio import Row, read_rows
from .errors import Once, Problem, unknown
from .model import (
    DERIVED_FORMULAS,
    METRIC_KINDS,
    PALETTES,
    SCHEME_NAMES,
    SOURCE_TYPES,
    Metric,
    Source,
    Theme,
    parse_scheme,
)
from .units import fold_unit

__all__ = ["read_metrics", "read_sources", "read_themes", "yes"]


def yes(text: str) -> bool:
    """Whether a cell says yes (yes, y, true, 1, 是)."""
    return text.strip().lower() in {"yes", "y", "true", "1", "是"}


def read_themes(directory: Path, problems: list[Problem]) -> dict[str, Theme]:
    rows, found = read_rows(
        directory / "themes.csv",
        ["theme", "label_zh", "label_en"],
        ["order", "palette", "description"],
        need_rows=True,
    )
    problems += found
    themes = {}
    once = Once("theme", "give each theme its own row")
    for i, r in enumerate(rows):
        order = _count(r, "order", i + 1, problems)
        order = i + 1 if order is None else order
        if not once(r["theme"], r.where, problems):
            continue
        if r["palette"] and r["palette"] not in PALETTES:
            problems.append(
                unknown(r.where, "palette", r["palette"], list(PALETTES), "the ColorBrewer sequential set")
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


def read_metrics(directory: Path, themes: dict[str, Theme], problems: list[Problem]) -> dict[str, Metric]:
    rows, found = read_rows(
        directory / "metrics.csv",
        ["metric", "theme", "label_zh", "label_en", "unit", "kind"],
        ["summable", "headline", "scheme", "k", "decimals", "derived", "description"],
        need_rows=True,
    )
    problems += found
    metrics: dict[str, Metric] = {}
    once = Once("metric", "give each metric one row")
    for r in rows:
        # A metric with a problem is still registered, so that its facts are checked
        # (and not all reported as "unknown metric"); the problem stops the build.
        if themes and r["theme"] not in themes:
            problems.append(unknown(r.where, "theme", r["theme"], list(themes), "themes.csv"))
        scheme = r["scheme"] or "quantiles"
        try:
            parse_scheme(scheme)
        except ValueError as exc:
            name = scheme.split(":", 1)[0]
            if name not in SCHEME_NAMES:
                problems.append(unknown(r.where, "scheme", scheme, list(SCHEME_NAMES), "data/README.md"))
            else:
                problems.append(
                    Problem(
                        r.where, str(exc), "write increasing numbers separated by ';', e.g. breaks:10;20;40"
                    )
                )
        formula, _, of = r["derived"].partition(":")
        if formula and formula not in DERIVED_FORMULAS:
            problems.append(
                unknown(r.where, "derived formula", r["derived"], list(DERIVED_FORMULAS), "data/README.md")
            )
        elif of and formula != "share_of_city":
            problems.append(
                Problem(r.where, f"derived {r['derived']!r} takes no ':' part", f"write {formula!r}")
            )
        kind = r["kind"].strip().lower()
        if kind not in METRIC_KINDS:
            problems.append(
                Problem(
                    r.where,
                    f"kind {r['kind']!r} is not amount or rate",
                    "write amount (totals, counts, capacity, area, output) or rate (%, per person, per km²)",
                )
            )
        k = _count(r, "k", 5, problems, low=1, high=9)
        k = 5 if k is None else k
        decimals = _count(r, "decimals", 1, problems, high=6)
        decimals = 1 if decimals is None else decimals
        if not once(r["metric"], r.where, problems):
            continue
        metrics[r["metric"]] = Metric(
            key=r["metric"],
            theme=r["theme"],
            label_zh=r["label_zh"],
            label_en=r["label_en"],
            unit=fold_unit(r["unit"]),
            summable=yes(r["summable"]),
            headline=yes(r["headline"]),
            scheme=scheme,
            k=k,
            decimals=decimals,
            derived=r["derived"],
            description=r["description"],
            kind=kind,
        )
    for metric in metrics.values():
        of = metric.derived.partition(":")[2]
        if of and (of not in metrics or metrics[of].derived):
            problems.append(
                Problem(
                    f"{display_path(directory / 'metrics.csv')}, metric {metric.key!r}",
                    f"derived {metric.derived!r} names {of!r}, which is not a metric typed in facts.csv",
                    "name a registered metric that is not derived, e.g. share_of_city:gdp",
                )
            )
    for key in themes:
        heads = [m.key for m in metrics.values() if m.theme == key and m.headline]
        if len(heads) != 1:
            problems.append(
                Problem(
                    display_path(directory / "metrics.csv"),
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


def read_sources(directory: Path, problems: list[Problem]) -> dict[str, Source]:
    rows, found = read_rows(
        directory / "sources.csv",
        ["source_id", "title", "type"],
        ["publisher", "date", "url", "file", "note"],
        need_rows=True,
    )
    problems += found
    sources: dict[str, Source] = {}
    once = Once("source id", "give each source its own id")
    for r in rows:
        kind = r["type"].strip().lower()
        if kind not in SOURCE_TYPES:
            problems.append(
                Problem(
                    r.where, f"unknown source type {r['type']!r}", f"use one of {', '.join(SOURCE_TYPES)}"
                )
            )  # still registered below, so its facts are not all reported as citing an unknown source
        url = r["url"].strip()
        if url and not re.match(r"https?://[^\s/]", url, re.IGNORECASE):
            problems.append(
                Problem(
                    r.where,
                    f"url {short(url)!r} is not a web address starting with http:// or https://",
                    "write the page's address as the browser shows it, or leave url empty",
                )
            )
            url = ""  # never a link: shown as text only
        if not once(r["source_id"], r.where, problems):
            continue
        sources[r["source_id"]] = Source(
            r["source_id"], r["title"], r["publisher"], r["date"], url, kind, r["file"], r["note"]
        )
    return sources

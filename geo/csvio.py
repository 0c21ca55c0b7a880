"""Reading the CSV files people edit in Excel and WPS.

Excel on Chinese Windows writes GB18030/GBK, "CSV UTF-8" adds a BOM, cells
may hold formulas or stray quotes, and people type full-width digits and
thousands separators. This module turns such a file into clean rows, or into
:class:`~geo.errors.Problem` lines that name the file, the row and the fix.

Row numbers in messages are line numbers of the file (the header is line 1),
which is also the row number Excel shows for files without multi-line cells.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .cells import clean, display_path, short
from .encoding import decode
from .errors import Once, Problem, Problems, closest

__all__ = ["HEADER_ALIASES", "Row", "read_rows"]

# Chinese headers people are likely to type, mapped to the canonical columns.
HEADER_ALIASES = {
    "旗县市区": "district",
    "地区": "district",
    "区域": "district",
    "主题": "theme",
    "指标": "metric",
    "数值": "value",
    "单位": "unit",
    "年份": "year",
    "来源": "source_id",
    "证据": "evidence",
    "备注": "note",
    "中文备注": "note_zh",
    "备注(中文)": "note_zh",  # also 备注（中文）: headers are NFKC-folded before the look-up
    "经度": "lon",
    "纬度": "lat",
}


@dataclass(frozen=True)
class Row:
    """One data row: its cells by column, and where it came from."""

    where: str
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


# ----------------------------------------------------------------- rows


def _key(name: str) -> str:
    key = unicodedata.normalize("NFKC", clean(name)[0]).strip().lower().replace(" ", "_")
    return HEADER_ALIASES.get(key, key)


def _header(names: Sequence[str], required: Sequence[str], optional: Sequence[str], shown: str):
    known = list(required) + list(optional)
    columns = [_key(name) for name in names]
    problems: list[Problem] = []
    where = f"{shown}:1"
    if not any(c in known for c in columns):
        return columns, [
            Problem(
                where,
                f"the first row {short(','.join(names), 50)!r} names none of the columns "
                f"{', '.join(required)}",
                f"make the first row the header: {','.join(known)} (see data/README.md)",
            )
        ]
    once = Once("column", "delete or rename one of them")
    for i, column in enumerate(columns):
        if column:
            once(column, where, problems, at=f"column {i + 1}")
    unknown = [c for c in columns if c and c not in known]
    for need in required:
        if need not in columns:
            close = closest(need, unknown)
            if close:
                unknown.remove(close[0])
                problems.append(
                    Problem(where, f"column {close[0]!r} is not known", f"did you mean {need!r}? rename it")
                )
            else:
                problems.append(
                    Problem(where, f"missing column {need!r}", f"add a {need!r} column to the header row")
                )
    return columns, problems


def _delimiter(first_line: str) -> str:
    # Excel in some locales writes ';', and "Unicode text" is tab-separated.
    if "," not in first_line:
        if "\t" in first_line:
            return "\t"
        if ";" in first_line:
            return ";"
    return ","


class _Lines:
    """An iterator over lines whose position can be reset (to re-read after a stray quote)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.pos = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


@dataclass
class _Record:
    line: int  # 1-based line where the record starts
    end: int  # 0-based index of the first line after it
    values: list[str]
    problem: tuple[str, str] | None = None  # (message, fix) when the record cannot be read
    column: int | None = None  # the cell the problem is in


def _fields(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return 0


def _unclosed(lines: list[str], delimiter: str) -> bool:
    """Whether `lines` (one record) end inside a quoted field."""
    try:
        list(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _records(lines: list[str], delimiter: str, width: int, first: int = 0) -> Iterator[_Record]:
    """The records from line index `first` on; a quote never closed is reported, not followed."""
    source = _Lines(lines)
    source.pos = first
    while source.pos < len(lines):
        start = source.pos
        reader = csv.reader(source, delimiter=delimiter)
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            source.pos = start + 1
            yield _Record(start + 1, start + 1, [], (f"row cannot be read ({exc})", "check for stray quotes"))
            continue
        end = source.pos
        inner = lines[start + 1 : end]
        # A quote that swallows rows: lines inside the record that are whole rows themselves.
        # A cell with a line break (a note typed with Alt+Enter) leaves the record its
        # width and one such line at most, so it is read as it is.
        whole = max(3, width - 1)
        rowlike = sum(1 for line in inner if _fields(line, delimiter) >= whole)
        runaway = (width >= 3 and rowlike > (1 if len(values) == width else 0)) or (
            end == len(lines) and _unclosed(lines[start:end], delimiter)
        )
        if not runaway:
            yield _Record(start + 1, end, values)
            continue
        source.pos = start + 1  # read the swallowed lines again as rows of their own
        column = next((i for i, v in enumerate(values) if "\n" in v or "\r" in v), max(0, len(values) - 1))
        cell = values[column] if values else ""
        span = (
            f"lines {start + 1}-{end} run together" if end > start + 1 else "it runs to the end of the file"
        )
        yield _Record(
            start + 1,
            start + 1,
            values,
            (
                f"a quote '\"' opens the cell '\"{short(cell, 30)}' and is never closed, so {span}",
                "delete the stray '\"' or close the cell with a second '\"'",
            ),
            column,
        )


def _extra_fields(values: list[str]) -> tuple[str, str]:
    """Why a row has too many fields, and the fix: (message, fix)."""
    for a, b in itertools.pairwise(v.strip() for v in values):
        if re.fullmatch(r"[0-9]{1,3}", a) and re.fullmatch(r"[0-9]{3}(\.[0-9]+)?", b):
            return (
                f"'{a},{b}' looks like a number with a thousands comma but no quotes around it",
                f'write {a}{b} or "{a},{b}"',
            )
    return "", "quote cells that contain commas, or remove the extra cells"


def read_rows(
    path: Path, required: Sequence[str], optional: Sequence[str] = (), *, need_rows: bool = False
) -> tuple[list[Row], Problems | list[Problem]]:
    """Read a CSV file into rows keyed by canonical column names.

    Parameters
    ----------
    path : Path
        The CSV file.
    required, optional : sequence of str
        Column names; a missing required column is a problem (with the closest
        unknown column suggested), unknown extra columns are ignored.
    need_rows : bool
        Whether a file with a header but no data rows is a problem.

    Returns
    -------
    rows, problems
        Every problem found, each naming the file and row; rows with problems
        are left out of `rows`.
    """
    shown = display_path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "file not found"
        return [], [
            Problem(
                shown,
                what,
                f"create it (see data/README.md) or pass --data with a folder that has {path.name}",
            )
        ]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Problem(shown, f"cannot read the file: {exc.strerror or exc}", "check its permissions")]
    text, problems = decode(raw, shown)
    if text is None:
        return [], problems
    if not text.strip(" \t\r\n\ufeff\x00,;"):
        return [], [Problem(shown, "file is empty", "it needs a header row and at least one data row")]
    lines = io.StringIO(text, newline="").readlines()
    delimiter = _delimiter(lines[0])
    header = next(_records(lines, delimiter, width=0))
    if header.problem is not None:
        message, fix = header.problem
        return [], [Problem(f"{shown}:1", f"the header row cannot be read: {message}", fix)]
    columns, header_problems = _header(header.values, required, optional, shown)
    if header_problems:
        return [], header_problems
    problems = Problems()
    width = len(columns)
    rows: list[Row] = []
    for record in _records(lines, delimiter, width, first=header.end):
        where = f"{shown}:{record.line}"
        if record.problem is not None:
            message, fix = record.problem
            if record.column is not None:
                name = columns[record.column] if record.column < width else f"#{record.column + 1}"
                message = f"column {name!r}: {message}"
            problems.append(Problem(where, message, fix))
            continue
        values = record.values
        if not any(v.strip(" \t\r\n\u3000\u00a0\ufeff") for v in values):
            continue
        if _key(values[0]) == columns[0] and [_key(v) for v in values[:width]] == columns:
            problems.append(
                Problem(
                    where,
                    "the header row appears again (two files pasted together?)",
                    "delete this row",
                )
            )
            continue
        why, fix = _extra_fields(values) if len(values) > width else ("", "")
        if why or any(v.strip() for v in values[width:]):
            extra = ", ".join(repr(short(v, 20)) for v in values[width:] if v.strip())
            problems.append(
                Problem(
                    where,
                    f"row has {len(values)} fields but the header has {width}: "
                    + (why or f"extra cells {short(extra, 60)}"),
                    fix,
                )
            )
            continue
        record_cells: dict[str, str] = {}
        bad = False
        for column, value in zip(columns, values, strict=False):
            cleaned, issue = clean(value)
            if issue:
                problems.append(Problem(where, f"column {column!r}: {issue[0]}", issue[1]))
                bad = True
            record_cells.setdefault(column, cleaned)
        missing = [c for c in required if c not in record_cells]
        if missing:
            problems.append(
                Problem(
                    where,
                    f"row has {len(values)} fields but the header has {width} (missing {', '.join(missing)})",
                    "fill in the missing cells",
                )
            )
            continue
        if not bad:
            rows.append(Row(where, record_cells))
    if need_rows and not rows and not problems:
        problems.append(
            Problem(shown, "file has a header but no data rows", "add at least one row below the header")
        )
    return rows, problems

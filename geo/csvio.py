"""Reading the CSV files people edit in Excel and WPS.

Excel on Chinese Windows writes GB18030/GBK, "CSV UTF-8" adds a BOM, cells
may hold formulas or stray quotes, and people type full-width digits and
thousands separators. This module turns such a file into clean rows, or into
:class:`~geo.errors.Problem` lines that name the file, the row and the fix.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem

__all__ = ["Row", "clean_cell", "parse_number", "read_rows"]

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


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _decode(raw: bytes, shown: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 (BOM or not), else GB18030; report the first undecodable row."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), []
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 4]
        return None, [
            Problem(
                f"{shown}:{row}",
                f"bytes {bad!r} are neither UTF-8 nor GB18030 text",
                "save the file again from Excel as 'CSV UTF-8 (逗号分隔)'",
            )
        ]


_FORMULA_TEXT = re.compile(r'^="(.*)"$')


def clean_cell(text: str) -> tuple[str, str | None]:
    """Return the cell's text without Excel debris, and a problem text if any.

    ``="150525"`` (Excel's way of keeping leading zeros) becomes ``150525``;
    stray quotes around a value are dropped; a real formula is refused.
    """
    text = text.replace("\u00a0", " ").replace("\u3000", " ").strip()
    match = _FORMULA_TEXT.match(text)
    if match:
        return match.group(1).strip(), None
    if text.startswith("=") and len(text) > 1:
        return text, f"cell holds a formula {text!r}; paste values only (选择性粘贴 -> 数值)"
    if len(text) >= 1 and text.count('"') % 2 == 1 and text.strip('"') != text:
        text = text.strip('"').strip()
    elif len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text, None


_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^\d+(\.\d+)?$")


def parse_number(text: str) -> float | None:
    """Parse a non-negative number as people type it, or return None.

    Accepts full-width digits (NFKC), thousands separators (``151,133``) and
    surrounding spaces. Refuses signs, ranges, decimal commas and words.
    """
    folded = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if _THOUSANDS.match(folded):
        folded = folded.replace(",", "")
    if not _PLAIN.match(folded):
        return None
    return float(folded)


def _header(names: Sequence[str], required: Sequence[str], optional: Sequence[str], shown: str):
    known = list(required) + list(optional)
    columns: list[str] = []
    problems: list[Problem] = []
    for name in names:
        key = unicodedata.normalize("NFKC", name).strip().lower().replace(" ", "_")
        key = HEADER_ALIASES.get(key, key)
        columns.append(key)
    for need in required:
        if need not in columns:
            unknown = [c for c in columns if c and c not in known]
            close = difflib.get_close_matches(need, unknown, n=1, cutoff=0.6)
            if close:
                problems.append(
                    Problem(f"{shown}:1", f"column {close[0]!r} is not known", f"did you mean {need!r}?")
                )
            else:
                problems.append(
                    Problem(
                        f"{shown}:1", f"missing column {need!r}", f"add a {need!r} column to the header row"
                    )
                )
    return columns, problems


def read_rows(
    path: Path, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[list[Row], list[Problem]]:
    """Read a CSV file into rows keyed by canonical column names.

    Parameters
    ----------
    path : Path
        The CSV file.
    required, optional : sequence of str
        Column names; a missing required column is a problem (with the closest
        unknown column suggested), unknown extra columns are ignored.

    Returns
    -------
    rows, problems
        Every problem found, each naming the file and row; rows with problems
        are left out of `rows`.
    """
    shown = _display(path)
    if not path.is_file():
        return [], [
            Problem(
                shown,
                "file not found",
                f"create it (see data/README.md) or pass --data with a folder that has {path.name}",
            )
        ]
    raw = path.read_bytes()
    text, problems = _decode(raw, shown)
    if text is None:
        return [], problems
    if not text.strip():
        return [], [Problem(shown, "file is empty", "it needs a header row and at least one data row")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        return [], [
            Problem(f"{shown}:1", f"header cannot be read ({exc})", "save the file as CSV from Excel")
        ]
    columns, problems = _header(header, required, optional, shown)
    if problems:
        return [], problems
    rows: list[Row] = []
    for cells in _records(reader, shown, problems):
        line, values = cells
        where = f"{shown}:{line}"
        if not any(v.strip() for v in values):
            continue
        extra = values[len(columns) :]
        if any(v.strip() for v in extra):
            problems.append(
                Problem(
                    where,
                    f"row has {len(values)} fields but the header has {len(columns)}",
                    "quote cells that contain commas, or remove the extra cells",
                )
            )
            continue
        record: dict[str, str] = {}
        bad = False
        for column, value in zip(columns, values, strict=False):
            cleaned, issue = clean_cell(value)
            if issue:
                problems.append(Problem(where, f"column {column!r}: {issue}"))
                bad = True
            record[column] = cleaned
        missing = [c for c in required if c not in record]
        if missing and len(values) < len(columns):
            problems.append(
                Problem(
                    where,
                    f"row has {len(values)} fields but the header has {len(columns)} "
                    f"(missing {', '.join(missing)})",
                    "fill in the missing cells",
                )
            )
            continue
        if not bad:
            rows.append(Row(where, record))
    return rows, problems


def _records(reader, shown: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(
                Problem(f"{shown}:{line}", f"row cannot be read ({exc})", "check for stray quotes")
            )
            return
        yield line, values

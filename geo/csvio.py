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

from .errors import Once, Problem, Problems, closest

__all__ = ["Row", "clean_cell", "decode", "fold_digits", "number_problem", "parse_number", "read_rows"]

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

_SAVE_AS_CSV = "in Excel use 文件 > 另存为 > 'CSV UTF-8 (逗号分隔)(*.csv)'"
# Undecodable bytes are reported line by line, up to this many lines.
_MAX_BYTE_PROBLEMS = 5


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
    except (ValueError, OSError):
        return str(path)


def _short(text: str, limit: int = 40) -> str:
    """`text` on one line, cut to `limit` characters, for quoting in a message."""
    one = " ".join(text.split()) if ("\n" in text or "\r" in text) else text
    return one if len(one) <= limit else one[: limit - 1] + "…"


# ----------------------------------------------------------------- decoding


def _bad_spans(raw: bytes, encoding: str, limit: int) -> tuple[list[tuple[int, int]], bool]:
    """Up to `limit` (start, end) spans of bytes `encoding` cannot decode, and whether more follow."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while pos < len(raw):
        try:
            raw[pos:].decode(encoding)
            return spans, False
        except UnicodeDecodeError as exc:
            if len(spans) == limit:
                return spans, True
            if spans and spans[-1][1] == pos + exc.start:
                spans[-1] = (spans[-1][0], pos + exc.end)  # adjacent bad bytes: one span
            else:
                spans.append((pos + exc.start, pos + exc.end))
            pos += exc.end
    return spans, False


def _looks_utf8(raw: bytes) -> bool:
    """Whether undecodable `raw` is UTF-8 with a few bad bytes rather than GB18030."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return good > bad


def _utf16(raw: bytes) -> str | None:
    """UTF-16 text (Excel's 'Unicode text'), with a BOM or recognised by its NUL bytes."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif len(raw) >= 4 and raw.count(b"\x00") * 4 >= len(raw):
        odd, even = raw[1::2].count(0), raw[0::2].count(0)
        encoding = "utf-16-le" if odd > even else "utf-16-be"
    else:
        return None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode(raw: bytes, shown: str) -> tuple[str | None, list[Problem]]:
    """Decode a CSV file's bytes: UTF-8 (BOM or not), GB18030/GBK, or UTF-16.

    Parameters
    ----------
    raw : bytes
        The file's content.
    shown : str
        The file as named in messages.

    Returns
    -------
    text, problems
        The text, or None with one problem per line holding bytes that are no
        text in the file's encoding (the row, the bytes and the text before them).
    """
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
        return None, [Problem(shown, "this is an Excel workbook (.xlsx/.xls), not a CSV file", _SAVE_AS_CSV)]
    text = _utf16(raw)
    if text is not None:
        return text.lstrip("\ufeff"), []
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    encoding = "utf-8" if _looks_utf8(raw) else "gb18030"
    if encoding == "gb18030":
        try:
            return raw.decode("gb18030"), []
        except UnicodeDecodeError:
            pass
    spans, more = _bad_spans(raw, encoding, _MAX_BYTE_PROBLEMS * 4)
    problems: list[Problem] = []
    seen_lines: set[int] = set()
    name = "UTF-8" if encoding == "utf-8" else "GB18030/GBK"
    for start, end in spans:
        line = raw[:start].count(b"\n") + 1
        if line in seen_lines:
            continue
        if len(seen_lines) == _MAX_BYTE_PROBLEMS:
            more = True
            break
        seen_lines.add(line)
        line_start = raw.rfind(b"\n", 0, start) + 1
        before = raw[max(line_start, start - 60) : start].decode(encoding, errors="replace")
        before = before.lstrip("\ufffd")[-20:]
        shown_bytes = " ".join(f"{b:02X}" for b in raw[start : min(end, start + 8)])
        shown_bytes += " …" if end > start + 8 else ""
        after = f" after {before!r}" if before.strip() else " at the start of the line"
        problems.append(
            Problem(
                f"{shown}:{line}",
                f"bytes {shown_bytes}{after} are not {name} text (the rest of the file is {name})",
                f"retype the text there, then save the file again; {_SAVE_AS_CSV}",
            )
        )
    if more:
        problems.append(
            Problem(
                shown,
                f"more lines hold bytes that are not {name} text",
                "the file may be damaged or not a CSV file; save it again from Excel as CSV",
            )
        )
    return None, problems


# ----------------------------------------------------------------- cells


_FORMULA_TEXT = re.compile(r'^=\s*"(.*)"$', re.DOTALL)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\x00"), None)
_EXCEL_ERRORS = {"#REF!", "#VALUE!", "#N/A", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}


# Any character that _clean would act on; most cells have none (a fast path for big files).
_DEBRIS = re.compile('[\u200b\u200c\u200d\u2060\ufeff\x00\u00a0\u3000"=＝#]')


def _clean(text: str) -> tuple[str, tuple[str, str] | None]:
    """The cell without Excel debris, and (message, fix) if it cannot be used."""
    if _DEBRIS.search(text) is None:
        return text.strip(), None
    text = text.translate(_INVISIBLE).replace("\u00a0", " ").replace("\u3000", " ").strip()
    match = _FORMULA_TEXT.match(text)
    if match and '"' not in match.group(1).replace('""', ""):
        return match.group(1).replace('""', '"').strip(), None
    if text.upper() in _EXCEL_ERRORS:
        return text, (
            f"cell holds the Excel error {text!r}",
            "fix the formula behind it in the workbook (or type the figure), then save the CSV again",
        )
    if text.startswith(("=", "＝")) and len(text) > 1:
        return text, (f"cell holds a formula {_short(text)!r}", "paste values only (选择性粘贴 -> 数值)")
    inner = text.strip('"')
    if inner != text and '"' not in inner:
        text = inner.strip()
    return text, None


def clean_cell(text: str) -> tuple[str, str | None]:
    """Return the cell's text without Excel debris, and a problem text if any.

    ``="150525"`` (Excel's way of keeping leading zeros) becomes ``150525``;
    quotes left at either end of a value (``"37.53``, ``37.53"``) are dropped;
    invisible characters (zero-width spaces, a BOM inside the file) are
    removed; a real formula or an Excel error value (``#REF!``) is refused.
    The problem text reads ``<what is wrong>; <fix>``.
    """
    cleaned, issue = _clean(text)
    return cleaned, None if issue is None else "; ".join(issue)


# ----------------------------------------------------------------- numbers

# Full-width ASCII (U+FF01-U+FF5E), as typed with a Chinese input method, folded to ASCII.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_THOUSANDS = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
_PLAIN = re.compile(r"^[0-9]+(\.[0-9]+)?$")
#: Digits before the point in a figure: 15 is a trillion times more than any
#: count, area or capacity here, and within what a float holds exactly.
MAX_DIGITS = 15


def fold_digits(text: str) -> str:
    """`text` with full-width digits, letters and punctuation folded to ASCII, stripped."""
    return text.translate(_FULLWIDTH).replace("\u00a0", " ").strip()


def parse_number(text: str) -> float | None:
    """Parse a non-negative number as people type it, or return None.

    Accepts full-width digits, point and comma (``１５１，１３３``), thousands
    separators in groups of three (``151,133``) and surrounding spaces.
    Refuses signs, ranges, decimal commas, spaces inside the number,
    scientific notation and words: :func:`number_problem` says why.
    """
    folded = fold_digits(text)
    if _THOUSANDS.match(folded):
        folded = folded.replace(",", "")
    if not _PLAIN.match(folded) or len(folded.split(".")[0].lstrip("0")) > MAX_DIGITS:
        return None
    return float(folded)


_NUMBER = r"[0-9][0-9,]*(?:\.[0-9]+)?"
_PLAIN_FIX = "write a plain non-negative number such as 37.53 or 151,133"


def number_problem(text: str, column: str = "value") -> tuple[str, str]:
    """Why `text` is not a number :func:`parse_number` accepts: (message, fix)."""
    folded = fold_digits(text)
    quoted = f"{column} {_short(text)!r}"
    if not folded:
        return f"{column} is empty", "fill in the figure, or delete the row if the source gives none"
    if re.fullmatch(rf"[-−‐–]\s*{_NUMBER}", folded):
        return (
            f"{quoted} is negative",
            "figures here are counts, areas and capacities: write it without the sign",
        )
    digits = len(folded.replace(",", "").split(".")[0].lstrip("0"))
    if _PLAIN.match(folded.replace(",", "")) and digits > MAX_DIGITS:
        return (
            f"{column} has {digits} digits before the point, more than any figure here "
            f"({MAX_DIGITS} at most)",
            "check the cell: two numbers may have run together; write the figure the source gives",
        )
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?[eE][-+]?[0-9]+", folded):
        return (
            f"{quoted} is in scientific notation, as Excel shows long numbers",
            "widen the column or format it as Number in Excel, or type the figure in full, then save again",
        )
    if re.fullmatch(rf"{_NUMBER}\s*[-~～至到]\s*{_NUMBER}", folded):
        return f"{quoted} is a range, not one figure", "write the single figure the source gives"
    if re.fullmatch(r"[0-9]+,[0-9]{1,2}|[0-9]+(,[0-9]+)+", folded):
        return (
            f"{quoted} has a comma that is neither a decimal point nor a thousands separator",
            "write the decimal point as '.' (37.53) and group thousands by three (151,133)",
        )
    if re.fullmatch(r"[0-9][0-9 ]* [0-9 ]*[0-9](\.[0-9]+)?", folded):
        return f"{quoted} has spaces inside the number", "remove the spaces, or write 151,133"
    if re.fullmatch(rf"{_NUMBER}\s*%", folded):
        return (
            f"{quoted} is a percentage",
            "write the number without '%' and give the unit '%' in the unit column",
        )
    number = re.search(_NUMBER, folded)
    if number and (folded.startswith(number.group(0)) or folded.endswith(number.group(0))):
        return (
            f"{quoted} has words or a unit next to the number",
            f"write only the number ({number.group(0)}) here; a unit goes in the unit column, "
            "words such as 约 or 超过 in the note",
        )
    return f"{quoted} is not a number", _PLAIN_FIX


# ----------------------------------------------------------------- rows


def _key(name: str) -> str:
    key = unicodedata.normalize("NFKC", _clean(name)[0]).strip().lower().replace(" ", "_")
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
                f"the first row {_short(','.join(names), 50)!r} names none of the columns "
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
        whole = max(3, width - 1)
        runaway = (width >= 3 and any(_fields(line, delimiter) >= whole for line in inner)) or (
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
                f"a quote '\"' opens the cell '\"{_short(cell, 30)}' and is never closed, so {span}",
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
    shown = _display(path)
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
            extra = ", ".join(repr(_short(v, 20)) for v in values[width:] if v.strip())
            problems.append(
                Problem(
                    where,
                    f"row has {len(values)} fields but the header has {width}: "
                    + (why or f"extra cells {_short(extra, 60)}"),
                    fix,
                )
            )
            continue
        record_cells: dict[str, str] = {}
        bad = False
        for column, value in zip(columns, values, strict=False):
            cleaned, issue = _clean(value)
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

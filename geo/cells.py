"""Cells as people type them in Excel and WPS: debris removed, numbers read.

Excel leaves ``="150525"``, stray quotes, zero-width spaces and error values in
cells; people type full-width digits and thousands separators. These helpers
clean one cell or read one number, and say why when they cannot.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "MAX_DIGITS",
    "clean",
    "clean_cell",
    "display_path",
    "fold_digits",
    "number_problem",
    "parse_number",
    "short",
]


def display_path(path: Path) -> str:
    """`path` as the user typed it: relative to the current folder where it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def short(text: str, limit: int = 40) -> str:
    """`text` on one line, cut to `limit` characters, for quoting in a message."""
    one = " ".join(text.split()) if ("\n" in text or "\r" in text) else text
    return one if len(one) <= limit else one[: limit - 1] + "…"


# ----------------------------------------------------------------- cells


_FORMULA_TEXT = re.compile(r'^=\s*"(.*)"$', re.DOTALL)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\x00"), None)
_EXCEL_ERRORS = {"#REF!", "#VALUE!", "#N/A", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}


# Any character that _clean would act on; most cells have none (a fast path for big files).
_DEBRIS = re.compile('[\u200b\u200c\u200d\u2060\ufeff\x00\u00a0\u3000"=＝#]')


def clean(text: str) -> tuple[str, tuple[str, str] | None]:
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
        return text, (f"cell holds a formula {short(text)!r}", "paste values only (选择性粘贴 -> 数值)")
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
    cleaned, issue = clean(text)
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
    quoted = f"{column} {short(text)!r}"
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

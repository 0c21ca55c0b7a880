"""Decode the bytes of a CSV file as Excel and WPS save them.

UTF-8 with or without BOM, UTF-16 ("Unicode text"), and GB18030/GBK, which
Excel writes on Chinese Windows; bytes that fit none of them are reported line
by line with the way to save the file again.
"""

from __future__ import annotations

from .errors import Problem

__all__ = ["decode"]

_SAVE_AS_CSV = "in Excel use 文件 > 另存为 > 'CSV UTF-8 (逗号分隔)(*.csv)'"
# Undecodable bytes are reported line by line, up to this many lines.
_MAX_BYTE_PROBLEMS = 5


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

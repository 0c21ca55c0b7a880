"""The facts reader: properties over arbitrary input, and what Excel and WPS write.

Properties (hypothesis, derandomized so CI is deterministic): whatever bytes or
cells facts.csv holds, :func:`geo.facts.load_facts` returns or raises an
:class:`~geo.errors.AtlasError` of one-line problems, never anything else; and
:func:`geo.cells.parse_number` reads back any non-negative decimal written with
thousands separators and full-width digits.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import areas
from geo.cells import clean_cell, number_problem, parse_number
from geo.csvio import read_rows
from geo.encoding import decode
from geo.errors import AtlasError
from geo.facts import load_facts

SMALL = Path(__file__).resolve().parent / "fixtures" / "data-small"
HEADER = ["district", "theme", "metric", "value", "unit", "year", "source_id", "evidence", "note"]
LINE5 = "150525,basic,population_census,37.53,万人,2020,pf-huazhan,奈曼旗常住人口为37.53万人,"
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of data-small whose facts.csv each example overwrites."""
    target = tmp_path_factory.mktemp("reader") / "data"
    shutil.copytree(SMALL, target)
    return target


def read_or_refuse(data_dir: Path, raw: bytes) -> None:
    """The property: load_facts returns facts or raises one-line problems, nothing else."""
    (data_dir / "facts.csv").write_bytes(raw)
    try:
        base = load_facts(data_dir)
    except AtlasError as exc:
        assert exc.problems
        for problem in exc.problems:
            text = str(problem)
            assert "\n" not in text and "\r" not in text, text
            assert problem.where and problem.message, text
        return
    for fact in base.facts:
        assert isinstance(fact.value, float) and fact.value >= 0
        assert areas.find(fact.district) is not None
        assert fact.metric in base.metrics and fact.source_id in base.sources


# ----------------------------------------------------------------------- properties

GOOD_BYTES = (SMALL / "facts.csv").read_bytes()
raw_files = st.one_of(
    st.binary(max_size=400),
    st.binary(max_size=200).map(lambda tail: GOOD_BYTES[:200] + tail),
    st.tuples(st.integers(0, len(GOOD_BYTES)), st.binary(min_size=1, max_size=8)).map(
        lambda cut: GOOD_BYTES[: cut[0]] + cut[1] + GOOD_BYTES[cut[0] :]
    ),
    st.text(max_size=300).map(lambda text: text.encode("utf-8")),
    st.text(max_size=300).map(lambda text: text.encode("gb18030")),
    st.text(max_size=200).map(lambda text: text.encode("utf-16")),
)


@PROPERTY
@given(raw=raw_files)
def test_any_bytes_are_read_or_refused(data_dir: Path, raw: bytes) -> None:
    read_or_refuse(data_dir, raw)


# Cells as people type them: real values, full-width digits, Excel debris, quotes,
# commas and line breaks, plus arbitrary text.
real_cells = st.sampled_from(
    [
        "150525",
        "奈曼旗",
        "naiman",
        "150500",
        "科左中旗",
        "basic",
        "energy",
        "population_census",
        "area_published",
        "population_density",
        "万人",
        "人",
        "km²",
        "平方公里",
        "2020",
        "2021-2025",
        "pf-huazhan",
        "pf-82l",
        "37.53",
        "151,133",
        "１５１，１３３",
        "３７.５３",
        '="150525"',
        "=SUM(A1:A3)",
        "#REF!",
        '"37.53',
        '37.53"',
        "-1",
        "1e5",
        "",
    ]
)
odd_text = st.text(
    alphabet=st.sampled_from(list(',"\n\r\t =＝０１２３４５６７８９，．.-#万人旗a1')), max_size=12
)
cells = st.one_of(real_cells, odd_text, st.text(max_size=12))
headers = st.one_of(st.just(HEADER), st.lists(st.sampled_from([*HEADER, "vaule", "数值", ""]), max_size=10))
GOOD_ROWS = list(csv.reader(io.StringIO(GOOD_BYTES.decode("utf-8"))))[1:]


def _edited(edits: list[tuple[int, int, str]]) -> list[list[str]]:
    rows = [list(row) for row in GOOD_ROWS]
    for row, column, cell in edits:
        target = rows[row % len(rows)]
        if column < len(target):
            target[column] = cell
        else:
            target.append(cell)
    return rows


# Mostly-good files with a few cells replaced reach the checks behind the parser
# (units, years, duplicates, conflicts); arbitrary rows exercise the parser.
row_lists = st.one_of(
    st.lists(st.tuples(st.integers(0, 99), st.integers(0, 9), cells), min_size=1, max_size=4).map(_edited),
    st.lists(st.lists(cells, max_size=11), max_size=8),
)


@PROPERTY
@given(
    header=headers,
    rows=row_lists,
    newline=st.sampled_from(["\n", "\r\n"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_any_cells_are_read_or_refused(
    data_dir: Path, header: list[str], rows: list[list[str]], newline: str, encoding: str
) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows([header, *rows])
    read_or_refuse(data_dir, buffer.getvalue().encode(encoding))


FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")
decimals = st.integers(0, 4).flatmap(
    lambda places: st.decimals(
        min_value=0, max_value=10**12, places=places, allow_nan=False, allow_infinity=False
    )
)


@PROPERTY
@given(
    number=decimals,
    grouped=st.booleans(),
    full_width=st.booleans(),
    pad=st.sampled_from(["", " ", "\u3000", "\u00a0"]),
)
def test_parse_number_round_trip(number: Decimal, grouped: bool, full_width: bool, pad: str) -> None:
    text = f"{number:,f}" if grouped else f"{number:f}"
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_number(f"{pad}{text}{pad}") == float(f"{number:f}")


@PROPERTY
@given(text=st.text(max_size=20))
def test_parse_number_is_none_or_non_negative_and_says_why(text: str) -> None:
    value = parse_number(text)
    if value is None:
        message, fix = number_problem(text)
        assert message and fix and "\n" not in message + fix
    else:
        assert value >= 0


# ----------------------------------------------------------------------- csvio units


@pytest.mark.parametrize(
    ("cell", "cleaned"),
    [
        ('="150525"', "150525"),
        ('= "150525"', "150525"),
        ('="a""b"', 'a"b'),
        ("  37.53\u3000", "37.53"),
        ("\u00a0奈曼旗\u00a0", "奈曼旗"),
        ("\u200b150525\ufeff", "150525"),
        ('"37.53', "37.53"),
        ('37.53"', "37.53"),
        ('"37.53"', "37.53"),
        ('他说"好"', '他说"好"'),
        ("=", "="),
        ("", ""),
    ],
)
def test_clean_cell_keeps_the_value(cell: str, cleaned: str) -> None:
    assert clean_cell(cell) == (cleaned, None)


@pytest.mark.parametrize(
    ("cell", "issue"),
    [
        ("=SUM(A1:A3)", r"cell holds a formula '=SUM\(A1:A3\)'; paste values only"),
        ('="1"&"2"', r"cell holds a formula"),
        ("＝A1*2", r"cell holds a formula '＝A1\*2'"),
        ("#REF!", r"cell holds the Excel error '#REF!'; fix the formula"),
        ("#n/a", r"cell holds the Excel error '#n/a'"),
    ],
)
def test_clean_cell_refuses_formulas_and_excel_errors(cell: str, issue: str) -> None:
    text, problem = clean_cell(cell)
    assert text == cell and problem is not None
    assert re.search(issue, problem)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("37.53", 37.53),
        ("151,133", 151133.0),
        ("1,234,567.25", 1234567.25),
        ("１５１，１３３", 151133.0),
        ("３７．５３", 37.53),
        (" 0 ", 0.0),
        ("007", 7.0),
    ],
)
def test_parse_number_accepts(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("-37.53", "is negative"),
        ("－37.53", "is negative"),
        ("37,53", "neither a decimal point nor a thousands separator"),
        ("1,2345", "neither a decimal point nor a thousands separator"),
        ("37 53", "spaces inside the number"),
        ("151 133", "spaces inside the number"),
        ("2.87E+06", "scientific notation"),
        ("30-40", "is a range"),
        ("12%", "is a percentage"),
        ("37.53万人", "words or a unit next to the number"),
        ("约37.53", "words or a unit next to the number"),
        ("①", "is not a number"),
        ("٣٧", "is not a number"),  # Arabic-Indic digits: not what anyone in Tongliao types
        ("37²", "words or a unit"),
        ("", "is empty"),
    ],
)
def test_parse_number_refuses_and_says_why(text: str, why: str) -> None:
    assert parse_number(text) is None
    assert why in number_problem(text)[0]


SAMPLE = "district,value\n奈曼旗,37.53\n科尔沁区,92.18\n"


@pytest.mark.parametrize(
    "raw",
    [
        SAMPLE.encode("utf-8"),
        b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"),
        SAMPLE.encode("gb18030"),
        SAMPLE.encode("gbk"),
        SAMPLE.encode("utf-16"),
        SAMPLE.encode("utf-16-le"),
        SAMPLE.replace("\n", "\r\n").encode("gb18030"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "utf16-bom", "utf16le-no-bom", "gb18030-crlf"],
)
def test_decode_reads_what_excel_writes(raw: bytes) -> None:
    text, problems = decode(raw, "facts.csv")
    assert problems == []
    assert text is not None and text.replace("\r\n", "\n") == SAMPLE


def test_decode_reports_the_row_and_bytes_of_a_utf8_file() -> None:
    raw = SAMPLE.encode("utf-8").replace("科尔沁区".encode(), "科尔沁区".encode() + b"\xff\xfe")
    text, problems = decode(raw, "facts.csv")
    assert text is None
    assert [str(p) for p in problems] == [
        "facts.csv:3: bytes FF FE after '科尔沁区' are not UTF-8 text (the rest of the file is UTF-8); "
        "retype the text there, then save the file again; in Excel use 文件 > 另存为 > "
        "'CSV UTF-8 (逗号分隔)(*.csv)'"
    ]


def test_decode_reports_a_gbk_file_as_gbk() -> None:
    raw = SAMPLE.encode("gbk") + "开鲁县,31.34\n".encode("gbk") + b"\xff\n"
    text, problems = decode(raw, "facts.csv")
    assert text is None
    assert len(problems) == 1
    assert str(problems[0]).startswith(
        "facts.csv:5: bytes FF at the start of the line are not GB18030/GBK text"
    )


def test_decode_caps_the_lines_reported() -> None:
    raw = "奈曼旗\n".encode() * 20 + b"\xff\n" * 20
    _, problems = decode(raw, "facts.csv")
    assert len(problems) == 6
    assert str(problems[-1]).startswith("facts.csv: more lines hold bytes that are not UTF-8 text")


@pytest.mark.parametrize("magic", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"], ids=["xlsx", "xls"])
def test_decode_recognises_an_excel_workbook(magic: bytes) -> None:
    _, problems = decode(magic + bytes(100), "facts.csv")
    assert [p.message for p in problems] == ["this is an Excel workbook (.xlsx/.xls), not a CSV file"]


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("separator", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_read_rows_finds_the_separator(tmp_path: Path, separator: str) -> None:
    path = write_csv(tmp_path, f"district{separator}value\n奈曼旗{separator}37.53\n")
    rows, problems = read_rows(path, ["district", "value"])
    assert problems == []
    assert [r.cells for r in rows] == [{"district": "奈曼旗", "value": "37.53"}]


def test_read_rows_keeps_a_multi_line_note(tmp_path: Path) -> None:
    text = 'district,value,note\n奈曼旗,37.53,"first line\nsecond, with a comma"\n科尔沁区,92.18,\n'
    rows, problems = read_rows(write_csv(tmp_path, text), ["district", "value"], ["note"])
    assert problems == []
    assert [r.where.rsplit(":", 1)[1] for r in rows] == ["2", "4"]
    assert rows[0]["note"] == "first line\nsecond, with a comma"


def test_read_rows_skips_blank_rows_and_trailing_empty_cells(tmp_path: Path) -> None:
    text = "district,value,,\n\n奈曼旗,37.53,,\n,,,\n科尔沁区,92.18,,,,\n"
    rows, problems = read_rows(write_csv(tmp_path, text), ["district", "value"])
    assert problems == []
    assert [(r["district"], r.where.rsplit(":", 1)[1]) for r in rows] == [("奈曼旗", "3"), ("科尔沁区", "5")]


def test_read_rows_reads_chinese_headers(tmp_path: Path) -> None:
    rows, problems = read_rows(write_csv(tmp_path, "旗县市区,数值\n奈曼旗,37.53\n"), ["district", "value"])
    assert problems == []
    assert rows[0].cells == {"district": "奈曼旗", "value": "37.53"}


def test_read_rows_resyncs_after_a_stray_quote(tmp_path: Path) -> None:
    text = 'a,b,c,d\n1,"2,3,4\n5,6,7,8\n9,10,"11,12\n13,14,15,16\n'
    rows, problems = read_rows(write_csv(tmp_path, text), ["a", "b", "c", "d"])
    assert [r["a"] for r in rows] == ["5", "13"]
    assert [p.where.rsplit(":", 1)[1] for p in problems] == ["2", "4"]
    assert "lines 2-4 run together" in problems[0].message


# ----------------------------------------------------------------------- load_facts


def test_load_facts_normalises_what_it_accepts(small_data: Path) -> None:
    path = small_data / "facts.csv"
    text = path.read_text(encoding="utf-8").replace(LINE5, LINE5.replace(",37.53,", ",３７.５３,"))
    path.write_bytes(text.encode("gb18030"))
    base = load_facts(small_data)
    by_code = {(f.district, f.metric, f.source_id): f for f in base.facts}
    naiman = by_code[("150525", "population_census", "pf-huazhan")]
    assert (naiman.value, naiman.value_text) == (37.53, "37.53")
    jarud = by_code[("150526", "population_census", "pf-hongheiku-zlt")]
    assert (jarud.value, jarud.value_text, jarud.unit) == (25.1806, "251,806", "人")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (",37.53,", ",-37.53,", r"facts\.csv:5: value '-37\.53' is negative; "),
        ("150525", "奈曼奇", r"facts\.csv:5: unknown district '奈曼奇'; did you mean 奈曼旗 \(150525\)\?"),
        ("2020", "2050", r"facts\.csv:5: year '2050' is outside 1949-2035; use a year between 1949 and 2035"),
    ],
)
def test_load_facts_raises_one_line_per_problem(small_data: Path, old: str, new: str, expected: str) -> None:
    path = small_data / "facts.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(LINE5, LINE5.replace(old, new)), encoding="utf-8"
    )
    with pytest.raises(AtlasError, match=expected) as caught:
        load_facts(small_data)
    assert len(caught.value.problems) == 1


def test_a_broken_file_does_not_flood_the_files_that_refer_to_it(small_data: Path) -> None:
    (small_data / "sources.csv").unlink()
    (small_data / "themes.csv").write_text("", encoding="utf-8")
    with pytest.raises(AtlasError) as caught:
        load_facts(small_data)
    assert [p.message for p in caught.value.problems] == ["file is empty", "file not found"]

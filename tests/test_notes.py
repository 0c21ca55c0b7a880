"""The Chinese note (`note_zh`) beside the English one: reader, data, page data and popup.

`note_zh` is an optional column of facts.csv and sites.csv: an older file without
it loads as before. The page shows the Chinese note first and the English one
under it; the data table's CSV has both.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from geo.facts import load_facts, read_facts
from geo.payload import for_people
from geo.pipeline import build_atlas

ROOT = Path(__file__).resolve().parent.parent
BOUNDARIES = ROOT / "boundaries"
PAYLOAD_RE = re.compile(r'<script type="application/json" id="atlas-data">(.*?)</script>', re.S)
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
CITY = "tongliao.html"
BANNERS = ["150502", "150521", "150522", "150523", "150524", "150525", "150526", "150581"]


def add_column(path: Path, header: str, cells: dict[int, str]) -> None:
    """Append a column named `header` to a CSV file; `cells` by data row (0 = first row after the header)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[0].append(header)
    for i, row in enumerate(rows[1:]):
        row.append(cells.get(i, ""))
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell (data row `row`, column by header name) of a CSV file."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[row + 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def payload(page: Path) -> dict:
    match = PAYLOAD_RE.search(page.read_text(encoding="utf-8"))
    assert match, page
    return json.loads(match.group(1))


# ---------------------------------------------------------------- reader

HEADERS = ["note_zh", "Note_ZH", "中文备注", "备注（中文）", "备注(中文)"]


def read_quietly(folder: Path):
    """read_facts with every Python warning an error: (base, problems)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_facts(folder)


@pytest.mark.parametrize("name", ["facts.csv", "sites.csv"])
def test_a_file_without_note_zh_loads_without_a_word(small_data: Path, name: str) -> None:
    with (small_data / name).open(encoding="utf-8") as f:
        assert "note_zh" not in f.readline()
    base, problems = read_quietly(small_data)
    assert problems == []
    assert base.facts and base.sites
    assert {f.note_zh for f in base.facts} == {s.note_zh for s in base.sites} == {""}


@pytest.mark.parametrize("header", HEADERS)
def test_facts_read_note_zh_under_any_of_its_names(small_data: Path, header: str) -> None:
    add_column(small_data / "facts.csv", header, {0: "含开发区"})
    base, problems = read_quietly(small_data)
    assert problems == []
    assert [f.note_zh for f in base.facts if f.note_zh] == ["含开发区"]
    first = next(f for f in base.facts if f.note_zh)
    assert (first.district, first.note) == ("150502", "includes the development zone")


@pytest.mark.parametrize("header", HEADERS)
def test_sites_read_note_zh_under_any_of_its_names(small_data: Path, header: str) -> None:
    add_column(small_data / "sites.csv", header, {0: "跨两个旗县区"})
    base, problems = read_quietly(small_data)
    assert problems == []
    assert [(s.site_id, s.note_zh) for s in base.sites] == [("energy-238", "跨两个旗县区")]


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        ("  含开发区 ", "含开发区"),
        ("\u3000含开发区\u00a0", "含开发区"),
        ("含\u200b开发区", "含开发区"),
        ('="含开发区"', "含开发区"),
        ('"含开发区', "含开发区"),
        ("", ""),
    ],
)
@pytest.mark.parametrize("column", ["note", "note_zh"])
def test_note_zh_is_cleaned_as_note_is(small_data: Path, column: str, cell: str, read: str) -> None:
    add_column(small_data / "facts.csv", "note_zh", {})
    set_cell(small_data / "facts.csv", 3, column, cell)  # 150525, population_census
    base, problems = read_quietly(small_data)
    assert problems == []
    fact = next(f for f in base.facts if f.district == "150525")
    assert getattr(fact, column) == read


def test_a_formula_in_note_zh_is_refused_with_its_row_and_column(small_data: Path) -> None:
    add_column(small_data / "facts.csv", "中文备注", {3: "=A1&B1"})
    _, problems = read_quietly(small_data)
    [problem] = problems
    assert problem.where.endswith("facts.csv:5") and problem.message.startswith("column 'note_zh': ")
    assert "formula" in problem.message


# ---------------------------------------------------------------- data


def data_rows(name: str) -> list[dict[str, str]]:
    with (ROOT / "data" / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", ["facts.csv", "sites.csv"])
def test_note_zh_sits_right_after_note(name: str) -> None:
    with (ROOT / "data" / name).open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    assert header[header.index("note") + 1] == "note_zh"


@pytest.mark.parametrize("name", ["facts.csv", "sites.csv"])
def test_every_note_has_a_chinese_note_with_its_numbers_and_names(name: str) -> None:
    rows = data_rows(name)
    assert sum(bool(r["note"].strip()) for r in rows) > 50
    for line, row in enumerate(rows, start=2):
        note, zh = row["note"].strip(), row["note_zh"].strip()
        where = f"data/{name}:{line}"
        assert bool(zh) == bool(note), f"{where}: note_zh where there is no note, or none for {note!r}"
        if not note:
            continue
        assert HAN.search(zh), f"{where}: note_zh {zh!r} is not Chinese"
        digits = set(re.findall(r"[0-9]+", zh))
        missing = [d for d in re.findall(r"[0-9]+", note) if d not in digits]
        assert not missing, f"{where}: note_zh lacks the number(s) {missing} of {note!r}"
        names = [n for n in HAN.findall(note) if n not in zh]
        assert not names, f"{where}: note_zh lacks {names} of {note!r}"


def test_the_project_data_reads_every_chinese_note() -> None:
    base = load_facts(ROOT / "data")
    for items in (base.facts, base.sites):
        assert all(bool(i.note_zh) == bool(i.note) for i in items)
        assert sum(bool(i.note_zh) for i in items) > 50


# ---------------------------------------------------------------- page data


@pytest.fixture(scope="module")
def noted_page(tmp_path_factory) -> dict:
    """The payload of 科左后旗's page built from data-small with Chinese notes on a fact and a site."""
    base = tmp_path_factory.mktemp("notes")
    data = base / "data"
    shutil.copytree(ROOT / "tests" / "fixtures" / "data-small", data)
    add_column(data / "facts.csv", "note_zh", {4: "人口普查数据；见 conflicts.csv"})  # 150522
    add_column(data / "sites.csv", "中文备注", {0: "跨科尔沁区和科左后旗（public-facts.md）"})
    build_atlas(data, BOUNDARIES, base / "maps", district="150522")
    return payload(base / "maps" / "150522-kezuohou.html")


def test_note_zh_reaches_the_page_data_in_words_for_people(noted_page: dict) -> None:
    basic = next(t for t in noted_page["themes"] if t["key"] == "basic")
    fact = basic["facts"]["150522"][0]
    assert fact["noteZh"] == for_people("人口普查数据；见 conflicts.csv")
    assert fact["noteZh"].endswith("见 数据冲突记录 record of conflicting figures")
    assert fact["note"] == ""
    site = next(s for t in noted_page["themes"] for s in t["sites"] if s["id"] == "energy-238")
    assert site["noteZh"] == "跨科尔沁区和科左后旗（公开资料汇编 compiled public facts）"
    facts = [f for t in noted_page["themes"] for fs in t["facts"].values() for f in fs]
    assert all("noteZh" in f for f in facts)  # empty, not missing, where none is written
    assert {f["noteZh"] for f in facts} <= {"", fact["noteZh"]}


# ---------------------------------------------------------------- popup


def open_popup(offline_page, path: Path, theme: str, code: str):
    """Open a page, choose a theme and open the popup of area `code` with the keyboard."""
    offline_page.open(path)
    page: Page = offline_page.page
    page.locator(f"label.atlas-theme-option[data-theme={theme}]").click()
    expect(page.locator("html")).to_have_attribute("data-theme", theme)
    name = payload(path)["areas"][code]["zh"]
    area = page.locator(f"path[role=button][aria-label^='{name} ']")
    area.focus()
    area.press("Enter")
    popup = page.locator(".leaflet-popup .atlas-popup")
    expect(popup).to_be_visible()
    return popup


def note_lines(item) -> list[tuple[str, str, str | None]]:
    """The notes of a popup's figure, in page order: (text, class, lang)."""
    return item.evaluate(
        """li => Array.from(li.querySelectorAll(".atlas-note"))
             .filter((n) => !n.textContent.startsWith("原文 as printed"))
             .map((n) => [n.textContent, n.className, n.getAttribute("lang")])"""
    )


@pytest.mark.browser
def test_a_popup_shows_the_chinese_note_before_the_english_one(atlas, offline_page):
    data = payload(atlas / CITY)
    theme, code, fact = next(
        (t["key"], code, f)
        for t in data["themes"]
        for code in BANNERS
        for f in t["facts"].get(code, [])
        if f["note"] and f["noteZh"]
    )
    popup = open_popup(offline_page, atlas / CITY, theme, code)
    item = popup.locator(".atlas-fact", has_text=fact["noteZh"]).first
    expect(item).to_be_visible()
    lines = note_lines(item)
    assert [text for text, _, _ in lines] == [fact["noteZh"], fact["note"]]
    (_, zh_class, zh_lang), (_, en_class, en_lang) = lines
    assert "atlas-en" not in zh_class.split() and zh_lang is None
    assert "atlas-en" in en_class.split() and en_lang == "en"
    assert (offline_page.failed, offline_page.blocked, offline_page.errors) == ([], [], [])


@pytest.mark.browser
def test_a_popup_shows_a_sites_notes_chinese_first(atlas, offline_page):
    data = payload(atlas / CITY)
    theme, code, site = next(
        (t["key"], s["districts"][0], s)
        for t in data["themes"]
        for s in t["sites"]
        if s["note"] and s["noteZh"] and s["shown"] and s["districts"][0] in BANNERS
    )
    popup = open_popup(offline_page, atlas / CITY, theme, code)
    item = popup.locator(".atlas-site", has_text=site["noteZh"]).first
    expect(item).to_be_visible()
    lines = [line for line in note_lines(item) if line[0] in (site["noteZh"], site["note"])]
    assert [text for text, _, _ in lines] == [site["noteZh"], site["note"]]
    assert list(lines[1][1:]) == ["atlas-note atlas-en", "en"]
    assert (offline_page.failed, offline_page.blocked, offline_page.errors) == ([], [], [])


@pytest.mark.browser
@pytest.mark.parametrize(
    ("note", "note_zh"),
    [("census figure", ""), ("", "普查数据")],
    ids=["english-only", "chinese-only"],
)
def test_a_popup_shows_the_one_note_there_is(small_data, tmp_path, offline_page, note, note_zh):
    set_cell(small_data / "facts.csv", 3, "note", note)  # 150525, population_census
    add_column(small_data / "facts.csv", "note_zh", {3: note_zh})
    out = tmp_path / "maps"
    build_atlas(small_data, BOUNDARIES, out, district="150525")
    popup = open_popup(offline_page, out / "150525-naiman.html", "basic", "150525")
    item = popup.locator(".atlas-fact").first
    expect(item).to_be_visible()
    [(text, cls, lang)] = note_lines(item)
    assert text == (note or note_zh)
    assert "atlas-note" in cls.split() and "atlas-en" not in cls.split() and lang is None
    assert (offline_page.failed, offline_page.blocked, offline_page.errors) == ([], [], [])

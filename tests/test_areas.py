"""Name resolution: every alias kind resolves, typos get the closest names."""

import pytest

from geo import AtlasError, resolve
from geo.areas import all_areas, districts, match


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("科尔沁左翼中旗", "150521"),  # full name
        ("科左中旗", "150521"),  # short name
        ("kezuozhong", "150521"),  # pinyin
        ("Horqin Left Middle Banner", "150521"),  # English
        ("150521", "150521"),  # code
        ("科在中旗", "150521"),  # the sources' typo, recorded as an alias
        ("奈曼旗", "150525"),
        ("naiman", "150525"),
        ("NAIMAN", "150525"),
        ("Naiman Banner", "150525"),
        ("Naiman", "150525"),
        ("１５０５２５", "150525"),  # full-width digits from Excel
        (" 奈曼旗 ", "150525"),
        ("霍林郭勒市", "150581"),
        ("Huolingol City", "150581"),
        ("开发区", "150571"),
        ("kaifaqu", "150571"),
        ("通辽经济技术开发区", "150571"),
    ],
)
def test_every_alias_kind_resolves(name, code):
    assert resolve(name).code == code


@pytest.mark.parametrize(
    ("typo", "suggested"),
    [("奈慢旗", "奈曼旗"), ("naimen", "奈曼旗"), ("kailuu", "开鲁县"), ("Jarud Baner", "扎鲁特旗")],
)
def test_typo_suggests_the_closest_name(typo, suggested):
    with pytest.raises(AtlasError, match=rf"unknown district '{typo}'; did you mean {suggested}"):
        resolve(typo)


def test_nonsense_says_what_to_type():
    with pytest.raises(AtlasError, match=r"unknown district 'zzz'; use a code such as 150525"):
        resolve("zzz")


def test_city_is_refused_where_a_district_is_needed():
    expected = r"'通辽市' is the whole city \(150500\), not a district; name one of the nine"
    with pytest.raises(AtlasError, match=expected):
        resolve("通辽市", allow_city=False)


def test_nine_areas_eight_with_boundaries():
    nine = districts()
    assert len(nine) == 9
    assert sum(a.has_boundary for a in nine) == 8
    zone = resolve("150571")
    assert not zone.has_boundary and zone.parent == "150502"


def test_names_are_unique_across_areas():
    seen = {}
    for area in all_areas():
        for name in area.names():
            key = name.casefold()
            assert seen.setdefault(key, area.code) == area.code, name


@pytest.mark.parametrize(("name", "slug"), [("奈曼旗", "150525-naiman"), ("开发区", "150571-kaifaqu")])
def test_map_file_names_are_code_and_pinyin(name, slug):
    assert resolve(name).slug == slug


def search_cases() -> list[tuple[str, str, str]]:
    """The table of tests/fixtures/search-cases.csv, shared with the page's search test."""
    import csv
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "search-cases.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return [(r["query"], r["kind"], r["codes"]) for r in csv.DictReader(f)]


@pytest.mark.parametrize(("query", "kind", "codes"), search_cases())
def test_search_finds_what_people_type(query, kind, codes):
    found = match(query)
    assert (found.kind, "|".join(a.code for a in found.areas)) == (kind, codes)


@pytest.mark.parametrize(
    ("name", "code"),
    [("naimanqi", "150525"), ("kailuxian", "150523"), ("huolinguoleshi", "150581"), ("Khorchin", "150502")],
)
def test_command_line_accepts_every_exact_form(name, code):
    assert resolve(name).code == code


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("naimna", "did you mean 奈曼旗"),
        ("kezuo", "did you mean 科尔沁左翼中旗 \\(150521\\) or 科尔沁左翼后旗"),
    ],
)
def test_command_line_refuses_typos_and_prefixes_with_a_suggestion(typed, hint):
    with pytest.raises(AtlasError, match=rf"unknown district '{typed}'; {hint}"):
        resolve(typed)

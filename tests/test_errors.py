"""Every user mistake: one line per problem, exit status 2, no traceback, maps untouched.

One table (:data:`MISTAKES`) holds every broken input: each case starts from a
copy of ``tests/fixtures/data-small`` (and of ``boundaries/`` when a boundary
is broken), breaks one thing, runs ``tongliao-maps build`` in-process against a
maps folder holding a first good build, and checks the status, each stderr
line (``error: <file>:<row>: <what, quoting the value>; <fix>``), and that the
maps folder is byte-for-byte and mtime-for-mtime what it was. A few cases run
again as ``python -m geo`` in a subprocess, to prove what a user sees.

:data:`ACCEPTED` holds what people type or save that must be read, not
refused: thousands separators, full-width digits, GB18030, a BOM, ``="150525"``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from geo.cli import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "data-small"
BAD = ROOT / "tests" / "fixtures" / "bad"

# Line 5 of data-small/facts.csv (the header is line 1); most cases break it.
LINE5 = "150525,basic,population_census,37.53,万人,2020,pf-huazhan,奈曼旗常住人口为37.53万人,"
HEADER = "district,theme,metric,value,unit,year,source_id,evidence,note"
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[122.2, 43.6], [122.3, 43.7], [122.3, 43.6], [122.2, 43.7], [122.2, 43.6]]],
}


@dataclass
class Work:
    """A run's folder (the current directory): data/, maybe boundaries/, maps/."""

    root: Path
    copied_boundaries: bool = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    def boundaries(self) -> Path:
        """A private copy of the repository's boundaries/, free to break."""
        if not self.copied_boundaries:
            shutil.copytree(ROOT / "boundaries", self.root / "boundaries")
            self.copied_boundaries = True
        return self.root / "boundaries"

    def args(self, extra: list[str]) -> list[str]:
        shapes = "boundaries" if self.copied_boundaries else str(ROOT / "boundaries")
        return ["build", "--data", "data", "--boundaries", shapes, "--out", "maps", *extra]


Setup = Callable[[Work], list[str]]


def edit(old: str, new: str, file: str = "facts.csv") -> Setup:
    """Replace the first `old` by `new` in data/`file`."""

    def setup(work: Work) -> list[str]:
        path = work.data / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return []

    return setup


def line5(old: str, new: str) -> Setup:
    """Replace `old` by `new` within line 5 of facts.csv."""
    assert old in LINE5
    return edit(LINE5, LINE5.replace(old, new, 1))


def write(content: bytes | str, file: str = "facts.csv") -> Setup:
    def setup(work: Work) -> list[str]:
        data = content.encode("utf-8") if isinstance(content, str) else content
        (work.data / file).write_bytes(data)
        return []

    return setup


def delete(file: str) -> Setup:
    def setup(work: Work) -> list[str]:
        (work.data / file).unlink()
        return []

    return setup


def site_at(lon: str, lat: str) -> Setup:
    """data/sites.csv with its one site placed at (`lon`, `lat`), as a point the source prints."""
    return write(
        "site_id,district,theme,name_zh,kind,capacity,capacity_unit,precision,lon,lat,datum,"
        "position_source_id,source_id,evidence\n"
        f"energy-238,150502|150522,energy,通辽238万千瓦风电基地,wind,238,万千瓦,point,{lon},{lat},WGS84,"
        "pf-xny100,pf-xny100,238万千瓦\n",
        file="sites.csv",
    )


def bad_facts(name: str) -> Setup:
    """data/facts.csv replaced by tests/fixtures/bad/`name`."""
    return write((BAD / name).read_bytes())


def districts(change: Callable[[dict], None]) -> Setup:
    """Edit the features of a copy of boundaries/districts.geojson."""

    def setup(work: Work) -> list[str]:
        path = work.boundaries() / "districts.geojson"
        collection = json.loads(path.read_text(encoding="utf-8"))
        change(collection["features"])
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        return []

    return setup


def boundary_file(name: str, content: bytes | None = None, source: str | None = None) -> Setup:
    """Write boundaries/`name` (from `content`, or tests/fixtures/bad/`source`), or delete it."""

    def setup(work: Work) -> list[str]:
        path = work.boundaries() / name
        if source is not None:
            shutil.copyfile(BAD / source, path)
        elif content is None:
            path.unlink()
        else:
            path.write_bytes(content)
        return []

    return setup


def zone_shapefile(work: Work) -> list[str]:
    """A shapefile of the zone (without its .prj): boundary files are GeoJSON only."""
    import geopandas
    import shapely

    frame = geopandas.GeoDataFrame({"code": ["150571"]}, geometry=[shapely.box(122.25, 43.60, 122.27, 43.62)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio warns about a frame without a CRS
        frame.to_file(work.root / "zone.shp")
    return ["--zone", "zone.shp"]


def file_in_the_way(out: str) -> Setup:
    def setup(work: Work) -> list[str]:
        (work.root / "afile").write_text("not a folder\n", encoding="utf-8")
        return ["--out", out]

    return setup


def out_in_a_symlink_loop(work: Work) -> list[str]:
    (work.root / "loop").symlink_to("loop")
    return ["--out", "loop/maps"]


def options(*extra: str) -> Setup:
    return lambda work: list(extra)


def case(case_id: str, setup: Setup, expected: str, lines: int = 1):
    """A broken input, the regex one stderr line must match, and how many lines stderr has."""
    return pytest.param(setup, expected, lines, id=case_id)


E = re.escape
FACTS = r"data/facts\.csv"

MISTAKES = [
    # ----------------------------------------------------------------- facts: the file
    case(
        "facts-missing",
        delete("facts.csv"),
        rf"{FACTS}: file not found; create it \(see data/README\.md\) or pass --data",
    ),
    case(
        "facts-empty", write(""), rf"{FACTS}: file is empty; it needs a header row and at least one data row"
    ),
    case(
        "facts-header-only",
        write(HEADER + "\n"),
        rf"{FACTS}: file has a header but no data rows; add at least one row below the header",
    ),
    case(
        "facts-is-an-excel-workbook",
        write(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256))),
        rf"{FACTS}: this is an Excel workbook \(\.xlsx/\.xls\), not a CSV file; in Excel use 文件 > 另存为 > "
        r"'CSV UTF-8",
    ),
    case(
        "encoding-undecodable-bytes",
        bad_facts("facts-undecodable.csv"),
        rf"{FACTS}:5: bytes FF FE after '.*奈曼旗常住人口为37\.53万人' are not UTF-8 text .*; "
        r"retype the text there, then save the file again",
    ),
    case(
        "sources-missing",
        delete("sources.csv"),
        r"data/sources\.csv: file not found; create it",
    ),
    # ----------------------------------------------------------------- facts: header
    case(
        "column-missing",
        edit(HEADER, HEADER.replace(",unit", "")),
        rf"{FACTS}:1: missing column 'unit'; add a 'unit' column to the header row",
    ),
    case(
        "column-misspelt",
        edit(HEADER, HEADER.replace("value", "vaule")),
        rf"{FACTS}:1: column 'vaule' is not known; did you mean 'value'\? rename it",
    ),
    case(
        "column-twice",
        edit(HEADER, HEADER.replace("note", "value")),
        rf"{FACTS}:1: column 'value' appears twice: at column 4 and at column 9; delete or rename one",
    ),
    case(
        "header-row-missing",
        edit(HEADER + "\n", ""),
        rf"{FACTS}:1: the first row '科尔沁区,basic,population_census.*' names none of the columns "
        r"district, metric, value, unit, source_id; make the first row the header: district,metric,",
    ),
    case(
        "header-row-again",
        edit("150523,energy", HEADER + "\n150523,energy"),
        rf"{FACTS}:12: the header row appears again \(two files pasted together\?\); delete this row",
    ),
    # ----------------------------------------------------------------- facts: rows
    case(
        "district-unknown",
        line5("150525", "奈曼奇"),
        rf"{FACTS}:5: unknown district '奈曼奇'; did you mean 奈曼旗 \(150525\)\?",
    ),
    case(
        "district-empty",
        line5("150525", ""),
        rf"{FACTS}:5: district is empty; write a code or name such as 150525 or 奈曼旗",
    ),
    case(
        "value-not-a-number",
        line5("37.53", "未公布"),
        rf"{FACTS}:5: value '未公布' is not a number; write a plain non-negative number such as 37\.53",
    ),
    case(
        "value-with-words",
        line5(",37.53,", ",约37.53,"),
        rf"{FACTS}:5: value '约37\.53' has words or a unit next to the number; write only the number "
        r"\(37\.53\) here",
    ),
    case(
        "value-negative",
        line5(",37.53,", ",-37.53,"),
        rf"{FACTS}:5: value '-37\.53' is negative; .* write it without the sign",
    ),
    case(
        "value-decimal-comma",
        line5(",37.53,", ',"37,53",'),
        rf"{FACTS}:5: value '37,53' has a comma that is neither a decimal point nor a thousands separator; "
        r"write the decimal point as '\.'",
    ),
    case(
        "value-scientific-notation",
        edit(",2873168,", ",2.873168E+06,"),
        rf"{FACTS}:9: value '2\.873168E\+06' is in scientific notation, as Excel shows long numbers; "
        r"widen the column",
    ),
    case(
        "value-thousands-without-quotes",
        edit('"251,806"', "251,806"),
        rf"{FACTS}:8: row has 10 fields but the header has 9: '251,806' looks like a number with a "
        r"thousands comma but no quotes around it; write 251806 or \"251,806\"",
    ),
    case(
        "unit-unknown",
        line5("万人", "万户"),
        rf"{FACTS}:5: unit '万户' is not the unit of 'population_census' \(万人\); write '万人' or one of 人",
    ),
    case(
        "metric-unknown",
        line5("population_census", "populaton_census"),
        rf"{FACTS}:5: unknown metric 'populaton_census'; did you mean 'population_census'\?",
    ),
    case(
        "year-out-of-range",
        line5("2020", "2050"),
        rf"{FACTS}:5: year '2050' is outside 1949-2035; use a year between 1949 and 2035",
    ),
    case(
        "year-not-a-year",
        line5("2020", "二〇二〇"),
        rf"{FACTS}:5: year '二〇二〇' is not a year \(2020\) or a period \(2021-2025\); write the year",
    ),
    case(
        "source-unknown",
        line5("pf-huazhan", "pf-huazan"),
        rf"{FACTS}:5: unknown source id 'pf-huazan'; did you mean 'pf-huazhan'\?",
    ),
    case(
        "fact-twice-different-values",
        edit(LINE5, LINE5 + "\n" + LINE5.replace(",37.53,", ",38.53,")),
        rf"{FACTS}:6: population_census of 150525 in 2020 from pf-huazhan is given twice with different "
        rf"values: 37\.53 at {FACTS}:5, 38\.53 here; keep the row that matches the source",
    ),
    case(
        "fields-too-many",
        edit(LINE5, LINE5 + ",extra"),
        rf"{FACTS}:5: row has 10 fields but the header has 9: extra cells 'extra'; quote cells that contain "
        r"commas, or remove the extra cells",
    ),
    case(
        "fields-too-few",
        edit(LINE5, "150525,basic,population_census,37.53"),
        rf"{FACTS}:5: row has 4 fields but the header has 9 \(missing unit, source_id\); fill in the missing",
    ),
    case(
        "excel-formula",
        line5(",37.53,", ",=SUM(D2:D4),"),
        rf"{FACTS}:5: column 'value': cell holds a formula '=SUM\(D2:D4\)'; paste values only",
    ),
    case(
        "excel-error-value",
        line5(",37.53,", ",#REF!,"),
        rf"{FACTS}:5: column 'value': cell holds the Excel error '#REF!'; fix the formula behind it",
    ),
    case(
        "stray-opening-quote",
        bad_facts("facts-stray-quote.csv"),
        rf"{FACTS}:5: column 'value': a quote '\"' opens the cell '\"37\.53,万人,2020.*' and is never "
        r"closed, so lines 5-8 run together; delete the stray '\"' or close the cell",
    ),
    case(
        "stray-quote-to-the-end",
        edit("150523,energy,wind_grid_capacity,150,", '150523,energy,wind_grid_capacity,"150,'),
        rf"{FACTS}:12: column 'value': a quote '\"' opens the cell '\"150,万千瓦.*' and is never closed, "
        r"so it runs to the end of the file; delete the stray",
    ),
    case(
        "metrics-k-not-a-number",
        edit("natural_breaks,4,", "natural_breaks,four,", file="metrics.csv"),
        r"data/metrics\.csv:2: k 'four' is not a whole number; write a whole number from 1 to 9, e\.g\. 5",
    ),
    case(
        "metrics-k-zero",
        edit("natural_breaks,4,", "natural_breaks,0,", file="metrics.csv"),
        r"data/metrics\.csv:2: k '0' is not 1-9; write a whole number from 1 to 9",
    ),
    *[
        case(
            f"metrics-breaks-{name}",
            edit("natural_breaks,4,", f"breaks:10;{value};40,4,", file="metrics.csv"),
            rf"data/metrics\.csv:2: scheme 'breaks:10;{E(value)};40' has a break that is not a finite number",
        )
        for name, value in [("nan", "nan"), ("inf", "inf"), ("overflow", "1e999")]
    ],
    case(
        "metrics-breaks-not-increasing",
        edit("natural_breaks,4,", "breaks:10;10;10,4,", file="metrics.csv"),
        r"data/metrics\.csv:2: scheme 'breaks:10;10;10' has breaks that are not strictly increasing",
    ),
    case(
        "metrics-breaks-outside-the-data",
        edit("natural_breaks,4,", "breaks:5;10;20,4,", file="metrics.csv"),
        r"data/metrics\.csv: scheme 'breaks:5;10;20' of 'population_census' has breaks outside the figures "
        r"it classifies \(25\.1806 to 92\.18\): some classes would be empty; choose increasing breaks",
    ),
    case(
        "metrics-derived-unknown",
        edit(",density,", ",densty,", file="metrics.csv"),
        r"data/metrics\.csv:4: unknown derived formula 'densty'; did you mean 'density'\?",
    ),
    case(
        "qualifier-unknown",
        write(HEADER + ",qualifier\n" + LINE5 + ",大约\n"),
        rf"{FACTS}:2: unknown qualifier '大约'; did you mean '约'\?",
    ),
    case(
        "value-too-many-digits",
        line5("37.53", "1" * 400),
        rf"{FACTS}:5: value has 400 digits before the point, more than any figure here \(15 at most\); "
        "check the cell",
    ),
    case(
        "value-overflows-in-conversion",
        line5("37.53,万人", "1e307,人"),
        rf"{FACTS}:5: value '1e307' is in scientific notation",
    ),
    case(
        "site-capacity-too-many-digits",
        edit(",238,万千瓦,", f",{'9' * 400},万千瓦,", file="sites.csv"),
        r"data/sites\.csv:2: capacity has 400 digits before the point",
    ),
    case(
        "site-outside-its-district",
        site_at("119.7", "45.5"),
        r"data/sites\.csv:2: position \(119\.7, 45\.5\) of site 'energy-238' lies in 霍林郭勒市, "
        r"not in 科尔沁区/科尔沁左翼后旗; check the numbers",
    ),
    case(
        "site-outside-the-city",
        site_at("124", "46"),
        r"data/sites\.csv:2: position \(124, 46\) of site 'energy-238' lies outside Tongliao",
    ),
    case(
        "source-url-javascript",
        edit("https://www.huazhanwire.com/post/10684.html", "javascript:alert(1)", file="sources.csv"),
        r"data/sources\.csv:2: url 'javascript:alert\(1\)' is not a web address starting with http:// "
        r"or https://; write",
    ),
    case(
        "conflict-source-without-a-figure",
        write(
            "district,metric,year,show_source_id,reason\n150525,population_census,2020,pf-82l,x\n",
            file="conflicts.csv",
        ),
        r"data/conflicts\.csv:2: source 'pf-82l' has no figure for population_census of 150525 in 2020 "
        r"in facts\.csv; name the source",
    ),
    case(
        "conflict-two-choices-for-one-cell",
        write(
            "district,metric,year,show_source_id,reason\n"
            "150502,area_published,2004,pf-82l,x\n150502,area_published,2004,pf-huazhan,y\n",
            file="conflicts.csv",
        ),
        r"data/conflicts\.csv:3: a second choice for area_published of 150502 in 2004 names 'pf-huazhan' "
        r"where data/conflicts\.csv:2 names 'pf-82l'; keep one row",
    ),
    case(
        "problems-are-capped",
        write(
            HEADER
            + "\n"
            + "".join(f"150525,basic,population_census,x{i},万人,2020,pf-huazhan,e,\n" for i in range(120))
        ),
        r"\.\.\. and 70 more problems of the same kinds; fix the ones above",
        lines=51,
    ),
    case(
        "page-too-big",
        write(
            HEADER
            + "\n"
            + ("150525,basic,population_census,37.53,万人,2020,pf-huazhan,37.53" + "字" * 1800 + ",\n") * 1000
        ),
        r"tongliao\.html: the page would be 5\.\d MB \(1,000 fact rows at least\), more than the 5 MB a map "
        r"page may hold; build one district with --district NAME",
    ),
    case(
        "metrics-breaks-malformed",
        edit("natural_breaks,4,", "breaks:40;20,4,", file="metrics.csv"),
        r"data/metrics\.csv:2: scheme 'breaks:40;20' has breaks that are not strictly increasing",
    ),
    case(
        "themes-palette-unknown",
        edit("Oranges", "Orange", file="themes.csv"),
        r"data/themes\.csv:3: unknown palette 'Orange'; did you mean 'Oranges'\?",
    ),
    # ----------------------------------------------------------------- boundaries
    case(
        "boundaries-missing",
        boundary_file("districts.geojson"),
        r"boundaries/districts\.geojson: file not found; run `tongliao-maps boundaries`",
    ),
    case(
        "boundaries-corrupt",
        boundary_file("districts.geojson", b'{"type": "FeatureCollection", "features": [{"type": '),
        r"boundaries/districts\.geojson: cannot read the file: '.+'; boundary files must be GeoJSON",
    ),
    case(
        "zone-shapefile",
        zone_shapefile,
        r"zone\.shp: cannot read the file: '.+'; boundary files must be GeoJSON",
    ),
    case(
        "zone-vrt-document",
        boundary_file(
            "150571.geojson",
            b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/vsicurl/http://127.0.0.1:9/z.geojson'
            b"</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>",
        ),
        r"boundaries/150571\.geojson: cannot read the file: '.+'; boundary files must be GeoJSON",
    ),
    case(
        "zone-vsi-path",
        lambda work: ["--zone", "/vsicurl/http://127.0.0.1:9/zone.geojson"],
        r"/vsicurl/http:/127\.0\.0\.1:9/zone\.geojson: file not found; check the path",
    ),
    case(
        "boundary-nan-coordinate",
        districts(
            lambda features: (
                features[1]["geometry"]["coordinates"][0].__setitem__(1, [float("nan"), 43.0])
                if features[1]["geometry"]["type"] == "Polygon"
                else features[1]["geometry"]["coordinates"][0][0].__setitem__(1, [float("nan"), 43.0])
            )
        ),
        r"boundaries/districts\.geojson:feature 2: the geometry has a coordinate that is not a number",
    ),
    case(
        "boundary-metres-not-degrees",
        boundary_file("150571.geojson", source="150571-metres-no-crs.geojson"),
        r"boundaries/150571\.geojson: coordinates such as \(1\.36\d*e\+07, 5\.40\d*e\+06\) are not "
        r"longitude/latitude degrees.*; the atlas expects EPSG:4326",
    ),
    case(
        "boundary-invalid-geometry",
        districts(lambda features: features[2].__setitem__("geometry", BOW_TIE)),
        r"boundaries/districts\.geojson:feature 3: invalid geometry: 'Self-intersection\[122\.25 43\.65\]'; "
        r"repair it with shapely\.make_valid",
    ),
    case(
        "boundary-duplicate-code",
        districts(lambda features: features[3]["properties"].__setitem__("code", "150525")),
        r"boundaries/districts\.geojson:feature 6: code '150525' \(奈曼旗\) appears twice: at "
        r"boundaries/districts\.geojson:feature 4 and at .*:feature 6; keep one feature per district",
        lines=2,  # and: no boundary for 150523 (开鲁县), whose feature it was
    ),
    case(
        "boundary-missing-code",
        districts(lambda features: features.pop(7)),
        r"boundaries/districts\.geojson: no boundary for district '150581' \(霍林郭勒市\); add its feature "
        r"back with code 150581",
    ),
    case(
        "boundary-unknown-code",
        districts(lambda features: features[5]["properties"].__setitem__("code", "150599")),
        r"boundaries/districts\.geojson:feature 6: unknown district '150599'",
        lines=2,  # and: no boundary for 150525
    ),
    case(
        "zone-outside-horqin",
        boundary_file("150571.geojson", source="150571-outside.geojson"),
        r"boundaries/150571\.geojson: the development zone boundary lies only 0\.0% inside 科尔沁区 "
        r"\(150502\): 3\.\d\d of 3\.\d\d km² are outside; the zone is part of 科尔沁区",
    ),
    # ----------------------------------------------------------------- command line
    case(
        "cli-unknown-district",
        options("--district", "naimen"),
        r"--district: unknown district 'naimen'; did you mean 奈曼旗 \(150525\)\?",
    ),
    case(
        "cli-unknown-theme",
        options("--theme", "xyz"),
        r"--theme: unknown theme 'xyz'; use one of basic \(基础数据\), energy \(新能源基地\)",
    ),
    case(
        "cli-unknown-basemap",
        options("--basemap", "google"),
        r"--basemap: unknown basemap 'google'; use one of amap, none, osm",
    ),
    case(
        "cli-data-folder-missing",
        options("--data", "nowhere"),
        r"nowhere: data folder not found; pass --data with the folder that holds facts\.csv",
    ),
    case(
        "out-under-a-file",
        file_in_the_way("afile/maps"),
        r"afile/maps: cannot write the maps folder: 'afile' is a file, not a folder; "
        r"choose another --out folder or fix its permissions",
    ),
    case(
        "out-is-a-file",
        file_in_the_way("afile"),
        r"afile: cannot write the maps folder: 'afile' is a file, not a folder; choose another --out folder",
    ),
    case(
        "out-in-a-symlink-loop",
        out_in_a_symlink_loop,
        r"loop/maps: cannot write the maps folder: 'loop' is a symbolic link in a loop; "
        r"point the link at a folder or choose another --out$",
    ),
    case(
        "out-name-too-long",
        options("--out", "m" * 300),
        r"m{300}: cannot write the maps folder: a name in its path is too long for the filesystem; "
        r"choose a shorter --out path$",
    ),
]

# Run again as `python -m geo`: what a user really sees.
IN_A_SUBPROCESS = ["district-unknown", "zone-outside-horqin", "out-under-a-file", "out-in-a-symlink-loop"]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` (lock files aside): relative name -> (bytes, mtime_ns)."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


@pytest.fixture(scope="module")
def good_maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A first good build of data-small, copied into every case."""
    out = tmp_path_factory.mktemp("good") / "maps"
    assert (
        main(["build", "--data", str(SMALL), "--boundaries", str(ROOT / "boundaries"), "--out", str(out)])
        == 0
    )
    return out


@pytest.fixture
def work(small_data: Path, good_maps: Path, monkeypatch: pytest.MonkeyPatch) -> Work:
    root = small_data.parent
    monkeypatch.chdir(root)  # messages then name data/facts.csv as a user would see it
    shutil.copytree(good_maps, root / "maps")  # copy2 keeps the mtimes
    return Work(root)


def error_lines(err: str) -> list[str]:
    lines = err.splitlines()
    assert lines, "nothing on stderr"
    for line in lines:
        assert line.startswith("error: "), line
        assert "; " in line, f"no fix in {line!r}"
    return lines


@pytest.mark.parametrize(("setup", "expected", "lines"), MISTAKES)
def test_user_mistake(
    work: Work, setup: Setup, expected: str, lines: int, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = setup(work)
    before = snapshot(work.root)
    capsys.readouterr()
    status = main(work.args(extra))
    _out, err = capsys.readouterr()
    assert status == 2, err
    assert "Traceback" not in err
    assert len(error_lines(err)) == lines, err
    assert re.search(rf"^error: {expected}", err, re.MULTILINE), err
    assert snapshot(work.root) == before, "the failed run changed files"
    assert not [p for p in os.listdir(work.root) if ".staging-" in p or ".old-" in p]


# Everything but the command-line options and the output folder is the input's:
# `validate` must refuse exactly what `build` refuses, with the same lines.
INPUT_MISTAKES = [p for p in MISTAKES if not p.id.startswith(("cli-", "out-"))]


@pytest.mark.parametrize(("setup", "expected", "lines"), INPUT_MISTAKES)
def test_validate_refuses_what_build_refuses(
    work: Work, setup: Setup, expected: str, lines: int, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = setup(work)
    capsys.readouterr()
    args = ["validate", *work.args(extra)[1:]]
    out_at = args.index("--out")
    status = main(args[:out_at] + args[out_at + 2 :])
    _out, err = capsys.readouterr()
    assert status == 2, err
    assert len(error_lines(err)) == lines, err
    assert re.search(rf"^error: {expected}", err, re.MULTILINE), err


@pytest.mark.parametrize("case_id", IN_A_SUBPROCESS)
def test_user_mistake_from_the_shell(work: Work, case_id: str) -> None:
    setup, expected, lines = next(p.values for p in MISTAKES if p.id == case_id)
    extra = setup(work)
    before = snapshot(work.root)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "geo", *work.args(extra)],
        cwd=work.root,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert len(error_lines(run.stderr)) == lines, run.stderr
    assert re.search(rf"^error: {expected}", run.stderr, re.MULTILINE), run.stderr
    assert snapshot(work.root) == before


# ----------------------------------------------------------------------- accepted


def accepted(
    case_id: str, setup: Setup, *expected: str, page: str = "150525-naiman.html", converted: bool = False
):
    """Input that must be read: each of `expected` (plain text) must be in the built `page`.

    `converted`: a boundary file in another CRS, converted with a UserWarning.
    """
    return pytest.param(setup, page, expected, converted, id=case_id)


def utf16_tabs(work: Work) -> list[str]:
    """Excel's "Unicode text": UTF-16 with a BOM, cells separated by tabs."""
    path = work.data / "facts.csv"
    text = path.read_text(encoding="utf-8").replace(LINE5, LINE5.replace("37.53", "41.25"))
    rows = [line.split(",") for line in text.replace('"251,806"', "251806").splitlines()]
    path.write_bytes("\r\n".join("\t".join(row) for row in rows).encode("utf-16"))
    return []


ACCEPTED = [
    accepted(
        "thousands-separator",
        line5(",37.53,万人,", ',"412,500",人,'),
        '"v":41.25',
        '"printed":"412,500 人"',
    ),
    accepted("full-width-digits", line5(",37.53,", ",４１.２５,"), '"v":41.25'),
    accepted(
        "full-width-digits-and-comma",
        line5(",37.53,万人,", ",４１２，５００,人,"),
        '"v":41.25',
        '"printed":"412,500 人"',
    ),
    accepted("gb18030-file", bad_facts("facts-gb18030.csv"), '"v":41.25', "奈曼旗常住人口为41.25万人"),
    accepted("utf8-with-bom", bad_facts("facts-utf8-bom.csv"), '"v":41.25'),
    accepted("utf16-tab-separated", utf16_tabs, '"v":41.25'),
    accepted(
        "excel-text-formula",
        line5("150525,basic,population_census,37.53", '"=""150525""",basic,population_census,41.25'),
        '"v":41.25',
    ),
    accepted("stray-closing-quote", line5(",37.53,", ',41.25",'), '"v":41.25'),
    accepted(
        "zone-in-epsg3857-is-converted",
        boundary_file("150571.geojson", source="150571-epsg3857.geojson"),
        '"150571":{"drawn":true',
        page="150571-kaifaqu.html",
        converted=True,
    ),
]


@pytest.mark.parametrize(("setup", "page", "expected", "converted"), ACCEPTED)
def test_accepted_and_normalised(
    work: Work,
    setup: Setup,
    page: str,
    expected: tuple[str, ...],
    converted: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = (work.root / "maps" / page).read_text(encoding="utf-8")
    for text in expected:
        assert text not in good  # so finding it below means the input was read
    extra = setup(work)
    capsys.readouterr()
    status = main(work.args(extra))
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "error" not in err and "Traceback" not in err
    assert out.startswith("built 11 pages in maps")
    built = (work.root / "maps" / page).read_text(encoding="utf-8")
    for text in expected:
        assert text in built
    # the CLI turns the conversion warning into one line, once
    notes = [line for line in err.splitlines() if "converted from CRS" in line]
    if converted:
        note = "boundaries/150571.geojson: converted from CRS EPSG:3857 to EPSG:4326 (WGS-84)"
        assert notes == [f"warning: {note}"]
    else:
        assert not notes


# ----------------------------------------------------------------------- validate


def test_validate_reports_everything_at_once_and_writes_nothing(
    work: Work, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(work.root / "maps")
    line5("150525", "奈曼奇")(work)
    edit("150522,basic,population_census,32.14", "150522,basic,population_census,-32.14")(work)
    edit(
        "pf-82l,内蒙古县级行政区面积列表,82l.net,c.2004,https://82l.net/l/223285005.html,aggregator",
        "pf-82l,内蒙古县级行政区面积列表,82l.net,c.2004,https://82l.net/l/223285005.html,blog",
        file="sources.csv",
    )(work)
    districts(lambda features: features[2].__setitem__("geometry", BOW_TIE))(work)
    boundary_file("150571.geojson", source="150571-outside.geojson")(work)
    before = snapshot(work.root)
    capsys.readouterr()
    status = main(["validate", "--data", "data", "--boundaries", "boundaries"])
    _out, err = capsys.readouterr()
    assert status == 2
    assert "Traceback" not in err
    lines = error_lines(err)
    expected = [
        r"boundaries/districts\.geojson:feature 3: invalid geometry",
        r"boundaries/150571\.geojson: the development zone boundary lies only 0\.0% inside 科尔沁区",
        r"data/sources\.csv:4: unknown source type 'blog'; use one of official, news",
        r"data/facts\.csv:5: unknown district '奈曼奇'",
        r"data/facts\.csv:6: value '-32\.14' is negative",
    ]
    assert len(lines) == len(expected), err
    for pattern in expected:
        assert re.search(rf"^error: {pattern}", err, re.MULTILINE), pattern
    assert not (work.root / "maps").exists()
    assert snapshot(work.root) == before


def test_validate_of_good_input_says_ok(work: Work, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(work.root)
    assert main(["validate", "--data", "data", "--boundaries", str(ROOT / "boundaries")]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    assert snapshot(work.root) == before

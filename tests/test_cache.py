"""The boundary stage kept between builds (geo/cache.py): same result, never stale, never in the way."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest
import shapely

from geo import cache
from geo.pipeline import ROOT, build_atlas

BOUNDARIES = ROOT / "boundaries"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test only."""
    kept = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(kept))
    return kept


@pytest.fixture
def bounds(tmp_path: Path) -> Path:
    """A private copy of the committed boundaries, free to change."""
    target = tmp_path / "boundaries"
    shutil.copytree(BOUNDARIES, target)
    return target


def _same(a: cache.BoundaryStage, b: cache.BoundaryStage) -> None:
    assert list(a.shapes["code"]) == list(b.shapes["code"])
    assert list(a.shapes["name_zh"]) == list(b.shapes["name_zh"])
    assert a.shapes.crs == b.shapes.crs
    assert a.shapes["code"].dtype == b.shapes["code"].dtype
    assert all(
        shapely.equals_exact(x, y, 0) for x, y in zip(a.shapes.geometry, b.shapes.geometry, strict=True)
    )
    assert all(shapely.equals_exact(x, y, 0) for x, y in zip(a.simple, b.simple, strict=True))
    assert a.km2 == b.km2


def test_a_kept_result_is_the_same_as_reading_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, problems = cache.boundary_stage(BOUNDARIES)
    assert not problems and first is not None
    assert len(list(folder.glob("boundaries-*.json"))) == 1
    second, problems = cache.boundary_stage(BOUNDARIES)  # from the file
    assert not problems and second is not None
    _same(first, second)
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    third, _ = cache.boundary_stage(BOUNDARIES)
    _same(first, third)


def test_pages_are_byte_identical_with_and_without_the_kept_result(
    folder: Path, small_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_atlas(small_data, BOUNDARIES, tmp_path / "cold")  # runs the stage, keeps it
    build_atlas(small_data, BOUNDARIES, tmp_path / "warm")  # takes it
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    build_atlas(small_data, BOUNDARIES, tmp_path / "off")
    for page in sorted((tmp_path / "cold").glob("*.html")):
        assert page.read_bytes() == (tmp_path / "warm" / page.name).read_bytes(), page.name
        assert page.read_bytes() == (tmp_path / "off" / page.name).read_bytes(), page.name


def test_a_changed_boundary_file_is_read_again(folder: Path, bounds: Path) -> None:
    cache.boundary_stage(bounds)
    districts = bounds / "districts.geojson"
    data = json.loads(districts.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"]["code"] != "150525"]
    districts.write_text(json.dumps(data), encoding="utf-8")
    stage, problems = cache.boundary_stage(bounds)
    assert stage is None
    assert any("no boundary for district '150525'" in str(p) for p in problems)


def test_a_zone_file_is_part_of_the_key(folder: Path, bounds: Path) -> None:
    plain, _ = cache.boundary_stage(bounds)
    assert plain is not None and "150571" not in set(plain.shapes["code"])
    horqin = plain.shapes.geometry[plain.shapes["code"] == "150502"].iloc[0]
    zone = shapely.buffer(horqin.representative_point(), 0.02)
    (bounds / "150571.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": "150571"}, "geometry": shapely.geometry.mapping(zone)}
        ]}),
        encoding="utf-8",
    )  # fmt: skip
    with_zone, problems = cache.boundary_stage(bounds)
    assert not problems and with_zone is not None
    assert "150571" in set(with_zone.shapes["code"])
    assert len(list(folder.glob("boundaries-*.json"))) == 2


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b'{"format": 1}', b'{"format": 99, "codes": []}', b'{"format":1,"codes":["150502"],'
     b'"geometry":["AAAA"],"simple":["AAAA"],"km2":{"150502":1.0}}',
     b'{"format":1,"codes":["999999"],"geometry":[],"simple":[],"km2":{}}'],
    ids=["empty", "not-json", "fields-missing", "other-format", "broken-wkb", "unknown-code"],
)  # fmt: skip
def test_a_broken_kept_file_is_a_miss_and_is_replaced(folder: Path, content: bytes) -> None:
    cache.boundary_stage(BOUNDARIES)
    (kept,) = folder.glob("boundaries-*.json")
    kept.write_bytes(content)
    stage, problems = cache.boundary_stage(BOUNDARIES)
    assert not problems and stage is not None and len(stage.shapes) == 8
    assert json.loads(kept.read_bytes())["format"] == 1  # written again


def test_problems_and_warnings_are_never_kept(folder: Path, bounds: Path) -> None:
    districts = bounds / "districts.geojson"
    data = json.loads(districts.read_text(encoding="utf-8"))
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}  # CGCS2000
    districts.write_text(json.dumps(data), encoding="utf-8")
    for _ in range(2):  # the warning is said on every build, not only the first
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            stage, problems = cache.boundary_stage(bounds)
        assert stage is not None and not problems
        assert any("converted from CRS" in str(w.message) for w in caught)
    assert not list(folder.glob("boundaries-*.json"))


def test_off_writes_nothing_and_an_unwritable_folder_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.cache_dir() is None
    stage, _ = cache.boundary_stage(BOUNDARIES)
    assert stage is not None
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    stage, problems = cache.boundary_stage(BOUNDARIES)
    assert stage is not None and not problems


def test_only_a_few_results_are_kept(folder: Path, bounds: Path) -> None:
    districts = bounds / "districts.geojson"
    text = districts.read_text(encoding="utf-8")
    for n in range(cache._KEEP + 3):
        districts.write_text(text + " " * n, encoding="utf-8")  # same shapes, other bytes
        cache.boundary_stage(bounds)
    assert len(list(folder.glob("boundaries-*.json"))) == cache._KEEP


def test_a_named_zone_file_that_is_missing_is_never_a_hit(folder: Path, tmp_path: Path) -> None:
    cache.boundary_stage(BOUNDARIES)  # kept without a zone
    stage, problems = cache.boundary_stage(BOUNDARIES, tmp_path / "no-such-zone.geojson")
    assert stage is None
    assert any("no-such-zone.geojson: file not found" in str(p) for p in problems)

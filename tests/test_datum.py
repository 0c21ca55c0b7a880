"""GCJ-02 <-> WGS-84 shifts: round trips, size of the shift, scalars and arrays."""

from __future__ import annotations

import geopandas
import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo import datum

GEOD = Geod(ellps="WGS84")

# Around the atlas: 通辽 city centre, 霍林郭勒, 奈曼旗, 科左后旗 and the grid corners.
TONGLIAO_POINTS = [
    (122.2633, 43.6174),
    (119.6570, 45.5324),
    (120.6580, 42.8670),
    (122.3560, 42.9540),
    (119.0, 42.0),
    (124.0, 46.0),
]

OUTSIDE_CHINA = [(0.0, 0.0), (-74.006, 40.7128), (139.6917, 35.6895), (100.0, 60.0), (150.0, 40.0)]


def test_round_trip_on_a_grid_over_tongliao() -> None:
    lon, lat = np.meshgrid(np.linspace(119.0, 124.0, 101), np.linspace(42.0, 46.0, 81))
    g_lon, g_lat = datum.wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = datum.gcj02_to_wgs84(g_lon, g_lat)
    assert w_lon.shape == lon.shape
    assert np.abs(w_lon - lon).max() < 1e-7
    assert np.abs(w_lat - lat).max() < 1e-7


def test_inverse_of_gcj_grid_maps_back_onto_it() -> None:
    # The other way round: start from GCJ-02 points, as the build does.
    lon, lat = np.meshgrid(np.linspace(119.0, 124.0, 51), np.linspace(42.0, 46.0, 41))
    w_lon, w_lat = datum.gcj02_to_wgs84(lon, lat)
    g_lon, g_lat = datum.wgs84_to_gcj02(w_lon, w_lat)
    assert np.abs(g_lon - lon).max() < datum.INVERSE_TOLERANCE_DEG
    assert np.abs(g_lat - lat).max() < datum.INVERSE_TOLERANCE_DEG


@pytest.mark.parametrize(("lon", "lat"), TONGLIAO_POINTS)
def test_forward_shift_is_a_few_hundred_metres(lon: float, lat: float) -> None:
    g_lon, g_lat = datum.wgs84_to_gcj02(lon, lat)
    _, _, metres = GEOD.inv(lon, lat, g_lon, g_lat)
    assert 300 < metres < 800
    # GCJ-02 lies east-north-east of WGS-84 here.
    assert g_lon > lon
    assert g_lat > lat


@pytest.mark.parametrize(("lon", "lat"), TONGLIAO_POINTS)
def test_inverse_undoes_forward_to_a_centimetre(lon: float, lat: float) -> None:
    back = datum.gcj02_to_wgs84(*datum.wgs84_to_gcj02(lon, lat))
    _, _, metres = GEOD.inv(lon, lat, *back)
    assert metres < 0.01


@pytest.mark.parametrize(("lon", "lat"), OUTSIDE_CHINA)
@pytest.mark.parametrize("func", [datum.wgs84_to_gcj02, datum.gcj02_to_wgs84])
def test_points_outside_china_are_unchanged(func, lon: float, lat: float) -> None:
    assert datum.out_of_china(lon, lat)
    assert func(lon, lat) == (lon, lat)


@pytest.mark.parametrize("func", [datum.wgs84_to_gcj02, datum.gcj02_to_wgs84])
def test_mixed_array_keeps_outside_points(func) -> None:
    lon = np.array([122.26, 0.0, 121.0])
    lat = np.array([43.62, 0.0, 43.0])
    out_lon, out_lat = func(lon, lat)
    assert out_lon[1] == 0.0 and out_lat[1] == 0.0
    assert out_lon[0] != lon[0] and out_lat[2] != lat[2]


@pytest.mark.parametrize("func", [datum.wgs84_to_gcj02, datum.gcj02_to_wgs84])
def test_scalars_give_floats(func) -> None:
    lon, lat = func(122.26, 43.62)
    assert type(lon) is float and type(lat) is float


@pytest.mark.parametrize("func", [datum.wgs84_to_gcj02, datum.gcj02_to_wgs84])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (1, 1)])
def test_arrays_keep_their_shape_and_match_scalars(func, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(7)
    lon = rng.uniform(119, 124, size=shape)
    lat = rng.uniform(42, 46, size=shape)
    out_lon, out_lat = func(lon, lat)
    assert out_lon.shape == shape and out_lat.shape == shape
    first = func(float(lon.flat[0]), float(lat.flat[0]))
    assert first == pytest.approx((out_lon.flat[0], out_lat.flat[0]), abs=1e-12)


def test_lists_and_broadcasting() -> None:
    lon, lat = datum.wgs84_to_gcj02([121.0, 122.0], 43.5)
    assert isinstance(lon, np.ndarray) and lon.shape == (2,) and lat.shape == (2,)


def test_nan_input_stops_and_stays_nan() -> None:
    lon, lat = datum.gcj02_to_wgs84(np.array([np.nan, 122.26]), np.array([43.0, 43.62]))
    assert np.isnan(lon[0])
    assert np.isfinite(lon[1]) and np.isfinite(lat[1])


def test_transform_geometry_moves_every_vertex() -> None:
    ring = [(122.2, 43.6), (122.3, 43.6), (122.3, 43.7), (122.2, 43.7), (122.2, 43.6)]
    polygon = shapely.Polygon(
        ring, holes=[[(122.24, 43.64), (122.26, 43.64), (122.26, 43.66), (122.24, 43.64)]]
    )
    shifted = datum.transform_geometry(polygon, datum.wgs84_to_gcj02)
    assert shifted.geom_type == "Polygon" and len(shifted.interiors) == 1
    xy = shapely.get_coordinates(polygon)
    expected = np.column_stack(datum.wgs84_to_gcj02(xy[:, 0], xy[:, 1]))
    np.testing.assert_array_equal(shapely.get_coordinates(shifted), expected)
    back = datum.transform_geometry(shifted, datum.gcj02_to_wgs84)
    np.testing.assert_allclose(shapely.get_coordinates(back), xy, atol=1e-9)


def test_transform_geometry_on_an_array_with_none() -> None:
    geoms = np.array([shapely.Point(122.26, 43.62), None, shapely.Point(0, 0)], dtype=object)
    shifted = datum.transform_geometry(geoms, datum.wgs84_to_gcj02)
    assert shifted[1] is None
    assert shifted[2].equals(shapely.Point(0, 0))
    assert shifted[0].x > 122.26


def test_frames_round_trip() -> None:
    gdf = geopandas.GeoDataFrame(
        {"code": ["150502"]}, geometry=[shapely.box(122.2, 43.6, 122.3, 43.7)], crs="EPSG:4326"
    )
    gcj = datum.to_gcj02_frame(gdf)
    assert gcj.crs == gdf.crs and list(gcj["code"]) == ["150502"]
    assert not gcj.geometry.iloc[0].equals(gdf.geometry.iloc[0])
    back = datum.to_wgs84_frame(gcj)
    np.testing.assert_allclose(
        shapely.get_coordinates(back.geometry.values), shapely.get_coordinates(gdf.geometry.values), atol=1e-9
    )
    # The input frame is left alone.
    assert gdf.geometry.iloc[0].equals(shapely.box(122.2, 43.6, 122.3, 43.7))


def test_frame_in_metres_is_refused() -> None:
    gdf = geopandas.GeoDataFrame(geometry=[shapely.Point(1.36e7, 5.4e6)], crs="EPSG:3857")
    with pytest.raises(ValueError, match="longitude/latitude"):
        datum.to_wgs84_frame(gdf)

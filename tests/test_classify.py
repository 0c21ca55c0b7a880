"""Classification: named schemes, few values handled, colour-blind-safe palettes."""

import math
import warnings

import numpy as np
import pytest

from geo.classify import SCHEMES, classify, palette
from geo.model import SCHEME_NAMES

POPULATION = [92.18, 39.96, 37.53, 32.14, 31.34, 25.1806, 15.1133, 13.8676]


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks", "equal_interval"])
@pytest.mark.parametrize("k", [3, 4, 5])
def test_every_value_falls_in_a_class(scheme, k):
    result = classify(POPULATION, scheme, k)
    assert result.k == k == len(result.colors)
    assert list(result.bounds) == sorted(result.bounds)
    assert result.bounds[-1] == max(POPULATION)
    assert {result.class_of(v) for v in POPULATION} <= set(range(k))
    assert result.class_of(min(POPULATION)) == 0 and result.class_of(max(POPULATION)) == k - 1


@pytest.mark.parametrize(
    ("values", "k", "expected"),
    [
        ([5.0, 1.0, 3.0], 5, 3),  # no five classes for three numbers
        ([2.0, 2.0, 2.0], 4, 1),
        ([7.0], 5, 1),
        ([1.0, 9.0], 5, 2),
    ],
)
def test_few_values_give_few_classes(values, k, expected):
    result = classify(values, "quantiles", k)
    assert result.k == expected
    assert len({result.class_of(v) for v in values}) == expected


def test_no_data_is_no_class():
    result = classify([1.0, float("nan"), 3.0, 5.0], "quantiles", 3)
    assert result.class_of(float("nan")) is None and result.class_of(None) is None
    assert result.color_of(None) is None


def test_empty_values_give_no_classes():
    assert classify([], "quantiles", 4).k == 0


def test_explicit_breaks():
    result = classify(POPULATION, "breaks:20;40", 3)
    assert result.bounds == (20.0, 40.0, 92.18)
    assert result.class_of(20.0) == 0 and result.class_of(20.01) == 1


@pytest.mark.parametrize("bad", ["breaks:40;20", "breaks:a;b", "breaks:"])
def test_bad_breaks_are_refused(bad):
    with pytest.raises(ValueError, match="breaks"):
        classify(POPULATION, bad, 3)


def test_unknown_scheme_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown scheme 'jenks'; use one of quantiles"):
        classify(POPULATION, "jenks", 3)


def test_registry_names():
    assert tuple(SCHEMES) == SCHEME_NAMES  # one registry: the reader checks names the classifier has


@pytest.mark.parametrize("k", [1, 2, 3, 5, 7])
def test_palette_goes_light_to_dark(k):
    colors = palette("Blues", k)
    assert len(colors) == k

    def lightness(hex_color):
        r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
        return math.fsum((r, g, b))

    assert [lightness(c) for c in colors] == sorted((lightness(c) for c in colors), reverse=True)


@pytest.mark.parametrize(
    ("scheme", "name"),
    [("quantiles", "Quantiles"), ("natural_breaks", "FisherJenks"), ("equal_interval", "EqualInterval")],
)
@pytest.mark.parametrize("seed", range(40))
def test_schemes_agree_with_mapclassify(scheme, name, seed):
    mapclassify = pytest.importorskip("mapclassify")
    rng = np.random.default_rng(seed)
    values = rng.lognormal(3, 1, size=int(rng.integers(6, 30)))
    k = int(rng.integers(2, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Numba not installed"
        expected = np.unique(getattr(mapclassify, name)(values, k=k).bins)
    assert np.allclose(classify(values, scheme, k).bounds, expected)


def test_real_population_breaks_match_mapclassify():
    mapclassify = pytest.importorskip("mapclassify")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = mapclassify.FisherJenks(np.array(POPULATION), k=4).bins
    assert np.allclose(classify(POPULATION, "natural_breaks", 4).bounds, expected)

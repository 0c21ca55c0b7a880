"""Stage 4 of the pipeline: classify values into colour classes.

One entry point, :func:`classify`, over a registry of named schemes, as in
mapclassify (whose results the tests compare against). Breaks are computed once from every
district's value and shared by the city map and all district maps, so a colour
means the same on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from .model import parse_scheme

__all__ = ["SCHEMES", "Classification", "classify", "palette"]


def _quantiles(values: np.ndarray, k: int) -> np.ndarray:
    return np.quantile(values, np.arange(1, k + 1) / k)  # linear interpolation, as numpy's default


def _equal_interval(values: np.ndarray, k: int) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    bounds = low + (high - low) * np.arange(1, k + 1) / k
    bounds[-1] = high  # exactly the maximum, not a rounding of it
    return bounds


def _natural_breaks(values: np.ndarray, k: int) -> np.ndarray:
    """Fisher's optimal partition: the k classes with the least within-class sum of squares."""
    x = np.sort(values)
    n = x.size
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])

    def spread(i: int, j: int) -> float:  # sum of squared deviations of x[i:j]
        total = s1[j] - s1[i]
        return float(s2[j] - s2[i] - total * total / (j - i))

    cost = np.full((k + 1, n + 1), np.inf)
    start = np.zeros((k + 1, n + 1), dtype=int)
    cost[0, 0] = 0.0
    for c in range(1, k + 1):
        for j in range(c, n + 1):
            for i in range(c - 1, j):
                value = cost[c - 1, i] + spread(i, j)
                if value < cost[c, j]:
                    cost[c, j], start[c, j] = value, i
    bounds, j = [], n
    for c in range(k, 0, -1):
        bounds.append(x[j - 1])
        j = start[c, j]
    return np.asarray(bounds[::-1])


#: Scheme name -> function(values, k) returning the upper bound of each class.
#: The arithmetic is a few lines of numpy; mapclassify (which the tests check
#: these against) would cost a second of scipy/scikit-learn imports per build.
SCHEMES: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "quantiles": _quantiles,
    "natural_breaks": _natural_breaks,
    "equal_interval": _equal_interval,
    "breaks": lambda values, k: np.asarray([], dtype=float),  # explicit: see _explicit
}


@dataclass(frozen=True)
class Classification:
    """Class bounds and colours for one metric.

    ``bounds[i]`` is the upper bound (inclusive) of class ``i``; the lower bound
    of class 0 is ``minimum``.
    """

    scheme: str
    minimum: float
    bounds: tuple[float, ...]
    colors: tuple[str, ...]

    @property
    def k(self) -> int:
        return len(self.bounds)

    def class_of(self, value: float | None) -> int | None:
        """Index of the class `value` falls in; None for no data."""
        if value is None or np.isnan(value):
            return None
        for i, upper in enumerate(self.bounds):
            if value <= upper:
                return i
        return len(self.bounds) - 1

    def color_of(self, value: float | None) -> str | None:
        index = self.class_of(value)
        return None if index is None else self.colors[index]


def _explicit(scheme: str, values: np.ndarray) -> np.ndarray:
    bounds = list(parse_scheme(scheme).breaks)
    if values.size and values.max() > bounds[-1]:
        bounds.append(float(values.max()))
    return np.asarray(bounds)


@cache  # branca reads its palette file on every call
def palette(name: str, k: int) -> tuple[str, ...]:
    """`k` colours of a ColorBrewer sequential palette (colour-blind safe), light to dark."""
    from branca.utilities import color_brewer

    if k <= 0:
        return ()
    if k < 3:
        # ColorBrewer starts at 3 classes: take the light and dark ends of the 3-class ramp
        three = color_brewer(name, 3)
        return (three[1],) if k == 1 else (three[0], three[2])
    return tuple(color_brewer(name, k))


def classify(
    values: Sequence[float], scheme: str = "quantiles", k: int = 5, palette_name: str = "Blues"
) -> Classification:
    """Classify `values` with a named scheme.

    Parameters
    ----------
    values : sequence of float
        One value per area; NaN (no published figure) is ignored.
    scheme : str
        ``quantiles``, ``natural_breaks``, ``equal_interval`` or explicit
        ``breaks:a;b;c`` (upper bounds; the maximum is appended when larger).
    k : int
        Wanted number of classes. Never more than the number of distinct
        values: three figures give at most three classes.
    palette_name : str
        ColorBrewer sequential palette.

    Returns
    -------
    Classification

    Raises
    ------
    ValueError
        For an unknown scheme or malformed breaks (see :func:`geo.model.parse_scheme`).
    """
    name = parse_scheme(scheme).name
    data = np.asarray([v for v in values if v is not None and not np.isnan(v)], dtype=float)
    if data.size == 0:
        return Classification(scheme, 0.0, (), ())
    distinct = np.unique(data)
    if name == "breaks":
        bounds = _explicit(scheme, data)
    elif distinct.size <= k:
        # Few values: one class per distinct value, never empty classes.
        bounds = distinct
    else:
        bounds = np.unique(SCHEMES[name](data, k))
    bounds = tuple(float(b) for b in bounds)
    return Classification(scheme, float(data.min()), bounds, palette(palette_name, len(bounds)))

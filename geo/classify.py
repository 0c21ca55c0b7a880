"""Stage 4 of the pipeline: classify values into colour classes.

One entry point, :func:`classify`, over a registry of named schemes (as in
mapclassify, which does the arithmetic). Breaks are computed once from every
district's value and shared by the city map and all district maps, so a colour
means the same on every page.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["SCHEMES", "Classification", "classify", "palette"]


def _mapclassify(name: str) -> Callable[[np.ndarray, int], np.ndarray]:
    def bins(values: np.ndarray, k: int) -> np.ndarray:
        import mapclassify  # imported on first use: keeps `import geo` light

        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # "Numba not installed": the pure-Python path is fine for 9 values
            return np.asarray(getattr(mapclassify, name)(values, k=k).bins, dtype=float)

    return bins


#: Scheme name -> function(values, k) returning the upper bound of each class.
SCHEMES: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "quantiles": _mapclassify("Quantiles"),
    "natural_breaks": _mapclassify("FisherJenks"),
    "equal_interval": _mapclassify("EqualInterval"),
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
    try:
        bounds = [float(b) for b in scheme.split(":", 1)[1].split(";") if b.strip()]
    except ValueError as exc:
        raise ValueError(
            f"scheme {scheme!r}: breaks must be numbers separated by ';', e.g. breaks:10;20;40"
        ) from exc
    if not bounds or bounds != sorted(bounds):
        raise ValueError(f"scheme {scheme!r}: breaks must be increasing, e.g. breaks:10;20;40")
    if values.size and values.max() > bounds[-1]:
        bounds.append(float(values.max()))
    return np.asarray(bounds)


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
        For an unknown scheme or malformed breaks.
    """
    name = scheme.split(":", 1)[0]
    if name not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
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

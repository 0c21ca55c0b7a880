"""Units as the sources print them: spellings folded, exact conversions only.

A figure is stored in its metric's unit. A conversion is made only by an exact,
definitional factor (人 -> 万人, MW -> 万千瓦, ha -> 万亩); a unit without one is
an error, never a guess.
"""

from __future__ import annotations

import unicodedata

__all__ = ["UNIT_FACTORS", "UNIT_SYNONYMS", "convert", "fold_unit"]

# Spellings of one unit, folded to the spelling used in metrics.csv.
UNIT_SYNONYMS = {
    "平方公里": "km²",
    "平方千米": "km²",
    "km2": "km²",
    "km^2": "km²",
    "公顷": "ha",
    "hm²": "ha",
    "兆瓦": "MW",
    "千瓦": "kW",
    "吉瓦": "GW",
    "万吨/yr": "万吨/年",
    "人/平方公里": "人/km²",
    "kilowatts": "kW",
    "million kilowatts": "million kW",
    "万头(只、口)": "万头只",
    "万头(只)": "万头只",
}
# (from, to) -> factor. Only exact, definitional conversions: never a guess.
UNIT_FACTORS = {
    ("人", "万人"): 1e-4,
    ("万人", "人"): 1e4,
    ("亩", "万亩"): 1e-4,
    ("ha", "万亩"): 15e-4,
    ("万亩", "ha"): 1e4 / 15,
    ("km²", "万亩"): 0.15,
    ("万亩", "km²"): 1 / 0.15,
    ("ha", "km²"): 0.01,
    ("MW", "万千瓦"): 0.1,
    ("GW", "万千瓦"): 100.0,
    ("kW", "万千瓦"): 1e-4,
    ("万千瓦", "MW"): 10.0,
    ("万元", "亿元"): 1e-4,
    ("亿元", "万元"): 1e4,
    ("吨", "万吨"): 1e-4,
    ("million kW", "万千瓦"): 100.0,
    ("万千瓦时", "亿千瓦时"): 1e-4,
    ("CNY billion", "亿元"): 10.0,
    ("million head", "万头"): 100.0,
}


def fold_unit(text: str) -> str:
    """The unit as metrics.csv spells it (平方公里 -> km², 兆瓦 -> MW)."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return UNIT_SYNONYMS.get(folded, folded.replace("km2", "km²"))


def convert(value: float, unit: str, target: str) -> float | None:
    """Convert `value` from `unit` to `target`, or None if no exact factor exists."""
    if unit == target:
        return value
    factor = UNIT_FACTORS.get((unit, target))
    # round away binary noise such as 251806 * 1e-4 = 25.180600000000002
    return None if factor is None else round(value * factor, 10)

"""Where a site is, and which row of a project the maps show (part of stage 2, :mod:`geo.facts`).

A site is located at the precision its source gives: ``point`` (printed
coordinates, with the source that prints them), ``place`` (a named town,
苏木, village or park) or ``district`` (the source names only the banner).
Rows describing one project from different sources share a ``project`` key,
and exactly one of them is ``shown``. Each function appends one-line problems
(file, row, bad value, fix) and never raises.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from . import datum
from .cells import parse_number
from .csvio import Row
from .errors import Problem
from .model import SITE_PRECISIONS, Site, Source

__all__ = ["Location", "check_projects", "locate", "shown_flag"]

# Generous box around Tongliao: a position outside it is a typo or swapped lon/lat.
_BOX = (118.5, 41.5, 124.5, 46.5)


class Location(NamedTuple):
    """Where a site is, as far as its sources say."""

    precision: str
    place: str
    lon: float | None
    lat: float | None
    position_source_id: str


def locate(r: Row, sources: dict[str, Source], problems: list[Problem]) -> Location:
    """Read and check `place`, `precision`, lon/lat, `datum` and `position_source_id` of one sites.csv row.

    Parameters
    ----------
    r : Row
        The row (missing optional columns read as empty).
    sources : dict
        Registered sources; empty when sources.csv could not be read (then the
        position source is not checked).
    problems : list
        Problems found are appended here.

    Returns
    -------
    Location
        With lon/lat only for a valid ``point``.
    """
    precision = r["precision"].strip().lower()
    place = r["place"].strip()
    position_source = r["position_source_id"].strip()
    has_position = bool(r["lon"].strip() or r["lat"].strip())
    if precision not in SITE_PRECISIONS:
        problems.append(
            Problem(
                r.where,
                f"precision {r['precision']!r} is not point, place or district",
                "write point (printed coordinates), place (a named town or park) "
                "or district (the source names only the banner)",
            )
        )
    elif precision == "place" and not place:
        problems.append(
            Problem(r.where, "precision is place but place is empty", "write the town, 苏木 or park named")
        )
    elif precision == "point":
        if not has_position:
            problems.append(
                Problem(
                    r.where,
                    "precision is point but lon/lat are empty",
                    "copy the coordinates the source prints, or write place or district",
                )
            )
        if not position_source:
            problems.append(
                Problem(
                    r.where,
                    "precision is point but position_source_id is empty",
                    "name the source (sources.csv) that prints the coordinates",
                )
            )
        elif sources and position_source not in sources:
            problems.append(
                Problem(
                    r.where,
                    f"unknown position source {position_source!r}",
                    "use a source id of sources.csv or add the page that prints the coordinates",
                )
            )
    if precision != "point":
        if precision in SITE_PRECISIONS and (has_position or position_source):
            problems.append(
                Problem(
                    r.where,
                    f"lon/lat ({r['lon']!r}, {r['lat']!r}) or a position source on a row whose precision is "
                    f"{precision!r}",
                    "keep coordinates only for precision=point, copied from the page that prints them; "
                    "never a banner seat",
                )
            )
        return Location(precision, place, None, None, "")
    lon, lat = _position(r, problems) if has_position else (None, None)
    return Location(precision, place, lon, lat, position_source)


def _position(r: Row, problems: list[Problem]) -> tuple[float | None, float | None]:
    lon = parse_number(r["lon"])
    lat = parse_number(r["lat"])
    if lon is None or lat is None:
        problems.append(
            Problem(
                r.where,
                f"position ({r['lon']!r}, {r['lat']!r}) is not two numbers",
                "write decimal degrees, e.g. 122.26, 43.65",
            )
        )
        return None, None
    if not (_BOX[0] <= lon <= _BOX[2] and _BOX[1] <= lat <= _BOX[3]):
        problems.append(
            Problem(
                r.where,
                f"position ({lon}, {lat}) is outside Tongliao",
                "check the numbers; longitude (about 120-123) comes first",
            )
        )
        return None, None
    kind = (r["datum"] or "WGS84").upper().replace("-", "")
    if kind == "GCJ02":
        lon, lat = (float(v) for v in datum.gcj02_to_wgs84(lon, lat))
    elif kind != "WGS84":
        problems.append(
            Problem(
                r.where,
                f"unknown datum {r['datum']!r}",
                "write WGS84 (GPS, OpenStreetMap) or GCJ02 (Amap/Gaode)",
            )
        )
    return lon, lat


def shown_flag(r: Row, problems: list[Problem]) -> bool | None:
    """`shown` of one row: True for ``yes``, False for empty, None after a problem."""
    text = r["shown"].strip().lower()
    if text not in ("", "yes"):
        problems.append(
            Problem(
                r.where, f"shown {r['shown']!r} is not yes or empty", "write yes on the row the map shows"
            )
        )
        return None
    if text and not r["project"].strip():
        problems.append(
            Problem(
                r.where,
                "shown=yes on a row without project",
                "write the project key shared by the rows of this project, or leave shown empty",
            )
        )
        return None
    return bool(text)


def check_projects(sites: list[Site], problems: list[Problem], unread: Collection[str] = ()) -> None:
    """Check that each project has two or more rows and exactly one of them shown.

    Parameters
    ----------
    sites : list of Site
        As read: ``shown`` is True on the row marked yes and on rows without project.
    problems : list
        Problems found are appended here.
    unread : collection of str
        Projects with a row that could not be read (already reported): not checked.
    """
    groups: dict[str, list[Site]] = {}
    for site in sites:
        if site.project and site.project not in unread:
            groups.setdefault(site.project, []).append(site)
    for key, group in groups.items():
        chosen = [s for s in group if s.shown]
        if len(group) == 1:
            problems.append(
                Problem(
                    group[0].where,
                    f"project {key!r} has only this row",
                    "leave project and shown empty, or give the other row(s) of the project the same key",
                )
            )
        elif len(chosen) != 1:
            rows = ", ".join(s.where for s in group)
            problems.append(
                Problem(
                    group[-1].where,
                    f"project {key!r} has {len(chosen)} rows with shown=yes ({rows})",
                    "write shown=yes on exactly one row, the one the map shows, and say why in its note",
                )
            )

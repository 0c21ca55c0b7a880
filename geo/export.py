"""Hand the data on: the atlas as a GeoPackage (or GeoJSON files) and a tidy CSV of every fact.

Beside render and publish, this stage writes what the maps are made of in
formats that QGIS, ArcGIS, Excel, WPS, pandas and R open directly:

``districts``
    the boundary polygons at full resolution (EPSG:4326) with their names and,
    per metric, the value the maps show with its unit, year and source id;
``sites``
    every column of data/sites.csv, with a point only where the source gives one;
``facts``
    every fact in tidy long form with its source, no geometry;
``sources``
    the source registry.

The tables are built by :mod:`geo.tables`. The ``facts`` table is also written
as ``tongliao-facts.csv`` (UTF-8 with BOM) in the folder of the export. The same
inputs give the same bytes. Every file is written under a temporary name in its
folder and renamed into place once all are complete, so a failure leaves the
old files as they were.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas
import pyogrio

from . import publish
from .errors import AtlasError, Problem
from .tables import LAYERS, Table, atlas_tables, facts_csv

__all__ = ["CSV_FILE", "DEFAULT_FILE", "LAYERS", "ExportResult", "export_atlas", "write"]

DEFAULT_FILE = "tongliao-atlas.gpkg"
CSV_FILE = "tongliao-facts.csv"
_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON"}
# GeoPackage 1.2: GDAL >= 2.3 and every QGIS 3 open it without a "partially supported" warning.
_GPKG_VERSION = "1.2"
# gpkg_contents.last_change would otherwise be the time of writing: fixed, so the bytes repeat.
_LAST_CHANGE = "2000-01-01T00:00:00.000Z"
_FIX = "choose another --out path or fix the folder's permissions"
_USER_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.ENOSPC}


@dataclass(frozen=True)
class ExportResult:
    """The files an export wrote and the rows of each layer."""

    written: tuple[Path, ...]
    rows: dict[str, int]


# --------------------------------------------------------------------------- writing


def _target(out: Path) -> tuple[str, Path, Path]:
    """The driver, the file or folder to write and the CSV path; a problem for a path that cannot be."""
    out = Path(out)
    driver = _DRIVERS.get(out.suffix.lower())
    if driver is None:
        raise AtlasError(
            Problem(
                str(out),
                f"{out.name!r} does not end in .gpkg or .geojson",
                "end --out with .gpkg (a GeoPackage) or .geojson (one GeoJSON file per layer, in a folder)",
            )
        )
    parent = out.parent
    if not parent.is_dir():
        what = "is a file, not a folder" if parent.exists() else "does not exist"
        raise AtlasError(
            Problem(
                str(out), f"folder '{parent}' {what}", "create the folder first or choose another --out path"
            )
        )
    target = out if driver == "GPKG" else out.with_suffix("")
    clash = ""
    if driver == "GPKG" and target.is_dir():
        clash = f"'{target}' is a folder, not a file"
    elif driver == "GeoJSON" and target.exists() and not target.is_dir():
        clash = f"'{target}' is a file, not the folder of GeoJSON files"
    elif (parent / CSV_FILE).is_dir():
        clash = f"'{parent / CSV_FILE}' is a folder, not a file"
    if clash:
        raise AtlasError(Problem(str(out), f"cannot write the export: {clash}", _FIX))
    return driver, target, parent / CSV_FILE


class _Staging:
    """Temporary files beside their targets, renamed into place together once all are written."""

    def __init__(self) -> None:
        self.pairs: list[tuple[Path, Path]] = []

    def path(self, final: Path) -> Path:
        # The extension stays last: GDAL picks and checks the format by it.
        tmp = final.with_name(f".{final.stem}.{os.getpid()}.tmp{final.suffix}")
        self.pairs.append((tmp, final))
        self._remove(tmp)  # left by a killed run that had the same process id
        # Created here first, so a folder we cannot write gives a plain OSError before GDAL runs.
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        os.unlink(tmp)
        return tmp

    @staticmethod
    def _remove(tmp: Path) -> None:
        for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)

    def commit(self) -> None:
        for tmp, _ in self.pairs:
            with open(tmp, "rb+") as handle:  # Windows fsyncs only a handle open for writing
                os.fsync(handle.fileno())
        for tmp, final in self.pairs:
            os.replace(tmp, final)
        for folder in dict.fromkeys(final.parent for _, final in self.pairs):
            publish.fsync_dir(folder)

    def discard(self) -> None:
        for tmp, _ in self.pairs:
            with contextlib.suppress(OSError):
                self._remove(tmp)


@contextlib.contextmanager
def _staged(shown: Path) -> Iterator[_Staging]:
    staging = _Staging()
    try:
        yield staging
        staging.commit()
    except BaseException as exc:
        staging.discard()
        if isinstance(exc, OSError) and exc.errno in _USER_ERRNOS:
            folder = Path(os.fsdecode(exc.filename)).parent if exc.filename else shown.parent
            raise AtlasError(
                Problem(str(shown), f"cannot write the export in '{folder}': {exc.strerror}", _FIX)
            ) from exc
        raise


@contextlib.contextmanager
def _gdal_config(options: dict[str, str]) -> Iterator[None]:
    before = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _write_layer(table: Table, path: Path, driver: str, **options: dict[str, str]) -> None:
    spatial = isinstance(table.frame, geopandas.GeoDataFrame)
    kind = {"districts": "MultiPolygon", "sites": "Point"}.get(table.name) if spatial else None
    pyogrio.write_dataframe(
        table.frame,
        path,
        layer=table.name,
        driver=driver,
        geometry_type=kind,
        promote_to_multi=kind == "MultiPolygon",  # one type per layer: a zone drawn as a Polygon too
        **options,
    )


def _write_gpkg(path: Path, tables: list[Table]) -> None:
    with _gdal_config({"OGR_CURRENT_DATE": _LAST_CHANGE}):
        for i, table in enumerate(tables):
            _write_layer(
                table,
                path,
                "GPKG",
                dataset_options={"VERSION": _GPKG_VERSION} if i == 0 else {},
                layer_options={"DESCRIPTION": table.description},
            )
    # Column descriptions: the GeoPackage schema extension, which QGIS shows as field comments.
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, "
            "column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, "
            "constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
            "CONSTRAINT gdc_tn UNIQUE (table_name, name))"
        )
        db.execute(
            "INSERT OR IGNORE INTO gpkg_extensions VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', "
            "'http://www.geopackage.org/spec/#extension_schema', 'read-write')"
        )
        db.executemany(
            "INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, description) "
            "VALUES (?, ?, ?)",
            [(t.name, column, text) for t in tables for column, text in t.columns.items()],
        )


def write(tables: list[Table], out: Path) -> tuple[Path, ...]:
    """Write the layers to `out` and the facts CSV beside it, atomically.

    Parameters
    ----------
    tables : list of Table
        From :func:`atlas_tables`.
    out : Path
        ``NAME.gpkg``: one GeoPackage. ``NAME.geojson``: the folder ``NAME/``
        with ``<layer>.geojson`` per layer. ``tongliao-facts.csv`` is written in
        the folder of `out` either way.

    Returns
    -------
    tuple of Path
        The files written, the CSV last.

    Raises
    ------
    AtlasError
        For an unknown extension or a path that cannot be written; nothing is
        changed then.
    """
    driver, target, csv_path = _target(out)
    facts = next(t for t in tables if t.name == "facts")
    created = driver == "GeoJSON" and not target.exists()
    written: list[Path] = []
    try:
        with _build_lock(target.parent), _staged(Path(out)) as staging:
            if driver == "GPKG":
                _write_gpkg(staging.path(target), tables)
                written.append(target)
            else:
                target.mkdir(exist_ok=True)
                for table in tables:
                    final = target / f"{table.name}.geojson"
                    options = {"DESCRIPTION": table.description}
                    if isinstance(table.frame, geopandas.GeoDataFrame):
                        options["RFC7946"] = "YES"  # (a table without geometry has no CRS to check)
                    _write_layer(table, staging.path(final), driver, layer_options=options)
                    written.append(final)
            staging.path(csv_path).write_bytes(facts_csv(facts))
            written.append(csv_path)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                target.rmdir()
        raise
    return tuple(written)


def _build_lock(folder: Path) -> contextlib.AbstractContextManager[None]:
    """A build's lock when `folder` is a maps folder: a build swaps the whole folder away."""
    # publish.lock names its lock file after the folder; only folders a build wrote have one.
    if publish.lock_path(folder).exists():
        return publish.lock(folder)
    return contextlib.nullcontext()


def export_atlas(
    data_dir: Path, boundaries_dir: Path, out: Path, *, zone_file: Path | None = None
) -> ExportResult:
    """Export the atlas data for QGIS, Excel and pandas: a GeoPackage (or GeoJSON) and a facts CSV.

    Parameters
    ----------
    data_dir, boundaries_dir : Path
        Facts (see data/README.md) and boundaries (see boundaries/README.md).
    out : Path
        ``.gpkg`` file or ``.geojson`` name, see :func:`write`.
    zone_file : Path, optional
        A boundary of the development zone 150571: only then is it a polygon.

    Returns
    -------
    ExportResult

    Raises
    ------
    AtlasError
        For any problem in the input or a path that cannot be written.
    """
    from .pipeline import load_joined

    _target(out)  # refuse a bad path before reading anything
    joined, shapes = load_joined(data_dir, boundaries_dir, zone_file)
    tables = atlas_tables(joined, shapes)
    return ExportResult(write(tables, out), {t.name: len(t.frame) for t in tables})

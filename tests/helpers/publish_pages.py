"""Run one publish, or the command line, in its own process, stopped where a test says.

Usage::

    python publish_pages.py [--pause STAGE] [--no-exchange] [--probe] OUT_DIR PAGES_JSON [--partial]
    python publish_pages.py [--pause STAGE] cli ARG...

PAGES_JSON maps file names to text; the publish result is printed as JSON on stdout.

``--pause STAGE`` monkeypatches ``geo.publish`` so that the run prints ``paused at STAGE``
on stderr and then blocks reading stdin, until the test writes a line or kills it
(SIGKILL, SIGINT). Stages: ``staging`` (one file written into the staging folder),
``staged`` (everything staged, before the swap), ``swapped`` (after the swap, before the
old tree is deleted). ``--no-exchange`` forces the two-rename swap used where
RENAME_EXCHANGE is missing. ``--probe`` first tries the build lock without waiting and
prints ``lock busy`` or ``lock free`` on stderr, then publishes as usual.
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for `geo`

import geo.publish as gp
from geo.cli import main as cli_main
from geo.errors import AtlasError


def _pause(stage: str) -> None:
    print(f"paused at {stage}", file=sys.stderr, flush=True)
    sys.stdin.readline()  # the test answers with a line, or kills us here


def _install_pause(stage: str) -> None:
    if stage == "staging":
        write, calls = gp._write_new, itertools.count()

        def paused_write(*args, **kwargs) -> None:
            if next(calls) == 1:
                _pause(stage)
            write(*args, **kwargs)

        gp._write_new = paused_write
    elif stage in ("staged", "swapped"):
        swap = gp._swap

        def paused_swap(*args):
            if stage == "staged":
                _pause(stage)
            old = swap(*args)
            if stage == "swapped":
                _pause(stage)
            return old

        gp._swap = paused_swap
    else:
        raise SystemExit(f"unknown stage {stage!r}")


def main(argv: list[str]) -> int:
    probe = False
    while argv and argv[0].startswith("--"):
        option = argv.pop(0)
        if option == "--pause":
            _install_pause(argv.pop(0))
        elif option == "--no-exchange":
            gp._exchange = lambda a, b: False
        elif option == "--probe":
            probe = True
        else:
            raise SystemExit(f"unknown option {option!r}")
    if argv[0] == "cli":
        return cli_main(argv[1:])
    out_dir, pages = Path(argv[0]), {name: text.encode() for name, text in json.loads(argv[1]).items()}
    if probe:
        try:
            with gp.lock(out_dir, wait=False):
                print("lock free", file=sys.stderr, flush=True)
        except AtlasError:
            print("lock busy", file=sys.stderr, flush=True)
    result = gp.publish(out_dir, pages, replace_all="--partial" not in argv[2:])
    print(json.dumps(asdict(result)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

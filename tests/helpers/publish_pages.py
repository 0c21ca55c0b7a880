"""Run one publish in its own process, for the kill and concurrency tests.

Usage: ``python publish_pages.py OUT_DIR PAGES_JSON [--partial] [--no-exchange]``
where PAGES_JSON maps file names to text; ``--no-exchange`` forces the
two-rename swap used where RENAME_EXCHANGE is missing. Set ``TONGLIAO_PUBLISH_PAUSE`` to make it
stop (and say so on stderr) at a stage. Prints the result as JSON on stdout.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for `geo`

import geo.publish


def main(argv: list[str]) -> int:
    out_dir, pages_json = Path(argv[0]), argv[1]
    pages = {name: text.encode() for name, text in json.loads(pages_json).items()}
    if "--no-exchange" in argv[2:]:
        geo.publish._renameat2_exchange = lambda a, b: False
    result = geo.publish.publish(out_dir, pages, replace_all="--partial" not in argv[2:])
    print(json.dumps(asdict(result)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

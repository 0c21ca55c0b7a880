"""Where a build's time goes: each pipeline stage timed in one fresh interpreter.

Run by tests/benchmark.py (or alone)::

    .venv/bin/python tests/bench_stages.py --data data --boundaries boundaries --out /tmp/x \
        [--district 奈曼旗]

Prints one JSON object: milliseconds per stage, from interpreter start. The
stages are those :func:`geo.pipeline.build_atlas` runs, called one by one so
that each can be timed; the pages written are the same as a build's. The
import floor (geopandas + folium) is timed first, as the benchmark's floor
measures it, so "our imports" is what the atlas adds on top.
"""

from __future__ import annotations

import time

START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--boundaries", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--district", default="")
    args = parser.parse_args(argv)

    times: dict[str, float] = {}
    last = START

    def tick(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[name] = round((now - last) * 1000, 1)
        last = now

    import folium  # noqa: F401
    import geopandas  # noqa: F401

    tick("import floor: geopandas, folium (and interpreter start)")
    from geo import areas, cache, facts, join, payload, pipeline, publish, render, spec

    tick("our modules (geo.*) and what they add: filelock, platformdirs")
    only = areas.resolve(args.district, allow_city=False) if args.district else None
    stage, problems = cache.boundary_stage(args.boundaries)
    tick("boundaries: read, check, km², simplify; or their kept result (geo/cache.py)")
    base, more = facts.read_facts(args.data)
    tick("read + check facts, sites, sources (CSV)")
    if problems or more or stage is None:
        sys.exit(f"inputs have problems: {[*problems, *more][:3]}")
    joined = join.join(base, stage.km2)
    checks = join.check(joined, stage.shapes)
    tick("join, cross-checks")
    if checks:
        sys.exit(f"inputs have problems: {checks[:3]}")
    geometry = payload.page_geometry(list(stage.shapes["code"]), stage.simple)
    tick("page geometry (rounding, label points)")
    links = pipeline._links()
    specs = spec.map_specs(joined, only=only)
    tick("specs: classes, circle scale, site sums")
    pages = {s.filename: render.render_map(s, joined.base, geometry, links).encode("utf-8") for s in specs}
    pages["index.html"] = render.render_index(spec.index_spec(joined, specs[0].layers, links)).encode()
    tick("render the pages (payload, folium, Jinja2, tojson)")
    publish.publish(args.out, pages, replace_all=only is None)
    tick("publish (lock, stage, fsync, atomic swap)")
    print(json.dumps(times, ensure_ascii=False))


if __name__ == "__main__":
    main()

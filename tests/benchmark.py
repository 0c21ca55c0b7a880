"""Benchmark: the atlas build and its city map against the import floor and a plain folium baseline.

Not a test (pytest collects only ``test_*.py``). Run from anywhere::

    .venv/bin/python tests/benchmark.py              # 5 rounds + warm-up, about two minutes
    .venv/bin/python tests/benchmark.py --quick      # 2 rounds, no warm-up, under a minute
    .venv/bin/python tests/benchmark.py --runs 9 --json bench.json
    .venv/bin/python tests/benchmark.py --browser-only --quick  # only the page timings, of maps/

One run measures everything side by side, in rounds (the order rotates from
round to round so that no measurement always follows the same one), and
reports medians with the range:

- floor: ``python -c "import geopandas, folium"`` (subprocess, wall time);
- the full atlas build and a one-district rebuild (``--district 奈曼旗``, into
  a folder that already holds a full build), each as ``python -m geo build``
  into a temporary folder with the same interpreter;
- the baseline, ``tests/bench_baseline.py``: the same city map built the
  obvious way (one folium.GeoJson per theme at full resolution, LayerControl,
  tooltips, values read through geo's own load_joined/theme_layers), timed the
  same way;
- page weight of our city map and of the baseline's (raw bytes, plus the CDN
  assets the baseline would download, as far as they can be known offline),
  and what our page's bytes are made of;
- headless Chromium, offline (file:// only; every other request aborted): from
  opening the page (navigation start, ``performance.now()`` = 0) to the frame
  that shows every layer, a theme switch (click to next frame), and, for
  scale, the same for a blank local page.

Wall times are what the budgets use; the CPU time (user + sys) of each
subprocess is printed too, since it moves less when the machine is busy.

Budgets are checked and printed as PASS/FAIL with the margin. The script is a
report: it exits 0 whether budgets pass or not (1 only if it could not
measure, e.g. a build crashed). data/ is used if it validates, else the small
fixture (say which with --data).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
SMALL_DATA = TESTS / "fixtures" / "data-small"
BASELINE_SCRIPT = TESTS / "bench_baseline.py"
STAGES_SCRIPT = TESTS / "bench_stages.py"

# the same browser and flags as the test suite (the benchmark needs the test extras anyway)
sys.path.insert(0, str(TESTS))
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

DISTRICT = "奈曼旗"
SWITCH_THEME = "energy"
KB = 1000  # page budgets in kB (10^3 bytes), as `ls -h --si` and browsers' devtools show them

# ------------------------------------------------------------------ budgets


@dataclass(frozen=True)
class Budget:
    key: str
    text: str
    limit: float
    unit: str  # "x floor", "x baseline", "bytes", "ms"


BUDGETS = (
    Budget("build_full_x_floor", "full atlas build ≤ 1.5× import floor", 1.5, "× floor"),
    Budget("build_district_x_floor", "one-district rebuild ≤ 1.2× import floor", 1.2, "× floor"),
    Budget("page_x_baseline", "city map bytes ≤ 0.25× baseline's", 0.25, "× baseline"),
    Budget("page_bytes", "city map < 600 kB, everything inlined", 600 * KB, "bytes"),
    Budget("open_ms", "all layers drawn ≤ 300 ms after opening", 300.0, "ms"),
    Budget("switch_ms", "theme switch ≤ 50 ms", 50.0, "ms"),
    Budget("open_slow_ms", "CPU 6× slower: all layers drawn ≤ 1.0 s after opening", 1000.0, "ms"),
    Budget("switch_slow_ms", "CPU 6× slower: theme switch ≤ 100 ms", 100.0, "ms"),
)
THROTTLE = 6  # Chrome DevTools Protocol Emulation.setCPUThrottlingRate: an old office PC

# ------------------------------------------------------------------ helpers


def median(xs: list[float]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt_s(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f} s"


def fmt_ms(x: float | None) -> str:
    return "—" if x is None else f"{x:.0f} ms" if x >= 10 else f"{x:.1f} ms"


def fmt_bytes(n: float | None) -> str:
    if n is None:
        return "—"
    if n >= 1_000_000:
        return f"{n / 1e6:.2f} MB"
    return f"{n / 1e3:.0f} kB"


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def spread(xs: list[float], fmt) -> str:
    xs = [x for x in xs if x is not None]
    if len(xs) < 2:
        return ""
    return f"{fmt(min(xs))} – {fmt(max(xs))}"


def env() -> dict[str, str]:
    out = dict(os.environ)
    # geo is run from this checkout whether or not it is pip-installed.
    out["PYTHONPATH"] = str(ROOT) + (os.pathsep + out["PYTHONPATH"] if out.get("PYTHONPATH") else "")
    out.pop("PYTHONPROFILEIMPORTTIME", None)
    # Bytecode cached as on a user's machine: pip compiled the floor's libraries at install time,
    # and without this an environment that sets PYTHONDONTWRITEBYTECODE (CI images, sandboxes)
    # would recompile every module of geo on every run (about 70 ms) and the floor none.
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    return out


def _children_cpu() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], what: str) -> tuple[float, float | None]:
    """Wall time and CPU time (user + sys) of one subprocess, in seconds; raises if it fails."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = _children_cpu()
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return elapsed, (after - cpu if cpu is not None and after is not None else None)


def pick_data(requested: Path | None) -> tuple[Path, str]:
    """data/ if it validates, else the small fixture (data/ is being filled by hand)."""
    if requested is not None:
        return requested, "given with --data"
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "validate", "--data", str(ROOT / "data")],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
    )
    if proc.returncode == 0:
        return ROOT / "data", "data/ validates"
    first = (proc.stderr.strip().splitlines() or ["?"])[0]
    return SMALL_DATA, f"data/ does not validate ({first} ...), using tests/fixtures/data-small"


# ------------------------------------------------------------------ page weight


def page_breakdown(html: bytes) -> dict[str, int]:
    """Bytes of our city map by part: geometry, facts JSON, Leaflet, atlas script and styles."""
    text = html.decode("utf-8")
    parts: dict[str, int] = {}
    match = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', text, re.S)
    if match:
        raw = match.group(1)
        payload = json.loads(raw)

        def size(value: Any) -> int:
            return len(
                json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
            )

        whole = len(raw.encode("utf-8"))
        parts["JSON: district geometry"] = size(payload.get("geometry"))
        if payload.get("geometry", {}).get("encoding"):  # rings as polyline strings: count vertices
            sys.path.insert(0, str(ROOT))
            from geo import polyline

            sys.path.remove(str(ROOT))
            for f in payload["geometry"]["features"]:
                f["geometry"] = polyline.decode_geometry(f["geometry"])
        parts["JSON: themes (values, classes, facts, sites)"] = size(payload.get("themes"))
        parts["JSON: areas, sources, settings"] = whole - sum(parts.values())
        parts["_vertices"] = sum(
            len(ring)
            for f in payload.get("geometry", {}).get("features", [])
            for poly in (
                f["geometry"]["coordinates"]
                if f["geometry"]["type"] == "MultiPolygon"
                else [f["geometry"]["coordinates"]]
            )
            for ring in poly
        )
    try:  # the inlined assets, exactly as geo.render inlines them
        sys.path.insert(0, str(ROOT))
        from geo import render

        assets = {
            "Leaflet JS (inlined)": render._asset_text("leaflet_js"),
            "Leaflet CSS + images (inlined)": render._leaflet_css(),
            "atlas.js": render._asset_text("atlas_js"),
            "atlas.css": render._asset_text("atlas_css"),
        }
        for name, asset in assets.items():
            if asset in text:
                parts[name] = len(asset.encode("utf-8"))
    except Exception as exc:  # a private helper renamed: the breakdown is a nicety
        parts["_note"] = f"assets not split: {exc}"  # type: ignore[assignment]
    finally:
        sys.path.remove(str(ROOT))
    counted = sum(v for k, v in parts.items() if not k.startswith("_") and isinstance(v, int))
    parts["folium/HTML scaffolding, rest"] = len(html) - counted
    return parts


def leaflet_local() -> dict[str, int]:
    """Sizes of Leaflet 1.9.3 files folium's default page fetches from jsDelivr, from XStatic-Leaflet."""
    try:
        from xstatic.pkg import leaflet

        folder = Path(leaflet.BASE_DIR)
        return {
            "leaflet.js": folder.joinpath("leaflet.js").stat().st_size,
            "leaflet.css": folder.joinpath("leaflet.css").stat().st_size,
        }
    except Exception:
        return {}


#: The browser's own floor: a local page with one SVG path and nothing else.
BLANK_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>blank</title></head><body>'
    '<div class="leaflet-overlay-pane"><svg width="10" height="10"><path d="M0 0L10 10"/></svg></div>'
    '<script>document.documentElement.setAttribute("data-atlas-ready", "true")</script></body></html>'
)


def cdn_urls(html: bytes) -> list[str]:
    return sorted(set(re.findall(rb'(?:src|href)="(https?://[^"]+)"', html)), key=bytes.decode)


# ------------------------------------------------------------------ browser

# Runs before any page script: records when the page is ready and when the frame
# showing it has been produced (performance.now() counts from navigation start).
INIT_SCRIPT = r"""
(() => {
  const B = window.__bench = { mode: %MODE%, ready: null, load: null, drawn: null, paths: 0 };
  const afterFrame = () => new Promise((resolve) => requestAnimationFrame(() => {
    const c = new MessageChannel();
    c.port1.onmessage = () => resolve(performance.now());
    c.port2.postMessage(0);
  }));
  window.__benchAfterFrame = afterFrame;
  const paths = () => document.querySelectorAll(".leaflet-overlay-pane path").length;
  new MutationObserver(() => {
    const root = document.documentElement;
    if (B.ready === null && root && root.hasAttribute("data-atlas-ready")) B.ready = performance.now();
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-atlas-ready"] });
  addEventListener("load", () => { B.load = performance.now(); });
  const done = () => B.mode === "atlas" ? B.ready !== null : B.load !== null;
  const poll = () => {
    if (done() && paths() > 0) {
      B.paths = paths();
      afterFrame().then((t) => { B.drawn = t; });
    } else {
      requestAnimationFrame(poll);
    }
  };
  requestAnimationFrame(poll);
})();
"""

WAIT_DRAWN = """
new Promise((resolve, reject) => {
  const until = performance.now() + 30000;
  const check = () => {
    if (window.__bench.drawn !== null) resolve(window.__bench);
    else if (performance.now() > until) reject(new Error("not drawn within 30 s"));
    else setTimeout(check, 5);
  };
  check();
})
"""

SWITCH_ATLAS = r"""
async (theme) => {
  const fills = () => Array.from(
    document.querySelectorAll(".leaflet-overlay-pane path"), (p) => p.getAttribute("fill")
  ).join("|");
  const before = fills();
  const input = document.querySelector(`input[name=atlas-theme][value=${theme}]`);
  if (!input) return { error: `no theme radio for ${theme}` };
  const t0 = performance.now();
  input.click();
  const t1 = performance.now();
  const t2 = await window.__benchAfterFrame();
  return {
    sync: t1 - t0, frame: t2 - t0,
    legend: !!document.querySelector(`.atlas-legend-theme[data-theme=${theme}]`),
    changed: fills() !== before,
  };
}
"""

SWITCH_BASELINE = r"""
async (label) => {
  const fills = () => Array.from(
    document.querySelectorAll(".leaflet-overlay-pane path"), (p) => p.getAttribute("fill")
  ).join("|");
  const before = fills();
  const input = Array.from(document.querySelectorAll(".leaflet-control-layers-base label"))
    .filter((l) => l.textContent.trim() === label).map((l) => l.querySelector("input"))[0];
  if (!input) return { error: `no layer-control radio labelled ${label}` };
  const t0 = performance.now();
  input.click();
  const t1 = performance.now();
  const t2 = await window.__benchAfterFrame();
  return {
    sync: t1 - t0, frame: t2 - t0,
    legend: document.querySelectorAll(".leaflet-overlay-pane path").length > 0,
    changed: fills() !== before,
  };
}
"""


class Browser:
    """Headless Chromium, offline; the baseline's Leaflet is served from the local XStatic copy."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.local: dict[str, Path] = {}
        try:
            from xstatic.pkg import leaflet

            folder = Path(leaflet.BASE_DIR)
            self.local = {
                "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": folder / "leaflet.js",
                "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": folder / "leaflet.css",
            }
        except ImportError:
            pass

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()

    def measure(self, path: Path, mode: str, switch_to: str | None, throttle: float = 1) -> dict[str, Any]:
        context = self.browser.new_context(viewport={"width": 1280, "height": 800})
        blocked: list[str] = []
        errors: list[str] = []

        def route(r) -> None:
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            elif url in self.local:
                body = self.local[url].read_bytes()
                kind = "application/javascript" if url.endswith(".js") else "text/css"
                r.fulfill(status=200, body=body, content_type=kind)
            else:
                blocked.append(url)
                r.abort()

        context.route("**/*", route)
        context.add_init_script(INIT_SCRIPT.replace("%MODE%", json.dumps(mode)))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        if throttle != 1:  # slows every script and layout of this page (not the network)
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        try:
            start = time.perf_counter()
            page.goto(path.resolve().as_uri(), wait_until="load", timeout=30_000)
            # Plain evaluate, not wait_for_function: Playwright's selector engine
            # would be injected into the page while it is still drawing.
            marks = page.evaluate(WAIT_DRAWN)
            outside = (time.perf_counter() - start) * 1000
            nav = page.evaluate(
                "(() => { const n = performance.getEntriesByType('navigation')[0];"
                " return n ? { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd } : {}; })()"
            )
            result: dict[str, Any] = {
                "drawn_ms": marks["drawn"],
                "ready_ms": marks["ready"] if mode == "atlas" else marks["load"],
                "dcl_ms": nav.get("dcl"),
                "paths": marks["paths"],
                "wall_ms": outside,
            }
            if switch_to is not None:
                script = SWITCH_ATLAS if mode == "atlas" else SWITCH_BASELINE
                result["switch"] = page.evaluate(script, switch_to)
            result["blocked"] = blocked
            result["errors"] = errors
            return result
        finally:
            context.close()


# ------------------------------------------------------------------ the run


def pick(samples: list[dict[str, Any]], *keys: str) -> list[float | None]:
    """The value under `keys` (nested) of every sample; None where a sample lacks it."""
    vals = []
    for x in samples:
        for k in keys:
            x = x.get(k) if isinstance(x, dict) else None
        vals.append(x)
    return vals


@dataclass
class Samples:
    floor: list[float] = field(default_factory=list)
    full: list[float] = field(default_factory=list)
    district: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    ours_open: list[dict[str, Any]] = field(default_factory=list)
    base_open: list[dict[str, Any]] = field(default_factory=list)
    blank_open: list[dict[str, Any]] = field(default_factory=list)
    ours_slow: list[dict[str, Any]] = field(default_factory=list)


def run(args: argparse.Namespace) -> dict[str, Any]:
    py = sys.executable
    data, why = pick_data(args.data)
    bounds = args.boundaries
    work = Path(tempfile.mkdtemp(prefix="tongliao-bench-"))
    keep = Path(args.out_dir) if args.out_dir else None
    print(f"python      {py} ({platform.python_version()}), {os.cpu_count()} CPUs")
    print(f"data        {data}  [{why}]")
    print(f"boundaries  {bounds}")
    print(
        f"rounds      {args.runs}{' (quick: no warm-up)' if args.quick else ' + 1 warm-up'}, "
        f"{args.browser_runs} page openings each"
    )
    print(f"scratch     {work}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if load is not None:
        busy = "  WARNING: the machine is busy; times will be noisy" if load > (os.cpu_count() or 1) else ""
        print(f"load        {load:.1f} (1-min average){busy}")
    print()

    district_out = work / "district" / "maps"
    baseline_html = work / "baseline" / "tongliao-baseline.html"

    def geo_build(out: Path, *extra: str) -> list[str]:
        return [
            py,
            "-m",
            "geo",
            "build",
            "--data",
            str(data),
            "--boundaries",
            str(bounds),
            "--out",
            str(out),
            *extra,
        ]

    def floor(_: int) -> tuple[float, float | None]:
        return timed([py, "-c", "import geopandas, folium"], "import floor")

    def full(i: int) -> tuple[float, float | None]:
        return timed(geo_build(work / f"full-{i}" / "maps"), "full build")

    def district(_: int) -> tuple[float, float | None]:
        return timed(geo_build(district_out, "--district", DISTRICT), "district rebuild")

    def baseline(_: int) -> tuple[float, float | None]:
        cmd = [
            py,
            str(BASELINE_SCRIPT),
            "--data",
            str(data),
            "--boundaries",
            str(bounds),
            "--out",
            str(baseline_html),
        ]
        return timed(cmd, "baseline build")

    # A district rebuild updates an existing atlas: build one first (this also
    # warms the disk cache). The baseline's HTML is needed before the browser runs.
    timed(geo_build(district_out), "full build")
    baseline(0)

    samples = Samples()
    jobs = [("floor", floor), ("full", full), ("district", district), ("baseline", baseline)]
    rounds = args.runs if args.quick else args.runs + 1
    for r in range(rounds):
        counted = args.quick or r > 0
        order = jobs[r % len(jobs) :] + jobs[: r % len(jobs)]
        line = []
        for name, job in order:
            t, cpu = job(r)
            if counted:
                getattr(samples, name).append(t)
                if cpu is not None:
                    samples.cpu.setdefault(name, []).append(cpu)
            line.append(f"{name} {t:.2f}s")
        print(f"  round {r + 1}/{rounds}{'' if counted else ' (warm-up)'}: " + ", ".join(line), flush=True)

    ours_html = work / "full-1" / "maps" / "tongliao.html"
    if not ours_html.exists():
        ours_html = district_out / "tongliao.html"
    labels = json.loads(baseline_html.with_name(baseline_html.name + ".layers.json").read_text("utf-8"))

    blank_html = work / "blank.html"
    blank_html.write_text(BLANK_PAGE, encoding="utf-8")
    print("  browser: opening both city maps ...", flush=True)
    browser = Browser()
    try:
        browser.measure(ours_html, "atlas", SWITCH_THEME)  # warm-up: Chromium's first page is slow
        browser.measure(baseline_html, "baseline", labels.get(SWITCH_THEME))
        for _ in range(args.browser_runs):
            samples.blank_open.append(browser.measure(blank_html, "atlas", None))
            samples.ours_open.append(browser.measure(ours_html, "atlas", SWITCH_THEME))
            samples.base_open.append(browser.measure(baseline_html, "baseline", labels.get(SWITCH_THEME)))
            samples.ours_slow.append(browser.measure(ours_html, "atlas", SWITCH_THEME, THROTTLE))
    finally:
        browser.close()

    ours_bytes = ours_html.read_bytes()
    base_bytes = baseline_html.read_bytes()
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ours_html, keep / "tongliao.html")
        shutil.copy2(baseline_html, keep / baseline_html.name)
    district_pages = sorted(
        p.stat().st_size
        for p in ours_html.parent.glob("*.html")
        if p.name not in ("tongliao.html", "index.html")
    )
    stages = stage_times(py, data, bounds, work, args.runs)
    shutil.rmtree(work, ignore_errors=True)
    result = summarise(args, data, why, samples, ours_bytes, base_bytes, district_pages, labels)
    print_stages(stages, result["medians"]["floor_s"])
    result["stages_ms"] = stages
    return result


def stage_times(py: str, data: Path, bounds: Path, work: Path, runs: int) -> dict[str, dict[str, float]]:
    """Median milliseconds of each build stage, full and one-district, from tests/bench_stages.py."""
    out: dict[str, dict[str, float]] = {}
    for name, extra in (("full", []), ("district", ["--district", DISTRICT])):
        samples: dict[str, list[float]] = {}
        target = work / f"stages-{name}" / "maps"
        for _ in range(runs):
            cmd = [
                py,
                str(STAGES_SCRIPT),
                "--data",
                str(data),
                "--boundaries",
                str(bounds),
                "--out",
                str(target),
            ]
            done = subprocess.run([*cmd, *extra], capture_output=True, text=True, env=env(), cwd=work)
            if done.returncode != 0:
                print(f"  stages ({name}) failed: {done.stderr.strip()[-300:]}")
                break
            for stage, ms in json.loads(done.stdout).items():
                samples.setdefault(stage, []).append(ms)
        out[name] = {stage: statistics.median(ms) for stage, ms in samples.items()}
    return out


def print_stages(stages: dict[str, dict[str, float]], floor_s: float | None) -> None:
    """Where a build's time goes, stage by stage, beside the import floor."""
    full, district = stages.get("full", {}), stages.get("district", {})
    if not full and not district:
        return
    print()
    print("Where a build's time goes (medians, ms, each stage timed inside one fresh interpreter):")
    print()
    print("| stage | full build | one district |")
    print("|---|---:|---:|")
    for stage in dict.fromkeys([*full, *district]):
        print(f"| {stage} | {full.get(stage, 0):.0f} | {district.get(stage, 0):.0f} |")
    first = next(iter(full or district))
    above = {
        n: sum(v for k, v in s.items() if k != first) for n, s in (("full", full), ("district", district))
    }
    print(f"| **above the import floor** | **{above['full']:.0f}** | **{above['district']:.0f}** |")
    if floor_s:
        print(
            f"(budgets leave {0.5 * floor_s * 1000:.0f} ms (full) and {0.2 * floor_s * 1000:.0f} ms "
            f"(one district) above a floor of {floor_s * 1000:.0f} ms)"
        )


def summarise(args, data, why, s: Samples, ours_bytes, base_bytes, district_pages, labels) -> dict[str, Any]:
    floor = median(s.floor)
    full = median(s.full)
    district = median(s.district)
    baseline = median(s.baseline)
    cpu = {name: median(xs) for name, xs in s.cpu.items()}
    cdn_known = leaflet_local()
    base_plus = len(base_bytes) + sum(cdn_known.values())

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a and b else None

    ours_open = median(pick(s.ours_open, "drawn_ms"))
    base_open = median(pick(s.base_open, "drawn_ms"))
    blank_open = median(pick(s.blank_open, "drawn_ms"))
    ours_switch = median(pick(s.ours_open, "switch", "frame"))
    slow_open = median(pick(s.ours_slow, "drawn_ms"))
    slow_switch = median(pick(s.ours_slow, "switch", "frame"))
    base_switch = median(pick(s.base_open, "switch", "frame"))
    blocked_ours = sorted({u for x in s.ours_open for u in x["blocked"]})
    errors_ours = sorted({e for x in s.ours_open for e in x["errors"]})
    errors_base = sorted({e for x in s.base_open for e in x["errors"]})
    switch_ok = all(
        x.get("switch", {}).get("legend") and x.get("switch", {}).get("changed")
        for x in s.ours_open + s.ours_slow
    )

    measured = {
        "build_full_x_floor": ratio(full, floor),
        "build_district_x_floor": ratio(district, floor),
        "page_x_baseline": len(ours_bytes) / len(base_bytes),
        "page_bytes": float(len(ours_bytes)) if not blocked_ours else float("inf"),
        "open_ms": ours_open,
        "switch_ms": ours_switch if switch_ok else None,
        "open_slow_ms": slow_open,
        "switch_slow_ms": slow_switch if switch_ok else None,
    }
    verdicts = []
    for b in BUDGETS:
        value = measured[b.key]
        if value is None:
            verdicts.append(
                {
                    "key": b.key,
                    "budget": b.text,
                    "limit": b.limit,
                    "value": None,
                    "pass": False,
                    "margin": "not measured",
                }
            )
            continue
        ok = value <= b.limit if b.key != "page_bytes" else value < b.limit
        diff = abs(b.limit - value)
        shown = (
            fmt_bytes(diff)
            if b.unit == "bytes"
            else f"{diff:.0f} ms"
            if b.unit == "ms"
            else f"{diff:.2f}{b.unit}"
        )
        margin = f"{shown} {'under' if ok else 'over'} ({diff / b.limit:.0%} of the budget)"
        verdicts.append(
            {"key": b.key, "budget": b.text, "limit": b.limit, "value": value, "pass": ok, "margin": margin}
        )

    def cpu_of(name: str) -> str:
        return fmt_s(cpu.get(name)) if name in cpu else ""

    rows = [
        (
            'import floor: `python -c "import geopandas, folium"`',
            fmt_s(floor),
            spread(s.floor, fmt_s),
            "1.00× floor",
            cpu_of("floor"),
        ),
        (
            "our full atlas build (every map + index)",
            fmt_s(full),
            spread(s.full, fmt_s),
            f"{fmt_ratio(ratio(full, floor))} floor",
            cpu_of("full"),
        ),
        (
            f"our one-district rebuild (`--district {DISTRICT}`)",
            fmt_s(district),
            spread(s.district, fmt_s),
            f"{fmt_ratio(ratio(district, floor))} floor",
            cpu_of("district"),
        ),
        (
            "baseline build: city map only, folium.GeoJson per theme",
            fmt_s(baseline),
            spread(s.baseline, fmt_s),
            f"{fmt_ratio(ratio(baseline, floor))} floor",
            cpu_of("baseline"),
        ),
        (
            "our city map page, everything inlined",
            fmt_bytes(len(ours_bytes)),
            "",
            f"{fmt_ratio(len(ours_bytes) / len(base_bytes))} baseline",
            "",
        ),
        ("baseline page, raw (its assets on CDNs)", fmt_bytes(len(base_bytes)), "", "1.00× baseline", ""),
        (
            "baseline page + Leaflet JS/CSS from its CDN (lower bound)",
            fmt_bytes(base_plus),
            "",
            f"ours = {fmt_ratio(len(ours_bytes) / base_plus)} of it",
            "",
        ),
        (
            "browser floor: blank local page, open → drawn",
            fmt_ms(blank_open),
            spread(pick(s.blank_open, "drawn_ms"), fmt_ms),
            "",
            "",
        ),
        (
            "our city map: open → all layers drawn",
            fmt_ms(ours_open),
            spread(pick(s.ours_open, "drawn_ms"), fmt_ms),
            f"{fmt_ratio(ratio(ours_open, base_open))} baseline",
            "",
        ),
        (
            "baseline: open → load event + paths drawn",
            fmt_ms(base_open),
            spread(pick(s.base_open, "drawn_ms"), fmt_ms),
            "1.00× baseline",
            "",
        ),
        (
            f"our theme switch to {SWITCH_THEME} (click → next frame)",
            fmt_ms(ours_switch),
            spread(pick(s.ours_open, "switch", "frame"), fmt_ms),
            f"{fmt_ratio(ratio(ours_switch, base_switch))} baseline",
            "",
        ),
        (
            f"our city map, CPU {THROTTLE}× slower: open → all layers drawn",
            fmt_ms(slow_open),
            spread(pick(s.ours_slow, "drawn_ms"), fmt_ms),
            f"{fmt_ratio(ratio(slow_open, ours_open))} unthrottled",
            "",
        ),
        (
            f"our theme switch to {SWITCH_THEME}, CPU {THROTTLE}× slower",
            fmt_ms(slow_switch),
            spread(pick(s.ours_slow, "switch", "frame"), fmt_ms),
            f"{fmt_ratio(ratio(slow_switch, ours_switch))} unthrottled",
            "",
        ),
        (
            "baseline theme switch (LayerControl radio)",
            fmt_ms(base_switch),
            spread(pick(s.base_open, "switch", "frame"), fmt_ms),
            "1.00× baseline",
            "",
        ),
    ]

    n = len(s.floor)
    label = "tests/fixtures/data-small" if data == SMALL_DATA else str(data)
    print()
    print(f"## Benchmark: medians of {n} runs (data: {label}; {len(labels)} themes)")
    print()
    print("| measurement | median | min – max | ratio | CPU (user+sys) |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    print("| budget | measured | verdict |")
    print("|---|---:|---|")
    for v in verdicts:
        value = v["value"]
        b = next(b for b in BUDGETS if b.key == v["key"])
        shown = (
            "—"
            if value is None
            else fmt_bytes(value)
            if b.unit == "bytes"
            else fmt_ms(value)
            if b.unit == "ms"
            else f"{value:.2f}{b.unit}"
        )
        verdict = ("PASS" if v["pass"] else "**FAIL**") + f", {v['margin']}"
        print(f"| {v['budget']} | {shown} | {verdict} |")
    failing = [v["budget"] for v in verdicts if not v["pass"]]
    print()
    print(f"FAILING BUDGETS ({len(failing)}): " + "; ".join(failing) if failing else "all budgets pass")
    if cpu.get("floor"):
        print(
            "(on CPU time, less sensitive to a busy machine: "
            f"full build {cpu.get('full', 0) / cpu['floor']:.2f}×, "
            f"district rebuild {cpu.get('district', 0) / cpu['floor']:.2f}× the floor's CPU time)"
        )

    parts = page_breakdown(ours_bytes)
    print()
    print(f"Our city map, {len(ours_bytes):,} bytes ({len(gzip.compress(ours_bytes)):,} gzipped):")
    for name, size in sorted(
        ((k, v) for k, v in parts.items() if not k.startswith("_")), key=lambda kv: -kv[1]
    ):
        print(f"  {size:>9,}  {size / len(ours_bytes):>4.0%}  {name}")
    if "_vertices" in parts:
        print(f"  ({parts['_vertices']:,} vertices in the embedded geometry)")
    if district_pages:
        print(f"District maps: {fmt_bytes(district_pages[0])} – {fmt_bytes(district_pages[-1])} each.")
    print()
    urls = cdn_urls(base_bytes)
    print(
        f"Baseline page: {len(base_bytes):,} bytes raw ({len(gzip.compress(base_bytes)):,} gzipped), "
        f"plus {len(urls)} CDN assets. Only Leaflet's are known offline "
        f"({', '.join(f'{k} {v:,} B' for k, v in cdn_known.items()) or 'XStatic-Leaflet missing'}); "
        "jQuery 3.7.1, Bootstrap 5.2.2 JS+CSS, Bootstrap 3 glyphicons, Font Awesome 6.2.0 and "
        "Leaflet.awesome-markers cannot be fetched here, so 'baseline + CDN' is a lower bound."
    )
    print(
        "Browser: pages opened from file://, every non-file request aborted; for the baseline the two "
        "Leaflet requests are answered from the local XStatic-Leaflet 1.9.3 copy (the version folium "
        "pins) so that it can draw at all. Times are performance.now() from navigation start to the "
        "frame after the condition (ours: html[data-atlas-ready]; baseline: load event) with SVG "
        "paths present; a theme switch is timed from the click to the next frame."
    )
    if blocked_ours:
        print(f"WARNING: our page requested {blocked_ours}: not everything is inlined")
    if not switch_ok:
        print(f"WARNING: our theme switch did not change the fills or legend: {s.ours_open[0].get('switch')}")
    for name, errs in (("our page", errors_ours), ("baseline page", errors_base)):
        if errs:
            print(f"note: {name} script errors (offline): {errs[:3]}")

    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": sys.executable,
        "python_version": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "data": str(data),
        "data_note": why,
        "runs": n,
        "medians": {
            "floor_s": floor,
            "build_full_s": full,
            "build_district_s": district,
            "baseline_build_s": baseline,
            "cpu_s": cpu,
            "ours_page_bytes": len(ours_bytes),
            "baseline_page_bytes": len(base_bytes),
            "baseline_plus_known_cdn_bytes": base_plus,
            "blank_open_ms": blank_open,
            "ours_open_ms": ours_open,
            "baseline_open_ms": base_open,
            "ours_switch_ms": ours_switch,
            "baseline_switch_ms": base_switch,
        },
        "samples": {
            "floor_s": s.floor,
            "build_full_s": s.full,
            "build_district_s": s.district,
            "baseline_build_s": s.baseline,
            "cpu_s": s.cpu,
            "blank_browser": s.blank_open,
            "ours_browser": s.ours_open,
            "baseline_browser": s.base_open,
        },
        "page_breakdown": dict(parts),
        "baseline_cdn_urls": [u.decode() for u in urls],
        "baseline_cdn_known_bytes": cdn_known,
        "budgets": verdicts,
    }


def browser_only(args: argparse.Namespace) -> dict[str, Any]:
    """Only the page part: open a built city map (blank page for scale), no builds, no baseline.

    For iterating on the page's script; the full run is what the README reports.
    """
    page = args.page.resolve()
    print(f"page        {page} ({page.stat().st_size:,} bytes), {args.browser_runs} openings each")
    with tempfile.TemporaryDirectory(prefix="tongliao-bench-") as tmp:
        blank_html = Path(tmp) / "blank.html"
        blank_html.write_text(BLANK_PAGE, encoding="utf-8")
        s = Samples()
        browser = Browser()
        try:
            browser.measure(page, "atlas", SWITCH_THEME)  # warm-up: Chromium's first page is slow
            for _ in range(args.browser_runs):
                s.blank_open.append(browser.measure(blank_html, "atlas", None))
                s.ours_open.append(browser.measure(page, "atlas", SWITCH_THEME))
                s.ours_slow.append(browser.measure(page, "atlas", SWITCH_THEME, THROTTLE))
        finally:
            browser.close()

    switch_ok = all(
        x.get("switch", {}).get("legend") and x.get("switch", {}).get("changed")
        for x in s.ours_open + s.ours_slow
    )
    measured = {
        "page_bytes": float(page.stat().st_size),
        "open_ms": median(pick(s.ours_open, "drawn_ms")),
        "switch_ms": median(pick(s.ours_open, "switch", "frame")) if switch_ok else None,
        "open_slow_ms": median(pick(s.ours_slow, "drawn_ms")),
        "switch_slow_ms": median(pick(s.ours_slow, "switch", "frame")) if switch_ok else None,
    }
    samples = {
        "open_ms": pick(s.ours_open, "drawn_ms"),
        "switch_ms": pick(s.ours_open, "switch", "frame"),
        "open_slow_ms": pick(s.ours_slow, "drawn_ms"),
        "switch_slow_ms": pick(s.ours_slow, "switch", "frame"),
    }
    print(f"blank page: open → drawn {fmt_ms(median(pick(s.blank_open, 'drawn_ms')))}")
    for b in BUDGETS:
        if b.key not in measured:
            continue
        value = measured[b.key]
        if value is None:
            print(f"  {b.text}: not measured")
            continue
        ok = value < b.limit if b.key == "page_bytes" else value <= b.limit
        shown = fmt_bytes(value) if b.unit == "bytes" else fmt_ms(value)
        rng = spread(samples.get(b.key, []), fmt_ms)
        print(f"  {'PASS' if ok else 'FAIL'}  {b.text}: {shown}" + (f" ({rng})" if rng else ""))
    errors = sorted({e for x in s.ours_open + s.ours_slow for e in x["errors"]})
    blocked = sorted({u for x in s.ours_open for u in x["blocked"]})
    if not switch_ok:
        print(f"WARNING: the theme switch did not change the fills or legend: {s.ours_open[0].get('switch')}")
    if errors or blocked:
        print(f"WARNING: script errors {errors[:3]}, requests {blocked[:3]}")
    return {"measured": measured, "samples": samples}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds to take medians over (default 5)")
    parser.add_argument("--quick", action="store_true", help="2 rounds, no warm-up round, 6 page openings")
    parser.add_argument(
        "--browser-runs",
        type=int,
        default=None,
        metavar="N",
        help="times each page is opened in Chromium (default 3 × --runs: page timings are noisier)",
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="also save the results as JSON"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="facts folder (default: data/ if it validates, else the small fixture)",
    )
    parser.add_argument("--boundaries", type=Path, default=ROOT / "boundaries", help="boundaries folder")
    parser.add_argument("--out-dir", type=Path, default=None, help="keep both city maps in this folder")
    parser.add_argument(
        "--browser-only",
        action="store_true",
        help="only open a built city map in Chromium (see --page): no builds, no baseline",
    )
    parser.add_argument(
        "--page",
        type=Path,
        default=ROOT / "maps" / "tongliao.html",
        help="the city map --browser-only opens (default: the committed maps/tongliao.html)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = min(args.runs, 2)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.browser_runs is None:
        args.browser_runs = 3 * args.runs
    if args.browser_runs < 1:
        parser.error("--browser-runs must be at least 1")
    args.boundaries = args.boundaries.resolve()
    if args.data is not None:
        args.data = args.data.resolve()
    try:
        results = browser_only(args) if args.browser_only else run(args)
    except RuntimeError as exc:
        print(f"benchmark could not measure: {exc}", file=sys.stderr)
        return 1
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"\nresults saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

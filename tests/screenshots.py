"""Take the README's screenshots of the built maps in headless Chromium.

Run after a build: ``.venv/bin/python tests/screenshots.py`` (reads maps/, writes maps/screenshots/).
``--maps DIR`` reads another build (e.g. a fresh one in a temporary folder), ``--out DIR`` writes
elsewhere, ``--size 390x844`` takes them at another viewport (file names get the size appended).
Not collected by pytest; the browser tests check behaviour, this only makes pictures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SHOTS = [
    ("tongliao.html", "basic", "tongliao-basic.png"),
    ("tongliao.html", "industry", "tongliao-industry.png"),
    ("tongliao.html", "energy", "tongliao-energy.png"),
    ("tongliao.html", "desert", "tongliao-desert.png"),
    ("tongliao.html", "agri", "tongliao-agri.png"),
    ("150525-naiman.html", "basic", "150525-naiman-basic.png"),
    ("150571-kaifaqu.html", "industry", "150571-kaifaqu-industry.png"),
]
README_SIZE = (1200, 760)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maps", type=Path, default=ROOT / "maps")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--size", default="", help="WIDTHxHEIGHT; the README's size when omitted")
    args = parser.parse_args(argv)
    out = args.out or args.maps / "screenshots"
    width, height = (int(n) for n in args.size.split("x")) if args.size else README_SIZE
    suffix = f"-{width}x{height}" if args.size else ""
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        local = ("file:", "data:")
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(local) else r.abort())
        for name, theme, target in SHOTS:
            # The theme through the view in the URL: on a phone the theme list is folded away.
            page.goto(f"{(args.maps / name).resolve().as_uri()}#theme={theme}")
            page.wait_for_selector("html[data-atlas-ready]")
            chosen = f"label.atlas-theme-option[data-theme={theme}] input:checked"
            page.wait_for_selector(chosen, state="attached")
            path = out / target.replace(".png", f"{suffix}.png")
            page.screenshot(path=path)
            print(f"wrote {path}")
        browser.close()
    if errors:
        sys.exit("page errors: " + "; ".join(errors))


if __name__ == "__main__":
    main()

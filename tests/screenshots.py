"""Take the README's screenshots of the built maps in headless Chromium.

Run after a build: ``.venv/bin/python tests/screenshots.py`` (writes maps/screenshots/).
Not collected by pytest; the browser tests check behaviour, this only makes pictures.
"""

from __future__ import annotations

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
]


def main(maps: Path = ROOT / "maps") -> None:
    out = maps / "screenshots"
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 760})
        local = ("file:", "data:")
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(local) else r.abort())
        for name, theme, target in SHOTS:
            page.goto((maps / name).resolve().as_uri())
            page.wait_for_selector("html[data-atlas-ready]")
            page.click(f"label.atlas-theme-option[data-theme={theme}]")
            page.screenshot(path=out / target)
            print(f"wrote {out / target}")
        browser.close()


if __name__ == "__main__":
    main()

"""Shared fixtures: the project folders, a built atlas, and headless Chromium.

In CI (``CI`` set) a skipped test fails the run: every test must run there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = os.environ.get("TONGLIAO_CHROMIUM", "/usr/bin/chromium")
# Without these flags Chromium phones home at start-up, which a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


_CACHE_KEY = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    # The boundary stage's kept results (geo/cache.py) go to a folder of this run,
    # not the user's cache; builds in subprocesses inherit it.
    folder = Path(tempfile.mkdtemp(prefix="tongliao-cache-"))
    config.stash[_CACHE_KEY] = folder
    os.environ["TONGLIAO_ATLAS_CACHE"] = str(folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_CACHE_KEY, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) skipped; every test must run in CI", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A private copy of the small real-data fixture, free to break."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "data-small", target)
    return target


@pytest.fixture(scope="session")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The atlas built from the project's data/ and boundaries/ into a temporary folder."""
    from geo.pipeline import build_atlas

    out = tmp_path_factory.mktemp("atlas") / "maps"
    build_atlas(ROOT / "data", ROOT / "boundaries", out)
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class OfflinePage:
    """A page with the network cut: only file:, data: and blob: URLs load."""

    def __init__(self, page) -> None:
        self.page = page
        self.failed: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path) -> None:
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("html[data-atlas-ready]", timeout=10_000)


@pytest.fixture
def offline_page(browser) -> Iterator[OfflinePage]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    yield OfflinePage(page)
    context.close()

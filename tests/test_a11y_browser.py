"""axe-core (WCAG 2.1 A and AA) on the index, the city map and a district map.

Each map page is checked as it opens, with a popup open and with the data table
open. axe-core comes from the npm registry, pinned, installed by tests/setup.sh
into tests/.npm (not in git) and injected into the page by the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_browser import CITY, INDEX, NAIMAN, open_map

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / ".npm" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Page) -> list[str]:
    """One line per WCAG 2.1 A/AA violation axe-core finds: rule and the first nodes."""
    assert AXE.is_file(), f"{AXE} is missing: run bash tests/setup.sh"
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "(tags) => axe.run(document, { runOnly: { type: 'tag', values: tags } }).then((r) => r.violations)",
        TAGS,
    )
    return [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in found]


def open_popup(page: Page) -> None:
    page.locator(".atlas-search-input").fill("naiman")
    page.locator(".atlas-search-input").press("Enter")
    expect(page.locator(".leaflet-popup .atlas-popup")).to_have_count(1)
    # Leaflet fades a popup in; axe measures contrast through the opacity, so wait until it is opaque.
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")


def open_table(page: Page) -> None:
    page.locator(".atlas-open-table").click()
    expect(page.locator(".atlas-table")).to_be_visible()


def test_index_has_no_violations(atlas, offline_page):
    offline_page.page.goto((atlas / INDEX).as_uri())
    assert violations(offline_page.page) == []


@pytest.mark.parametrize("name", [CITY, NAIMAN])
@pytest.mark.parametrize("state", ["load", "popup", "table"])
def test_map_pages_have_no_violations(atlas, offline_page, name, state):
    page = open_map(offline_page, atlas / name)
    {"load": lambda p: None, "popup": open_popup, "table": open_table}[state](page)
    assert violations(page) == []

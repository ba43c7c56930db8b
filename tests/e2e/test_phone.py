"""The demo on a 390 px phone, as the admin and as a region's coordinator: on every main
page nothing spills sideways out of the window, the header with the region menu stays a
compact band, and every amount in a table is on the screen (a wide table turns into
labelled rows rather than hiding its amounts off to the right). The header's menus open
inside the screen, the region menu shows the current page, and the header stays one band
in each of the six languages.

Screenshots of every page are written to ``$WORKSPACE_SCREENSHOTS/phone/`` when that is
set (to look at them), else to the test's own temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from workspace.extensions import db
from workspace.i18n import COOKIE, LANGUAGES
from workspace.models import Partner
from workspace.testing import DEMO_PASSWORD

from .conftest import DEMO_ADMIN, DEMO_COORDINATOR, DemoServer, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
# The header and the region menu under it, together: about a seventh of the screen.
HEADER_MAX_PX = 120

PAGES = (
    ("overview", "/"),
    ("dashboard", "/r/burgos/"),
    ("documents", "/docs/"),
    ("document", "/docs/{document}"),
    ("minutes", "/r/burgos/minutes/"),
    ("minutes-actions", "/r/burgos/minutes/actions"),
    ("portfolio", "/r/burgos/portfolio/"),
    ("action-plans", "/r/burgos/action_plans/"),
    ("action-plans-phase2", "/p/action_plans/phase2"),
    ("budget", "/p/budget/"),
    ("budget-partner", "/p/budget/partners/{partner}"),
    ("payments", "/p/budget/payments"),
    ("reports", "/r/burgos/reports/"),
    ("policy", "/r/burgos/policy/"),
    ("indicators", "/p/reports/indicators"),
    ("inbox", "/inbox"),
    ("search", "/search?q=innovation"),
    ("account", "/account"),
)
ADMIN_PAGES = (("admin-people", "/admin/users"),)

# Measured in the page: how far it spills, and every table amount that ends off-screen.
MEASURE = """() => {
  const width = window.innerWidth;
  const offscreen = [];
  for (const cell of document.querySelectorAll("main td.num")) {
    const box = cell.getBoundingClientRect();
    if (box.width && (box.right > width + 0.5 || box.left < -0.5)) {
      offscreen.push(`${cell.textContent.trim().slice(0, 30)} (${Math.round(box.right)} px)`);
    }
  }
  return {
    spill: document.documentElement.scrollWidth - width,
    header: document.querySelector(".site-header").getBoundingClientRect().height,
    offscreen,
  };
}"""


def shots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("WORKSPACE_SCREENSHOTS") or tmp_path) / "phone"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def on_a_phone(browser: Browser, demo_server: DemoServer, email: str) -> Page:
    """The demo person signed in on a phone of their own (a touch screen, 390 px wide)."""
    context = browser.new_context(
        base_url=demo_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    return sign_in(context.new_page(), email, DEMO_PASSWORD)


def walk(page: Page, demo_server: DemoServer, pages, shots: Path, who: str) -> list[str]:
    """Each page at phone width; what is wrong with it, in words."""
    with demo_server.app.app_context():
        partner = db.session.scalar(select(Partner.id).where(Partner.short_name == "CEEI-Burgos"))
        db.session.remove()
    values = {"document": demo_server.document_id, "partner": partner}
    problems = []
    for name, path in pages:
        response = page.goto(path.format(**values))
        assert response.ok, f"{name}: {response.status}"
        found = page.evaluate(MEASURE)
        if found["spill"] > 0:
            problems.append(f"{name}: {found['spill']} px wider than the window")
        if found["header"] > HEADER_MAX_PX:
            problems.append(f"{name}: the header is {found['header']:.0f} px high")
        if cells := found["offscreen"]:
            problems.append(f"{name}: {len(cells)} amounts off the screen, as {cells[0]}")
        page.screenshot(path=str(shots / f"{who}-{name}.png"), full_page=True)
    return problems


def menus_inside_the_screen(page: Page) -> list[str]:
    """Opens each of the header's menus in turn: its list must be wholly on the screen."""
    problems = []
    menus = page.locator(".site-header details.dropdown")
    for index in range(menus.count()):
        menu = menus.nth(index)
        menu.locator("summary").click()
        entries = menu.locator("ul")
        expect(entries).to_be_visible()
        box = entries.bounding_box()
        if box["x"] < 0 or box["x"] + box["width"] > PHONE["width"]:
            name = menu.locator("summary").inner_text()
            right = box["x"] + box["width"]
            problems.append(f"the {name!r} menu runs from {box['x']:.0f} to {right:.0f} px")
        menu.locator("summary").click()
        expect(entries).to_be_hidden()
    return problems


def current_page_in_view(page: Page, where: str) -> list[str]:
    """The region menu's entry for this page is wholly on the screen, scrolled to."""
    box = page.locator(".region-nav a[aria-current=page]").bounding_box()
    if box["x"] < 0 or box["x"] + box["width"] > PHONE["width"] + 0.5:
        return [f"{where}: the region menu's current page is at {box['x']:.0f} px, off the screen"]
    return []


def test_the_admin_on_a_phone(browser: Browser, demo_server: DemoServer, tmp_path: Path):
    page = on_a_phone(browser, demo_server, DEMO_ADMIN)
    shots = shots_folder(tmp_path)
    problems = walk(page, demo_server, PAGES + ADMIN_PAGES, shots, "admin")

    # After a boosted step along the region menu, its current page is in view, not off to
    # the right; every menu of the header (region, modules, admin, account) opens inside
    # the screen.
    page.goto("/r/burgos/")
    page.locator(".region-nav a[href='/r/burgos/policy/']").click()  # a boosted page load
    expect(page.locator(".region-nav a[aria-current=page]")).to_have_attribute(
        "href", "/r/burgos/policy/"
    )
    problems += current_page_in_view(page, "policy")
    problems += menus_inside_the_screen(page)
    assert not problems, "\n".join(problems)
    page.context.close()


def test_the_coordinator_on_a_phone(browser: Browser, demo_server: DemoServer, tmp_path: Path):
    page = on_a_phone(browser, demo_server, DEMO_COORDINATOR)
    shots = shots_folder(tmp_path)
    problems = walk(page, demo_server, PAGES, shots, "coordinator")

    # The header is one band in every language, however long its words.
    for language in LANGUAGES:
        page.context.add_cookies([{"name": COOKIE, "value": language, "url": page.url}])
        page.goto("/r/burgos/policy/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        height = page.locator(".site-header").bounding_box()["height"]
        if height > HEADER_MAX_PX:
            problems.append(f"{language}: the header is {height:.0f} px high")
        problems += current_page_in_view(page, language)
        page.screenshot(path=str(shots / f"coordinator-header-{language}.png"))
    assert not problems, "\n".join(problems)
    page.context.close()

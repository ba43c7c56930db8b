"""What people see in a real browser: signing in and out, the region switcher, plugin switches.

Run with ``pytest tests/e2e``; see conftest.py for the live server and the browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from workspace.plugins import host

from .conftest import LiveServer, set_plugin

pytestmark = pytest.mark.e2e

BURGOS = "Castilla y León"
PANNON = "Dél-Dunántúl"
SWITCH = f"Fixture notes for {BURGOS}"

Login = Callable[..., Page]


def set_marker(page: Page) -> None:
    """A value that lives only as long as the document: a full page load loses it."""
    page.evaluate("window.__marker = 1")


def assert_no_full_reload(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page was reloaded, not swapped by htmx"


@pytest.fixture
def burgos_plugin_off(live_server: LiveServer) -> Iterator[None]:
    """The fixture plugin starts switched off in Burgos, and is left off whatever happens."""
    set_plugin(live_server.app, "burgos", "fixture", False)
    yield
    set_plugin(live_server.app, "burgos", "fixture", False)


def test_coordinator_signs_in_and_sees_the_project_overview(
    page: Page, login: Login, base_url: str, live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        installed = len(host().names)  # the fixture plugin and the built-in ones
    login("coord@example.org")

    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("#messages")).to_contain_text("Welcome, Coord.")
    expect(page.get_by_role("heading", level=1, name="InterVentures")).to_be_visible()
    expect(page.get_by_role("heading", name="Regions")).to_be_visible()
    cards = page.locator("a.card-link")
    expect(cards).to_have_count(2)
    burgos_card = cards.filter(has_text=BURGOS)
    expect(burgos_card).to_have_attribute("href", "/r/burgos/")
    expect(burgos_card).to_contain_text("Your region")
    expect(cards.filter(has_text=PANNON)).to_contain_text(
        re.compile(rf"\d of {installed} modules on")
    )


def test_wrong_password_is_refused(page: Page, login: Login, base_url: str) -> None:
    login("coord@example.org", "not the password")

    expect(page.get_by_role("alert")).to_have_text("E-mail or password is incorrect.")
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/login")))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#region-switcher")).to_have_count(0)


def test_region_switcher_changes_region_without_reload(
    page: Page, login: Login, base_url: str
) -> None:
    login("coord@example.org")
    expect(page.get_by_role("heading", level=1, name="InterVentures")).to_be_visible()
    switcher = page.locator("#region-switcher")
    expect(switcher.locator("summary")).to_have_text("Switch region: All regions")
    set_marker(page)

    switcher.locator("summary").click()
    switcher.get_by_role("link", name=BURGOS).click()

    expect(page.get_by_role("heading", level=1, name=BURGOS)).to_be_visible()
    expect(page).to_have_url(f"{base_url}/r/burgos/")
    expect(switcher.locator("summary")).to_have_text(f"Switch region: {BURGOS}")
    expect(page.locator("#region-nav").get_by_role("link", name="Dashboard")).to_be_visible()
    assert_no_full_reload(page)


@pytest.mark.usefixtures("burgos_plugin_off")
def test_coordinator_toggles_a_plugin(page: Page, login: Login) -> None:
    login("coord@example.org")
    page.goto("/r/burgos/")
    region_nav = page.locator("#region-nav")
    notes_link = region_nav.get_by_role("link", name="Notes", exact=True)
    switch = page.get_by_role("switch", name=SWITCH)
    expect(switch).not_to_be_checked()
    expect(region_nav.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(notes_link).to_have_count(0)
    expect(page.locator("#panels")).not_to_contain_text("Fixture panel")
    set_marker(page)

    switch.click()

    expect(notes_link).to_be_visible()
    expect(page.locator("#panels")).to_contain_text(f"Fixture panel for {BURGOS}")
    expect(page.locator("#messages .flash")).to_have_text(
        f"Fixture notes is switched on for {BURGOS}."
    )
    expect(switch).to_be_checked()
    assert_no_full_reload(page)

    notes_link.click()
    expect(page.get_by_role("heading", level=1, name=f"Fixture notes of {BURGOS}")).to_be_visible()
    expect(notes_link).to_have_attribute("aria-current", "page")

    region_nav.get_by_role("link", name="Dashboard").click()
    expect(switch).to_be_checked()
    switch.click()

    expect(notes_link).to_have_count(0)
    expect(page.locator("#messages .flash")).to_have_text(
        f"Fixture notes is switched off for {BURGOS}."
    )
    expect(switch).not_to_be_checked()
    expect(page.locator("#panels")).not_to_contain_text("Fixture panel")
    assert_no_full_reload(page)

    response = page.goto("/r/burgos/fixture/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Not found")).to_be_visible()


def test_stakeholder_sees_modules_but_no_switch(
    page: Page, login: Login, live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        installed = len(host().names)
    login("stake@example.org")
    page.goto("/r/burgos/")

    expect(page.get_by_role("heading", level=1, name=BURGOS)).to_be_visible()
    modules = page.locator("#plugins")
    expect(modules.get_by_role("heading", name="Modules")).to_be_visible()
    expect(modules.get_by_role("listitem")).to_have_count(installed)
    expect(modules.get_by_role("listitem").filter(has_text="Fixture notes")).to_have_count(1)
    expect(page.get_by_role("switch")).to_have_count(0)
    expect(page.locator("#region-nav").get_by_role("link", name="Members")).to_have_count(0)


def test_sign_out_from_the_account_menu(page: Page, login: Login, base_url: str) -> None:
    login("coord@example.org")
    expect(page.get_by_role("heading", level=1, name="InterVentures")).to_be_visible()
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_hidden()

    page.locator("summary", has_text="Account menu").click()
    sign_out.click()

    expect(page).to_have_url(f"{base_url}/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("You are signed out.")
    expect(page.locator("summary", has_text="Account menu")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/login")))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

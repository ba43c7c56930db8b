"""The demo walked in each of the consortium's six languages in a real browser: the
sign-in page's switcher, then a region's dashboard, a document, each module's main page
and form, and an export. On every page the language is the one chosen, nothing spills
sideways out of the window (longer words must not push the header or a table off the
page) and the header stays one band.

Screenshots of every page are written to ``$WORKSPACE_SCREENSHOTS/<language>/`` when
that is set (to look at them), else to the test's own temporary folder. Texts do not
depend on the database, so this runs on SQLite only.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from babel.support import Translations
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from workspace.extensions import db
from workspace.i18n import CORE_CATALOGS, LANGUAGES
from workspace.models import Partner
from workspace.testing import DEMO_PASSWORD, POSTGRES_URL

from .conftest import DemoServer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="texts are the same on every database"),
]

COORDINATOR = "coordinator@ceei.example"  # Lucía García, CEEI-Burgos, Castilla y León
PAGES = (
    ("dashboard", "/r/burgos/"),
    ("document", "/docs/{document}"),
    ("meetings", "/r/burgos/minutes/"),
    ("meeting-form", "/r/burgos/minutes/new"),
    ("practices", "/r/burgos/portfolio/"),
    ("practice-form", "/r/burgos/portfolio/new"),
    ("action-plans", "/r/burgos/action_plans/"),
    ("action-plan-form", "/r/burgos/action_plans/new"),
    ("budget", "/p/budget/partners/{partner}"),
    ("partner-reports", "/r/burgos/reports/"),
    ("partner-report", "/p/reports/{partner}/P1"),
    ("indicators", "/p/reports/indicators"),
    ("policy", "/r/burgos/policy/"),
    ("account", "/account"),
)
PHONE_PAGES = ("dashboard", "budget", "indicators")


def said(language: str, text: str) -> str:
    return Translations.load(str(CORE_CATALOGS), [language]).gettext(text)


def spills_sideways(page: Page) -> int:
    """How many pixels the page is wider than the window (0: none)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def shots_folder(tmp_path: Path, language: str) -> Path:
    folder = Path(os.environ.get("WORKSPACE_SCREENSHOTS") or tmp_path) / language
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_demo_walks_in_each_language(
    browser: Browser, demo_server: DemoServer, language: str, tmp_path: Path
):
    with demo_server.app.app_context():
        partner = db.session.scalar(select(Partner.id).where(Partner.short_name == "CEEI-Burgos"))
        db.session.remove()
    values = {"document": demo_server.document_id, "partner": partner}
    shots = shots_folder(tmp_path, language)
    context = browser.new_context(base_url=demo_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()

    # Before signing in: the switcher, each language named in itself.
    page.goto("/login")
    if language != "en":
        switcher = page.get_by_role("navigation", name="Language")
        switcher.get_by_role("button", name=LANGUAGES[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(said(language, "Sign in"))
    page.screenshot(path=str(shots / "sign-in.png"), full_page=True)
    page.locator("#email").fill(COORDINATOR)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("#messages")).to_be_visible()

    problems = []
    for name, path in PAGES:
        response = page.goto(path.format(**values))
        assert response.ok, f"{name}: {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        header = page.locator(".site-header").bounding_box()
        if header["height"] > 140:
            problems.append(f"{name}: the header is {header['height']:.0f} px high")
        if (extra := spills_sideways(page)) > 0:
            problems.append(f"{name}: {extra} px wider than the window")
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    # On a phone, the pages with the widest tables.
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in PAGES:
        if name in PHONE_PAGES:
            page.goto(path.format(**values))
            if (extra := spills_sideways(page)) > 0:
                problems.append(f"{name} on a phone: {extra} px wider than the window")
            page.screenshot(path=str(shots / f"{name}-phone.png"), full_page=True)
    assert not problems, "\n".join(problems)

    # An export in the reader's language: the indicators workbook's headings.
    download = page.request.get("/p/reports/indicators.xlsx")
    assert download.ok
    sheet = load_workbook(io.BytesIO(download.body())).worksheets[0]
    headings = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert headings and all(headings)
    context.close()

"""Printing (static/css/print.css): a partner who presses Ctrl+P on a document, a
meeting's minutes, a good practice or an action plan gets its content, not the app.

Each page is read as print media by the region's coordinator, who sees every edit
control on screen: the header, the region menu, forms and buttons are gone, the title
and content are there, and Chromium's PDF of the page holds the content's text and
none of the app's. The PDFs are written to ``$WORKSPACE_SCREENSHOTS/print/`` when that
is set (to look at them), else to the test's own temporary folder.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from pypdf import PdfReader
from sqlalchemy import select

from plugins.action_plans.models import Plan
from plugins.minutes.models import Meeting
from plugins.portfolio.models import Practice
from workspace.extensions import db

from .conftest import DEMO_COORDINATOR, DemoServer, demo_person

pytestmark = pytest.mark.e2e

MEETING = "Online partner meeting: good practices"
PRACTICE = "CAST"
PLAN = "Operational Programme ERDF Castilla y León 2014-2020, axis 3"

# (name, address, a text of the content, texts of the app that must not print)
PAGES = (
    (
        "document",
        "/docs/{document}",
        "Round 1: workshop at CEEI-Burgos",
        # a comment of the demo's week, the comment box and the upload form
        ("I added the 14 stakeholders", "Markdown welcome", "Attach a file"),
    ),
    (
        "minutes",
        "/r/burgos/minutes/meetings/{meeting}",
        "Hosted online by CEEI-Burgos",
        ("Add to calendar", "Add an agenda item", "Invite the whole group"),
    ),
    (
        "practice",
        "/r/burgos/portfolio/{practice}",
        "Coaching and accompaniment for small firms",
        ("Move to trash", "Rate it in the transfer matrix", "Add a meeting"),
    ),
    (
        "action-plan",
        "/r/burgos/action_plans/{plan}",
        "Science and business meetings in the province",
        ("Review and endorsement", "Add action", "Write the texts"),
    ),
)
APP = ("Skip to content", "Search", "Inbox", "Dashboard")


def pdf_text(path: Path) -> str:
    """The PDF's text with its line breaks as single spaces and its ligatures as letters
    ("ﬁ" as "fi")."""
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def test_pages_print_their_content_not_the_app(
    browser: Browser, demo_server: DemoServer, tmp_path: Path
):
    with demo_server.app.app_context():
        ids = {
            "document": demo_server.document_id,
            "meeting": db.session.scalar(select(Meeting.id).where(Meeting.title == MEETING)),
            "practice": db.session.scalar(select(Practice.id).where(Practice.title == PRACTICE)),
            "plan": db.session.scalar(select(Plan.id).where(Plan.instrument_name == PLAN)),
        }
        db.session.remove()
    folder = Path(os.environ.get("WORKSPACE_SCREENSHOTS") or tmp_path) / "print"
    folder.mkdir(parents=True, exist_ok=True)
    page = demo_person(browser, demo_server, DEMO_COORDINATOR)
    page.emulate_media(media="print")

    for name, address, content, app_texts in PAGES:
        assert page.goto(address.format(**ids)).ok, name
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator(".region-nav")).to_be_hidden()
        expect(page.locator("main :is(form, button, [role=button]):visible")).to_have_count(0)
        title = page.locator(".page-head h1")
        expect(title).to_be_visible()
        expect(page.locator("main").get_by_text(content)).to_be_visible()

        pdf = folder / f"{name}.pdf"
        page.pdf(path=str(pdf), format="A4")
        text = pdf_text(pdf)
        assert " ".join(title.inner_text().split()) in text, name
        assert content in text, name
        printed = [t for t in (*APP, *app_texts) if t in text]
        assert not printed, f"{name} prints {printed}"

    # An address outside the workspace prints after its link's text, once.
    assert "(https://meet.example.org/interventures-2020-04-15)" in pdf_text(folder / "minutes.pdf")
    assert pdf_text(folder / "practice.pdf").count("https://www.ceeiburgos.es") == 1
    page.context.close()

"""Shared documents in a real browser: two people editing at once, the live preview, Ctrl+S.

Every test writes its own document through the UI, so the tests do not depend on each other.
Run with ``pytest tests/e2e``; see conftest.py for the live server and the browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

BURGOS = "Castilla y León"
BODY = [f"line {n}" for n in range(1, 11)]

Login = Callable[..., Page]


def body_field(page: Page) -> Locator:
    return page.get_by_label("Text (Markdown)")


def document_text(page: Page) -> Locator:
    return page.locator("article.document-body")


def status_message(page: Page) -> Locator:
    return page.locator("#messages .flash")


def create_document(page: Page, title: str) -> int:
    """Write a ten-line document in Burgos through /docs/new; return its id."""
    page.goto("/docs/new")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Where").select_option(label=BURGOS)
    body_field(page).fill("\n".join(BODY))
    page.get_by_role("button", name="Create document").click()

    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(status_message(page)).to_have_text(f"“{title}” is created.")
    expect(page).to_have_url(re.compile(r"/docs/\d+$"))
    match = re.search(r"/docs/(\d+)$", page.url)
    assert match is not None
    return int(match.group(1))


def open_editor(page: Page, document_id: int, title: str) -> Locator:
    page.goto(f"/docs/{document_id}/edit")
    expect(page.get_by_role("heading", level=1, name="Edit")).to_be_visible()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    field = body_field(page)
    expect(field).to_have_value("\n".join(BODY))
    return field


def replace_line(field: Locator, number: int, *lines: str) -> None:
    """Put ``lines`` in place of line ``number`` (1-based) of the textarea's text."""
    text = field.input_value().split("\n")
    text[number - 1 : number] = list(lines)
    field.fill("\n".join(text))


@pytest.fixture
def second_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A second person's browser: its own context, so its own session cookie."""
    context = browser.new_context(base_url=base_url)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_two_editors_change_different_lines_and_both_changes_are_kept(
    page: Page, second_page: Page, login: Login
) -> None:
    title = "Regional action plan, merge"
    login("editor@example.org")
    expect(page.locator("#messages")).to_contain_text("Welcome, Editor.")
    document_id = create_document(page, title)
    sign_in(second_page, "coord@example.org")

    editor_field = open_editor(page, document_id, title)
    coord_field = open_editor(second_page, document_id, title)

    replace_line(coord_field, 9, "line 9 rewritten by the coordinator")
    second_page.get_by_role("button", name="Save").click()
    expect(status_message(second_page)).to_have_text("Saved as revision 2.")

    replace_line(editor_field, 2, "line 2 rewritten by the editor")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/docs/{document_id}$"))
    expect(status_message(page)).to_contain_text("merged with the changes of")
    expect(status_message(page)).to_have_text(
        "Saved as revision 3, merged with the changes of Coord."
    )
    expect(page.get_by_text("Revision 3 ·")).to_contain_text("by Editor")
    body = document_text(page)
    expect(body).to_contain_text("line 2 rewritten by the editor")
    expect(body).to_contain_text("line 9 rewritten by the coordinator")
    expect(body).to_contain_text("line 1 line 2 rewritten by the editor line 3")
    expect(body).to_contain_text("line 8 line 9 rewritten by the coordinator line 10")

    second_page.reload()
    expect(document_text(second_page)).to_contain_text("line 2 rewritten by the editor")
    expect(document_text(second_page)).to_contain_text("line 9 rewritten by the coordinator")


def test_conflicting_edits_keep_the_users_text_until_they_combine_it(
    page: Page, second_page: Page, login: Login
) -> None:
    title = "Regional action plan, conflict"
    theirs = "line 5 as the coordinator wrote it"
    mine = "line 5 as the editor wrote it"
    login("editor@example.org")
    expect(page.locator("#messages")).to_contain_text("Welcome, Editor.")
    document_id = create_document(page, title)
    sign_in(second_page, "coord@example.org")

    editor_field = open_editor(page, document_id, title)
    coord_field = open_editor(second_page, document_id, title)

    replace_line(coord_field, 5, theirs)
    second_page.get_by_role("button", name="Save").click()
    expect(status_message(second_page)).to_have_text("Saved as revision 2.")

    replace_line(editor_field, 5, mine)
    my_text = editor_field.input_value()
    page.get_by_role("button", name="Save").click()

    conflict = page.locator("article.conflict")
    expect(conflict).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Coord changed the same part while you were writing."
    )
    expect(page.get_by_role("heading", level=1, name="Edit")).to_be_visible()
    # The editor's text is untouched in the form, and the coordinator's line is shown.
    expect(body_field(page)).to_have_value(my_text)
    expect(conflict.locator(".conflict-pair pre").first).to_have_text(theirs)
    expect(conflict.locator(".conflict-pair pre").last).to_have_text(mine)
    expect(status_message(page)).to_have_count(0)

    replace_line(body_field(page), 5, theirs, mine)
    combined = body_field(page).input_value()
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/docs/{document_id}$"))
    expect(status_message(page)).to_have_text("Saved as revision 3.")
    body = document_text(page)
    expect(body).to_contain_text(" ".join(combined.split("\n")))
    expect(body).to_contain_text(f"line 4 {theirs} {mine} line 6")

    page.goto(f"/docs/{document_id}/edit")
    expect(body_field(page)).to_have_value(combined)


def test_live_preview_renders_markdown_while_typing(page: Page, login: Login) -> None:
    login("editor@example.org")
    expect(page.locator("#messages")).to_contain_text("Welcome, Editor.")
    page.goto("/docs/new")
    preview = page.locator("#preview")
    expect(preview.locator("strong")).to_have_count(0)

    body_field(page).press_sequentially("Some **bold** words")

    expect(preview.locator("strong")).to_have_count(1)
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview).to_contain_text("Some bold words")
    expect(preview).not_to_contain_text("**")


def test_control_s_saves_the_document(page: Page, login: Login) -> None:
    title = "Regional action plan, keyboard"
    login("editor@example.org")
    expect(page.locator("#messages")).to_contain_text("Welcome, Editor.")
    document_id = create_document(page, title)
    field = open_editor(page, document_id, title)

    replace_line(field, 10, "line 10, saved from the keyboard")
    field.press("Control+S")

    expect(page).to_have_url(re.compile(rf"/docs/{document_id}$"))
    expect(status_message(page)).to_contain_text("Saved as revision")
    expect(status_message(page)).to_have_text("Saved as revision 2.")
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(document_text(page)).to_contain_text("line 9 line 10, saved from the keyboard")

import pytest
from playwright.sync_api import expect
from .test_documents_browser import create_document, open_editor, replace_line, sign_in, body_field, status_message

pytestmark = pytest.mark.e2e

def test_conflict_leave(page, browser, base_url, login):
    login("editor@example.org")
    expect(page.locator("#messages")).to_contain_text("Welcome")
    doc = create_document(page, "scratch")
    other = browser.new_context(base_url=base_url).new_page()
    sign_in(other, "coord@example.org")
    f = open_editor(page, doc, "scratch"); g = open_editor(other, doc, "scratch")
    replace_line(g, 5, "theirs"); other.get_by_role("button", name="Save").click()
    expect(status_message(other)).to_have_text("Saved as revision 2.")
    replace_line(f, 5, "mine"); page.get_by_role("button", name="Save").click()
    expect(page.locator("article.conflict")).to_be_visible()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_load_state()
    print("AFTER CONFLICT LEAVE url", page.url, "dialogs", dialogs)

def test_double_ctrl_s(page, login):
    login("editor@example.org")
    expect(page.locator("#messages")).to_contain_text("Welcome")
    doc = create_document(page, "scratch2")
    f = open_editor(page, doc, "scratch2")
    replace_line(f, 1, "changed")
    page.keyboard.down("Control")
    page.keyboard.down("s"); page.keyboard.down("s"); page.keyboard.up("s")
    page.keyboard.up("Control")
    expect(page).to_have_url(f"{page.url.split('/docs')[0]}/docs/{doc}")
    page.wait_for_load_state()
    print("DOUBLE", page.locator("#messages").inner_text())

"""Keyboard paths: each module's main task done with the keyboard alone (WCAG 2.1.1).

The tests press only Tab, Shift+Tab, Enter and Escape, type text and answer the browser's
own confirm; they never click, fill or focus an element. ``tab_to`` is where a control that
cannot be reached by Tab fails the test, and every control the focus passes on the way must
show a focus ring (WCAG 2.4.7). Each page is entered through its skip link.
Run with ``pytest tests/e2e/test_keyboard.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, StorageState, expect

from tests.e2e.conftest import DEMO_ADMIN, DEMO_COORDINATOR, DemoServer, demo_person

pytestmark = pytest.mark.e2e

# More than the longest tab path of any page the tests walk (the header has about ten stops).
MAX_PRESSES = 80

# Functions run in the page about document.activeElement: what it is, in words, and
# whether it shows a focus ring: an outline or a box-shadow that is drawn (not none, not
# transparent, neither blur nor spread zero). Pico draws some rings as a box-shadow that
# fades in: those are read once their transitions have run.
FOCUS_JS = """
const describe = () => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing (the page body)";
  const label = el.labels && el.labels.length ? ` labelled “${el.labels[0].innerText.trim()}”` : "";
  const name = (el.getAttribute("aria-label") || el.innerText || el.value || "")
    .replace(/\\s+/g, " ").trim();
  const role = el.getAttribute("role") || el.getAttribute("type") || "";
  return `<${el.tagName.toLowerCase()}${role ? " " + role : ""}> “${name.slice(0, 60)}”${label}`;
};
const ring = async () => {
  const el = document.activeElement;
  if (!el || el === document.body) return { ring: true };
  // Between the parts of a date or time field, Chromium takes a frame to match the focus
  // again; on the field's calendar button the field matches only :focus-within.
  for (let frame = 0; frame < 5 && !el.matches(":focus-within"); frame++) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  const COLOUR = /rgba?\\([^)]*\\)/;
  const drawn = (colour) => colour !== "transparent" && !/rgba\\([^)]*,\\s*0\\)/.test(colour);
  let style = getComputedStyle(el);
  const outline = () => style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && drawn(style.outlineColor);
  if (!outline()) {
    await Promise.all(el.getAnimations().map((a) => a.finished.catch(() => null)));
    style = getComputedStyle(el);
  }
  const shadows = style.boxShadow === "none" ? [] : style.boxShadow.split(/,(?![^(]*\\))/);
  const shadow = shadows.some((each) => {
    const colour = each.match(COLOUR);
    const [, , blur, spread] = each.replace(COLOUR, "").trim().split(/\\s+/).map(parseFloat);
    return colour && drawn(colour[0]) && (blur > 0 || spread > 0);
  });
  return {
    ring: el.matches(":focus-visible, :focus-within") && (outline() || shadow),
    style: `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}, `
      + `box-shadow ${style.boxShadow}`,
  };
};
"""
# After a key press: is the focus on one of the target's elements, where is it, its ring.
FOCUS_ON_TARGET = f"""async (targets) => {{
  {FOCUS_JS}
  return {{ hit: targets.includes(document.activeElement), focus: describe(), ring: await ring() }};
}}"""
FOCUS_NOW = f"""async () => {{
  {FOCUS_JS}
  return {{ focus: describe(), ring: await ring() }};
}}"""


def focused(page: Page) -> str:
    return page.evaluate(FOCUS_NOW)["focus"]


def check_ring(now: dict) -> None:
    """The focused control shows where the keyboard is (WCAG 2.4.7)."""
    ring = now["ring"]
    assert ring["ring"], f"{now['focus']} has the focus but no visible focus ring: {ring['style']}"


def assert_focus_ring(page: Page) -> None:
    check_ring(page.evaluate(FOCUS_NOW))


def tab_to(page: Page, target: Locator, *, back: bool = False) -> None:
    """Press Tab (Shift+Tab with ``back``) until ``target`` has the focus; every control
    the focus passes on the way must show a focus ring.

    Fails after MAX_PRESSES, naming the target and the last stops of the focus: the
    control cannot be reached by keyboard."""
    key = "Shift+Tab" if back else "Tab"
    seen = []
    for _press in range(MAX_PRESSES):
        page.keyboard.press(key)
        now = target.evaluate_all(FOCUS_ON_TARGET)
        check_ring(now)
        if now["hit"]:
            return
        seen.append(now["focus"])
    trail = "\n  ".join(seen[-12:])
    pytest.fail(
        f"{key} did not reach {target} in {MAX_PRESSES} presses on {page.url}: it cannot be "
        f"reached by keyboard. The last stops of the focus were:\n  {trail}",
        pytrace=False,
    )


def skip_to_content(page: Page) -> None:
    """The first Tab on a page reaches the skip link; Enter moves the focus to the content,
    so the next Tab goes past the header menus."""
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def tab_and_type(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def messages(page: Page) -> Locator:
    return page.locator("#messages")


@pytest.fixture(scope="module")
def signed_in(browser: Browser, demo_server: DemoServer) -> dict[str, StorageState]:
    """Each person signs in once (through the login form); every test then starts a
    fresh browser context holding that session's cookie."""
    states = {}
    for email in (DEMO_ADMIN, DEMO_COORDINATOR):
        page = demo_person(browser, demo_server, email)
        states[email] = page.context.storage_state()
        page.context.close()
    return states


def person_page(browser: Browser, demo_server: DemoServer, state: StorageState) -> Iterator[Page]:
    context = browser.new_context(base_url=demo_server.url, storage_state=state)
    yield context.new_page()
    context.close()


@pytest.fixture
def admin(browser: Browser, demo_server: DemoServer, signed_in) -> Iterator[Page]:
    yield from person_page(browser, demo_server, signed_in[DEMO_ADMIN])


@pytest.fixture
def coordinator(browser: Browser, demo_server: DemoServer, signed_in) -> Iterator[Page]:
    yield from person_page(browser, demo_server, signed_in[DEMO_COORDINATOR])


# ---------------------------------------------------------------- the core


def test_skip_link_then_a_new_document_by_keyboard(coordinator: Page) -> None:
    page = coordinator
    page.goto("/docs/new")

    skip_to_content(page)

    title = "Keyboard notes from the Burgos workshop"
    tab_and_type(page, page.get_by_label("Title", exact=True), title)
    tab_and_type(page, page.get_by_label("Where"), "Castilla")
    tab_and_type(page, page.get_by_label("Text (Markdown)"), "# Workshop\n\nWritten *by keyboard*.")
    tab_to(page, page.get_by_role("button", name="Create document"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(messages(page)).to_contain_text(f"“{title}” is created.")
    expect(page.locator("article.document-body em")).to_have_text("by keyboard")


def test_region_switcher_opens_and_navigates_by_keyboard(coordinator: Page) -> None:
    page = coordinator
    page.goto("/")
    switcher = page.locator("#region-switcher")
    summary = switcher.locator("summary")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(switcher).to_have_attribute("open", "")

    # Escape closes the menu and leaves the focus on it; tabbing out closes it too.
    page.keyboard.press("Escape")
    expect(switcher).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(switcher).to_have_attribute("open", "")
    page.keyboard.press("Shift+Tab")
    expect(switcher).not_to_have_attribute("open", "")

    page.keyboard.press("Tab")
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    lombardia = switcher.get_by_role("link", name="Lombardia")
    tab_to(page, lombardia)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/r/lombardy/?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lombardia")
    expect(page.locator("#region-switcher summary")).to_contain_text("Lombardia")


# ---------------------------------------------------------------- the modules


def test_plan_a_meeting_and_add_to_its_agenda_by_keyboard(coordinator: Page) -> None:
    page = coordinator
    page.goto("/r/burgos/minutes/")
    skip_to_content(page)
    tab_to(page, page.get_by_role("button", name="New meeting"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="New meeting")).to_be_visible()
    skip_to_content(page)

    title = "Stakeholder meeting planned by keyboard"
    tab_and_type(page, page.get_by_label("Title"), title)
    tab_and_type(page, page.get_by_label("Kind"), "Stakeholder")
    tab_and_type(page, page.get_by_label("Time zone"), "Europe/Madrid")
    tab_and_type(page, page.get_by_label("Date"), "2031-04-15")
    tab_and_type(page, page.get_by_label("Starts"), "1000AM")
    tab_and_type(page, page.get_by_label("Ends"), "1130AM")
    tab_to(page, page.get_by_role("button", name="Plan the meeting"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(messages(page)).to_contain_text("is planned")
    expect(page.get_by_text("10:00–11:30")).to_be_visible()
    skip_to_content(page)

    add = page.locator("form.add-agenda-item")
    tab_and_type(page, add.get_by_label("Agenda item"), "Regional good practices")
    tab_and_type(page, add.get_by_label("Length (minutes)"), "45")
    tab_to(page, add.get_by_role("button", name="Add to the agenda"))
    page.keyboard.press("Enter")
    expect(page.locator(".agenda-item").last).to_contain_text("Regional good practices")
    # The agenda is swapped in place; the keyboard stays on the button, ready for the next.
    expect(add.get_by_role("button", name="Add to the agenda")).to_be_focused()

    # An action item on that agenda item: back up to its "Add an outcome" and open it.
    item = page.locator(".agenda-item", has_text="Regional good practices")
    tab_to(page, item.locator("summary", has_text="Add an outcome"), back=True)
    page.keyboard.press("Enter")
    tab_and_type(page, item.get_by_label("Type"), "Action")
    tab_and_type(page, item.get_by_label("Owner"), "Luc")
    tab_and_type(page, item.get_by_label("Due date"), "2031-05-15")
    tab_and_type(page, item.get_by_label("What"), "Send the practice sheets to the partners")
    tab_to(page, item.get_by_role("button", name="Add the outcome"))
    page.keyboard.press("Enter")
    expect(item).to_contain_text("Send the practice sheets to the partners")
    expect(item).to_contain_text("Lucía García")
    expect(item.get_by_role("button", name="Add the outcome")).to_be_focused()

    # Removing it takes its button away: the focus goes to the agenda, not to the page top.
    page.once("dialog", lambda dialog: dialog.accept())  # "Remove this outcome?"
    tab_to(page, item.get_by_role("button", name=re.compile("^Remove the outcome")), back=True)
    page.keyboard.press("Enter")
    expect(item).not_to_contain_text("Send the practice sheets to the partners")
    expect(page.locator("#agenda")).to_be_focused()
    assert_focus_ring(page)


def test_a_new_good_practice_by_keyboard(coordinator: Page) -> None:
    page = coordinator
    page.goto("/r/burgos/portfolio/")
    skip_to_content(page)
    tab_to(page, page.get_by_role("button", name="New practice"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="New good practice")).to_be_visible()
    skip_to_content(page)

    title = "Export vouchers described by keyboard"
    tab_and_type(page, page.get_by_label("Title"), title)
    tab_and_type(page, page.get_by_label("Main institution"), "CEEI-Burgos")
    tab_and_type(page, page.get_by_label("Country"), "ES")
    tab_and_type(page, page.get_by_label("Short summary"), "Small grants for a first export fair.")
    tab_and_type(page, page.get_by_label("Topic"), "SME")
    tab_to(page, page.get_by_role("button", name="Save as draft"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(messages(page)).to_contain_text(f"“{title}” is saved as a draft.")
    expect(page.get_by_text("SME competitiveness")).to_be_visible()


def test_edit_an_action_of_a_plan_by_keyboard(coordinator: Page) -> None:
    page = coordinator
    page.goto("/r/burgos/action_plans/")
    skip_to_content(page)
    tab_to(page, page.get_by_role("link", name=re.compile("^Operational Programme ERDF Castilla")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Castilla")
    skip_to_content(page)

    tab_to(page, page.get_by_role("button", name="Timeframe, costs, funding").first)
    page.keyboard.press("Enter")
    funding = page.get_by_label("Funding sources")
    expect(funding).to_be_visible()
    skip_to_content(page)
    tab_to(page, funding)
    page.keyboard.type("ERDF and the regional budget (keyboard)")  # Tab selects the old text
    tab_to(page, page.get_by_role("button", name="Save", exact=True))
    page.keyboard.press("Enter")

    expect(messages(page)).to_contain_text(re.compile(r"Action \d+ saved\."))
    expect(page.get_by_text("ERDF and the regional budget (keyboard)")).to_be_visible()


def test_record_an_expenditure_line_by_keyboard(coordinator: Page) -> None:
    page = coordinator
    page.goto("/p/budget/")
    skip_to_content(page)
    tab_to(page, page.get_by_role("link", name="CEEI-Burgos", exact=True))
    page.keyboard.press("Enter")
    form = page.locator("#record-form")
    expect(form).to_be_visible()
    skip_to_content(page)

    tab_and_type(page, form.get_by_label("Category"), "Travel")
    tab_and_type(page, form.get_by_label("Description"), "Train to the Lombardia visit (keyboard)")
    tab_and_type(page, form.get_by_label("Invoice number"), "KB-2020-17")
    tab_and_type(page, form.get_by_label("Invoice date"), "09012020")  # mm dd yyyy: en-US
    tab_and_type(page, form.get_by_label("Payment date"), "09102020")
    tab_and_type(page, form.get_by_label("Amount (net)"), "212.40")
    tab_to(page, form.get_by_role("button", name="Save the line"))
    page.keyboard.press("Enter")

    expect(messages(page)).to_contain_text("Recorded EUR 212.40 for “Train to the Lombardia visit")
    expect(page.locator("#budget-lines")).to_contain_text("KB-2020-17")
    # The form is swapped in place; the keyboard stays on its button, ready for the next line.
    expect(form.get_by_role("button", name="Save the line")).to_be_focused()


def test_log_a_media_appearance_by_keyboard(coordinator: Page) -> None:
    page = coordinator
    page.goto("/p/reports/media")
    skip_to_content(page)
    log = page.locator("form", has=page.get_by_role("button", name="Log it"))
    tab_and_type(page, log.get_by_label("Partner"), "CEEI")
    tab_and_type(page, log.get_by_label("Day"), "2021-03-10")
    tab_and_type(page, log.get_by_label("Kind"), "Online")
    tab_and_type(page, log.get_by_label("Outlet"), "Diario de Burgos")
    title = "Burgos firms look to Lombardy (keyboard)"
    tab_and_type(page, log.get_by_label("Title or subject"), title)
    tab_to(page, log.get_by_role("button", name="Log it"))
    page.keyboard.press("Enter")

    expect(messages(page)).to_contain_text(f"“{title}” in Diario de Burgos is logged")
    expect(page.locator("table")).to_contain_text(title)


def test_move_a_policy_paper_to_its_next_step_by_keyboard(admin: Page) -> None:
    page = admin
    page.goto("/p/policy/")
    skip_to_content(page)
    tab_to(page, page.locator("#project-paper").get_by_role("link"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Recommendations for the next programming period"
    )
    skip_to_content(page)
    tab_and_type(page, page.get_by_label("Remarks"), "Clear and complete (keyboard).")
    tab_to(page, page.get_by_role("button", name="Mark as reviewed"))
    page.keyboard.press("Enter")

    expect(messages(page)).to_contain_text(
        "Reviewed: the region's coordinators record its endorsement."
    )
    expect(page.get_by_role("button", name="Mark as reviewed")).to_have_count(0)

"""What htmx changes on a page is read out once, and only what changed.

A screen reader reads a live region (``aria-live``, ``role="status"``/``"alert"``) when
its content changes, as long as the region itself stays in the page: so the message
area (#messages) is on every page and a fragment changes only its inside (out of band,
``innerHTML``); a live region is never inside another one (read twice), never replaced
whole by a swap (missed), and never a large container that a swap fills (read whole).
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from sqlalchemy import select

from workspace.api import Partner, db
from workspace.testing import HTMX, new_document, switch_on

BUILT_IN = ["action_plans", "budget", "minutes", "policy", "portfolio", "reports"]
LIVE_ROLES = {"alert", "status", "log", "marquee", "timer"}


def is_live(element) -> bool:
    return element.get("role") in LIVE_ROLES or element.get("aria-live") in {"polite", "assertive"}


def _name(element) -> str:
    shown = " ".join(f'{k}="{v}"' for k, v in element.attrib.items() if not k.startswith("hx-"))
    return f"<{element.tag} {shown}>"


def _tree(page: str):
    return lxml.html.document_fromstring(page)


def live_region_problems(page: str) -> list[str]:
    """What would be read twice, missed or read whole on ``page`` (a full page or a
    fragment): one line per problem."""
    root = _tree(page)
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str) or not is_live(element):
            continue
        outer = next((a for a in element.iterancestors() if is_live(a)), None)
        if outer is not None:
            problems.append(f"{_name(element)} is a live region inside {_name(outer)}")
        oob = element.get("hx-swap-oob")
        if oob is not None and not oob.startswith("innerHTML"):
            problems.append(f"{_name(element)} is replaced whole out of band ({oob})")
    # The element a request's answer replaces must not be a live region, nor hold one
    # that is not an alert: the new one would be missed, or the whole of it read.
    for trigger in root.xpath('//*[@hx-target][@hx-swap="outerHTML"]'):
        target = trigger.get("hx-target")
        if not target.startswith("#"):
            continue
        for swapped in root.xpath("//*[@id=$id]", id=target[1:]):
            inside = [e for e in swapped.iter() if isinstance(e.tag, str) and is_live(e)]
            for region in inside:
                if region.get("role") != "alert":
                    problems.append(f"{_name(region)} is replaced whole by {_name(trigger)}")
    return problems


def message_area(page: str):
    """The page's one message area."""
    (area,) = _tree(page).xpath('//*[@id="messages"]')
    return area


# ------------------------------------------------------------------ the checker itself


@pytest.mark.parametrize(
    ("page", "complaint"),
    [
        (
            '<div id="messages" aria-live="polite"><p role="status">Saved.</p></div>',
            "is a live region inside",
        ),
        ('<div id="messages" aria-live="polite" hx-swap-oob="true"></div>', "replaced whole"),
        (
            '<a hx-get="?when=past" hx-target="#meetings" hx-swap="outerHTML">Past</a>'
            '<section id="meetings" aria-live="polite"><table></table></section>',
            "replaced whole by",
        ),
    ],
)
def test_the_checker_finds_what_would_be_read_twice_missed_or_read_whole(page, complaint):
    problems = live_region_problems(page)
    assert any(complaint in problem for problem in problems), problems


def test_the_checker_passes_a_region_that_stays():
    page = (
        '<div id="messages" aria-live="polite"><p class="flash">Saved.</p></div>'
        '<p id="count" role="status" hx-swap-oob="innerHTML">3 results</p>'
        '<a hx-get="?q=x" hx-target="#results" hx-swap="outerHTML">x</a><ol id="results"></ol>'
    )
    assert live_region_problems(page) == []


# ------------------------------------------------------------------ the pages


@pytest.fixture
def on(app, client, auth, world):
    """Every module on in Burgos, one document, the test world's editor signed in."""
    for plugin in BUILT_IN:
        switch_on(app, "burgos", plugin)
    auth.login(world.editor.email)
    document = new_document(client, title="Notes on vouchers")
    with app.app_context():
        ceei = db.session.scalar(select(Partner.id).where(Partner.short_name == "CEEI-Burgos"))
    return {"document": document, "ceei": ceei}


PAGES = [
    "/",
    "/r/burgos/",
    "/docs/{document}",
    "/docs/{document}/edit",
    "/docs/new",
    "/search?q=vouchers",
    "/inbox",
    "/account",
    "/r/burgos/minutes/",
    "/r/burgos/portfolio/",
    "/p/portfolio/",
    "/r/burgos/action_plans/",
    "/r/burgos/policy/",
    "/p/budget/partners/{ceei}",
]


def test_every_page_has_one_message_area_and_no_live_region_read_twice(client, on):
    # The welcome after signing in is waiting: the first page shows it.
    for number, path in enumerate(PAGES):
        response = client.get(path.format(**on))
        assert response.status_code == 200, path
        area = message_area(response.text)
        assert area.get("aria-live") == "polite", path
        if number == 0:
            assert "Welcome," in area.text_content()
        assert live_region_problems(response.text) == [], path


def oob_messages(fragment: str) -> str:
    """The text a fragment puts into the message area, which must stay in place."""
    assert 'id="messages"' not in fragment
    root = _tree(fragment)
    (carrier,) = root.xpath('//*[@hx-swap-oob="innerHTML:#messages"]')
    return " ".join(carrier.text_content().split())


def test_a_message_comes_into_the_message_area_not_over_it(app, client, auth, world, on):
    auth.logout()
    auth.login(world.coordinator.email)
    client.get("/")  # the welcome is shown
    response = client.post("/r/burgos/plugins/minutes", data={"enabled": "0"}, headers=HTMX)
    assert response.status_code == 200
    assert oob_messages(response.text) == "Meeting minutes is switched off for Castilla y León."
    assert live_region_problems(response.text) == []
    line = {
        "category": "travel",
        "description": "Visit",
        "invoice_date": "2020-09-01",
        "payment_date": "2020-09-10",
        "amount": "12.50",
        "currency": "EUR",
        "rate": "1",
    }
    app.config["BUDGET_TODAY"] = "2020-09-15"
    response = client.post(f"/p/budget/partners/{on['ceei']}/expenditure", data=line, headers=HTMX)
    assert response.status_code == 200, response.text
    assert "Recorded EUR 12.50" in oob_messages(response.text)
    assert live_region_problems(response.text) == []


def test_an_error_answered_to_htmx_fills_the_message_area(client, on):
    response = client.post("/docs/999999/comments", data={"body": "x"}, headers=HTMX)
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert 'id="messages"' not in response.text
    assert "Not found" in response.text
    assert live_region_problems(f'<div aria-live="polite">{response.text}</div>') == []


def test_search_reads_out_the_count_not_the_results(client, on):
    page = client.get("/search?q=vouchers").text
    assert message_area(page) is not None
    (count,) = _tree(page).xpath('//*[@id="results-count"]')
    assert count.get("role") == "status" and count.get("hx-swap-oob") is None
    assert " ".join(count.text_content().split()) == "1 result for “vouchers”"
    fragment = client.get("/search?q=voucher", headers=HTMX).text
    assert "<html" not in fragment and "Notes on vouchers" in fragment
    (count,) = _tree(fragment).xpath('//*[@id="results-count"]')
    assert count.get("hx-swap-oob") == "innerHTML"
    assert " ".join(count.text_content().split()) == "1 result for “voucher”"
    fragment = client.get("/search?q=nothing-like-it", headers=HTMX).text
    assert re.search(r'id="results-count"[^>]*>0 results for “nothing-like-it”<', fragment)
    assert live_region_problems(page) == [] and live_region_problems(fragment) == []


def test_the_portfolio_filter_reads_out_how_many_practices_match(client, on):
    page = client.get("/p/portfolio/").text
    (count,) = _tree(page).xpath('//*[@id="practice-count"]')
    assert count.get("role") == "status" and count.text_content() == "0 practices"
    fragment = client.get("/p/portfolio/?q=export", headers=HTMX).text
    assert "<html" not in fragment
    (count,) = _tree(fragment).xpath('//*[@id="practice-count"]')
    assert count.get("hx-swap-oob") == "innerHTML" and count.text_content() == "0 practices"
    assert live_region_problems(page) == [] and live_region_problems(fragment) == []


def test_the_meeting_tabs_swap_a_plain_section_and_keep_the_focus(client, on):
    fragment = client.get("/r/burgos/minutes/?when=past", headers=HTMX).text
    assert fragment.lstrip().startswith('<section id="meetings">')
    # htmx gives the focus back to an element of the same id after the swap.
    assert 'id="meetings-past"' in fragment and 'id="meetings-upcoming"' in fragment
    assert live_region_problems(fragment) == []


def test_marking_the_inbox_read_is_said_in_the_message_area(app, client, auth, world, on):
    auth.logout()
    auth.login(world.coordinator.email)
    client.post(f"/docs/{on['document']}/comments", data={"body": "Looks good"})
    auth.logout()
    auth.login(world.editor.email)
    client.get("/inbox")  # the welcome is shown
    response = client.post("/inbox/read-all", headers=HTMX)
    assert response.status_code == 200
    assert 'id="inbox-count" hx-swap-oob="true"' in response.text
    assert oob_messages(response.text) == "Everything in your inbox is marked read."
    assert live_region_problems(response.text) == []

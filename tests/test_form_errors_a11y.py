"""A form that comes back with errors tells a screen reader which field is wrong and why.

Every field marked ``aria-invalid="true"`` is described (``aria-describedby``) by the
element that shows its message; every message shown under a field is tied to one; a
message about the whole form (a conflict, a refused sign-in) is announced (``role="alert"``
or inside a live region). ``link_problems`` checks one answer; the tests below apply it to
the core's forms and to each module's main form, as full pages and as the fragments htmx
swaps in place.
"""

from __future__ import annotations

import lxml.html
import pytest
from sqlalchemy import select

from plugins.budget.tests.test_budget_views import LINE
from plugins.portfolio.tests.test_portfolio import approved
from workspace.api import Partner, db
from workspace.testing import HTMX, new_document, switch_on

LIVE_ROLES = {"alert", "status", "log"}


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _name(element) -> str:
    shown = " ".join(f'{key}="{value}"' for key, value in element.attrib.items() if key != "class")
    return f"<{element.tag} {shown}>"


def _announced(element) -> bool:
    """Whether a message appearing in ``element`` is read out without the user moving."""
    for node in [element, *element.iterancestors()]:
        if node.get("role") in LIVE_ROLES or node.get("aria-live") in {"polite", "assertive"}:
            return True
    return False


def link_problems(page: str) -> list[str]:
    """What a screen reader user would miss about the errors on ``page`` (a full page or
    a fragment): one line per problem, none when every message is tied or announced."""
    root = lxml.html.document_fromstring(page)
    by_id: dict[str, list] = {}
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("id"):
            by_id.setdefault(element.get("id"), []).append(element)
    problems = []
    for element in root.xpath("//*[@aria-describedby]"):
        for target in element.get("aria-describedby").split():
            if target not in by_id:
                problems.append(f"{_name(element)} points at #{target}, which is not there")
            elif len(by_id[target]) > 1:
                problems.append(f"{_name(element)} points at #{target}, which is not unique")
    tied = set()
    for element in root.xpath('//*[@aria-invalid="true"]'):
        targets = (element.get("aria-describedby") or "").split()
        messages = [
            by_id[t][0] for t in targets if t in by_id and "field-error" in _classes(by_id[t][0])
        ]
        if not messages:
            problems.append(f"{_name(element)} is marked invalid but not described by a message")
        elif not any(_text(message) for message in messages):
            problems.append(f"{_name(element)} is described by an empty message")
        tied.update(id(message) for message in messages)
    for message in root.xpath('//*[contains(concat(" ", @class, " "), " field-error ")]'):
        if id(message) not in tied:
            problems.append(f"the message “{_text(message)}” is tied to no invalid field")
    for message in root.xpath('//*[contains(concat(" ", @class, " "), " flash-error ")]'):
        if not _announced(message):
            problems.append(f"the message “{_text(message)}” is not announced")
    return problems


def described_as(page: str, field_id: str) -> str:
    """The description a screen reader reads for the field ``field_id`` of ``page``."""
    root = lxml.html.document_fromstring(page)
    (field,) = root.xpath("//*[@id=$id]", id=field_id)
    targets = (field.get("aria-describedby") or "").split()
    return " ".join(_text(root.xpath("//*[@id=$id]", id=t)[0]) for t in targets)


# ------------------------------------------------------------------ the checker itself


TIED = """<form><p class="flash flash-error" role="alert">Nothing was saved.</p>
<label for="title">Title <input id="title" aria-invalid="true" aria-describedby="title-msg">
<small id="title-msg" class="field-error">Give it a title.</small></label></form>"""


@pytest.mark.parametrize(
    ("page", "complaint"),
    [
        (
            '<input id="t" aria-invalid="true"><small class="field-error">Give it a title.</small>',
            "not described by a message",
        ),
        (
            '<input id="t" aria-invalid="true" aria-describedby="t-msg">'
            '<small id="t-help">Give it a title.</small>',
            "#t-msg, which is not there",
        ),
        (
            '<input id="t" aria-invalid="true" aria-describedby="t-help">'
            '<small id="t-help">A short title.</small>',
            "not described by a message",
        ),
        (
            '<input id="t"><small id="t-msg" class="field-error">Give it a title.</small>',
            "“Give it a title.” is tied to no invalid field",
        ),
        (
            '<input id="t" aria-invalid="true" aria-describedby="t-msg">'
            '<small id="t-msg" class="field-error"> </small>',
            "described by an empty message",
        ),
        ('<p class="flash flash-error">Nothing was saved.</p>', "is not announced"),
    ],
)
def test_the_checker_finds_an_error_a_screen_reader_would_miss(page, complaint):
    problems = link_problems(page)
    assert any(complaint in problem for problem in problems), problems


def test_the_checker_passes_tied_messages():
    assert link_problems(TIED) == []
    assert described_as(TIED, "title") == "Give it a title."
    assert link_problems(f'<div id="messages" aria-live="polite">{TIED}</div>') == []


# ------------------------------------------------------------------ the forms

BUILT_IN = ["action_plans", "budget", "minutes", "policy", "portfolio", "reports"]
PLAN = {"instrument_name": "ROP Castilla y León", "instrument_kind": "igj", "language": "Spanish"}


def _created(response) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1].split("#")[0])


@pytest.fixture
def on(app, client, auth, world):
    """Every module on in Burgos, a document and an action plan with one action there,
    the test world's editor signed in; the addresses the cases below need."""
    for plugin in BUILT_IN:
        switch_on(app, "burgos", plugin)
    auth.login(world.editor.email)
    with app.app_context():
        ceei = db.session.scalar(select(Partner.id).where(Partner.short_name == "CEEI-Burgos"))
    document = new_document(client)
    plan = _created(client.post("/r/burgos/action_plans/new", data=PLAN))
    response = client.post(f"/r/burgos/action_plans/{plan}/actions", data={"title": "Vouchers"})
    assert response.status_code == 303, response.text
    action = int(response.headers["Location"].rsplit("#action-", 1)[1])
    return {
        "document": f"/docs/{document}/edit",
        "action": f"/r/burgos/action_plans/{plan}/actions/{action}/edit",
        "expenditure": f"/p/budget/partners/{ceei}/expenditure",
        "ceei": ceei,
    }


def announced(page: str) -> str:
    """The text of every element a screen reader reads out as it appears."""
    root = lxml.html.document_fromstring(page)
    found = root.xpath("//*[@role][@role!='switch'] | //*[@aria-live]")
    return " | ".join(_text(element) for element in found if _announced(element))


# Each case: who signs in, the address, what is sent (htmx or a plain post), and what
# a screen reader must then read: {field id: texts its description holds}, or under
# None the texts announced about the whole form.
CASES = {
    "new document": (
        "editor", "/docs/new", {"title": " ", "body": "x", "region_id": "0"}, False,
        {"title": ["This field is required."]},
    ),
    "new document, text too long": (
        "editor", "/docs/new", {"title": "Notes", "body": "x" * 500_001, "region_id": "0"}, False,
        {"body": ["The text is too long", "Markdown: # headings"]},
    ),
    "document edit": (
        "editor", "{document}", {"title": "", "body": "Two.", "base": "1"}, False,
        {"title": ["This field is required."]},
    ),
    "account settings": (
        "editor", "/account", {"language": "xx"}, False,
        {"language": ["Not a valid choice", "Pages, e-mails and notifications are written"]},
    ),
    "change password": (
        "editor", "/account/password", {"current": "wrong", "password": "short", "confirm": "x"},
        False, {"password": ["characters"]},
    ),
    "sign-in, nothing typed": (
        "nobody", "/login", {"email": "", "password": "x"}, False,
        {"email": ["This field is required."]},
    ),
    "sign-in, wrong password": (
        "nobody", "/login", {"email": "editor@example.org", "password": "wrong"}, False,
        {None: ["E-mail or password is incorrect."]},
    ),
    "admin: new user": (
        "admin", "/admin/users/new", {"email": "not an address", "name": ""}, False,
        {"email": ["e-mail"], "name": ["This field is required."]},
    ),
    "minutes: new meeting": (
        "editor", "/r/burgos/minutes/new", {"title": "  ", "day": "15/04/30"}, False,
        {"title": ["Give the meeting a title."], "day": ["2022-03-15"]},
    ),
    "portfolio: new practice": (
        "editor", "/r/burgos/portfolio/new", {"title": "x", "starts_on": "March 2020"}, False,
        {"starts_on": ["2022-03-15"]},
    ),
    "portfolio: new analysis": (
        "admin", "/p/portfolio/analyses/new", {"title": "", "region_id": "0"}, False,
        {"title": ["Give the analysis a title.", "e.g. Portfolio analysis"],
         "practices": ["Choose at least one practice."]},
    ),
    "action plans: an action": (
        "editor", "{action}", {"title": "", "start_month": "2019-13", "version": "1"}, False,
        {"title": ["Give the action a title."]},
    ),
    "budget: an expenditure line": (
        "editor", "{expenditure}", {**LINE, "amount": "lots"}, True,
        {"amount": ["number"], None: ["Nothing was saved"]},
    ),
    "budget: an expenditure line, no script": (
        "editor", "{expenditure}", {**LINE, "amount": "lots"}, False,
        {"amount": ["number"], None: ["Nothing was saved"]},
    ),
    "reports: a media appearance": (
        "admin", "/p/reports/media", {"partner_id": "{ceei}", "day": "yesterday", "title": ""},
        False, {"day": ["2022-03-15"]},
    ),
    "policy: a new paper": (
        "editor", "/r/burgos/policy/new", {"kind": "situation", "title": ""}, False,
        {"situation-title": ["Give the paper a title."]},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_refused_form_ties_each_message_to_its_field(app, client, auth, world, on, case):
    who, url, data, by_htmx, expected = CASES[case]
    if who != "editor":
        auth.logout()
    if who == "admin":
        auth.login(world.admin.email)
    data = {key: value.format(**on) for key, value in data.items()}
    response = client.post(url.format(**on), data=data, headers=HTMX if by_htmx else {})
    assert response.status_code == 422, response.text
    assert link_problems(response.text) == []
    for field_id, texts in expected.items():
        said = (
            announced(response.text) if field_id is None else described_as(response.text, field_id)
        )
        for text in texts:
            assert text in said, (field_id, said)


def test_a_conflict_announces_its_headline_not_the_passages(app, client, auth, world, on):
    url = on["document"]
    client.post(url, data={"title": "Situation report", "body": "theirs\n", "base": "1"})
    response = client.post(url, data={"title": "Situation report", "body": "mine\n", "base": "1"})
    assert response.status_code == 409, response.text
    assert link_problems(response.text) == []
    said = announced(response.text)
    assert "changed the same part while you were writing" in said
    assert "theirs" not in said and "mine" not in said


def test_a_refused_rating_in_the_matrix_points_at_its_message(app, client, auth, world, on):
    switch_on(app, "pannon", "portfolio")
    practice_id = approved(app, auth, client, world)
    auth.login(world.other.email)  # an editor of Pannon rates Burgos's practice
    url = f"/p/portfolio/matrix/{practice_id}/pannon"
    response = client.post(url, data={"score": "7"}, headers=HTMX)
    assert response.status_code == 422
    assert link_problems(response.text) == []
    root = lxml.html.document_fromstring(response.text)
    (score,) = root.xpath('//select[@aria-invalid="true"]')
    (message,) = root.xpath("//*[@id=$id]", id=score.get("aria-describedby"))
    assert message.get("role") == "alert" and "score" in _text(message).lower()

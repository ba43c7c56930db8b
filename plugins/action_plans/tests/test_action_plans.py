"""Regional action plans: the template's parts, review, endorsement, exports, roles."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from babel.support import Translations
from docx import Document as Docx
from pypdf import PdfReader
from sqlalchemy import select, update

from plugins.action_plans import PLUGIN
from plugins.action_plans.models import Plan, PlanAction
from workspace.api import Document, Link, db, enabled_in
from workspace.testing import (
    CORPUS,
    HTMX,
    load_demo,
    offending,
    sign_in,
    switch_on,
    with_panels,
    write_document,
)

PLAN = {
    "instrument_name": "ROP Castilla y León, priority 3",
    "instrument_kind": "igj",
    "other_partners": "",
    "contact": "Lucía Pérez, plans@example.org",
    "language": "Spanish",
}
ACTION_BODY = (
    "## Background\n\nThe export coaching seen in Pannon.\n\n"
    "## Action\n\nVouchers for a first export contract.\n\n"
    "## Players involved\n\nCEEI-Burgos and the regional agency.\n"
)
BASE = "/r/burgos/action_plans"
TRANSLATIONS = PLUGIN.translations


def template_words(language):
    """The plugin's compiled catalog of ``language`` (the source English where it has
    no translation): what a plan's files in that language say."""
    catalog = Translations.load(str(TRANSLATIONS), [language])

    def say(text, **values):
        said = catalog.gettext(text)
        return said % values if values else said

    return say


def switch(app, slug, plugin="action_plans", on=True):
    switch_on(app, slug, plugin, on)


@pytest.fixture
def plans(app, world):
    switch(app, "burgos")
    switch(app, "pannon")
    return world


def create(client, **changes):
    response = client.post(f"{BASE}/new", data={**PLAN, **changes})
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def add_action(client, plan_id, title="Export vouchers"):
    response = client.post(f"{BASE}/{plan_id}/actions", data={"title": title})
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("#action-", 1)[1])


def get_plan(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        data = {
            "status": plan.status,
            "version": plan.version,
            "endorsed_by_id": plan.endorsed_by_id,
            "endorsed_at": plan.endorsed_at,
            "endorsed_partner_id": plan.endorsed_partner_id,
            "actions": [
                (a.id, a.position, a.title, a.start_month, a.end_month, a.costs, a.progress)
                for a in plan.actions
            ],
            "documents": [plan.context_document_id, plan.summary_document_id]
            + [a.document_id for a in plan.actions],
        }
        return data


def write(app, document_id, body):
    """Write a text, as its author would in the core editor."""
    write_document(app, document_id, body)


def complete(app, client, plan_id, actions=2):
    """Fill in everything the template asks for; returns the actions' ids."""
    ids = []
    for n in range(actions):
        action_id = add_action(client, plan_id, f"Action number {n + 1}")
        facts = {"title": f"Action number {n + 1}", "start_month": "2019-01",
                 "end_month": "2020-06", "costs": "45000", "funding_sources": "ERDF",
                 "version": "1"}  # fmt: skip
        assert (
            client.post(f"{BASE}/{plan_id}/actions/{action_id}/edit", data=facts).status_code == 303
        )
        ids.append(action_id)
    documents = get_plan(app, plan_id)["documents"]
    write(app, documents[0], "The regional programme funds export promotion.")
    write(app, documents[1], "Summary in English.")
    for document_id in documents[2:]:
        write(app, document_id, ACTION_BODY)
    return ids


def endorsed(app, auth, client, world):
    auth.login(world.editor.email)
    plan_id = create(client)
    complete(app, client, plan_id)
    assert client.post(f"{BASE}/{plan_id}/review").status_code == 303
    auth.logout()
    auth.login(world.coordinator.email)
    assert client.post(f"{BASE}/{plan_id}/endorse").status_code == 303
    auth.logout()
    return plan_id


# ---------------------------------------------------------------- workflow


def test_a_plan_from_draft_to_endorsed(app, client, auth, plans):
    world = plans
    auth.login(world.editor.email)
    plan_id = create(client)
    page = client.get(f"{BASE}/{plan_id}").text
    for part in ("Part I – General information", "Part II – Policy context",
                 "Part III – Details of the actions envisaged"):  # fmt: skip
        assert part in page
    assert "Part II: policy context" in page and "English summary (the plan is in Spanish)" in page
    # Sending an incomplete plan to review is refused, with what is missing.
    response = client.post(f"{BASE}/{plan_id}/review")
    assert response.status_code == 422
    assert "Before review, fill in:" in response.text and "at least one action" in response.text
    assert get_plan(app, plan_id)["status"] == "draft"
    complete(app, client, plan_id)
    page = client.get(f"{BASE}/{plan_id}").text
    assert "Everything the template asks for is filled in." in page
    assert "Vouchers for a first export contract." in page and "EUR 45,000.00" in page
    # An editor may not endorse.
    assert client.post(f"{BASE}/{plan_id}/review").status_code == 303
    assert client.post(f"{BASE}/{plan_id}/endorse").status_code == 403
    assert get_plan(app, plan_id)["status"] == "review"
    auth.logout()
    auth.login(world.coordinator.email)
    assert "Endorse the plan" in client.get(f"{BASE}/{plan_id}").text
    assert client.post(f"{BASE}/{plan_id}/endorse").status_code == 303
    plan = get_plan(app, plan_id)
    assert plan["status"] == "endorsed"
    assert plan["endorsed_by_id"] == world.coordinator.id and plan["endorsed_at"] is not None
    assert plan["endorsed_partner_id"] == world.coordinator.partner_id
    page = client.get(f"{BASE}/{plan_id}").text
    assert "Endorsed on" in page and "CEEI-Burgos" in page
    # Re-opening makes it a draft again.
    assert client.post(f"{BASE}/{plan_id}/reopen").status_code == 303
    assert get_plan(app, plan_id)["status"] == "draft"
    assert get_plan(app, plan_id)["endorsed_at"] is None


def test_admin_endorses_too(app, client, auth, plans):
    auth.login(plans.editor.email)
    plan_id = create(client)
    complete(app, client, plan_id, actions=1)
    client.post(f"{BASE}/{plan_id}/review")
    auth.logout()
    auth.login(plans.admin.email)
    assert client.post(f"{BASE}/{plan_id}/endorse").status_code == 303
    assert get_plan(app, plan_id)["endorsed_by_id"] == plans.admin.id


def test_actions_are_reordered(app, client, auth, plans):
    auth.login(plans.editor.email)
    plan_id = create(client)
    first = add_action(client, plan_id, "First")
    second = add_action(client, plan_id, "Second")
    response = client.post(
        f"{BASE}/{plan_id}/actions/{second}/move", data={"direction": "up"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.index("Action 1: Second") < response.text.index("Action 2: First")
    assert "<html" not in response.text
    positions = {a[0]: a[1] for a in get_plan(app, plan_id)["actions"]}
    assert positions == {second: 1, first: 2}
    # Moving the first one up changes nothing.
    client.post(f"{BASE}/{plan_id}/actions/{second}/move", data={"direction": "up"})
    assert {a[0]: a[1] for a in get_plan(app, plan_id)["actions"]} == positions


def test_an_action_is_removed_and_the_others_renumbered(app, client, auth, plans):
    auth.login(plans.editor.email)
    plan_id = create(client)
    first = add_action(client, plan_id, "First")
    second = add_action(client, plan_id, "Second")
    document_id = get_plan(app, plan_id)["documents"][2]
    response = client.post(f"{BASE}/{plan_id}/actions/{first}/remove")
    assert response.status_code == 303
    assert [(a[0], a[1]) for a in get_plan(app, plan_id)["actions"]] == [(second, 1)]
    assert "Action 1: Second" in client.get(f"{BASE}/{plan_id}").text
    with app.app_context():
        assert db.session.get(Document, document_id).deleted_at is not None
    auth.logout()
    auth.login(plans.stakeholder.email)
    assert client.post(f"{BASE}/{plan_id}/actions/{second}/remove").status_code == 403
    assert len(get_plan(app, plan_id)["actions"]) == 1


def test_two_people_write_two_actions_at_once(app, client, auth, plans):
    auth.login(plans.editor.email)
    plan_id = create(client)
    add_action(client, plan_id, "One")
    add_action(client, plan_id, "Two")
    one, two = get_plan(app, plan_id)["documents"][2:]
    assert one != two
    write(app, one, ACTION_BODY)
    write(app, two, ACTION_BODY.replace("Vouchers", "Loans"))
    page = client.get(f"{BASE}/{plan_id}").text
    assert "Vouchers for a first export contract." in page
    assert "Loans for a first export contract." in page


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"start_month": "2020-05", "end_month": "2020-01"},
            "The end month is before the start month.",
        ),
        ({"start_month": "May 2020"}, "Give a month as YYYY-MM"),
        ({"costs": "a lot"}, "The costs must be a number written like 4,500.00."),
        ({"costs": "45.000,00"}, "The costs must be a number written like 4,500.00."),
        ({"costs": "-5"}, "The costs cannot be negative."),
        ({"costs": "NaN"}, "The costs must be a number written like 4,500.00."),
        ({"costs": "1e3"}, "The costs must be a number written like 4,500.00."),
        ({"title": ""}, "Give the action a title."),
    ],
)
def test_bad_action_facts_are_refused(app, client, auth, plans, changes, message):
    auth.login(plans.editor.email)
    plan_id = create(client)
    action_id = add_action(client, plan_id)
    before = get_plan(app, plan_id)
    data = {"title": "T", "start_month": "2019-01", "end_month": "2019-12", "costs": "10",
            "funding_sources": "", "version": "1", **changes}  # fmt: skip
    response = client.post(f"{BASE}/{plan_id}/actions/{action_id}/edit", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert get_plan(app, plan_id) == before


def test_costs_are_decimal(app, client, auth, plans):
    auth.login(plans.editor.email)
    plan_id = create(client)
    action_id = add_action(client, plan_id)
    data = {"title": "T", "start_month": "2019-01", "end_month": "2019-01",
            "costs": "12,345.67", "version": "1"}  # fmt: skip
    assert client.post(f"{BASE}/{plan_id}/actions/{action_id}/edit", data=data).status_code == 303
    assert get_plan(app, plan_id)["actions"][0][5] == Decimal("12345.67")


@pytest.mark.parametrize(
    ("language", "typed", "shown"),
    [
        ("it-IT,it", "45.000,50", "45.000,50"),
        ("pl-PL,pl", "45 000,50", "45\N{NO-BREAK SPACE}000,50"),
        ("es-ES,es", "45000,50", "45.000,50"),
        ("en-GB,en", "45,000.50", "45,000.50"),
    ],
)
def test_costs_are_read_and_shown_in_the_editors_format(
    app, client, auth, plans, language, typed, shown
):
    auth.login(plans.editor.email)
    plan_id = create(client)
    action_id = add_action(client, plan_id)
    url = f"{BASE}/{plan_id}/actions/{action_id}/edit"
    data = {"title": "T", "start_month": "2019-01", "end_month": "2019-01",
            "costs": typed, "version": "1"}  # fmt: skip
    headers = {"Accept-Language": language}
    assert client.post(url, data=data, headers=headers).status_code == 303
    assert get_plan(app, plan_id)["actions"][0][5] == Decimal("45000.50")
    assert f'value="{shown}"' in client.get(url, headers=headers).text
    # (Whether "EUR" stands before or after the amount is the language's.)
    assert shown in client.get(f"{BASE}/{plan_id}", headers=headers).text


def test_a_stale_version_is_refused(app, client, auth, plans):
    auth.login(plans.editor.email)
    plan_id = create(client)
    action_id = add_action(client, plan_id)
    data = {"title": "Mine", "start_month": "2019-01", "end_month": "2019-02", "version": "1"}
    assert client.post(f"{BASE}/{plan_id}/actions/{action_id}/edit", data=data).status_code == 303
    before = get_plan(app, plan_id)
    response = client.post(
        f"{BASE}/{plan_id}/actions/{action_id}/edit", data={**data, "title": "Theirs"}
    )
    assert response.status_code == 409
    assert "Someone else changed this action" in response.text and "Theirs" in response.text
    assert get_plan(app, plan_id) == before
    response = client.post(f"{BASE}/{plan_id}/edit", data={**PLAN, "contact": "x", "version": "0"})
    assert response.status_code == 409 and "Someone else changed this plan" in response.text
    assert get_plan(app, plan_id) == before


def rival_save_lands_first(app, monkeypatch, model, row_id, at="touch", **values):
    """Another worker's save of the same row commits after this request checked the
    form's version and before it writes (in ``rules.<at>``, which every such save
    calls before writing): the moment two saves meet."""
    from plugins.action_plans import plans as rules

    before = getattr(rules, at)

    def after_the_rival(plan):
        with app.app_context(), db.engine.begin() as other:
            other.execute(
                update(model).where(model.id == row_id).values(version=model.version + 1, **values)
            )
        return before(plan)

    monkeypatch.setattr(rules, at, after_the_rival)


def test_two_plan_saves_at_once_keep_the_first_and_give_the_second_its_text_back(
    app, client, auth, plans, monkeypatch
):
    auth.login(plans.editor.email)
    plan_id = create(client)
    version = get_plan(app, plan_id)["version"]
    rival_save_lands_first(app, monkeypatch, Plan, plan_id, contact="Rival contact")
    response = client.post(
        f"{BASE}/{plan_id}/edit", data={**PLAN, "contact": "My contact", "version": version}
    )
    assert response.status_code == 409
    assert "Someone else changed this plan" in response.text
    assert "My contact" in response.text  # the second person's text is still there
    with app.app_context():
        assert db.session.get(Plan, plan_id).contact == "Rival contact"  # not overwritten


def test_two_action_saves_at_once_keep_the_first(app, client, auth, plans, monkeypatch):
    auth.login(plans.editor.email)
    plan_id = create(client)
    action_id = add_action(client, plan_id)
    # An action's save takes the plan's row (``action_saved``), then writes the action.
    rival_save_lands_first(
        app, monkeypatch, PlanAction, action_id, at="action_saved", title="Rival title"
    )
    data = {"title": "My title", "start_month": "2019-01", "end_month": "2019-02", "version": "1"}
    response = client.post(f"{BASE}/{plan_id}/actions/{action_id}/edit", data=data)
    assert response.status_code == 409
    assert "Someone else changed this action" in response.text and "My title" in response.text
    with app.app_context():
        assert db.session.get(PlanAction, action_id).title == "Rival title"


def test_a_button_that_meets_another_save_changes_nothing(app, client, auth, plans, monkeypatch):
    auth.login(plans.editor.email)
    plan_id = create(client)
    add_action(client, plan_id)
    add_action(client, plan_id, title="Second")
    before = get_plan(app, plan_id)
    rival_save_lands_first(app, monkeypatch, Plan, plan_id)
    second = before["actions"][1][0]
    response = client.post(f"{BASE}/{plan_id}/actions/{second}/move", data={"direction": "up"})
    assert response.status_code == 409
    assert "changed or closed meanwhile" in response.text
    after = get_plan(app, plan_id)
    assert after["actions"] == before["actions"]  # the order is as it was


def test_endorsing_an_incomplete_plan_is_refused(app, client, auth, plans):
    auth.login(plans.editor.email)
    plan_id = create(client)
    complete(app, client, plan_id, actions=1)
    client.post(f"{BASE}/{plan_id}/review")
    # The text was emptied while in review.
    write(app, get_plan(app, plan_id)["documents"][0], "")
    auth.logout()
    auth.login(plans.coordinator.email)
    response = client.post(f"{BASE}/{plan_id}/endorse")
    assert response.status_code == 422 and "The plan is incomplete" in response.text
    assert get_plan(app, plan_id)["status"] == "review"
    # A draft cannot be endorsed either.
    auth.logout()
    auth.login(plans.editor.email)
    draft_id = create(client)
    auth.logout()
    auth.login(plans.coordinator.email)
    response = client.post(f"{BASE}/{draft_id}/endorse")
    assert response.status_code == 409 and "Only a plan in review can be endorsed" in response.text


def test_an_endorsed_plan_is_read_only_until_reopened(app, client, auth, plans):
    plan_id = endorsed(app, auth, client, plans)
    before = get_plan(app, plan_id)
    action_id = before["actions"][0][0]
    auth.login(plans.editor.email)
    for url, data in [
        (f"{BASE}/{plan_id}/edit", {**PLAN, "version": "99"}),
        (f"{BASE}/{plan_id}/actions", {"title": "Late"}),
        (f"{BASE}/{plan_id}/actions/{action_id}/edit", {"title": "Late", "version": "2"}),
        (f"{BASE}/{plan_id}/actions/{action_id}/move", {"direction": "down"}),
        (f"{BASE}/{plan_id}/actions/{action_id}/remove", {}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 409, url
        assert "re-open it before changing it" in response.text
    assert get_plan(app, plan_id) == before
    # The texts are locked by the core, with the reason.
    document_id = before["documents"][2]
    page = client.get(f"/docs/{document_id}").text
    assert "read-only until it is re-opened" in page
    with app.app_context():
        body = db.session.get(Document, document_id).body
    response = client.post(
        f"/docs/{document_id}/edit",
        data={"title": "x", "body": "changed", "base": "2"},
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Document, document_id).body == body
    auth.logout()
    auth.login(plans.coordinator.email)
    client.post(f"{BASE}/{plan_id}/reopen")
    assert "read-only until it is re-opened" not in client.get(f"/docs/{document_id}").text


# ---------------------------------------------------------------- Phase 2


def test_phase_2_monitoring(app, client, auth, plans):
    plan_id = endorsed(app, auth, client, plans)
    action_id = get_plan(app, plan_id)["actions"][0][0]
    auth.login(plans.editor.email)
    url = f"{BASE}/{plan_id}/actions/{action_id}/monitor"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"progress": "not_implemented", "reason": "", "version": "2"})
    assert (
        response.status_code == 422 and "Say why the action was not implemented." in response.text
    )
    assert get_plan(app, plan_id)["actions"][0][6] == "not_started"
    response = client.post(
        url, data={"progress": "implemented", "evidence": "Call launched 2020-02.", "version": "2"}
    )
    assert response.status_code == 303
    assert get_plan(app, plan_id)["actions"][0][6] == "implemented"
    # The evidence notes and files stay open while the plan's texts are locked.
    with app.app_context():
        evidence = db.session.get(PlanAction, action_id).evidence_document_id
    page = client.get(f"{BASE}/{plan_id}").text
    assert "Evidence notes and files" in page and f"/docs/{evidence}" in page
    assert "read-only" not in client.get(f"/docs/{evidence}").text
    page = client.get(f"{BASE}/progress").text
    assert "Implemented" in page and "Action 1: Action number 1" in page
    assert "Castilla y León" in client.get("/p/action_plans/progress").text
    # A draft plan is not monitored.
    draft_id = create(client)
    draft_action = add_action(client, draft_id)
    response = client.post(
        f"{BASE}/{draft_id}/actions/{draft_action}/monitor", data={"progress": "implemented"}
    )
    assert response.status_code == 409


# ---------------------------------------------------------------- exports


def test_docx_and_pdf_hold_every_part_and_field(app, client, auth, plans):
    plan_id = endorsed(app, auth, client, plans)
    auth.login(plans.stakeholder.email)
    response = client.get(f"{BASE}/{plan_id}/plan.docx")
    assert response.status_code == 200
    document = Docx(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    # The template's headings are in the plan's language (Spanish: the plugin's catalog,
    # English while it has no translation); the values in the reader's.
    es = template_words("es")
    for expected in [
        es("Part I – General information"), es("Part II – Policy context"),
        es("Part III – Details of the actions envisaged"), "Lucía Pérez", "Spanish",
        "The regional programme funds export promotion.", "Summary in English.",
        es("Action %(position)s: %(title)s", position=1, title="Action number 1"),
        es("Action %(position)s: %(title)s", position=2, title="Action number 2"),
        es("Background"), "The export coaching seen in Pannon.",
        "Vouchers for a first export contract.",
        es("Players involved"), "CEEI-Burgos and the regional agency.", es("Timeframe"),
        "2019-01 to 2020-06", es("Costs"), "EUR 45,000.00", es("Funding sources"), "ERDF",
    ]:  # fmt: skip
        assert expected in text, expected
    response = client.get(f"{BASE}/{plan_id}/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    pdf = " ".join(pdf.split())
    for expected in [es("Part I – General information"), es("Part II – Policy context"),
                     es("Part III – Details of the actions envisaged"),
                     es("Action %(position)s: %(title)s", position=2, title="Action number 2"),
                     "Vouchers for a first export contract.", es("Players involved"),
                     "2019-01 to 2020-06", "EUR 45,000.00", "ERDF"]:  # fmt: skip
        assert " ".join(expected.split()) in pdf, expected


def test_region_export_holds_the_plans(app, client, auth, plans):
    plan_id = endorsed(app, auth, client, plans)
    auth.login(plans.coordinator.email)
    response = client.get("/r/burgos/export.zip")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert f"action_plans/action-plan-{plan_id}.docx" in names


# ---------------------------------------------------------------- roles


def routes(plan_id, action_id):
    p, a = f"{BASE}/{plan_id}", f"{BASE}/{plan_id}/actions/{action_id}"
    reads = [f"{BASE}/", p, f"{p}/plan.docx", f"{p}/plan.pdf", f"{BASE}/progress",
             "/p/action_plans/", "/p/action_plans/progress"]  # fmt: skip
    edits = [("GET", f"{BASE}/new"), ("GET", f"{p}/edit"), ("POST", f"{p}/actions"),
             ("GET", f"{a}/edit"), ("POST", f"{a}/move"), ("POST", f"{p}/review"),
             ("GET", f"{a}/sources?q=x"), ("POST", f"{a}/sources"),
             ("GET", f"{a}/monitor"), ("POST", f"{a}/monitor")]  # fmt: skip
    manages = [("POST", f"{p}/endorse"), ("POST", f"{p}/reopen")]
    return reads, edits, manages


@pytest.mark.parametrize(
    ("who", "reads", "edits", "manages"),
    [
        ("admin", True, True, True),
        ("coordinator", True, True, True),
        ("editor", True, True, False),
        ("stakeholder", True, False, False),
        ("other", True, False, False),
        ("outsider", False, False, False),
    ],
)
def test_roles_on_every_route(app, client, auth, plans, who, reads, edits, manages):
    auth.login(plans.editor.email)
    plan_id = create(client)
    action_id = add_action(client, plan_id)
    auth.logout()
    auth.login(getattr(plans, who).email)
    read_urls, edit_urls, manage_urls = routes(plan_id, action_id)
    for url in read_urls:
        status = client.get(url).status_code
        if url.startswith("/p/"):
            # Project pages are for the consortium's staff (the core's gate).
            assert status == (403 if who in ("stakeholder", "outsider") else 200), url
        else:
            assert (status == 200) == reads, (url, status)
            if not reads:
                assert status == 403, url
    for method, url in edit_urls + [("GET", f"{BASE}/{plan_id}/actions/{action_id}/sources?q=x")]:
        response = client.open(
            url, method=method, data={"direction": "down", "title": ""}, headers=HTMX
        )
        if edits:
            assert response.status_code in (200, 303, 400, 409, 422), (url, response.status_code)
        else:
            assert response.status_code == 403, (url, response.status_code)
    for method, url in manage_urls:
        response = client.open(url, method=method)
        if manages:
            assert response.status_code in (303, 409, 422), (url, response.status_code)
        else:
            assert response.status_code == 403, (url, response.status_code)


def test_anonymous_is_sent_to_login(app, client, plans):
    response = client.get(f"{BASE}/")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_switched_off_region_answers_404(app, client, auth, plans):
    switch(app, "burgos", on=False)
    auth.login(plans.editor.email)
    assert client.get(f"{BASE}/").status_code == 404


# ---------------------------------------------------------------- hostile input


@pytest.mark.parametrize("text", CORPUS[:12])
def test_hostile_input_is_inert(app, client, auth, plans, text):
    auth.login(plans.editor.email)
    plan_id = create(client, instrument_name=text[:200] or "x", contact=text[:300])
    action_id = add_action(client, plan_id, text[:200] or "x")
    write(app, get_plan(app, plan_id)["documents"][2], f"## Background\n\n{text}\n")
    page = client.get(f"{BASE}/{plan_id}").text
    if "<" in text:
        assert text[:100] not in page  # shown escaped, never as markup
    actions = page.split('id="actions"', 1)[1]
    background = actions.split("<h4>Background</h4>", 1)[1].split('<div id="inspired-', 1)[0]
    assert offending(background) == []
    assert client.get(f"{BASE}/{plan_id}/plan.docx").status_code == 200
    assert client.get("/search", query_string={"q": text[:50]}).status_code == 200
    assert action_id


# ---------------------------------------------------------------- traceability


# What the portfolio's form asks to describe a good practice, and its long texts.
PRACTICE = {
    "institution": "Pannon EGTC",
    "country": "hu",
    "summary": "Coaching to export.",
    "topic": "SME competitiveness",
    "starts_on": "2018-02-01",
    "contact": "coaching@example.org",
}
PRACTICE_TEXTS = "".join(
    f"## {section}\n\nText.\n\n"
    for section in (
        "Detailed description",
        "Resources needed",
        "Evidence of success",
        "Difficulties encountered and lessons learnt",
        "Potential for learning or transfer",
    )
)


def a_practice(app, world, title="Export coaching for small firms"):
    """An approved good practice of Pannon, through the portfolio's pages (plugins
    never import each other, their tests included): Pannon's editor describes it and
    submits it, the lead partner approves it. The portfolio must be on in Pannon."""
    author = sign_in(app, world.other.email)
    response = author.post("/r/pannon/portfolio/new", data={**PRACTICE, "title": title})
    assert response.status_code == 303, response.text
    practice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = author.get(f"/r/pannon/portfolio/{practice_id}").text
    texts = int(re.search(r'href="/docs/(\d+)/edit">Write them<', page).group(1))
    write_document(app, texts, PRACTICE_TEXTS)
    assert author.post(f"/r/pannon/portfolio/{practice_id}/submit").status_code == 303
    decision = {"decision": "approve"}
    admin = sign_in(app, world.admin.email)
    url = f"/r/pannon/portfolio/{practice_id}/decision"
    assert admin.post(url, data=decision).status_code == 303
    return practice_id


def test_an_action_is_inspired_by_a_practice(app, client, auth, plans):
    switch(app, "pannon", "portfolio")
    practice_id = a_practice(app, plans)
    auth.login(plans.editor.email)
    plan_id = create(client)
    action_id = add_action(client, plan_id, "Export vouchers")
    page = client.get(f"{BASE}/{plan_id}").text
    assert "Inspired by a good practice" in page
    url = f"{BASE}/{plan_id}/actions/{action_id}/sources"
    response = client.get(url, query_string={"q": "coaching"}, headers=HTMX)
    assert response.status_code == 200 and "Export coaching for small firms" in response.text
    assert "<html" not in response.text
    ref = f"portfolio:practice:{practice_id}"
    # Something that is not in the list is refused.
    response = client.post(url, data={"target": "doc:1"}, headers=HTMX)
    assert response.status_code == 422
    response = client.post(url, data={"target": ref}, headers=HTMX)
    assert response.status_code == 200 and "Inspired by" in response.text
    assert f'href="/r/pannon/portfolio/{practice_id}"' in response.text
    # The practice page shows the action it inspired, for a reader of another region.
    auth.logout()
    auth.login(plans.other.email)
    page = client.get(f"/r/pannon/portfolio/{practice_id}").text
    assert "Inspired actions" in page and "Action 1: Export vouchers (Castilla y León)" in page
    assert f"/r/burgos/action_plans/{plan_id}#action-{action_id}" in page
    # Without the portfolio, the plan still works; the link shows as unavailable.
    switch(app, "pannon", "portfolio", on=False)
    page = client.get(f"{BASE}/{plan_id}").text
    assert "A record you cannot open" in page
    auth.logout()
    auth.login(plans.editor.email)
    with app.app_context():
        link_id = db.session.scalar(
            select(Link.id).where(Link.target == ref, Link.kind == "inspired_by")
        )
    response = client.post(f"{url}/{link_id}/remove", headers=HTMX)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Link.id).where(Link.id == link_id)) is None


def test_without_other_modules_there_is_no_picker(app, client, auth, plans):
    auth.login(plans.editor.email)
    plan_id = create(client)
    add_action(client, plan_id)
    page = client.get(f"{BASE}/{plan_id}").text
    assert "Inspired by a" not in page and "Action 1: Export vouchers" in page


# ---------------------------------------------------------------- hooks


def test_menu_panel_and_search(app, client, auth, plans):
    auth.login(plans.editor.email)
    plan_id = create(client)
    add_action(client, plan_id, "Export vouchers for young firms")
    dashboard = with_panels(client, "/r/burgos/")
    assert "Action plans" in dashboard and "ROP Castilla y León, priority 3" in dashboard
    assert f"{BASE}/" in dashboard
    found = client.get("/search", query_string={"q": "vouchers"}).text
    assert "Action 1: Export vouchers for young firms" in found
    found = client.get("/search", query_string={"q": "priority 3"}).text
    assert "Action plan: ROP Castilla y León, priority 3" in found
    auth.logout()
    auth.login(plans.outsider.email)
    assert "Export vouchers" not in client.get("/search", query_string={"q": "vouchers"}).text


# ---------------------------------------------------------------- demo


def test_demo_has_a_plan_per_region_at_different_stages(app):
    load_demo(app)
    load_demo(app)
    with app.app_context():
        plans = db.session.scalars(select(Plan)).all()
        # A plan per region, and Klaipėda's city plan on an instrument of its own.
        assert sorted(p.region.slug for p in plans) == sorted(
            ["pannon", "lombardy", "podkarpackie", "burgos", "klaipeda", "klaipeda"]
        )
        assert {p.status for p in plans} == {"draft", "review", "endorsed"}
        assert all(len(p.actions) == 2 for p in plans)
        refs = db.session.scalars(select(Link.target).where(Link.kind == "inspired_by")).all()
        assert len(refs) == 12
        assert any(r.startswith("portfolio:practice:") for r in refs)
        assert any(r.startswith("minutes:meeting:") for r in refs)
        states = {a.progress for p in plans for a in p.actions}
        assert {"implemented", "in_progress", "not_implemented"} <= states
        burgos = next(p for p in plans if p.region.slug == "burgos")
        assert "action_plans" in enabled_in(burgos.region)
        assert burgos.summary_document.body and burgos.context_document.body

"""Nothing typed is lost in the plugins either (issue 21).

Each test commits a rival save between the form's read and its write: another person's
whole request runs, through the app, just before this request's first write to the
table it saves into (after it read the row and checked the form's version). That is
the moment two saves meet; on PostgreSQL (WORKSPACE_TEST_DATABASE_URL) too.

1. agenda notes: merged three ways, or 409 with the text kept beside the saved notes;
2. action-plan actions: saves of different actions both land; the plan's own fields
   keep their version;
3. a save whose agenda item or action was removed meanwhile answers 409 with the text
   (and, for an action, a button that adds it back with its values and texts);
4. meeting outcomes are editable, with a version check and an activity entry.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from plugins.action_plans.models import Plan, PlanAction
from plugins.minutes.models import AgendaItem, Meeting, Outcome
from tests.conftest import HTMX, PASSWORD
from workspace.extensions import db
from workspace.models import Document, Event, Region
from workspace.plugins import host
from workspace.revisions import save as save_document

MEETING = {
    "title": "Steering group",
    "kind": "partner",
    "day": "2030-04-15",
    "start": "10:00",
    "end": "12:30",
    "timezone": "Europe/Madrid",
    "place": "Burgos",
    "online_url": "",
}
MEETINGS = "/r/burgos/minutes/meetings"
PLANS = "/r/burgos/action_plans"
NOTES = "Welcome by the host\nCAST presented by CEEI\nQuestions from the floor\n"


@pytest.fixture
def on(app, world):
    with app.app_context():
        for slug in ("burgos", "pannon"):
            region = db.session.scalar(select(Region).where(Region.slug == slug))
            for plugin in ("minutes", "action_plans"):
                host().set_enabled(region, plugin, True, None)
        db.session.commit()
    return world


def person(app, email: str):
    """A second browser: another person, logged in."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@contextmanager
def rival_before_write(app, tables: str, rival: Callable[[], None]):
    """Run ``rival`` (another person's whole save) once, right before this request's
    first INSERT, UPDATE or DELETE on a table matching ``tables``: after the request
    read the row and checked the form, before its write reaches the database."""
    state = {"done": False}
    write = re.compile(rf"^\s*(UPDATE|DELETE FROM|INSERT INTO) ({tables})\b", re.I)

    def hook(connection, cursor, statement, parameters, context, executemany):
        if not state["done"] and write.match(statement):
            state["done"] = True
            # Its own app context: its own database session, connection and ``g``.
            with app.app_context():
                rival()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield state
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    assert state["done"], "the rival save never ran: the request wrote nothing"


def fields_of(page: str, action: str | None = None) -> dict[str, str]:
    """The fields of the form posting to ``action`` (None: the page's editing form,
    which posts to the page's own address), as a browser would send them."""
    start = page.index(f'action="{action}"' if action else "data-unsaved-warning")
    form = page[start : page.index("</form>", start)]
    values = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
    }
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        # As a browser does: the line break right after <textarea> is not part of the text.
        values[html.unescape(name)] = html.unescape(re.sub(r"^\r?\n", "", text))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"', options) or re.search(
            r'<option[^>]*value="([^"]*)"[^>]*selected', options
        )
        values[html.unescape(name)] = html.unescape(chosen.group(1)) if chosen else ""
    values.pop("csrf_token", None)
    return values


# ---------------------------------------------------------------- minutes helpers


def new_meeting(client) -> int:
    response = client.post("/r/burgos/minutes/new", data=MEETING)
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].split("/")[-1])


def add_item(client, meeting_id: int, title: str = "CAST (ES)") -> int:
    data = {"title": title, "duration_minutes": "20", "presenter": "", "section": ""}
    response = client.post(f"{MEETINGS}/{meeting_id}/agenda", data=data, headers=HTMX)
    assert response.status_code == 200, response.text
    return max(int(n) for n in re.findall(r'id="agenda-item-(\d+)"', response.text))


def notes_form(client, meeting_id: int, item_id: int) -> dict[str, str]:
    page = client.get(f"{MEETINGS}/{meeting_id}").text
    return fields_of(page, f"{MEETINGS}/{meeting_id}/agenda/{item_id}/notes")


def save_notes(client, meeting_id: int, item_id: int, form: dict[str, str]):
    return client.post(f"{MEETINGS}/{meeting_id}/agenda/{item_id}/notes", data=form, headers=HTMX)


def stored_notes(app, item_id: int) -> str | None:
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        return None if item is None else item.notes.replace("\r\n", "\n")


def meeting_with_notes(app, client) -> tuple[int, int]:
    meeting_id = new_meeting(client)
    item_id = add_item(client, meeting_id)
    form = notes_form(client, meeting_id, item_id)
    response = save_notes(client, meeting_id, item_id, {**form, "notes": NOTES})
    assert response.status_code == 200, response.text
    assert stored_notes(app, item_id) == NOTES
    return meeting_id, item_id


# ---------------------------------------------------------------- 1. agenda notes


def test_agenda_notes_saved_at_once_on_different_lines_are_merged(app, client, auth, on):
    auth.login(on.editor.email)
    meeting_id, item_id = meeting_with_notes(app, client)
    rival = person(app, on.coordinator.email)
    theirs = notes_form(rival, meeting_id, item_id)
    mine = notes_form(client, meeting_id, item_id)  # the form's read

    def rival_saves():
        text = NOTES.replace("Welcome by the host", "Welcome by the mayor of Burgos")
        assert save_notes(rival, meeting_id, item_id, {**theirs, "notes": text}).status_code == 200

    with rival_before_write(app, "minutes_agenda_item", rival_saves):
        response = save_notes(
            client,
            meeting_id,
            item_id,
            {**mine, "notes": NOTES + "Next meeting in Pécs\n"},
        )
    assert response.status_code == 200, response.text
    assert "merged with the notes someone else saved meanwhile" in response.text
    assert stored_notes(app, item_id) == (
        "Welcome by the mayor of Burgos\nCAST presented by CEEI\nQuestions from the floor\n"
        "Next meeting in Pécs\n"
    )


def test_agenda_notes_changed_on_the_same_line_answer_409_keeping_both(app, client, auth, on):
    auth.login(on.editor.email)
    meeting_id, item_id = meeting_with_notes(app, client)
    rival = person(app, on.coordinator.email)
    theirs = notes_form(rival, meeting_id, item_id)
    mine = notes_form(client, meeting_id, item_id)
    their_text = NOTES.replace("CAST presented by CEEI", "CAST presented by the mayor")

    def rival_saves():
        response = save_notes(rival, meeting_id, item_id, {**theirs, "notes": their_text})
        assert response.status_code == 200

    my_text = NOTES.replace("CAST presented by CEEI", "CAST presented by María Sanz (CEEI)")
    with rival_before_write(app, "minutes_agenda_item", rival_saves):
        response = save_notes(client, meeting_id, item_id, {**mine, "notes": my_text})
    assert response.status_code == 409
    assert "Someone else saved these notes while you were writing" in response.text
    assert html.escape(my_text, quote=False) in response.text  # mine, in the form
    assert "CAST presented by the mayor" in response.text  # theirs, shown beside
    assert stored_notes(app, item_id) == their_text  # nothing overwritten

    # The form is now based on the notes saved meanwhile: saving again keeps mine.
    again = fields_of(response.text, f"{MEETINGS}/{meeting_id}/agenda/{item_id}/notes")
    assert again["notes"].replace("\r\n", "\n") == my_text
    assert save_notes(client, meeting_id, item_id, again).status_code == 200
    assert stored_notes(app, item_id) == my_text


def test_a_stale_notes_form_merges_without_any_race(app, client, auth, on):
    """The same rule when the rival saved long before: the form carries its base."""
    auth.login(on.editor.email)
    meeting_id, item_id = meeting_with_notes(app, client)
    stale = notes_form(client, meeting_id, item_id)
    fresh = notes_form(client, meeting_id, item_id)
    save_notes(client, meeting_id, item_id, {**fresh, "notes": "Agenda approved\n" + NOTES})
    response = save_notes(client, meeting_id, item_id, {**stale, "notes": NOTES + "Closing\n"})
    assert response.status_code == 200
    assert stored_notes(app, item_id) == "Agenda approved\n" + NOTES + "Closing\n"


# ---------------------------------------------------------------- 3. removed meanwhile: notes


def test_notes_whose_agenda_item_was_removed_meanwhile_are_shown_to_copy(app, client, auth, on):
    auth.login(on.editor.email)
    meeting_id = new_meeting(client)
    item_id = add_item(client, meeting_id, "Budget review")
    mine = notes_form(client, meeting_id, item_id)
    rival = person(app, on.coordinator.email)

    def rival_removes_the_item():
        url = f"{MEETINGS}/{meeting_id}/agenda/{item_id}/delete"
        assert rival.post(url, headers=HTMX).status_code == 200

    text = "Spending is on track\nPL asks for a reallocation\n"
    with rival_before_write(app, "minutes_agenda_item", rival_removes_the_item):
        response = save_notes(client, meeting_id, item_id, {**mine, "notes": text})
    assert response.status_code == 409
    assert "Coord removed the agenda item “Budget review” while you were writing its notes." in (
        response.text
    )
    assert html.escape(text, quote=False) in response.text  # to copy
    assert stored_notes(app, item_id) is None

    # A save arriving after the removal gets the same answer, never a bare 404.
    response = save_notes(client, meeting_id, item_id, {**mine, "notes": text})
    assert response.status_code == 409 and html.escape(text, quote=False) in response.text
    # Without htmx too: the whole page, with the text.
    response = client.post(
        f"{MEETINGS}/{meeting_id}/agenda/{item_id}/notes", data={**mine, "notes": text}
    )
    assert response.status_code == 409 and "<html" in response.text
    assert html.escape(text, quote=False) in response.text


# ---------------------------------------------------------------- 2. actions of one plan


def new_plan(client, actions: int = 2) -> tuple[int, list[int]]:
    plan = {
        "instrument_name": "ROP Castilla y León, priority 3",
        "instrument_kind": "igj",
        "other_partners": "",
        "contact": "Lucía Pérez",
        "language": "English",
    }
    response = client.post(f"{PLANS}/new", data=plan)
    assert response.status_code == 303, response.text
    plan_id = int(response.headers["Location"].rsplit("/", 1)[1])
    ids = []
    for n in range(actions):
        response = client.post(f"{PLANS}/{plan_id}/actions", data={"title": f"Action {n + 1}"})
        assert response.status_code == 303, response.text
        ids.append(int(response.headers["Location"].rsplit("#action-", 1)[1]))
    return plan_id, ids


def action_form(client, plan_id: int, action_id: int) -> dict[str, str]:
    page = client.get(f"{PLANS}/{plan_id}/actions/{action_id}/edit").text
    return fields_of(page)


def stored_actions(app, plan_id: int) -> dict[int, tuple]:
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        return {a.id: (a.title, a.start_month, a.end_month, a.version) for a in plan.actions}


def plan_version(app, plan_id: int) -> int:
    with app.app_context():
        return db.session.get(Plan, plan_id).version


def test_two_people_save_different_actions_of_one_plan_at_once(app, client, auth, on):
    auth.login(on.editor.email)
    plan_id, (first, second) = new_plan(client)
    version = plan_version(app, plan_id)
    plan_page = client.get(f"{PLANS}/{plan_id}/edit").text  # the plan's own form, read now
    rival = person(app, on.coordinator.email)
    theirs = action_form(rival, plan_id, second)
    mine = action_form(client, plan_id, first)

    def rival_saves_the_other_action():
        data = {**theirs, "title": "Export vouchers", "start_month": "2020-01"}
        response = rival.post(f"{PLANS}/{plan_id}/actions/{second}/edit", data=data)
        assert response.status_code == 303, response.text

    data = {**mine, "title": "Innovation coaching", "start_month": "2019-03"}
    with rival_before_write(
        app, "action_plans_plan|action_plans_action", rival_saves_the_other_action
    ):
        response = client.post(f"{PLANS}/{plan_id}/actions/{first}/edit", data=data)
    assert response.status_code == 303, response.text
    stored = stored_actions(app, plan_id)
    assert stored[first][:2] == ("Innovation coaching", "2019-03")
    assert stored[second][:2] == ("Export vouchers", "2020-01")
    assert stored[first][3] == stored[second][3] == 2

    # The plan's own fields keep their version: a form of them read before both saves
    # still saves, and a stale one is still refused.
    assert plan_version(app, plan_id) == version
    plan_form = fields_of(plan_page)
    response = client.post(f"{PLANS}/{plan_id}/edit", data={**plan_form, "contact": "Ana Ruiz"})
    assert response.status_code == 303, response.text
    response = client.post(f"{PLANS}/{plan_id}/edit", data={**plan_form, "contact": "Late"})
    assert response.status_code == 409 and "Someone else changed this plan" in response.text


def test_two_saves_of_the_same_action_still_meet(app, client, auth, on):
    auth.login(on.editor.email)
    plan_id, (first, _) = new_plan(client)
    rival = person(app, on.coordinator.email)
    theirs = action_form(rival, plan_id, first)
    mine = action_form(client, plan_id, first)

    def rival_saves():
        data = {**theirs, "title": "Rival title", "funding_sources": "ERDF"}
        assert rival.post(f"{PLANS}/{plan_id}/actions/{first}/edit", data=data).status_code == 303

    with rival_before_write(app, "action_plans_plan|action_plans_action", rival_saves):
        response = client.post(
            f"{PLANS}/{plan_id}/actions/{first}/edit", data={**mine, "title": "My title"}
        )
    assert response.status_code == 409
    assert "Someone else changed this action" in response.text
    assert 'value="My title"' in response.text  # mine, in the form
    assert "Saved now by someone else" in response.text and "Rival title" in response.text
    assert stored_actions(app, plan_id)[first][0] == "Rival title"


def test_an_action_save_meeting_the_endorsement_keeps_the_values(app, client, auth, on):
    """The plan's version no longer guards action saves: the endorsement still does."""
    auth.login(on.editor.email)
    plan_id, (first, _) = new_plan(client, actions=2)
    mine = action_form(client, plan_id, first)

    def the_plan_is_endorsed_meanwhile():
        with app.app_context():
            plan = db.session.get(Plan, plan_id)
            plan.status = "endorsed"
            plan.version += 1
            db.session.commit()

    with rival_before_write(
        app, "action_plans_plan|action_plans_action", the_plan_is_endorsed_meanwhile
    ):
        response = client.post(
            f"{PLANS}/{plan_id}/actions/{first}/edit", data={**mine, "title": "Too late"}
        )
    assert response.status_code == 409
    assert "re-open it before changing it" in response.text
    assert 'value="Too late"' in response.text
    assert stored_actions(app, plan_id)[first][0] == "Action 1"


# ---------------------------------------------------------------- 3. removed meanwhile: action


def test_an_action_removed_by_a_rival_keeps_the_values_and_can_come_back(app, client, auth, on):
    auth.login(on.editor.email)
    plan_id, (first, second) = new_plan(client)
    with app.app_context():
        document_id = db.session.get(PlanAction, first).document_id
        from workspace.models import User

        author = db.session.get(User, on.editor.id)
        body = (
            "## Background\n\nSeen in Pannon.\n\n## Action\n\nVouchers.\n\n"
            "## Players involved\n\nCEEI.\n"
        )
        document = db.session.get(Document, document_id)
        save_document(document_id, document.head, document.title, body, author)
    mine = action_form(client, plan_id, first)
    rival = person(app, on.coordinator.email)

    def rival_removes_the_action():
        response = rival.post(f"{PLANS}/{plan_id}/actions/{first}/remove")
        assert response.status_code == 303, response.text

    data = {**mine, "title": "Export vouchers", "start_month": "2019-04", "end_month": "2020-06"}
    with rival_before_write(app, "action_plans_plan|action_plans_action", rival_removes_the_action):
        response = client.post(f"{PLANS}/{plan_id}/actions/{first}/edit", data=data)
    assert response.status_code == 409
    assert "Coord removed the action “Action 1” from the plan while you were editing it." in (
        response.text
    )
    assert 'value="Export vouchers"' in response.text and 'value="2020-06"' in response.text
    assert "Add it to the plan again with these values" in response.text
    assert "Its background, action and players involved come back with it." in response.text
    assert list(stored_actions(app, plan_id)) == [second]

    # Added back with the values, and its texts, at the end of the plan.
    readd = f"{PLANS}/{plan_id}/actions/{first}/readd"
    response = client.post(readd, data=data)
    assert response.status_code == 303, response.text
    stored = stored_actions(app, plan_id)
    back = next(i for i in stored if i != second)
    assert stored[back][:3] == ("Export vouchers", "2019-04", "2020-06")
    with app.app_context():
        action = db.session.get(PlanAction, back)
        assert action.position == 2
        assert action.document_id == document_id and action.document.deleted_at is None
        assert "Vouchers." in action.document.body
    # A second click finds it, never a copy.
    assert client.post(readd, data=data).status_code == 303
    assert len(stored_actions(app, plan_id)) == 2


# ---------------------------------------------------------------- 4. outcomes


def meeting_with_outcome(app, client, on) -> tuple[int, int, int]:
    meeting_id = new_meeting(client)
    item_id = add_item(client, meeting_id)
    prefix = f"item{item_id}-"
    data = {
        f"{prefix}kind": "action",
        f"{prefix}text": "Enter CAST in the portfolio",
        f"{prefix}owner_id": str(on.editor.id),
        f"{prefix}due_date": "2030-05-15",
    }
    url = f"{MEETINGS}/{meeting_id}/agenda/{item_id}/outcomes"
    assert client.post(url, data=data, headers=HTMX).status_code == 200
    with app.app_context():
        outcome_id = db.session.scalar(select(Outcome.id).where(Outcome.meeting_id == meeting_id))
    return meeting_id, item_id, outcome_id


def outcome_form(client, meeting_id: int, outcome_id: int) -> dict[str, str]:
    page = client.get(f"{MEETINGS}/{meeting_id}").text
    return fields_of(page, f"{MEETINGS}/{meeting_id}/outcomes/{outcome_id}/edit")


def stored_outcome(app, outcome_id: int) -> tuple | None:
    with app.app_context():
        o = db.session.get(Outcome, outcome_id)
        if o is None:
            return None
        return (o.kind.value, o.text, o.owner_id, str(o.due_date), o.version)


def test_an_outcome_is_edited_in_place_with_an_activity_entry(app, client, auth, on):
    auth.login(on.editor.email)
    meeting_id, _, outcome_id = meeting_with_outcome(app, client, on)
    form = outcome_form(client, meeting_id, outcome_id)
    p = f"outcome{outcome_id}-"
    assert form[f"{p}kind"] == "action" and form[f"{p}owner_id"] == str(on.editor.id)
    assert form[f"{p}version"] == "1" and form[f"{p}due_date"] == "2030-05-15"
    url = f"{MEETINGS}/{meeting_id}/outcomes/{outcome_id}/edit"
    data = {
        **form,
        f"{p}text": "Enter CAST and DigiTrans in the portfolio",
        f"{p}owner_id": str(on.coordinator.id),
        f"{p}due_date": "2030-06-30",
    }
    response = client.post(url, data=data, headers=HTMX)
    assert response.status_code == 200, response.text
    assert "Enter CAST and DigiTrans in the portfolio" in response.text
    assert stored_outcome(app, outcome_id) == (
        "action",
        "Enter CAST and DigiTrans in the portfolio",
        on.coordinator.id,
        "2030-06-30",
        2,
    )
    with app.app_context():
        verbs = db.session.scalars(
            select(Event.verb).where(Event.target == f"minutes:meeting:{meeting_id}")
        ).all()
    assert "outcome_edited" in verbs
    activity = client.get("/r/burgos/activity").text
    assert "edited an outcome of" in activity

    # A decision has no owner or due date.
    data = {**outcome_form(client, meeting_id, outcome_id), f"{p}kind": "decision"}
    assert client.post(url, data=data, headers=HTMX).status_code == 200
    assert stored_outcome(app, outcome_id)[:4] == (
        "decision",
        "Enter CAST and DigiTrans in the portfolio",
        None,
        "None",
    )


def test_an_outcome_edit_follows_the_owner_rules_and_the_lock(app, client, auth, on):
    auth.login(on.editor.email)
    meeting_id, _, outcome_id = meeting_with_outcome(app, client, on)
    url = f"{MEETINGS}/{meeting_id}/outcomes/{outcome_id}/edit"
    form = outcome_form(client, meeting_id, outcome_id)
    p = f"outcome{outcome_id}-"
    # The outsider (a stakeholder of Pannon only) cannot open a Burgos meeting.
    for owner, message in [
        (str(on.outsider.id), "Not a valid choice"),
        ("0", "An action item needs an owner."),
    ]:
        response = client.post(url, data={**form, f"{p}owner_id": owner}, headers=HTMX)
        assert response.status_code == 422 and message in response.text
    # A stakeholder reads but does not edit.
    stakeholder = person(app, on.stakeholder.email)
    assert stakeholder.post(url, data=form, headers=HTMX).status_code == 403
    # A closed meeting is read-only.
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.status = "closed"
        db.session.commit()
    response = client.post(url, data={**form, f"{p}text": "Changed"}, headers=HTMX)
    assert response.status_code == 409 and "closed" in response.text
    assert stored_outcome(app, outcome_id)[1] == "Enter CAST in the portfolio"
    assert f"{MEETINGS}/{meeting_id}/outcomes/{outcome_id}/edit" not in (
        client.get(f"{MEETINGS}/{meeting_id}").text
    )


def test_two_outcome_edits_at_once_keep_the_first_and_give_the_second_its_text(
    app, client, auth, on
):
    auth.login(on.editor.email)
    meeting_id, _, outcome_id = meeting_with_outcome(app, client, on)
    url = f"{MEETINGS}/{meeting_id}/outcomes/{outcome_id}/edit"
    p = f"outcome{outcome_id}-"
    rival = person(app, on.coordinator.email)
    theirs = outcome_form(rival, meeting_id, outcome_id)
    mine = outcome_form(client, meeting_id, outcome_id)

    def rival_edits():
        data = {**theirs, f"{p}text": "Enter CAST by June", f"{p}due_date": "2030-06-01"}
        assert rival.post(url, data=data, headers=HTMX).status_code == 200

    with rival_before_write(app, "minutes_outcome", rival_edits):
        response = client.post(
            url, data={**mine, f"{p}text": "Enter CAST with photos"}, headers=HTMX
        )
    assert response.status_code == 409
    assert "Someone else changed this outcome while you were editing it." in response.text
    assert "Enter CAST with photos</textarea>" in response.text  # mine, in the form
    assert "Enter CAST by June" in response.text  # saved now, shown above
    assert stored_outcome(app, outcome_id)[1:] == (
        "Enter CAST by June",
        on.editor.id,
        "2030-06-01",
        2,
    )
    # Saved again from the answer's form: on top of what is saved now.
    again = fields_of(response.text, url)
    assert again[f"{p}version"] == "2"
    assert client.post(url, data=again, headers=HTMX).status_code == 200
    assert stored_outcome(app, outcome_id)[1] == "Enter CAST with photos"


def test_an_outcome_removed_meanwhile_keeps_the_text(app, client, auth, on):
    auth.login(on.editor.email)
    meeting_id, _, outcome_id = meeting_with_outcome(app, client, on)
    url = f"{MEETINGS}/{meeting_id}/outcomes/{outcome_id}/edit"
    p = f"outcome{outcome_id}-"
    mine = outcome_form(client, meeting_id, outcome_id)
    rival = person(app, on.coordinator.email)

    def rival_removes():
        delete = f"{MEETINGS}/{meeting_id}/outcomes/{outcome_id}/delete"
        assert rival.post(delete, headers=HTMX).status_code == 200

    with rival_before_write(app, "minutes_outcome", rival_removes):
        response = client.post(url, data={**mine, f"{p}text": "Photos by Friday"}, headers=HTMX)
    assert response.status_code == 409
    assert (
        "Coord removed the outcome “Enter CAST in the portfolio” while you were editing it."
        in response.text
    )
    assert "Photos by Friday" in response.text
    assert stored_outcome(app, outcome_id) is None


def test_an_owner_who_left_stays_on_their_action_item_when_its_text_is_edited(
    app, client, auth, on
):
    auth.login(on.editor.email)
    meeting_id, _, outcome_id = meeting_with_outcome(app, client, on)
    with app.app_context():
        from workspace.models import User

        db.session.get(Outcome, outcome_id).owner_id = on.coordinator.id
        db.session.get(User, on.coordinator.id).active = False
        db.session.commit()
    form = outcome_form(client, meeting_id, outcome_id)
    p = f"outcome{outcome_id}-"
    assert form[f"{p}owner_id"] == str(on.coordinator.id)
    url = f"{MEETINGS}/{meeting_id}/outcomes/{outcome_id}/edit"
    response = client.post(url, data={**form, f"{p}text": "With photos"}, headers=HTMX)
    assert response.status_code == 200, response.text
    assert stored_outcome(app, outcome_id)[1:3] == ("With photos", on.coordinator.id)
    # Another action item cannot be given to them.
    other = meeting_with_outcome(app, client, on)
    form = outcome_form(client, other[0], other[2])
    q = f"outcome{other[2]}-"
    url = f"{MEETINGS}/{other[0]}/outcomes/{other[2]}/edit"
    response = client.post(url, data={**form, f"{q}owner_id": str(on.coordinator.id)}, headers=HTMX)
    assert response.status_code == 422 and "Not a valid choice" in response.text

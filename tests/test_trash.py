"""Meetings, good practices, action plans and portfolio analyses go to a trash before
they are gone, and come back with everything they own (workspace/trash.py).

While an object is in the trash it is 404 by id for everyone, admins included, and
gone from its lists, counts, search, link pickers, "linked" lists, panels, calendars
and exports; its texts are 404 at /docs/<id>. Moving it and bringing it back are in
the activity stream and the audit trail, and only those its module names may do it.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from plugins.action_plans.models import Plan, PlanAction
from plugins.action_plans.tests.test_action_plans import add_action as add_plan_action
from plugins.action_plans.tests.test_action_plans import create as create_plan
from plugins.minutes.models import Meeting
from plugins.minutes.tests.test_minutes_meetings import new_meeting, step
from plugins.portfolio.models import Analysis, Practice
from plugins.portfolio.tests.test_portfolio import create as create_practice
from plugins.portfolio.tests.test_portfolio import new_analysis, write_texts
from tests.conftest import HTMX, PASSWORD, Factory, World, make_app, with_panels
from workspace.extensions import db
from workspace.models import Event, Region
from workspace.plugins import host
from workspace.testing import new_document

MODULES = ("minutes", "portfolio", "action_plans")


def switch_on(app) -> None:
    with app.app_context():
        for region in db.session.scalars(select(Region)):
            for plugin in MODULES:
                host().set_enabled(region, plugin, True, None)
        db.session.commit()


@pytest.fixture
def modules(app, world):
    switch_on(app)
    return world


@dataclass
class Made:
    """One object made for a test, and its addresses."""

    title: str
    page: str  # its page, 404 while in the trash
    trash: str  # POST: into the trash
    untrash: str  # POST: back
    lists: list[str]  # pages that list it by title
    trash_list: str
    document_id: int  # a text it owns
    ref: str  # its reference, for links
    kind: str  # the event verbs' stem: "<kind>_trashed"
    phrase: str  # the activity stream's words
    activity: str  # the stream it shows in
    trasher: str  # who may move it (a World attribute)
    refused: tuple[str, ...]  # who may not
    picker_ref: str | None = None  # what the link picker offers of it, if anything
    exports: list[str] = field(default_factory=list)  # files that hold its title


def sign_in(auth, world, who: str) -> None:
    auth.logout()
    auth.login(getattr(world, who).email)


def make_meeting(app, client, auth, world) -> Made:
    sign_in(auth, world, "editor")
    meeting_id = new_meeting(client, title="Zanzibar kick-off")
    # Published: no longer a draft, so only a coordinator moves it to the trash.
    assert step(client, app, meeting_id, "open").status_code == 303
    with app.app_context():
        document_id = db.session.get(Meeting, meeting_id).minutes_document_id
    base = f"/r/burgos/minutes/meetings/{meeting_id}"
    return Made(
        title="Zanzibar kick-off",
        page=base,
        trash=f"{base}/trash",
        untrash=f"{base}/untrash",
        lists=["/r/burgos/minutes/", "/p/minutes/", "/r/burgos/minutes/meetings.ics"],
        trash_list="/r/burgos/minutes/trash",
        document_id=document_id,
        ref=f"minutes:meeting:{meeting_id}",
        kind="meeting",
        phrase="moved a meeting to the trash:",
        activity="/r/burgos/activity",
        trasher="coordinator",
        refused=("editor", "stakeholder", "other", "outsider"),
        picker_ref=f"minutes:meeting:{meeting_id}",
        exports=["meetings.ics"],
    )


def approved_practice(app, client, auth, world, title: str) -> int:
    sign_in(auth, world, "editor")
    practice_id = create_practice(client, title=title)
    write_texts(app, practice_id)
    assert client.post(f"/r/burgos/portfolio/{practice_id}/submit").status_code == 303
    sign_in(auth, world, "admin")
    response = client.post(
        f"/r/burgos/portfolio/{practice_id}/decision", data={"decision": "approve"}
    )
    assert response.status_code == 303
    return practice_id


def make_practice(app, client, auth, world) -> Made:
    practice_id = approved_practice(app, client, auth, world, "Zanzibar coaching")
    with app.app_context():
        document_id = db.session.get(Practice, practice_id).document_id
    base = f"/r/burgos/portfolio/{practice_id}"
    return Made(
        title="Zanzibar coaching",
        page=base,
        trash=f"{base}/trash",
        untrash=f"{base}/untrash",
        lists=["/r/burgos/portfolio/", "/p/portfolio/", "/p/portfolio/matrix"],
        trash_list="/r/burgos/portfolio/trash",
        document_id=document_id,
        ref=f"portfolio:practice:{practice_id}",
        kind="practice",
        phrase="moved a good practice to the trash:",
        activity="/r/burgos/activity",
        # Approved: the project's record, so not its editors' to remove.
        trasher="coordinator",
        refused=("editor", "stakeholder", "other", "outsider"),
        picker_ref=f"portfolio:practice:{practice_id}",
        exports=["practices.csv"],
    )


def make_plan(app, client, auth, world) -> Made:
    sign_in(auth, world, "editor")
    plan_id = create_plan(client, instrument_name="Zanzibar ROP")
    action_id = add_plan_action(client, plan_id, title="Zanzibar vouchers")
    with app.app_context():
        document_id = db.session.get(PlanAction, action_id).document_id
    base = f"/r/burgos/action_plans/{plan_id}"
    return Made(
        title="Zanzibar ROP",
        page=base,
        trash=f"{base}/trash",
        untrash=f"{base}/untrash",
        lists=["/r/burgos/action_plans/", "/p/action_plans/"],
        trash_list="/r/burgos/action_plans/trash",
        document_id=document_id,  # an action's text
        ref=f"action_plans:plan:{plan_id}",
        kind="action_plan",
        phrase="moved an action plan to the trash:",
        activity="/r/burgos/activity",
        # A draft: its region's editors write it, and may move it to the trash.
        trasher="editor",
        refused=("stakeholder", "other", "outsider"),
        picker_ref=f"action_plans:action:{action_id}",
        exports=[f"action-plan-{plan_id}.docx"],
    )


def make_analysis(app, client, auth, world) -> Made:
    practice_id = approved_practice(app, client, auth, world, "Export coaching")
    sign_in(auth, world, "other")  # Pannon's editor writes the analysis
    analysis_id = new_analysis(app, client, practice_id, title="Zanzibar visit")
    with app.app_context():
        document_id = db.session.get(Analysis, analysis_id).document_id
    base = f"/p/portfolio/analyses/{analysis_id}"
    return Made(
        title="Zanzibar visit",
        page=base,
        trash=f"{base}/trash",
        untrash=f"{base}/untrash",
        lists=["/p/portfolio/analyses/"],
        trash_list="/p/portfolio/analyses/trash",
        document_id=document_id,
        ref=f"portfolio:analysis:{analysis_id}",
        kind="analysis",
        phrase="moved a portfolio analysis to the trash:",
        activity="/activity",
        trasher="other",  # its author
        refused=("editor", "coordinator", "stakeholder", "outsider"),
    )


MAKERS: dict[str, Callable[..., Made]] = {
    "meeting": make_meeting,
    "practice": make_practice,
    "plan": make_plan,
    "analysis": make_analysis,
}


def in_trash(app, ref: str) -> bool:
    model = {
        "minutes:meeting": Meeting,
        "portfolio:practice": Practice,
        "portfolio:analysis": Analysis,
        "action_plans:plan": Plan,
    }[ref.rsplit(":", 1)[0]]
    with app.app_context():
        return db.session.get(model, int(ref.rsplit(":", 1)[1])).in_trash


def export_names(client) -> str:
    """Every file of Burgos's export archive, names and contents, as one text."""
    archive = zipfile.ZipFile(io.BytesIO(client.get("/r/burgos/export.zip").data))
    texts = []
    for name in archive.namelist():
        texts.append(name)
        if not name.endswith(".docx"):
            texts.append(archive.read(name).decode("utf-8", "replace"))
    return "\n".join(texts)


def shows(client, made: Made, plain_document: int) -> dict[str, bool]:
    """Where the object is to be seen, as the signed-in person sees it."""
    found = {
        "page": client.get(made.page).status_code == 200,
        "text": client.get(f"/docs/{made.document_id}").status_code == 200,
        "search": made.title in client.get("/search?q=Zanzibar").text,
        # A "linked" list names it (the document links to it).
        "linked": made.title in client.get(f"/docs/{plain_document}").text,
        "documents": f'href="/docs/{made.document_id}"' in client.get("/docs/").text,
    }
    for url in made.lists:
        found[url] = made.title in client.get(url).text
    if made.picker_ref:
        targets = client.get(f"/links/doc/{plain_document}/targets?q=Zanzibar", headers=HTMX)
        found["picker"] = made.picker_ref in targets.text
    if made.exports:
        archive = export_names(client)
        found["export"] = all(name in archive for name in made.exports) and (
            made.title in archive or made.kind == "action_plan"
        )
    if made.page.startswith("/r/burgos/") and made.kind != "practice":
        found["panel"] = made.title in with_panels(client, "/r/burgos/")
    return found


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_to_the_trash_and_back(app, client, auth, modules, kind):
    world = modules
    made = MAKERS[kind](app, client, auth, world)
    # A plain document of Burgos links to the object: its "linked" list names it.
    sign_in(auth, world, "coordinator")
    plain = new_document(client, "Situation report", "Nothing about islands.")
    assert client.post(f"/links/doc/{plain}", data={"target": made.ref}).status_code == 200
    sign_in(auth, world, made.trasher)
    before = shows(client, made, plain)
    assert [where for where, seen in before.items() if not seen] == []

    # Those the module does not name may not move it: nothing happens.
    for who in made.refused:
        sign_in(auth, world, who)
        assert client.post(made.trash).status_code in (403, 404), who
    assert not in_trash(app, made.ref)

    sign_in(auth, world, made.trasher)
    page = client.get(made.page).text
    assert f'action="{made.trash}"' in page and "hx-confirm=" in page  # the browser asks
    response = client.post(made.trash)
    assert response.status_code == 303
    followed = client.get(response.headers["Location"]).text
    assert f"“{made.title}” is moved to the trash. It can be restored from there." in followed
    assert in_trash(app, made.ref)
    again = client.post(made.trash)  # as from a second tab: it is not there to move again
    assert again.status_code == 409 and "was moved to the trash" in again.text

    # Gone for everyone, admins too: by id, its text, lists, search, pickers, exports.
    after = shows(client, made, plain)
    assert [where for where, seen in after.items() if seen] == []
    sign_in(auth, world, "admin")
    assert client.get(made.page).status_code == 404
    assert client.get(f"/docs/{made.document_id}").status_code == 404
    assert client.get(f"/docs/{made.document_id}/history").status_code == 404
    assert made.title not in client.get("/search?q=Zanzibar").text

    # The trash lists it, with who moved it, for those who may bring it back.
    sign_in(auth, world, made.trasher)
    trash = client.get(made.trash_list).text
    assert made.title in trash and getattr(world, made.trasher).name in trash
    assert f'action="{made.untrash}"' in trash
    activity = client.get(made.activity).text
    assert made.phrase in activity
    for who in made.refused:
        sign_in(auth, world, who)
        assert client.post(made.untrash).status_code in (403, 404), who
    assert in_trash(app, made.ref)
    sign_in(auth, world, "stakeholder")
    assert client.get(made.trash_list).status_code == 403

    # Back: everything with it.
    sign_in(auth, world, made.trasher)
    response = client.post(made.untrash)
    assert response.status_code == 303 and response.headers["Location"].endswith(made.page)
    assert f"“{made.title}” is back from the trash." in client.get(made.page).text
    assert not in_trash(app, made.ref)
    assert client.post(made.untrash).status_code == 404
    back = shows(client, made, plain)
    assert [where for where, seen in back.items() if not seen] == []
    assert made.title not in client.get(made.trash_list).text

    # Both moves are recorded, with who did them.
    with app.app_context():
        events = db.session.execute(
            select(Event.verb, Event.actor_id).where(Event.target == made.ref)
        ).all()
    trasher_id = getattr(world, made.trasher).id
    assert (f"{made.kind}_trashed", trasher_id) in events
    assert (f"{made.kind}_untrashed", trasher_id) in events
    assert "brought" in client.get(made.activity).text


def test_the_practice_count_leaves_with_the_practice(app, client, auth, modules):
    made = make_practice(app, client, auth, modules)
    sign_in(auth, modules, "coordinator")
    assert "<strong>1</strong> approved" in client.get("/r/burgos/portfolio/").text
    assert client.post(made.trash).status_code == 303
    assert "<strong>0</strong> approved" in client.get("/r/burgos/portfolio/").text
    assert "<strong>0</strong> approved" in client.get("/p/portfolio/").text
    assert client.post(made.untrash).status_code == 303
    assert "<strong>1</strong> approved" in client.get("/p/portfolio/").text


def test_a_draft_is_its_writers_to_trash_and_a_published_one_the_coordinators(
    app, client, auth, modules
):
    world = modules
    sign_in(auth, world, "editor")
    meeting_id = new_meeting(client, title="Draft meeting")
    practice_id = create_practice(client, title="Draft practice")
    plan_id = create_plan(client, instrument_name="Draft plan")
    for url in (
        f"/r/burgos/minutes/meetings/{meeting_id}",
        f"/r/burgos/portfolio/{practice_id}",
        f"/r/burgos/action_plans/{plan_id}",
    ):
        assert client.post(f"{url}/trash").status_code == 303, url
        assert client.post(f"{url}/untrash").status_code == 303, url
    # In review, the plan is its coordinators' (who endorse and re-open plans).
    with app.app_context():
        db.session.get(Plan, plan_id).status = "review"
        db.session.commit()
    assert client.post(f"/r/burgos/action_plans/{plan_id}/trash").status_code == 403
    sign_in(auth, world, "coordinator")
    assert client.post(f"/r/burgos/action_plans/{plan_id}/trash").status_code == 303
    # A region's coordinator may not move a project-wide meeting: the admins' own.
    sign_in(auth, world, "admin")
    project_meeting = new_meeting(client, region=None, title="Project meeting")
    assert step(client, app, project_meeting, "open", region=None).status_code == 303
    sign_in(auth, world, "coordinator")
    url = f"/p/minutes/meetings/{project_meeting}"
    assert client.post(f"{url}/trash").status_code == 403
    sign_in(auth, world, "admin")
    assert client.post(f"{url}/trash").status_code == 303
    assert "Project meeting" in client.get("/p/minutes/trash").text
    assert "Project meeting" not in client.get("/p/minutes/").text


def test_a_trashed_meeting_takes_its_action_items_along(app, client, auth, modules):
    world = modules
    sign_in(auth, world, "editor")
    meeting_id = new_meeting(client, title="Action meeting")
    base = f"/r/burgos/minutes/meetings/{meeting_id}"
    data = {"title": "Funding", "duration_minutes": "20", "presenter": "", "section": ""}
    assert client.post(f"{base}/agenda", data=data, headers=HTMX).status_code == 200
    with app.app_context():
        item_id = db.session.get(Meeting, meeting_id).agenda[0].id
    outcome = {
        f"item{item_id}-kind": "action",
        f"item{item_id}-text": "Send the islands report",
        f"item{item_id}-owner_id": str(world.editor.id),
        f"item{item_id}-due_date": "2030-05-01",
    }
    client.post(f"{base}/agenda/{item_id}/outcomes", data=outcome, headers=HTMX)
    assert "Send the islands report" in client.get("/r/burgos/minutes/actions").text
    assert client.post(f"{base}/trash").status_code == 303
    assert "Send the islands report" not in client.get("/r/burgos/minutes/actions").text
    assert "Send the islands report" not in client.get("/p/minutes/actions?mine=1").text
    assert client.get(f"{base}/meeting.ics").status_code == 404
    assert client.get(f"{base}/minutes.pdf").status_code == 404


def test_a_trashed_practice_leaves_the_analyses(app, client, auth, modules):
    world = modules
    practice_id = approved_practice(app, client, auth, world, "Zanzibar coaching")
    sign_in(auth, world, "other")
    analysis_id = new_analysis(app, client, practice_id, title="Island visit")
    sign_in(auth, world, "coordinator")
    assert client.post(f"/r/burgos/portfolio/{practice_id}/trash").status_code == 303
    sign_in(auth, world, "other")
    assert "Zanzibar coaching" not in client.get(f"/p/portfolio/analyses/{analysis_id}").text
    assert "<strong>0</strong> practices" in client.get("/p/portfolio/analyses/").text
    # Nor is it rated while in the trash.
    response = client.post(
        f"/p/portfolio/matrix/{practice_id}/pannon", data={"score": "2"}, headers=HTMX
    )
    assert response.status_code == 404


def test_the_trash_link_is_for_those_who_may_restore(app, client, auth, modules):
    world = modules
    sign_in(auth, world, "editor")
    for url in ("/r/burgos/minutes/", "/r/burgos/portfolio/", "/r/burgos/action_plans/"):
        assert f'href="{url}trash"' in client.get(url).text, url
    sign_in(auth, world, "stakeholder")
    for url in ("/r/burgos/minutes/", "/r/burgos/portfolio/", "/r/burgos/action_plans/"):
        page = client.get(url).text
        assert f'href="{url}trash"' not in page, url
        assert client.get(f"{url}trash").status_code == 403, url


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_moving_to_the_trash_needs_the_form_token(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    world = World(Factory(app))
    switch_on(app)
    from plugins.action_plans.plans import new_plan
    from plugins.portfolio.practices import new_practice
    from workspace.models import User, utcnow

    with app.app_context():
        burgos = db.session.get(Region, world.burgos.id)
        admin = db.session.get(User, world.admin.id)
        meeting = Meeting(
            region=burgos,
            title="Token meeting",
            kind="partner",
            starts_at=utcnow(),
            ends_at=utcnow(),
            timezone="Europe/Madrid",
        )
        practice = new_practice(burgos, admin, title="Token practice")
        plan = new_plan(burgos, admin, instrument_name="Token plan")
        analysis = Analysis(title="Token analysis", created_by_id=admin.id)
        db.session.add_all([meeting, analysis])
        db.session.commit()
        urls = [
            f"/r/burgos/minutes/meetings/{meeting.id}/trash",
            f"/r/burgos/portfolio/{practice.id}/trash",
            f"/r/burgos/action_plans/{plan.id}/trash",
            f"/p/portfolio/analyses/{analysis.id}/trash",
        ]
        refs = [meeting.ref, practice.ref, plan.ref, analysis.ref]
    client = app.test_client()
    login = client.get("/login").text
    client.post(
        "/login",
        data={"email": world.admin.email, "password": PASSWORD, "csrf_token": _token(login)},
    )
    for url, ref in zip(urls, refs, strict=True):
        assert client.post(url).status_code == 400, url
        assert not in_trash(app, ref)
    # With the token of the page's form, it goes.
    page = client.get(urls[1].removesuffix("/trash")).text
    assert client.post(urls[1], data={"csrf_token": _token(page)}).status_code == 303
    assert in_trash(app, refs[1])


def test_a_practice_trashed_while_someone_edits_it_gives_their_text_back(
    app, client, auth, modules
):
    """The editor's form posts after the coordinator moved the practice: nothing is
    saved, and the page shows what they typed, for them to copy."""
    sign_in(auth, modules, "editor")
    practice_id = create_practice(client, title="Zanzibar vouchers")
    edit_page = client.get(f"/r/burgos/portfolio/{practice_id}/edit").text
    sign_in(auth, modules, "coordinator")
    assert client.post(f"/r/burgos/portfolio/{practice_id}/trash").status_code == 303

    sign_in(auth, modules, "editor")
    typed = "Vouchers of up to 4.500,00 EUR for a first trade fair.\nSecond line."
    version = re.search(r'name="version"[^>]*value="(\d+)"', edit_page).group(1)
    form = {"version": version, "title": "Zanzibar vouchers", "summary": typed}
    answer = client.post(f"/r/burgos/portfolio/{practice_id}/edit", data=form)
    assert answer.status_code == 409
    assert "This practice was moved to the trash while you were working" in answer.text
    assert typed.replace("\n", "\n") in html.unescape(answer.text)
    assert f'value="{version}"' not in answer.text  # no technical fields shown back
    # From a fragment form the page keeps the form; the message says why.
    fragment = client.post(f"/r/burgos/portfolio/{practice_id}/edit", data=form, headers=HTMX)
    assert fragment.status_code == 409 and fragment.headers["HX-Retarget"] == "#messages"
    assert "Your text is still in the form" in fragment.text
    # A page of it is still plainly not there.
    assert client.get(f"/r/burgos/portfolio/{practice_id}/edit").status_code == 404
    with app.app_context():
        assert db.session.get(Practice, practice_id).summary != typed  # nothing saved


def test_minutes_text_sent_after_its_meeting_went_to_the_trash_comes_back(
    app, client, auth, modules
):
    made = make_meeting(app, client, auth, modules)
    sign_in(auth, modules, "editor")
    edit = client.get(f"/docs/{made.document_id}/edit").text
    base = re.search(r'name="base"[^>]*value="(\d+)"', edit).group(1)
    sign_in(auth, modules, "coordinator")
    assert client.post(made.trash).status_code == 303

    sign_in(auth, modules, "editor")
    typed = "Decided: the voucher call opens on 1.3.2027."
    answer = client.post(
        f"/docs/{made.document_id}/edit",
        data={"base": base, "title": "Minutes, as I typed them", "body": typed},
    )
    assert answer.status_code == 409
    assert "Nothing was saved" in answer.text and typed in answer.text
    assert "Minutes, as I typed them" in answer.text
    assert made.title not in answer.text  # nothing of what they may no longer see
    # Someone who may not edit there learns nothing new: 404 as before.
    sign_in(auth, modules, "stakeholder")
    refused = client.post(f"/docs/{made.document_id}/edit", data={"base": base, "body": "x"})
    assert refused.status_code in (403, 404)

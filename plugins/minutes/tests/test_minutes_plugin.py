"""The minutes plugin in the workspace: every role on every route, the switch per
region, the hooks (menu, dashboard, search, links, demo) and the action item pages."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from workspace.api import Region, db, enabled_in
from workspace.testing import HTMX, new_document, sign_in, with_panels

from .test_minutes_meetings import (
    add_item,
    close,
    item_ids,
    load,
    meeting_url,
    minutes_on,
    new_meeting,
    switch,
)

__all__ = ["minutes_on"]  # the fixture, shared with the meeting tests


@pytest.fixture
def planned(app, minutes_on):
    """A Burgos meeting with two agenda items, an action item of the editor, a guest."""
    editor = sign_in(app, minutes_on.editor.email)
    meeting_id = new_meeting(editor)
    add_item(editor, meeting_id, "Welcome")
    add_item(editor, meeting_id, "CAST (ES)")
    first, second = item_ids(app, meeting_id)
    p = f"item{first}-"
    editor.post(
        f"{meeting_url(meeting_id)}/agenda/{first}/outcomes",
        data={
            f"{p}kind": "action",
            f"{p}text": "Send the slides",
            f"{p}owner_id": str(minutes_on.editor.id),
            f"{p}due_date": "2020-01-31",
        },
    )
    editor.post(f"{meeting_url(meeting_id)}/participants", data={"guest_name": "María Sanz"})
    from plugins.minutes.models import Outcome, Participant

    with app.app_context():
        outcome = db.session.scalar(select(Outcome.id))
        guest = db.session.scalar(select(Participant.id))
    return {"id": meeting_id, "items": (first, second), "outcome": outcome, "guest": guest}


READ_ROUTES = [
    "/r/burgos/minutes/",
    "/r/burgos/minutes/?when=past",
    "/r/burgos/minutes/actions",
    "/r/burgos/minutes/meetings.ics",
    "/p/minutes/",
    "/p/minutes/actions",
    "/p/minutes/actions?mine=1",
    "{m}",
    "{m}/meeting.ics",
    "{m}/minutes.pdf",
]


def change_routes(planned) -> list[tuple[str, str, dict]]:
    """Every change, in an order that an editor can run from start to end."""
    first, second = planned["items"]
    return [
        ("GET", "/r/burgos/minutes/new", {}),
        ("GET", "{m}/edit", {}),
        ("POST", "{m}/agenda", {"title": "Lunch", "duration_minutes": "30"}),
        ("POST", f"{{m}}/agenda/{second}/move", {"direction": "up"}),
        ("POST", f"{{m}}/agenda/{first}/notes", {"notes": "Slides shared"}),
        (
            "POST",
            f"{{m}}/agenda/{second}/edit",
            {f"edit{second}-title": "CAST (ES)", f"edit{second}-duration_minutes": "25"},
        ),
        (
            "POST",
            f"{{m}}/agenda/{second}/outcomes",
            {f"item{second}-kind": "information", f"item{second}-text": "Noted"},
        ),
        ("POST", "{m}/participants", {"guest_name": "Ana Ruiz"}),
        ("POST", f"{{m}}/participants/{planned['guest']}/attendance", {"attended": "yes"}),
        ("POST", f"{{m}}/outcomes/{planned['outcome']}/settle", {"done": "1"}),
        ("POST", f"{{m}}/participants/{planned['guest']}/delete", {}),
        ("POST", f"{{m}}/outcomes/{planned['outcome']}/delete", {}),
        ("POST", f"{{m}}/agenda/{first}/delete", {}),
        ("POST", "{m}/status", {"to": "open", "version": "{version}"}),
    ]


# role -> may read Burgos, may change Burgos
ROLES = {
    "coordinator": (True, True),
    "editor": (True, True),
    "stakeholder": (True, False),
    "other": (True, False),
    "outsider": (False, False),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_on_every_route(app, minutes_on, planned, role):
    may_read, may_change = ROLES[role]
    client = sign_in(app, getattr(minutes_on, role).email)
    m = meeting_url(planned["id"])
    project_reader = role != "stakeholder" and role != "outsider"
    for route in READ_ROUTES:
        url = route.format(m=m)
        expected = 200 if (project_reader if url.startswith("/p/") else may_read) else 403
        response = client.get(url)
        assert response.status_code == expected, (role, url)
        if url.startswith("/r/burgos/minutes/?") or url == "/r/burgos/minutes/":
            hx = client.get(url, headers=HTMX)
            assert hx.status_code == expected
    before = load(app, planned["id"])
    for method, route, data in change_routes(planned):
        url = route.format(m=m)
        form = {k: v.format(version=load(app, planned["id"])["version"]) for k, v in data.items()}
        send = client.get if method == "GET" else client.post
        response = send(url, data=form, headers=HTMX)
        if may_change:
            # The status buttons are plain forms: they answer with the page to go to.
            wanted = 303 if url.endswith("/status") else 200
            assert response.status_code == wanted, (role, url, response.text[-500:])
        else:
            assert response.status_code == 403, (role, url)
    if not may_change:
        assert load(app, planned["id"]) == before
    else:
        assert load(app, planned["id"])["status"] == "open"


def test_anonymous_visitors_are_sent_to_sign_in(app, minutes_on, planned):
    client = app.test_client()
    for url in ["/r/burgos/minutes/", meeting_url(planned["id"]), "/p/minutes/actions"]:
        response = client.get(url)
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    response = client.post(f"{meeting_url(planned['id'])}/agenda", data={"title": "x"})
    assert response.status_code in (302, 303, 401)
    assert load(app, planned["id"])["agenda"][0][0] == "Welcome"


def test_the_owner_closes_an_action_item_in_one_click_even_without_edit_rights(
    app, minutes_on, planned
):
    editor = sign_in(app, minutes_on.editor.email)
    # Give the action item to a Pannon editor, who only reads Burgos.
    p = f"item{planned['items'][1]}-"
    editor.post(
        f"{meeting_url(planned['id'])}/agenda/{planned['items'][1]}/outcomes",
        data={
            f"{p}kind": "action",
            f"{p}text": "Share the Pécs programme",
            f"{p}owner_id": str(minutes_on.other.id),
            f"{p}due_date": "2999-01-31",
        },
    )
    close(editor, app, planned["id"])  # following up goes on after the meeting
    other = sign_in(app, minutes_on.other.email)
    mine = other.get("/p/minutes/actions?mine=1").text
    assert "Share the Pécs programme" in mine and "Send the slides" not in mine
    from plugins.minutes.models import Outcome

    with app.app_context():
        outcome_id = db.session.scalar(
            select(Outcome.id).where(Outcome.text == "Share the Pécs programme")
        )
    row = other.post(
        f"{meeting_url(planned['id'])}/outcomes/{outcome_id}/settle",
        data={"done": "1", "from": "list"},
        headers=HTMX,
    )
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="action-{outcome_id}"')
    assert "Re-open" in row.text and "Done " in row.text
    # Not their action item, no edit rights: refused.
    refused = other.post(
        f"{meeting_url(planned['id'])}/outcomes/{planned['outcome']}/settle", data={"done": "1"}
    )
    assert refused.status_code == 403
    assert ("action", "Send the slides", False) in load(app, planned["id"])["outcomes"]
    assert "Share the Pécs programme" not in other.get("/p/minutes/actions?mine=1").text
    assert "Share the Pécs programme" in other.get("/p/minutes/actions?mine=1&show=done").text


def test_overdue_action_items_are_highlighted(app, minutes_on, planned):
    client = sign_in(app, minutes_on.stakeholder.email)
    page = client.get("/r/burgos/minutes/actions").text
    assert f'<tr id="action-{planned["outcome"]}" class="overdue' in page
    assert "Overdue" in page
    # A stakeholder reads the action items but has no button to close them.
    assert "Mark done" not in page


def test_the_plugin_can_be_switched_off_for_one_region_only(app, minutes_on, planned):
    editor = sign_in(app, minutes_on.editor.email)
    pannon = sign_in(app, minutes_on.other.email)
    pannon_meeting = new_meeting(pannon, region="pannon", title="Stakeholder group, Pécs")
    switch(app, "burgos", on=False)

    assert editor.get("/r/burgos/minutes/").status_code == 404
    assert editor.get(meeting_url(planned["id"])).status_code == 404
    assert editor.get("/r/burgos/minutes/meetings.ics").status_code == 404
    dashboard = with_panels(editor, "/r/burgos/")
    assert "Next meetings and open action items" not in dashboard
    assert "/r/burgos/minutes/" not in dashboard
    # Pannon is untouched.
    assert editor.get("/r/pannon/minutes/").status_code == 200
    assert "Stakeholder group, Pécs" in editor.get(meeting_url(pannon_meeting, "pannon")).text
    assert "Next meetings and open action items" in with_panels(editor, "/r/pannon/")
    # Project lists and search leave Burgos out while it is off...
    project = editor.get("/p/minutes/").text
    assert "Stakeholder group, Pécs" in project
    assert "Partner meeting on good practices" not in project
    assert "Send the slides" not in editor.get("/p/minutes/actions").text
    # (The minutes text stays a core document, found by the core's own search.)
    assert meeting_url(planned["id"]) not in editor.get("/search?q=partner").text
    # ...and everything is back when it is switched on again.
    switch(app, "burgos", on=True)
    assert "Partner meeting on good practices" in editor.get(meeting_url(planned["id"])).text
    assert load(app, planned["id"])["agenda"][0][0] == "Welcome"


def test_menu_links_and_dashboard_panel(app, minutes_on, planned):
    client = sign_in(app, minutes_on.stakeholder.email)
    dashboard = with_panels(client, "/r/burgos/")
    assert 'href="/r/burgos/minutes/"' in dashboard
    assert 'href="/r/burgos/minutes/actions"' in dashboard
    assert "Next meetings and open action items" in dashboard
    assert "Partner meeting on good practices" in dashboard  # upcoming (2030)
    assert "Send the slides" in dashboard and "overdue" in dashboard
    overview = sign_in(app, minutes_on.editor.email).get("/").text
    assert 'href="/p/minutes/"' in overview


def test_search_finds_meetings_by_title_and_place_for_readers_only(app, minutes_on, planned):
    editor = sign_in(app, minutes_on.editor.email)
    editor.post(
        f"{meeting_url(planned['id'])}/edit",
        data={
            "title": "Partner meeting on good practices",
            "kind": "partner",
            "day": "2030-04-15",
            "start": "10:00",
            "end": "12:30",
            "timezone": "Europe/Madrid",
            "place": "Burgos, Fórum Evolución",
            "version": str(load(app, planned["id"])["version"]),
        },
    )
    results = editor.get("/search?q=Evoluci%C3%B3n").text
    assert "Partner meeting on good practices" in results and meeting_url(planned["id"]) in results
    assert "Partner meeting" in editor.get("/search?q=partner%20meeting").text
    outsider = sign_in(app, minutes_on.outsider.email)
    assert "Partner meeting on good practices" not in outsider.get("/search?q=partner").text
    # LIKE wildcards are taken literally.
    assert "Partner meeting on good practices" not in editor.get("/search?q=%25%25").text


def test_documents_link_to_meetings_and_show_where_they_are_linked_from(app, minutes_on, planned):
    editor = sign_in(app, minutes_on.editor.email)
    doc = new_document(editor, "Portfolio analysis Burgos", "x")
    picker = editor.get(f"/links/doc/{doc}/targets?q=partner", headers=HTMX).text
    ref = f"minutes:meeting:{planned['id']}"
    assert f'value="{ref}"' in picker and "Partner meeting on good practices" in picker
    panel = editor.post(f"/links/doc/{doc}", data={"target": ref}, headers=HTMX)
    assert panel.status_code == 200
    assert meeting_url(planned["id"]) in panel.text
    # The meeting page lists what links to it; its minutes lead back to it.
    page = editor.get(meeting_url(planned["id"])).text
    assert f'href="/docs/{doc}">Portfolio analysis Burgos</a>' in page
    minutes = load(app, planned["id"])["document"]
    assert meeting_url(planned["id"]) in editor.get(f"/docs/{minutes}").text
    # Switched off: the link shows as unavailable, never an error.
    switch(app, "burgos", on=False)
    page = editor.get(f"/docs/{doc}")
    assert page.status_code == 200
    assert "Partner meeting on good practices" not in page.text


def test_the_demo_holds_the_project_meetings_and_loads_once(app, runner):
    from plugins.minutes.models import Meeting, Outcome

    result = runner.invoke(args=["demo", "--password", "demo-pass-2026"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        meetings = {m.title: m for m in db.session.scalars(select(Meeting))}
        kinds = Counter(m.kind.value for m in meetings.values())
        # The seven of the seed, a webinar per region, and two or three meetings of each
        # region's stakeholder group.
        assert kinds["interregional"] == 4 and kinds["thematic_visit"] == 2
        assert kinds["partner"] == 1 and kinds["webinar"] == 5
        assert 10 <= kinds["stakeholder_group"] <= 15
        total = len(meetings)
        # The project runs from 2019-08-01 to 2022-07-31 (Phase 1 to 2021-07-31).
        for m in meetings.values():
            last = date(2022, 7, 31) if m.kind.value == "stakeholder_group" else date(2021, 7, 31)
            assert date(2019, 8, 1) <= m.starts_at.date() <= last, m.title
        online = meetings["Online partner meeting: good practices"]
        assert online.region.slug == "burgos" and online.online_url
        assert online.starts_at == datetime(2020, 4, 15, 8, 0, tzinfo=UTC)
        titles = [item.title for item in online.agenda]
        for practice in [
            "Pécs-Baranya Industrial Development Programme (HU)",
            "Call for Internationalization 2019 (IT)",
            "Science and Business (PL)",
            "CAST (ES)",
            "Financial support for SMEs (LT)",
        ]:
            assert practice in titles
        visits = sorted(
            m.region.slug for m in meetings.values() if m.kind.value == "thematic_visit"
        )
        assert visits == ["burgos", "klaipeda"]
        actions = db.session.scalars(select(Outcome).where(Outcome.kind == "action")).all()
        today = datetime.now(UTC).date()
        assert any(a.is_done for a in actions)
        assert any(a.is_overdue(today) for a in actions)
        assert any(not a.is_done and not a.is_overdue(today) for a in actions)
        for region in db.session.scalars(select(Region)):
            assert "minutes" in enabled_in(region)
    runner.invoke(args=["demo", "--password", "demo-pass-2026"])
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == total

"""What the minutes count towards the programme's indicators and list among the
project's activities, asked through the core as the reports plugin asks: the demo
counted again from the database's rows, one person once however many events they
attended, and a region whose minutes are off left out."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from workspace import api
from workspace.api import Partner, Region, User, db, periods
from workspace.testing import DEMO_PASSWORD, load_demo, sign_in

from .test_minutes_meetings import close, meeting_url, new_meeting, switch

LEARNING = ("interregional", "thematic_visit", "webinar")


def values(app, email: str, scope=None, period=None) -> list:
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if isinstance(scope, str):
            scope = db.session.scalar(select(Region).where(Region.slug == scope))
        found = api.indicator_values(scope, period, user)
        return [v for v in found if v.ref.startswith("minutes:")]


def of(found: list, indicator: str) -> list:
    return [v for v in found if v.indicator == indicator]


def held_rows(app) -> list[dict]:
    """The demo's meetings as rows, read straight from the table."""
    from plugins.minutes.models import Meeting, Participant

    with app.app_context():
        meetings = db.session.scalars(select(Meeting)).all()
        rows = []
        for m in meetings:
            present = db.session.scalars(
                select(Participant).where(
                    Participant.meeting_id == m.id, Participant.attended.is_(True)
                )
            ).all()
            rows.append(
                {
                    "id": m.id,
                    "kind": m.kind.value,
                    "region": m.region.slug if m.region else None,
                    "held": m.status.value == "closed"
                    and m.cancelled_at is None
                    and m.deleted_at is None,
                    "people": {
                        ("user", p.user_id)
                        if p.user_id
                        else ("member", p.stakeholder_id)
                        if p.stakeholder_id
                        else ("guest", p.guest_name.lower(), p.guest_organisation.lower())
                        for p in present
                        if p.partner_id is None
                    },
                }
            )
        return rows


@pytest.fixture
def demo(app):
    load_demo(app)
    return app


def test_the_demo_counts_its_learning_events_and_people_once(demo):
    rows = held_rows(demo)
    events = [r for r in rows if r["held"] and r["kind"] in LEARNING]
    people = set().union(*(r["people"] for r in events))
    found = values(demo, api.DEMO_ADMIN_EMAIL)
    learning = of(found, "learning_events")
    assert sorted(v.ref for v in learning) == sorted(f"minutes:meeting:{r['id']}" for r in events)
    # The four interregional meetings, two thematic visits, one webinar per region.
    assert len(learning) == 4 + 2 + 5
    capacity = of(found, "people_capacity")
    assert len(capacity) == len(people) > 20
    assert all(v.suggested for v in capacity) and not any(v.suggested for v in learning)
    # Stakeholder group meetings are no learning events, but the project's activities.
    groups = [r for r in rows if r["held"] and r["kind"] == "stakeholder_group"]
    assert len(groups) >= 10 and all(
        2 <= sum(g["region"] == s for g in groups) <= 3 for s in api.DEMO_REGION_SLUGS
    )
    # Loading again adds nothing.
    load_demo(demo)
    assert len(of(values(demo, api.DEMO_ADMIN_EMAIL), "learning_events")) == len(learning)


def test_the_demo_webinars_and_register(demo):
    client = sign_in(demo, api.DEMO_ADMIN_EMAIL, DEMO_PASSWORD)
    page = client.get("/p/minutes/webinars").text
    assert page.count("https://example.org/interventures/webinars/") == 5
    assert "Sabine Weber (AEBR)" in page
    register = client.get("/r/burgos/minutes/stakeholders").text
    assert "Junta de Castilla y León" in register and "Former members" in register


def test_the_credited_partner_and_the_details(demo):
    found = values(demo, api.DEMO_ADMIN_EMAIL)
    with demo.app_context():
        partners = {p.id: p.short_name for p in db.session.scalars(select(Partner))}
    by_title = {v.title: v for v in of(found, "learning_events")}
    # Planned by the admin of Pannon EGTC: credited to Pannon EGTC in Pécs; to the region's
    # first partner elsewhere (CEEI-Burgos); to nobody for a project-wide meeting.
    assert partners[by_title["1st interregional meeting, Pécs"].partner] == "Pannon EGTC"
    assert partners[by_title["Thematic visit on good practices, Burgos"].partner] == "CEEI-Burgos"
    assert by_title["2nd interregional meeting (online)"].partner is None
    visit = by_title["Thematic visit on good practices, Burgos"]
    assert visit.day == date(2020, 2, 26)
    assert "Burgos, CEEI-Burgos" in visit.detail and "partner organisations" in visit.detail
    webinar = next(v for t, v in by_title.items() if "webinar Castilla y León" in t)
    assert "52 attendees" in webinar.detail and "Sabine Weber" in webinar.detail
    # Planned by CEEI-Burgos's coordinator: credited to CEEI-Burgos.
    assert partners[webinar.partner] == "CEEI-Burgos"


def test_one_person_at_two_learning_events_counts_once(app, world):
    switch(app, "burgos")
    switch(app, "pannon")
    editor = sign_in(app, world.editor.email)
    other = sign_in(app, world.other.email)
    first = new_meeting(editor, kind="webinar", title="Webinar 1", day="2020-03-10")
    second = new_meeting(editor, kind="thematic_visit", title="Visit 2", day="2020-09-10")
    project = new_meeting(other, region=None, kind="interregional", title="IRM", day="2020-11-10")
    for meeting_id, client, region in ((first, editor, "burgos"), (second, editor, "burgos")):
        url = meeting_url(meeting_id, region)
        client.post(f"{url}/participants", data={"user_id": str(world.stakeholder.id)})
        client.post(
            f"{url}/participants",
            data={"guest_name": "María  Sanz", "guest_organisation": "Cámara de Burgos"},
        )
    url = meeting_url(second)
    editor.post(
        f"{url}/participants",
        data={"guest_name": "maria sanz", "guest_organisation": "Camara de Burgos"},
    )
    editor.post(f"{url}/participants", data={"partner_id": str(world.editor.partner_id)})
    with app.app_context():
        from plugins.minutes.models import Participant

        ids = db.session.scalars(
            select(Participant.id).where(Participant.meeting_id.in_([first, second]))
        ).all()
        meeting_of = dict(db.session.execute(select(Participant.id, Participant.meeting_id)).all())
    for participant_id in ids:
        url = meeting_url(meeting_of[participant_id])
        editor.post(f"{url}/participants/{participant_id}/attendance", data={"attended": "yes"})
    # Not counted before the events are held.
    assert values(app, world.admin.email) == []
    close(editor, app, first)
    close(editor, app, second)
    found = values(app, world.admin.email)
    assert len(of(found, "learning_events")) == 2  # the draft project meeting is not held
    people = {v.ref: v for v in of(found, "people_capacity")}
    # The stakeholder (by account) and María Sanz (however written): once each. The partner
    # invited as an organisation is no person.
    assert sorted(people) == [
        "minutes:person:guest:maria-sanz~camara-de-burgos",
        f"minutes:person:user:{world.stakeholder.id}",
    ]
    maria = people["minutes:person:guest:maria-sanz~camara-de-burgos"]
    assert (
        maria.day == date(2020, 3, 10) and "Webinar 1" in maria.detail and "Visit 2" in maria.detail
    )
    # A guest is credited to the event's partner; an external stakeholder has no partner.
    assert maria.partner == world.editor.partner_id
    # Counted once, in the period of the first event: not again in that of the second.
    with app.app_context():
        later = next(p for p in periods() if p.contains(date(2020, 9, 10)))
    assert not later.contains(date(2020, 3, 10))
    in_later = of(values(app, world.admin.email, period=later), "people_capacity")
    assert "minutes:person:guest:maria-sanz~camara-de-burgos" not in {v.ref for v in in_later}
    # Nothing of Burgos is credited to Pannon; the draft project meeting counts nowhere.
    assert values(app, world.admin.email, scope="pannon") == []
    assert f"minutes:meeting:{project}" not in {v.ref for v in found}


def test_a_region_with_the_minutes_off_is_left_out(demo):
    before = values(demo, api.DEMO_ADMIN_EMAIL)
    with demo.app_context():
        burgos_id = db.session.scalar(select(Region.id).where(Region.slug == "burgos"))
    assert any(v.region == burgos_id for v in before)
    switch(demo, "burgos", on=False)
    after = values(demo, api.DEMO_ADMIN_EMAIL)
    assert after and not any(v.region == burgos_id for v in after)
    assert not any("Castilla y León" in v.title for v in of(after, "learning_events"))
    with demo.test_request_context():
        admin = db.session.scalar(select(User).where(User.email == api.DEMO_ADMIN_EMAIL))
        period = next(p for p in api.periods() if p.contains(date(2020, 6, 1)))
        activities = api.project_activities(period, admin)
    assert not any(item.region == burgos_id for item in activities)


def test_project_activities_list_the_held_meetings_of_the_period(demo):
    with demo.test_request_context():
        admin = db.session.scalar(select(User).where(User.email == api.DEMO_ADMIN_EMAIL))
        period = next(p for p in api.periods() if p.contains(date(2020, 6, 1)))
        items = [i for i in api.project_activities(period, admin) if i.key.startswith("minutes:")]
    sections = {i.section for i in items}
    assert sections <= {
        "Interregional meetings",
        "Webinars",
        "Thematic visits",
        "Stakeholder group meetings",
    }
    assert all(period.contains(i.day) for i in items)
    webinars = [i for i in items if i.section == "Webinars"]
    assert webinars and all("attendees" in i.detail and "speakers" in i.detail for i in webinars)
    assert not any(i.title == "Online partner meeting: good practices" for i in items)

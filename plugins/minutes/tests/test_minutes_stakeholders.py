"""A region's stakeholder group register: adding members, changing them, marking them
as left, who may, every mistake a user can make, and the register feeding the group's
meetings (inviting the whole group, attendance per member)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from workspace.api import db
from workspace.testing import CORPUS, offending, sign_in

from .test_minutes_meetings import close, meeting_url, new_meeting, switch

REGISTER = "/r/burgos/minutes/stakeholders"
MEMBER = {
    "person": "Rosa Díez",
    "organisation": "Junta de Castilla y León, ERDF managing authority",
    "kind": "managing_authority",
    "position": "Head of unit",
    "email": "rosa.diez@example.org",
    "joined_on": "15.01.2020",
}


@pytest.fixture
def group(app, world):
    switch(app, "burgos")
    switch(app, "pannon")
    return world


def members(app) -> list[dict]:
    from plugins.minutes.models import Stakeholder

    with app.app_context():
        rows = db.session.scalars(select(Stakeholder).order_by(Stakeholder.id)).all()
        return [
            {
                "id": m.id,
                "person": m.person,
                "organisation": m.organisation,
                "kind": m.kind.value,
                "email": m.email,
                "joined_on": m.joined_on.isoformat(),
                "left_on": m.left_on.isoformat() if m.left_on else None,
                "version": m.version,
            }
            for m in rows
        ]


def add_member(client, **fields) -> int:
    response = client.post(REGISTER, data={**MEMBER, **fields})
    assert response.status_code == 303, response.text
    return max(m["id"] for m in members(client.application))


def current_section(page: str) -> str:
    return page.split('id="current-title"', 1)[1].split('id="former-title"', 1)[0]


def test_an_editor_adds_a_member_listed_with_their_organisation(app, client, auth, group):
    auth.login(group.editor.email)
    add_member(client)
    (saved,) = members(app)
    assert saved["person"] == "Rosa Díez" and saved["kind"] == "managing_authority"
    assert saved["joined_on"] == "2020-01-15" and saved["left_on"] is None
    page = client.get(REGISTER).text
    current = current_section(page)
    assert "Rosa Díez" in current and "Managing authority" in current
    assert "Head of unit" in current and "rosa.diez@example.org" in current
    assert "Former members" not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"person": "  "}, "Write the member's name."),
        ({"organisation": ""}, "Write the member's organisation."),
        ({"kind": "lobbyist"}, "Not a valid choice"),
        ({"email": "rosa at example"}, "Enter an e-mail address such as"),
        ({"joined_on": "31.02.2020"}, "is not a day of the calendar"),
        ({"joined_on": ""}, "Enter the date"),
        ({"person": "x" * 121}, "Field cannot be longer than 120 characters."),
    ],
)
def test_bad_member_input_is_refused_and_kept(app, client, auth, group, fields, message):
    auth.login(group.editor.email)
    data = {**MEMBER, **fields}
    response = client.post(REGISTER, data=data)
    assert response.status_code == 422
    # Unescaped: a translated (lazy) message is written as it is, an apostrophe too.
    assert message in html.unescape(response.text)
    assert members(app) == []
    # What the user typed is still in the form, to correct.
    for name in ("person", "organisation", "position", "email"):
        if data[name].strip():
            assert f'value="{html.escape(data[name])}"' in response.text
    # A day that reads is shown as the date picker writes it; one that does not, as typed.
    typed = {"15.01.2020": "2020-01-15"}.get(data["joined_on"], data["joined_on"])
    assert re.search(f'name="joined_on"[^>]*value="{re.escape(typed)}"', response.text)


def test_who_may_read_and_change_the_register(app, client, auth, group):
    editor = sign_in(app, group.editor.email)
    member_id = add_member(editor)
    # A stakeholder of Burgos reads the register, without the e-mail addresses, and
    # changes nothing.
    auth.login(group.stakeholder.email)
    page = client.get(REGISTER)
    assert page.status_code == 200 and "Rosa Díez" in page.text
    assert "rosa.diez@example.org" not in page.text and "Add a member" not in page.text
    assert client.post(REGISTER, data=MEMBER).status_code == 403
    assert client.post(f"{REGISTER}/{member_id}/leave", data={}).status_code == 403
    auth.logout()
    # Staff of a partner elsewhere read it, and change nothing either.
    auth.login(group.other.email)
    assert client.get(REGISTER).status_code == 200
    assert client.get(f"{REGISTER}/{member_id}/edit").status_code == 403
    assert client.post(REGISTER, data=MEMBER).status_code == 403
    auth.logout()
    # A stakeholder of another region does not read it.
    auth.login(group.outsider.email)
    assert client.get(REGISTER).status_code == 403
    auth.logout()
    # The coordinator of Burgos changes it, and the register is 404 where it is off.
    auth.login(group.coordinator.email)
    assert client.get(f"{REGISTER}/{member_id}/edit").status_code == 200
    assert len(members(app)) == 1
    switch(app, "burgos", on=False)
    assert client.get(REGISTER).status_code == 404
    # A member of Burgos is not at Pannon's address, even for an admin.
    switch(app, "burgos")
    auth.logout()
    auth.login(group.admin.email)
    assert client.get(f"/r/pannon/minutes/stakeholders/{member_id}/edit").status_code == 404


def test_an_editor_changes_a_member_and_a_stale_form_keeps_the_input(app, client, auth, group):
    auth.login(group.editor.email)
    member_id = add_member(client)
    edit = f"{REGISTER}/{member_id}/edit"
    form = client.get(edit).text
    assert 'value="Rosa Díez"' in form and re.search('name="version"[^>]*value="1"', form)
    changed = {**MEMBER, "position": "Director general", "kind": "public_authority"}
    assert client.post(edit, data={**changed, "version": "1"}).status_code == 303
    assert members(app)[0]["kind"] == "public_authority"
    assert "Director general" in client.get(REGISTER).text
    # A second form opened on version 1 does not overwrite: 409, input kept, both shown.
    stale = client.post(edit, data={**MEMBER, "position": "Deputy head", "version": "1"})
    assert stale.status_code == 409
    assert "Someone else changed this member" in stale.text
    assert 'value="Deputy head"' in stale.text and "Director general" in stale.text
    assert members(app)[0]["version"] == 2
    # Leaving before joining is refused beside the field.
    bad = client.post(edit, data={**MEMBER, "left_on": "2019-12-31", "version": "2"})
    assert bad.status_code == 422 and "A member leaves after joining" in bad.text
    assert 'value="2019-12-31"' in bad.text
    assert members(app)[0]["left_on"] is None


def test_a_member_leaves_and_stays_listed_as_former(app, client, auth, group):
    auth.login(group.editor.email)
    member_id = add_member(client)
    other = add_member(client, person="Iván Gil", organisation="FAE Burgos", kind="sme")
    leave = f"{REGISTER}/{member_id}/leave"
    prefix = f"leave{member_id}-"
    bad = client.post(leave, data={f"{prefix}left_on": "2020-13-01", f"{prefix}version": "1"})
    assert bad.status_code == 422 and 'value="2020-13-01"' in bad.text
    early = client.post(leave, data={f"{prefix}left_on": "2019-06-30", f"{prefix}version": "1"})
    assert early.status_code == 422 and "they leave after that" in early.text
    assert members(app)[0]["left_on"] is None
    done = client.post(leave, data={f"{prefix}left_on": "30.06.2021", f"{prefix}version": "1"})
    assert done.status_code == 303
    assert members(app)[0]["left_on"] == "2021-06-30"
    page = client.get(REGISTER).text
    assert "Rosa Díez" not in current_section(page) and "Iván Gil" in current_section(page)
    assert "Rosa Díez" in page.split('id="former-title"', 1)[1]
    again = client.post(leave, data={f"{prefix}left_on": "2021-07-01", f"{prefix}version": "2"})
    assert again.status_code == 409
    assert members(app)[0]["left_on"] == "2021-06-30" and other


def test_inviting_the_whole_group_and_their_attendance(app, client, auth, group):
    from plugins.minutes.models import Participant

    auth.login(group.editor.email)
    rosa = add_member(client)
    ivan = add_member(client, person="Iván Gil", organisation="FAE Burgos", kind="sme")
    gone = add_member(client, person="Ana Ruiz", organisation="Cámara de Burgos", kind="chamber")
    prefix = f"leave{gone}-"
    left = {f"{prefix}left_on": "2020-02-01", f"{prefix}version": "1"}
    assert client.post(f"{REGISTER}/{gone}/leave", data=left).status_code == 303
    meeting_id = new_meeting(
        client, kind="stakeholder_group", title="Stakeholder group, 1st meeting"
    )
    url = meeting_url(meeting_id)
    page = client.get(url).text
    assert "Invite the whole group" in page and "2 current members" in page
    response = client.post(f"{url}/participants/group")
    assert response.status_code == 303
    with app.app_context():
        invited = db.session.scalars(
            select(Participant.stakeholder_id).where(Participant.meeting_id == meeting_id)
        ).all()
    assert sorted(invited) == [rosa, ivan]  # the current members, not the former one
    page = client.get(url).text
    assert "Rosa Díez" in page and "FAE Burgos" in page
    assert "Invite the whole group" not in page  # nobody is left to invite
    again = client.post(f"{url}/participants/group")
    assert again.status_code == 422 and "invited already" in again.text
    # Attendance: Rosa present, Iván absent; once the meeting is held, the register says so.
    with app.app_context():
        ids = dict(
            db.session.execute(
                select(Participant.stakeholder_id, Participant.id).where(
                    Participant.meeting_id == meeting_id
                )
            ).all()
        )
    client.post(f"{url}/participants/{ids[rosa]}/attendance", data={"attended": "yes"})
    client.post(f"{url}/participants/{ids[ivan]}/attendance", data={"attended": "no"})
    close(client, app, meeting_id)
    register = client.get(REGISTER).text
    rosa_row = register.split(f'id="member-{rosa}"', 1)[1].split("</tr>", 1)[0]
    ivan_row = register.split(f'id="member-{ivan}"', 1)[1].split("</tr>", 1)[0]
    assert "1 of 1 meeting" in rosa_row and "present" in rosa_row
    assert "0 of 1 meeting" in ivan_row and "absent" in ivan_row
    # A meeting of another kind does not invite the group.
    other = new_meeting(client, kind="partner", title="Partner meeting")
    assert "Invite the whole group" not in client.get(meeting_url(other)).text
    refused = client.post(f"{meeting_url(other)}/participants/group")
    assert refused.status_code == 409
    with app.app_context():
        count = select(func.count()).select_from(Participant)
        assert db.session.scalar(count.where(Participant.meeting_id == other)) == 0


def test_one_member_is_invited_through_the_participant_form(app, client, auth, group):
    auth.login(group.editor.email)
    rosa = add_member(client)
    meeting_id = new_meeting(client, kind="webinar", title="Webinar on export support")
    url = meeting_url(meeting_id)
    assert f'<option value="{rosa}">Rosa Díez (Junta de Castilla' in client.get(url).text
    assert client.post(f"{url}/participants", data={"stakeholder_id": str(rosa)}).status_code == 303
    twice = client.post(f"{url}/participants", data={"stakeholder_id": str(rosa)})
    assert twice.status_code == 422 and "invited already" in twice.text
    both = client.post(f"{url}/participants", data={"stakeholder_id": str(rosa), "user_id": "1"})
    assert both.status_code == 422 and "Invite one at a time" in both.text


@pytest.mark.parametrize("text", CORPUS[:14])
def test_hostile_register_text_is_inert(app, client, auth, group, text):
    editor = sign_in(app, group.editor.email)
    add_member(
        editor,
        person=text[:120],
        organisation=text[:200],
        position=text[:120],
        kind="other",
        email="",
    )
    auth.login(group.stakeholder.email)
    page = client.get(REGISTER).text
    if "<" in text:
        assert text[:60] not in page  # shown escaped, never as markup
    assert offending(current_section(page)) == []


def test_the_activity_names_the_member_a_change_was_about(app, client, auth, group):
    auth.login(group.editor.email)
    member_id = add_member(client)
    page = client.get("/r/burgos/activity").text
    line = page.split("added a member to the stakeholder group", 1)[1].split("</li>", 1)[0]
    assert f'href="{REGISTER}#member-{member_id}"' in line
    assert f"Rosa Díez ({MEMBER['organisation']})" in line
    assert "not open to you" not in line

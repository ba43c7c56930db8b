"""Webinars: their speakers, attendee count and recording, edited on the meeting page
from the version it showed, and the project's webinars page."""

from __future__ import annotations

import re

import pytest

from workspace.api import db

from .test_minutes_meetings import close, meeting_url, new_meeting, switch

FACTS = {
    "speakers": "Sabine Weber (AEBR), Jonas Becker (AEBR)",
    "attendee_count": "45",
    "recording_url": "https://video.example.org/webinar-1",
}


@pytest.fixture
def webinars(app, world):
    switch(app, "burgos")
    switch(app, "pannon")
    return world


def facts(app, meeting_id: int) -> tuple:
    from plugins.minutes.models import Meeting

    with app.app_context():
        m = db.session.get(Meeting, meeting_id)
        return m.speakers, m.attendee_count, m.recording_url, m.version


def version_of(app, meeting_id: int) -> str:
    return str(facts(app, meeting_id)[3])


def test_an_editor_fills_in_a_webinar_and_the_register_lists_it(app, client, auth, webinars):
    auth.login(webinars.editor.email)
    meeting_id = new_meeting(client, kind="webinar", title="Webinar: export support for SMEs")
    url = meeting_url(meeting_id)
    page = client.get(url).text
    assert "Edit the webinar’s details" in page
    response = client.post(f"{url}/webinar", data={**FACTS, "version": version_of(app, meeting_id)})
    assert response.status_code == 303
    assert facts(app, meeting_id)[:3] == (FACTS["speakers"], 45, FACTS["recording_url"])
    page = client.get(url).text
    assert "Sabine Weber (AEBR), Jonas Becker (AEBR)" in page
    assert 'href="https://video.example.org/webinar-1"' in page
    # The facts come after the webinar: they can still be filled in once it is closed.
    close(client, app, meeting_id)
    later = {**FACTS, "attendee_count": "52", "version": version_of(app, meeting_id)}
    assert client.post(f"{url}/webinar", data=later).status_code == 303
    assert facts(app, meeting_id)[1] == 52
    # The project's webinars page, for partner staff elsewhere too.
    auth.logout()
    auth.login(webinars.other.email)
    register = client.get("/p/minutes/webinars").text
    assert "Webinar: export support for SMEs" in register and "Castilla y León" in register
    assert "Sabine Weber (AEBR)" in register and ">52<" in register
    assert 'href="https://video.example.org/webinar-1"' in register
    assert 'href="/p/minutes/webinars"' in client.get("/p/minutes/").text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"recording_url": "javascript:alert(1)"}, "starting with https://"),
        ({"recording_url": "JaVaScRiPt:alert(1)//https://x"}, "starting with https://"),
        ({"recording_url": "ftp://files.example.org/rec.mp4"}, "starting with https://"),
        ({"attendee_count": "forty"}, "Enter a whole number"),
        ({"attendee_count": "-3"}, "Enter a whole number"),
        ({"speakers": "x" * 501}, "Keep the speakers under 500 characters."),
    ],
)
def test_bad_webinar_facts_are_refused_and_kept(app, client, auth, webinars, fields, message):
    auth.login(webinars.editor.email)
    meeting_id = new_meeting(client, kind="webinar", title="Webinar")
    data = {**FACTS, **fields, "version": version_of(app, meeting_id)}
    response = client.post(f"{meeting_url(meeting_id)}/webinar", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert response.text.count("Enter a full address starting with https://.") <= 1
    assert facts(app, meeting_id)[:3] == ("", None, "")
    for name in ("speakers", "attendee_count", "recording_url"):
        assert re.search(f'name="{name}"[^>]*value="{re.escape(data[name])}"', response.text)


def test_a_stale_webinar_form_keeps_the_input_and_saves_nothing(app, client, auth, webinars):
    auth.login(webinars.editor.email)
    meeting_id = new_meeting(client, kind="webinar", title="Webinar")
    url = meeting_url(meeting_id)
    first = version_of(app, meeting_id)
    assert client.post(f"{url}/webinar", data={**FACTS, "version": first}).status_code == 303
    mine = {**FACTS, "speakers": "Somebody else", "version": first}
    stale = client.post(f"{url}/webinar", data=mine)
    assert stale.status_code == 409
    assert "Someone else changed this meeting" in stale.text
    assert 'value="Somebody else"' in stale.text and "Saved now" in stale.text
    assert facts(app, meeting_id)[0] == FACTS["speakers"]


def test_only_webinars_have_the_section_and_only_editors_change_it(app, client, auth, webinars):
    auth.login(webinars.editor.email)
    other = new_meeting(client, kind="partner", title="Partner meeting")
    assert 'id="webinar"' not in client.get(meeting_url(other)).text
    refused = client.post(f"{meeting_url(other)}/webinar", data={**FACTS, "version": "1"})
    assert refused.status_code == 409 and facts(app, other)[:3] == ("", None, "")
    meeting_id = new_meeting(client, kind="webinar", title="Webinar")
    auth.logout()
    auth.login(webinars.stakeholder.email)
    page = client.get(meeting_url(meeting_id)).text
    assert 'id="webinar"' in page and "Edit the webinar’s details" not in page
    data = {**FACTS, "version": version_of(app, meeting_id)}
    assert client.post(f"{meeting_url(meeting_id)}/webinar", data=data).status_code == 403
    # The stakeholder reads no project page: the webinars page is partner staff's.
    assert client.get("/p/minutes/webinars").status_code == 403
    assert facts(app, meeting_id)[:3] == ("", None, "")

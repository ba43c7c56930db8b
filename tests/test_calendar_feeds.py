"""Calendar feeds at a personal address (issue 16, item 4): made, replaced and stopped
on the account page, read by calendar apps without a session, and screened by the core.

The fixture plugin gives a day for each of its notes (two in Burgos, one in Pannon, one
project-wide) in every feed, whoever asks: what a feed shows of them is the core's doing.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import HTMX, make_app
from workspace.calendar_feeds import CalendarToken
from workspace.extensions import db
from workspace.models import Event, User
from workspace.testing import sign_in, switch_on

_ADDRESS = re.compile(r"<dt>([^<]+)</dt>\s*<dd[^>]*><output>http://localhost([^<]+)</output>")


def create_address(client, **kw) -> dict[str, str]:
    """Make (or replace) the signed-in person's calendar address: what each feed is ->
    its path, as the account page shows them once."""
    response = client.post("/account/calendar", **kw)
    assert response.status_code == 200, response.text
    return dict(_ADDRESS.findall(response.text))


def summaries(response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(str(e["SUMMARY"]) for e in Calendar.from_ical(response.data).walk("VEVENT"))


@pytest.fixture
def notes_on(app, world):
    """The fixture plugin on in Burgos and in Pannon."""
    switch_on(app, "burgos", "fixture")
    switch_on(app, "pannon", "fixture")
    return world


def token_row(app, user) -> CalendarToken | None:
    with app.app_context():
        row = db.session.get(CalendarToken, user.id)
        if row is not None:
            db.session.expunge(row)
        return row


def test_the_address_is_shown_once_and_works_without_a_session(app, client, auth, notes_on):
    auth.login(notes_on.editor.email)
    account = client.get("/account").text
    assert "Calendar feeds" in account and "Create my calendar address" in account
    addresses = create_address(client)
    # The editor works for a partner: every region is theirs to read.
    assert list(addresses) == [
        "Your meetings and action items",
        "Meetings of Castilla y León",
        "Meetings of Dél-Dunántúl",
    ]
    mine = addresses["Your meetings and action items"]
    assert re.fullmatch(r"/calendar/[\w-]{43}/mine\.ics", mine)

    app_client = app.test_client()  # a calendar app: no cookie, no sign-in
    response = app_client.get(mine)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "InterVentures · My meetings and action items"
    burgos = app_client.get(addresses["Meetings of Castilla y León"])
    assert "Set-Cookie" not in burgos.headers
    assert summaries(burgos) == ["Note on export vouchers", "Note on trade fairs"]

    # Afterwards the page says when it was made and read, never the address again.
    account = client.get("/account").text
    assert mine not in account
    assert "a calendar app last read it on" in account
    assert "Replace the address" in account and "Stop the feeds" in account


def test_replacing_the_address_stops_the_old_one_at_once(app, client, auth, notes_on):
    auth.login(notes_on.editor.email)
    old = create_address(client)["Your meetings and action items"]
    new = create_address(client)["Your meetings and action items"]
    assert new != old
    calendar_app = app.test_client()
    assert calendar_app.get(old).status_code == 404
    assert calendar_app.get(new).status_code == 200
    with app.app_context():
        verbs = db.session.scalars(select(Event.verb).where(Event.verb.like("calendar_%")))
        assert list(verbs) == ["calendar_address_created", "calendar_address_replaced"]


def test_stopping_the_feeds_makes_them_404(app, client, auth, notes_on):
    auth.login(notes_on.editor.email)
    addresses = create_address(client)
    response = client.post("/account/calendar/stop")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account#calendar"
    page = client.get("/account").text
    assert "Your calendar addresses no longer work." in page
    assert "Create my calendar address" in page
    calendar_app = app.test_client()
    for path in addresses.values():
        gone = calendar_app.get(path)
        assert gone.status_code == 404
        assert "Set-Cookie" not in gone.headers  # a plain answer, no page with a form
    assert token_row(app, notes_on.editor) is None


def test_the_section_answers_htmx_with_itself(client, auth, notes_on):
    auth.login(notes_on.editor.email)
    made = client.post("/account/calendar", headers=HTMX)
    assert made.text.lstrip().startswith('<article class="auth-box sessions-box" id="calendar"')
    assert "<html" not in made.text and "/mine.ics" in made.text
    assert made.headers["Cache-Control"] == "no-store"
    stopped = client.post("/account/calendar/stop", headers=HTMX)
    assert stopped.status_code == 200 and "Create my calendar address" in stopped.text


def test_the_database_keeps_only_the_digest_of_the_token(app, client, auth, notes_on):
    auth.login(notes_on.editor.email)
    mine = create_address(client)["Your meetings and action items"]
    token = mine.split("/")[2]
    row = token_row(app, notes_on.editor)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with app.app_context():
        stored = db.session.execute(select(CalendarToken.__table__)).all()
    assert token not in repr(stored)


def test_a_deactivated_account_has_no_feed(app, client, auth, notes_on):
    auth.login(notes_on.editor.email)
    mine = create_address(client)["Your meetings and action items"]
    with app.app_context():
        db.session.get(User, notes_on.editor.id).active = False
        db.session.commit()
    assert app.test_client().get(mine).status_code == 404


def test_a_feed_the_person_may_not_read_is_404_like_a_wrong_token(app, notes_on):
    outsider = sign_in(app, notes_on.outsider.email)  # an external stakeholder of Pannon
    addresses = create_address(outsider)
    assert list(addresses) == ["Your meetings and action items", "Meetings of Dél-Dunántúl"]
    token = addresses["Meetings of Dél-Dunántúl"].split("/")[2]
    calendar_app = app.test_client()
    assert summaries(calendar_app.get(f"/calendar/{token}/pannon.ics")) == [
        "Note on export vouchers in Pannon"
    ]
    refused = calendar_app.get(f"/calendar/{token}/burgos.ics")
    unknown = calendar_app.get(f"/calendar/{token}/nowhere.ics")
    wrong = calendar_app.get(f"/calendar/{'x' * 43}/pannon.ics")
    assert refused.status_code == unknown.status_code == wrong.status_code == 404
    assert refused.data == unknown.data == wrong.data  # no hint which


def test_each_feed_shows_only_what_its_person_may_see(app, notes_on):
    """The plugin answers with every note in every feed; the core keeps each feed to
    regions where the plugin is on and the person reads (the project's note: partner
    staff), and a region's feed to that region."""
    editor = create_address(sign_in(app, notes_on.editor.email))
    outsider = create_address(sign_in(app, notes_on.outsider.email))
    calendar_app = app.test_client()
    everything = [
        "Note on export vouchers",
        "Note on export vouchers in Pannon",
        "Note on trade fairs",
        "Project note on export vouchers",
    ]
    assert summaries(calendar_app.get(editor["Your meetings and action items"])) == everything
    assert summaries(calendar_app.get(outsider["Your meetings and action items"])) == [
        "Note on export vouchers in Pannon"
    ]
    assert summaries(calendar_app.get(editor["Meetings of Dél-Dunántúl"])) == [
        "Note on export vouchers in Pannon"
    ]
    # Switched off in Burgos: its notes leave every feed; the feed itself stays.
    switch_on(app, "burgos", "fixture", enabled=False)
    assert summaries(calendar_app.get(editor["Your meetings and action items"])) == [
        "Note on export vouchers in Pannon",
        "Project note on export vouchers",
    ]
    assert summaries(calendar_app.get(editor["Meetings of Castilla y León"])) == []


def test_the_use_is_noted_at_most_once_an_hour(app, client, auth, notes_on):
    auth.login(notes_on.editor.email)
    mine = create_address(client)["Your meetings and action items"]
    first = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
    calendar_app = app.test_client()
    for minutes, noted in ((0, first), (59, first), (60, first + timedelta(minutes=60))):
        app.config["NOW"] = first + timedelta(minutes=minutes)
        assert calendar_app.get(mine).status_code == 200
        assert token_row(app, notes_on.editor).last_used_at == noted


def test_the_forms_need_their_csrf_token(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    from workspace.testing import Factory, World

    world = World(Factory(app))
    client = app.test_client()
    login_page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    data = {"email": world.editor.email, "password": "correct horse battery", "csrf_token": csrf}
    assert client.post("/login", data=data).status_code == 302
    assert client.post("/account/calendar").status_code == 400
    assert token_row(app, world.editor) is None
    account = client.get("/account").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', account).group(1)
    assert create_address(client, data={"csrf_token": csrf})
    assert client.post("/account/calendar/stop").status_code == 400
    assert token_row(app, world.editor) is not None
    stopped = client.post("/account/calendar/stop", headers={"X-CSRFToken": csrf})
    assert stopped.status_code == 303
    assert token_row(app, world.editor) is None

"""Sessions live on the server (workspace.sessions): the cookie is a random id, signing
out kills it everywhere, and people see and end where they are signed in."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from workspace.extensions import db
from workspace.models import Event, utcnow
from workspace.sessions import BrowserSession, digest
from workspace.testing import PASSWORD

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def browser(app, user_agent: str = FIREFOX):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


def signed_in(app, email: str, user_agent: str = FIREFOX, **form):
    client = browser(app, user_agent)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, **form})
    assert answer.status_code == 302
    return client


def cookie(client) -> str:
    return client.get_cookie("session").value


def rows(app, user_id: int | None = None) -> list[BrowserSession]:
    with app.app_context():
        query = select(BrowserSession)
        if user_id is not None:
            query = query.where(BrowserSession.user_id == user_id)
        return list(db.session.scalars(query))


def test_a_cookie_copied_before_sign_out_is_dead_after_it(app, world):
    mine = signed_in(app, world.editor.email)
    thief = browser(app)
    thief.set_cookie("session", cookie(mine))
    assert thief.get("/r/burgos/").status_code == 200  # a copy works while signed in...
    mine.post("/logout")
    assert thief.get("/r/burgos/").status_code == 302  # ...and not a moment longer
    assert thief.post("/docs/new", data={"title": "x", "body": "y"}).status_code == 302
    assert rows(app, world.editor.id) == []


def test_the_cookie_holds_only_a_random_id_stored_hashed(app, world):
    client = signed_in(app, world.editor.email)
    token = cookie(client)
    assert "." not in token and len(token) >= 40  # no signed data, only the id
    (row,) = rows(app, world.editor.id)
    assert row.id_hash == digest(token) and token not in row.id_hash
    assert row.data["_user_id"].startswith(f"{world.editor.id}:")
    assert row.user_agent == FIREFOX and row.address == "127.0.0.1"


def test_signing_in_gives_a_new_id(app, world):
    client = browser(app)
    client.get("/login")  # the form's token lives in an anonymous session
    before = cookie(client)
    client.post("/login", data={"email": world.editor.email, "password": PASSWORD})
    assert cookie(client) != before
    with app.app_context():
        assert db.session.get(BrowserSession, digest(before)) is None


def test_keep_me_signed_in_is_a_new_token_per_sign_in_and_dies_at_sign_out(app, world):
    short = signed_in(app, world.editor.email)
    assert short.get_cookie("session").expires is None  # gone with the browser
    kept = signed_in(app, world.editor.email, remember="y")
    other = signed_in(app, world.editor.email, remember="y")
    assert kept.get_cookie("session").expires is not None
    assert cookie(kept) != cookie(other)  # one device, one token
    copy = browser(app)
    copy.set_cookie("session", cookie(kept))
    kept.post("/logout")
    assert copy.get("/r/burgos/").status_code == 302
    assert other.get("/r/burgos/").status_code == 200  # the other device stays


def test_a_session_ends_when_idle_and_after_its_absolute_limit(app, world):
    idle = signed_in(app, world.editor.email)
    kept = signed_in(app, world.coordinator.email, remember="y")
    with app.app_context():
        long_ago = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
        db.session.execute(update(BrowserSession).values(last_seen_at=long_ago))
        db.session.commit()
    assert idle.get("/r/burgos/").status_code == 302
    assert kept.get("/r/burgos/").status_code == 200  # kept: idle time does not count
    with app.app_context():
        signed_in_at = utcnow() - timedelta(days=app.config["SESSION_ABSOLUTE_DAYS"], minutes=1)
        db.session.execute(update(BrowserSession).values(created_at=signed_in_at))
        db.session.commit()
    assert kept.get("/r/burgos/").status_code == 302


def test_the_account_page_lists_sessions_and_ends_others(app, world):
    laptop = signed_in(app, world.editor.email)
    phone = signed_in(app, world.editor.email, PHONE)
    tablet = signed_in(app, world.editor.email, PHONE)
    page = laptop.get("/account").text
    assert "Firefox on Windows" in page and "Chrome on Android" in page
    assert "This browser, now" in page and page.count("Sign out there") == 2

    phone_row = digest(cookie(phone))
    ended = laptop.post("/account/sessions/end", data={"session": phone_row})
    assert "Signed out on 1 other device." in laptop.get(ended.headers["Location"]).text
    assert phone.get("/r/burgos/").status_code == 302
    assert tablet.get("/r/burgos/").status_code == 200
    # Someone else's session cannot be ended from here.
    coordinator = signed_in(app, world.coordinator.email)
    theirs = digest(cookie(coordinator))
    laptop.post("/account/sessions/end", data={"session": theirs})
    assert coordinator.get("/r/burgos/").status_code == 200

    laptop.post("/account/sessions/end", data={"all": "1"})
    assert tablet.get("/r/burgos/").status_code == 302
    assert laptop.get("/r/burgos/").status_code == 200
    with app.app_context():
        verbs = db.session.scalars(select(Event.verb).where(Event.verb == "sessions_ended"))
        assert len(list(verbs)) == 2


def test_an_admin_signs_someone_out_everywhere(app, world):
    laptop = signed_in(app, world.editor.email)
    phone = signed_in(app, world.editor.email, PHONE)
    admin = signed_in(app, world.admin.email)
    answer = admin.post(f"/admin/users/{world.editor.id}/sessions/end")
    assert answer.status_code == 303
    assert "signed out everywhere (2 open sessions ended)" in admin.get("/admin/users").text
    assert laptop.get("/r/burgos/").status_code == 302
    assert phone.get("/r/burgos/").status_code == 302
    # Not for those who are not admins.
    again = signed_in(app, world.editor.email)
    refused = signed_in(app, world.coordinator.email).post(
        f"/admin/users/{world.editor.id}/sessions/end"
    )
    assert refused.status_code == 403
    assert again.get("/r/burgos/").status_code == 200


def test_a_password_change_ends_the_other_sessions_only(app, world):
    laptop = signed_in(app, world.editor.email)
    phone = signed_in(app, world.editor.email, PHONE)
    new = "blue kettle on the stove"
    answer = laptop.post(
        "/account/password", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert answer.status_code == 302
    assert laptop.get("/r/burgos/").status_code == 200
    assert phone.get("/r/burgos/").status_code == 302
    assert len(rows(app, world.editor.id)) == 1


def test_deactivation_ends_every_session(app, world):
    laptop = signed_in(app, world.editor.email)
    admin = signed_in(app, world.admin.email)
    admin.post(f"/admin/users/{world.editor.id}/active", data={"active": "0"})
    assert laptop.get("/r/burgos/").status_code == 302
    assert rows(app, world.editor.id) == []

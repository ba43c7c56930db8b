"""Signing in and out, passwords, set-password links and the login slow-down."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import HTMX, PASSWORD
from workspace.extensions import db
from workspace.models import Event, LoginThrottle, SetPasswordToken, User, utcnow
from workspace.passwords import issue_set_password_token


def test_login_page_is_public(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_pages_need_login(client, world):
    for path in ["/", "/r/burgos/", "/admin/users", "/account/password", "/r/burgos/members"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login?next=" in response.headers["Location"]


def test_htmx_request_without_session_redirects_the_page(client, world):
    response = client.get("/r/burgos/", headers=HTMX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_login_and_logout(client, auth, world):
    response = auth.login("coord@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert "Coord" in page.text
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_login_is_case_insensitive_on_email(client, auth, world):
    assert auth.login("  Coord@Example.ORG ").status_code == 302


def test_login_follows_only_local_next(client, world):
    data = {"email": "coord@example.org", "password": PASSWORD}
    response = client.post("/login?next=/r/burgos/", data=data)
    assert response.headers["Location"] == "/r/burgos/"
    client.post("/logout")
    for evil in ["https://evil.example/", "//evil.example/", "/\\evil.example"]:
        response = client.post("/login", query_string={"next": evil}, data=data)
        assert response.headers["Location"] == "/", evil
        client.post("/logout")


def test_wrong_password_and_unknown_email_get_the_same_message(client, auth, world):
    wrong = auth.login("coord@example.org", "wrong password")
    unknown = auth.login("nobody@example.org", "wrong password")
    assert wrong.status_code == unknown.status_code == 422
    assert "E-mail or password is incorrect." in wrong.text
    assert "E-mail or password is incorrect." in unknown.text


def test_empty_login_form_gets_field_messages(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "This field is required." in response.text


def test_deactivated_user_cannot_log_in(client, auth, make):
    make.user("gone@example.org", active=False)
    response = auth.login("gone@example.org")
    assert response.status_code == 422
    assert "E-mail or password is incorrect." in response.text


def test_repeated_failures_slow_down_that_address_only(app, client, auth, world):
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    for _ in range(free):
        assert auth.login("coord@example.org", "wrong password").status_code == 422
    # Even the right password waits now, and the message says for how long.
    blocked = auth.login("coord@example.org")
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    assert "seconds" in blocked.text
    # Another account is not affected.
    assert auth.login("editor@example.org").status_code == 302
    with app.app_context():
        row = db.session.get(LoginThrottle, "email:coord@example.org")
        assert row.failures == free
        # Once the wait is over, the right password works and clears the counter.
        row.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    client.post("/logout")
    assert auth.login("coord@example.org").status_code == 302
    with app.app_context():
        assert db.session.get(LoginThrottle, "email:coord@example.org") is None


def test_unknown_address_is_slowed_down_too(app, auth):
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        auth.login("nobody@example.org", "guess")
    assert auth.login("nobody@example.org", "guess").status_code == 429


def test_failed_logins_are_recorded(app, auth, world):
    auth.login("coord@example.org", "wrong password")
    auth.login("coord@example.org")
    with app.app_context():
        verbs = db.session.scalars(select(Event.verb).order_by(Event.id)).all()
    assert verbs == ["login_failed", "login"]


def test_deactivation_ends_an_open_session(app, client, auth, world):
    auth.login("editor@example.org")
    assert client.get("/r/burgos/").status_code == 200
    with app.app_context():
        # Only the flag: the session must end even without a new session version.
        db.session.get(User, world.editor.id).active = False
        db.session.commit()
    response = client.get("/r/burgos/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_change_password(app, client, auth, world):
    auth.login("editor@example.org")
    bad = client.post(
        "/account/password",
        data={"current": "not it", "password": "new passphrase 1", "confirm": "new passphrase 1"},
    )
    assert bad.status_code == 422
    assert "This is not your current password." in bad.text
    short = client.post(
        "/account/password", data={"current": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert short.status_code == 422
    assert "Use at least 8 characters." in short.text
    differ = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "new passphrase 1", "confirm": "new passphrase 2"},
    )
    assert "The passwords differ." in differ.text
    ok = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "new passphrase 1", "confirm": "new passphrase 1"},
    )
    assert ok.status_code == 302
    # This session goes on; the old password no longer works.
    assert client.get("/r/burgos/").status_code == 200
    client.post("/logout")
    assert auth.login("editor@example.org").status_code == 422
    assert auth.login("editor@example.org", "new passphrase 1").status_code == 302


def test_changing_password_signs_out_other_sessions(app, world):
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/login", data={"email": "editor@example.org", "password": PASSWORD})
    first.post(
        "/account/password",
        data={"current": PASSWORD, "password": "new passphrase 1", "confirm": "new passphrase 1"},
    )
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_a_changed_password_is_stored_as_an_scrypt_hash(app, client, auth, world):
    auth.login("editor@example.org")
    client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "new passphrase 1", "confirm": "new passphrase 1"},
    )
    with app.app_context():
        stored = db.session.get(User, world.editor.id).password_hash
    assert stored.startswith("scrypt:")
    assert "new passphrase 1" not in stored


def _token(app, user_id: int) -> str:
    with app.app_context():
        token = issue_set_password_token(db.session.get(User, user_id))
        db.session.commit()
        return token


def test_set_password_link_works_once(app, client, auth, world):
    token = _token(app, world.stakeholder.id)
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 200
    assert "stake@example.org" in page.text
    short = client.post(f"/set-password/{token}", data={"password": "x", "confirm": "x"})
    assert short.status_code == 422
    done = client.post(
        f"/set-password/{token}", data={"password": "a new secret", "confirm": "a new secret"}
    )
    assert done.status_code == 302
    again = client.get(f"/set-password/{token}")
    assert again.status_code == 404
    assert "expired or already used" in again.text
    assert auth.login("stake@example.org", "a new secret").status_code == 302


def test_set_password_link_expires(app, client, world):
    token = _token(app, world.stakeholder.id)
    with app.app_context():
        row = db.session.scalars(select(SetPasswordToken)).one()
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(f"/set-password/{token}").status_code == 404


def test_new_link_replaces_the_old_one(app, client, world):
    old = _token(app, world.stakeholder.id)
    new = _token(app, world.stakeholder.id)
    assert client.get(f"/set-password/{old}").status_code == 404
    assert client.get(f"/set-password/{new}").status_code == 200


def test_unknown_link_is_404(client):
    assert client.get("/set-password/nonsense").status_code == 404


def test_current_password_guesses_are_throttled(app, client, auth, world):
    auth.login("editor@example.org")
    wrong = {"current": "guess", "password": "new passphrase 1", "confirm": "new passphrase 1"}
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        assert (
            "This is not your current password."
            in client.post("/account/password", data=wrong).text
        )
    right = {**wrong, "current": PASSWORD}
    response = client.post("/account/password", data=right)
    assert response.status_code == 422
    assert "Too many wrong attempts" in response.text


def test_htmx_request_after_session_end_returns_to_the_page(client, world):
    response = client.get(
        "/r/burgos/fixture/panel",
        headers={**HTMX, "HX-Current-URL": "http://localhost/r/burgos/?tab=1"},
    )
    assert response.headers["HX-Redirect"] == "/login?next=/r/burgos/?tab%3D1"


def test_keep_me_signed_in_survives_a_password_change(app, client, world):
    client.post(
        "/login",
        data={"email": "editor@example.org", "password": PASSWORD, "remember": "y"},
    )
    kept_before = client.get_cookie("session").value
    client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "new passphrase 1", "confirm": "new passphrase 1"},
    )
    # The session goes on under a new id, still kept beyond the browser's life.
    cookie = client.get_cookie("session")
    assert cookie.value != kept_before and cookie.expires is not None
    assert client.get("/r/burgos/").status_code == 200


def test_reactivation_does_not_revive_old_links(app, client, auth, world):
    token = _token(app, world.stakeholder.id)
    auth.login(world.admin.email)
    client.post(f"/admin/users/{world.stakeholder.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{world.stakeholder.id}/active", data={"active": "1"})
    auth.logout()
    assert client.get(f"/set-password/{token}").status_code == 404


def test_control_characters_are_a_field_message_not_an_error(client, world):
    response = client.post("/login", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 422
    assert "Remove the invisible control characters" in response.text

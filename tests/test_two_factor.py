"""Two-factor sign-in (workspace.two_factor): set-up with a QR code and a confirming
code, a code after the password, recovery codes that work once, re-authentication
before turning it off, and the roles that must have it."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from workspace.extensions import db
from workspace.models import Event
from workspace.testing import PASSWORD, make_app
from workspace.two_factor import TwoFactor


def secret_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(TwoFactor, user_id).secret


def code(secret: str, steps_ahead: int = 0) -> str:
    """The app's code now, or of a later 30-second step (accepted one step ahead)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def verbs(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Event.verb).order_by(Event.id)))


def set_up(client) -> tuple[str, list[str]]:
    """Turn two-factor sign-in on for the person signed in on ``client``; returns the
    secret and the recovery codes shown."""
    page = client.get("/account/two-factor").text
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    secret = secret.replace(" ", "")
    answer = client.post("/account/two-factor", data={"code": code(secret)})
    assert answer.status_code == 200
    assert "Cache-Control" in answer.headers and answer.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", answer.text)
    return secret, codes


@pytest.fixture
def with_two_factor(app, world, auth, client):
    """The editor, with two-factor sign-in on, signed out again."""
    auth.login(world.editor.email)
    secret, codes = set_up(client)
    auth.logout()
    return secret, codes


def test_set_up_shows_a_qr_code_and_needs_the_right_code(app, world, auth, client):
    auth.login(world.editor.email)
    page = client.get("/account/two-factor")
    assert page.headers["Cache-Control"] == "no-store"
    assert '<svg width="' in page.text and 'class="qr-code"' in page.text
    assert "style=" not in page.text.split('class="qr-code"')[1].split("</svg>")[0]
    # Trusted as markup: segno draws only shapes and a fixed title, never the account's
    # address or the project's name (which the code itself carries, as pixels).
    svg = page.text.split('class="qr-code"')[1].split("</svg>")[0]
    assert set(re.findall(r"<(\w+)", svg)) <= {"g", "path", "title"}
    assert world.editor.email not in svg
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.text).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", secret)

    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422 and "not the code the app shows" in wrong.text
    with app.app_context():
        assert db.session.get(TwoFactor, world.editor.id) is None

    answer = client.post("/account/two-factor", data={"code": code(secret.replace(" ", ""))})
    assert answer.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", answer.text)
    assert len(set(codes)) == 10
    assert "two_factor_enabled" in verbs(app)
    # The codes are shown once: the page now manages, and shows none of them.
    later = client.get("/account/two-factor").text
    assert "Two-factor sign-in is on" in later and codes[0] not in later
    assert "Two-factor sign-in</a>: on" in client.get("/account").text


def test_sign_in_asks_for_a_code_and_throttles_wrong_ones(app, world, client, with_two_factor):
    secret, _ = with_two_factor
    answer = client.post("/login?next=/r/burgos/", data={"email": world.editor.email,
                                                         "password": PASSWORD})  # fmt: skip
    assert answer.headers["Location"] == "/login/code"
    assert client.get("/r/burgos/").status_code == 302  # not signed in yet
    assert client.get("/login/code").status_code == 200

    for _ in range(5):
        wrong = client.post("/login/code", data={"code": "123456"})
        assert wrong.status_code == 422 and "not right" in wrong.text
    waiting = client.post("/login/code", data={"code": code(secret, 1)})
    assert waiting.status_code == 429 and "Try again in" in waiting.text
    assert client.get("/r/burgos/").status_code == 302
    assert verbs(app).count("two_factor_failed") == 5


def test_the_right_code_signs_in_where_asked_and_a_replayed_one_is_refused(
    app, world, client, with_two_factor
):
    secret, _ = with_two_factor
    client.post("/login?next=/r/burgos/", data={"email": world.editor.email, "password": PASSWORD})
    later = code(secret, 1)  # the set-up spent the current step
    answer = client.post("/login/code", data={"code": later})
    assert answer.status_code == 302 and answer.headers["Location"] == "/r/burgos/"
    assert client.get("/r/burgos/").status_code == 200
    client.post("/logout")

    other = app.test_client()
    other.post("/login", data={"email": world.editor.email, "password": PASSWORD})
    replay = other.post("/login/code", data={"code": later})
    assert replay.status_code == 422
    assert other.get("/r/burgos/").status_code == 302


def test_a_recovery_code_works_once(app, world, client, with_two_factor):
    _, codes = with_two_factor
    client.post("/login", data={"email": world.editor.email, "password": PASSWORD})
    answer = client.post("/login/code", data={"code": codes[3].upper()})
    assert answer.status_code == 302
    assert client.get("/r/burgos/").status_code == 200
    assert "recovery_code_used" in verbs(app)
    assert "9 of 10 recovery codes unused" in client.get("/account/two-factor").text
    client.post("/logout")

    client.post("/login", data={"email": world.editor.email, "password": PASSWORD})
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 422


def test_the_pending_sign_in_expires(app, world, client, with_two_factor, monkeypatch):
    secret, _ = with_two_factor
    client.post("/login", data={"email": world.editor.email, "password": PASSWORD})
    real = time.time
    monkeypatch.setattr("workspace.two_factor.utcnow", lambda: _at(real() + 6 * 60))
    answer = client.post("/login/code", data={"code": code(secret, 12)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"


def _at(seconds: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC)


def test_turning_off_needs_the_password_and_a_code(app, world, auth, client, with_two_factor):
    secret, codes = with_two_factor
    auth.login(world.editor.email)
    client.post("/login/code", data={"code": codes[0]})
    wrong = client.post(
        "/account/two-factor/off", data={"off-password": "not it", "off-code": code(secret, 1)}
    )
    assert wrong.status_code == 422 and "not your password" in wrong.text
    no_code = client.post(
        "/account/two-factor/off", data={"off-password": PASSWORD, "off-code": "000000"}
    )
    assert no_code.status_code == 422
    with app.app_context():
        assert db.session.get(TwoFactor, world.editor.id) is not None

    answer = client.post(
        "/account/two-factor/off", data={"off-password": PASSWORD, "off-code": code(secret, 1)}
    )
    assert answer.status_code == 303
    assert "two_factor_disabled" in verbs(app)
    auth.logout()
    assert auth.login(world.editor.email).headers["Location"] == "/"  # the password alone


def test_new_recovery_codes_replace_the_old(app, world, auth, client, with_two_factor):
    secret, codes = with_two_factor
    auth.login(world.editor.email)
    client.post("/login/code", data={"code": codes[0]})
    answer = client.post(
        "/account/two-factor/recovery-codes",
        data={"codes-password": PASSWORD, "codes-code": code(secret, 1)},
    )
    fresh = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", answer.text)
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert "recovery_codes_regenerated" in verbs(app)
    auth.logout()
    auth.login(world.editor.email)
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 422
    assert client.post("/login/code", data={"code": fresh[1]}).status_code == 302


def test_changing_the_password_needs_a_code_when_it_is_on(
    app, world, auth, client, with_two_factor
):
    secret, codes = with_two_factor
    auth.login(world.editor.email)
    client.post("/login/code", data={"code": codes[0]})
    assert 'name="code"' in client.get("/account/password").text
    new = {"current": PASSWORD, "password": "a fresh long phrase", "confirm": "a fresh long phrase"}
    refused = client.post("/account/password", data={**new, "code": "000000"})
    assert refused.status_code == 422
    answer = client.post("/account/password", data={**new, "code": code(secret, 1)})
    assert answer.status_code == 302
    # Without two-factor sign-in, the form is as before.
    other = app.test_client()
    other.post("/login", data={"email": world.stakeholder.email, "password": PASSWORD})
    assert 'name="code"' not in other.get("/account/password").text


@pytest.fixture
def workspace_config():
    from tests.conftest import CORE_CONFIG

    return {**CORE_CONFIG, "REQUIRE_TWO_FACTOR": "coordinator"}


def test_a_coordinator_is_led_through_set_up_and_an_editor_is_not(app, world):
    coordinator = app.test_client()
    answer = coordinator.post("/login", data={"email": world.coordinator.email,
                                              "password": PASSWORD})  # fmt: skip
    assert answer.status_code == 302
    for path in ("/", "/r/burgos/", "/account", "/admin/users"):
        assert coordinator.get(path).headers.get("Location") == "/account/two-factor", path
    assert coordinator.post("/docs/new", data={"title": "x"}).status_code == 302
    page = coordinator.get("/account/two-factor")
    assert page.status_code == 200 and "Your role requires two-factor sign-in" in page.text
    hx = coordinator.get("/r/burgos/", headers={"HX-Request": "true"})
    assert hx.headers["HX-Redirect"] == "/account/two-factor"

    set_up(coordinator)
    assert coordinator.get("/r/burgos/").status_code == 200
    # Turned off (a new phone), it must be set up again before anything else.
    secret = secret_of(app, world.coordinator.id)
    off = coordinator.post(
        "/account/two-factor/off", data={"off-password": PASSWORD, "off-code": code(secret, 1)}
    )
    assert off.headers["Location"] == "/account/two-factor"
    assert coordinator.get("/r/burgos/").headers["Location"] == "/account/two-factor"
    assert coordinator.post("/logout").status_code == 302

    editor = app.test_client()
    editor.post("/login", data={"email": world.editor.email, "password": PASSWORD})
    assert editor.get("/r/burgos/").status_code == 200


def test_an_unknown_role_in_the_setting_stops_the_start(tmp_path):
    with pytest.raises(RuntimeError, match="REQUIRE_TWO_FACTOR"):
        make_app(tmp_path, REQUIRE_TWO_FACTOR="admin,coordinater")


def test_an_admin_resets_two_factor_for_someone_who_lost_phone_and_codes(
    app, world, client, with_two_factor
):
    phone = app.test_client()
    phone.post("/login", data={"email": world.admin.email, "password": PASSWORD})
    users = phone.get("/admin/users").text
    assert f"/admin/users/{world.editor.id}/two-factor/off" in users
    assert f"/admin/users/{world.admin.id}/two-factor/off" not in users  # not on: no button
    answer = phone.post(f"/admin/users/{world.editor.id}/two-factor/off")
    assert answer.status_code == 303
    with app.app_context():
        assert db.session.get(TwoFactor, world.editor.id) is None
    assert "two_factor_reset_by_admin" in verbs(app)
    # The editor signs in with the password alone again, and may set it up anew.
    signed_in = client.post("/login", data={"email": world.editor.email, "password": PASSWORD})
    assert signed_in.status_code == 302 and "/login/code" not in signed_in.headers["Location"]
    # Only admins may do it.
    refused = client.post(f"/admin/users/{world.editor.id}/two-factor/off")
    assert refused.status_code == 403

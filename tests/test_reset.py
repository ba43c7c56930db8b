"""Invitations and password reset (issue 16, item 2): creating an account queues the
invitation with its set-password link, an admin sends it again with a new link, and
"Forgot password?" mails a one-time link: the same answer for every address, throttled,
ending the account's sessions and leaving two-factor sign-in on.

Messages are read from the outbox table, as the worker would send them.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Factory, World, make_app
from tests.test_two_factor import code, set_up
from workspace.extensions import db
from workspace.mail import OutboxMessage
from workspace.models import Event, SetPasswordToken, User, utcnow
from workspace.testing import PASSWORD
from workspace.two_factor import TwoFactor

NEW = "a fresh passphrase"
SAME_ANSWER = "If an account exists for that address, we sent a link"


def queued(app, kind: str | None = None) -> list[OutboxMessage]:
    """The messages in the outbox, oldest first (``kind``: only those)."""
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        messages = db.session.scalars(query).all()
        db.session.expunge_all()
        return messages


def link_in(message: OutboxMessage) -> str:
    """The set-password link of a message, the same in its text and HTML parts."""
    links = re.findall(r"https?://\S+/set-password/[\w-]+", message.text_body)
    assert len(set(links)) == 1, message.text_body
    assert f'href="{links[0]}"' in message.html_body
    return links[0]


def path_of(link: str) -> str:
    return link[link.index("/set-password/") :]


def verbs(app) -> list[tuple[str, str, dict]]:
    with app.app_context():
        return [(e.verb, e.target, e.detail) for e in db.session.scalars(select(Event))]


def id_of(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def forgot(client, email: str):
    return client.post("/forgot-password", data={"email": email})


def without_form_token(page: str) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", page)


# ---------------------------------------------------------------- invitations


def test_creating_a_user_queues_the_invitation_with_the_link_shown(app, client, auth, world):
    auth.login(world.admin.email)
    ceei = world.editor.partner_id
    page = client.post(
        "/admin/users/new",
        data={"email": "New.Person@Example.org", "name": "New Person", "partner_id": ceei},
    )
    assert page.status_code == 200
    assert "The invitation with this link is on its way to new.person@example.org" in page.text
    shown = page.text.split('<output id="set-password-link">')[1].split("</output>")[0]

    (mail,) = queued(app)
    assert mail.kind == "invitation" and mail.recipients == ["new.person@example.org"]
    assert mail.subject == "Admin invited you to the InterVentures Workspace"
    assert link_in(mail) == shown
    for part in (mail.text_body, mail.html_body):
        assert "Hello New Person" in part
        assert "CEEI-Burgos" in part and "Castilla y León" in part  # partner and region
        assert "72 hours" in part
    assert "<img" not in mail.html_body and "<script" not in mail.html_body

    auth.logout()
    assert client.post(path_of(shown), data={"password": NEW, "confirm": NEW}).status_code == 302
    assert client.get(path_of(shown)).status_code == 404  # once
    assert auth.login("new.person@example.org", NEW).status_code == 302
    assert ("password_set", f"user:{id_of(app, 'new.person@example.org')}", {}) in verbs(app)


def test_the_invitation_escapes_the_name_in_its_html_part(app, client, auth, world):
    auth.login(world.admin.email)
    client.post(
        "/admin/users/new",
        data={"email": "x@example.org", "name": "<b>Mallory</b>", "partner_id": "0"},
    )
    (mail,) = queued(app)
    assert "Hello <b>Mallory</b>" in mail.text_body
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in mail.html_body and "<b>Mallory" not in mail.html_body


def test_the_command_prints_the_link_and_queues_the_invitation(app, runner, client):
    result = runner.invoke(
        args=["user", "create", "Boss@Example.org", "--base-url", "https://ws.example.eu/"]
    )
    assert result.exit_code == 0, result.output
    assert "Invitation queued for boss@example.org" in result.output
    printed = result.output.split("link: ")[1].strip()
    (mail,) = queued(app, "invitation")
    assert mail.recipients == ["boss@example.org"]
    assert mail.subject == "An administrator invited you to the InterVentures Workspace"
    assert link_in(mail) == printed and printed.startswith("https://ws.example.eu/set-password/")


def test_sending_the_invitation_again_retires_the_earlier_link(app, client, auth, world, make):
    newcomer = make.user("late@example.org")
    with app.app_context():
        db.session.get(User, newcomer.id).password_hash = ""  # still waiting for a password
        db.session.commit()
    auth.login(world.admin.email)
    assert "Send invitation again" in client.get("/admin/users").text
    first = client.post(f"/admin/users/{newcomer.id}/invitation")
    again = client.post(f"/admin/users/{newcomer.id}/invitation")
    assert again.status_code == 200 and "on its way to late@example.org" in again.text
    old, new = (link_in(m) for m in queued(app, "invitation"))
    assert old in first.text and new in again.text
    auth.logout()
    assert client.get(path_of(old)).status_code == 404
    assert client.get(path_of(new)).status_code == 200


def test_a_deactivated_account_gets_no_invitation(app, client, auth, world, make):
    gone = make.user("gone@example.org", active=False)
    auth.login(world.admin.email)
    response = client.post(f"/admin/users/{gone.id}/invitation", follow_redirects=True)
    assert "Reactivate the account before sending an invitation." in response.text
    assert queued(app) == []


# ---------------------------------------------------------------- forgot password


def test_the_sign_in_page_offers_forgot_password(client):
    page = client.get("/login").text
    assert 'href="/forgot-password"' in page and "Forgot password?" in page
    assert client.get("/forgot-password").status_code == 200


def test_every_address_gets_the_same_answer_and_only_an_active_account_a_mail(
    app, client, world, make
):
    make.user("former@example.org", active=False)
    answers = [
        forgot(client, address)
        for address in ("Editor@Example.org", "nobody@example.org", "former@example.org")
    ]
    assert {a.status_code for a in answers} == {200}
    assert len({without_form_token(a.text) for a in answers}) == 1
    assert SAME_ANSWER in answers[0].text and "It works for 2 hours, once." in answers[0].text

    (mail,) = queued(app)
    assert mail.kind == "password_reset" and mail.recipients == ["editor@example.org"]
    assert mail.subject == "Choose a new password for the InterVentures Workspace"
    assert link_in(mail).startswith("http://localhost/set-password/")  # the request's host
    assert "2 hours" in mail.text_body and "2 hours" in mail.html_body
    requested = [(target, detail) for verb, target, detail in verbs(app) if "reset" in verb]
    former = id_of(app, "former@example.org")
    assert requested == [
        (f"user:{world.editor.id}", {"mailed": True}),
        (f"user:{former}", {"mailed": False}),
    ]


def test_a_malformed_address_is_a_field_message(client, world):
    response = forgot(client, "not an address")
    assert response.status_code == 422 and "Enter a valid e-mail." in response.text


@pytest.fixture
def hour(app):
    """The clock the throttle reads, fixed in the middle of an hour."""
    app.config["NOW"] = "2027-03-01T09:20:00+00:00"
    return app


def test_mails_per_address_stop_after_the_limit_with_the_same_answer(hour, client, world):
    app = hour
    answers = [forgot(client, "editor@example.org") for _ in range(4)]
    assert {a.status_code for a in answers} == {200}
    assert len({without_form_token(a.text) for a in answers}) == 1
    assert len(queued(app)) == app.config["PASSWORD_RESET_MAILS_PER_HOUR"] == 3
    forgot(client, "stake@example.org")  # another address is not held up
    assert len(queued(app)) == 4
    app.config["NOW"] = "2027-03-01T10:05:00+00:00"  # the next hour
    forgot(client, "editor@example.org")
    assert len(queued(app)) == 5


def test_requests_from_one_client_stop_after_the_limit(hour, client, world):
    app = hour
    app.config["PASSWORD_RESET_CLIENT_REQUESTS_PER_HOUR"] = 2
    forgot(client, "nobody@example.org")
    forgot(client, "no-one@example.org")  # unknown addresses count too
    answer = forgot(client, "editor@example.org")
    assert answer.status_code == 200 and SAME_ANSWER in answer.text
    assert queued(app) == []
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    forgot(other, "editor@example.org")
    assert len(queued(app)) == 1


def test_the_reset_link_works_once_and_a_newer_one_retires_it(app, client, auth, world):
    forgot(client, "editor@example.org")
    forgot(client, "editor@example.org")
    older, newer = (path_of(link_in(m)) for m in queued(app))
    refused = client.get(older)
    assert refused.status_code == 404
    assert "Forgot password?" in refused.text
    assert client.post(newer, data={"password": NEW, "confirm": NEW}).status_code == 302
    assert client.get(newer).status_code == 404
    assert auth.login("editor@example.org", PASSWORD).status_code == 422
    assert auth.login("editor@example.org", NEW).status_code == 302
    assert ("password_reset", f"user:{world.editor.id}", {}) in verbs(app)


def test_an_expired_reset_link_is_refused_with_a_clear_message(app, client, world):
    forgot(client, "editor@example.org")
    (mail,) = queued(app)
    with app.app_context():
        token = db.session.scalars(select(SetPasswordToken)).one()
        assert token.expires_at - token.created_at == timedelta(hours=2)
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    page = client.get(path_of(link_in(mail)))
    assert page.status_code == 404
    assert "This set-password link is unknown, expired or already used." in page.text


def test_a_reset_ends_other_sessions_and_two_factor_stays_on(app, world):
    phone = app.test_client()
    phone.post("/login", data={"email": "editor@example.org", "password": PASSWORD})
    secret, _ = set_up(phone)
    assert phone.get("/account").status_code == 200

    laptop = app.test_client()
    forgot(laptop, "editor@example.org")
    (mail,) = queued(app)
    assert "Two-factor sign-in stays on" in mail.text_body
    laptop.post(path_of(link_in(mail)), data={"password": NEW, "confirm": NEW})

    assert phone.get("/account").headers["Location"].startswith("/login")  # signed out
    with app.app_context():
        assert db.session.get(TwoFactor, world.editor.id) is not None
    answer = laptop.post("/login", data={"email": "editor@example.org", "password": NEW})
    assert answer.headers["Location"] == "/login/code"  # the code is still asked for
    # The next step's code: the one of this step was used at set-up.
    signed_in = laptop.post("/login/code", data={"code": code(secret, steps_ahead=1)})
    assert signed_in.status_code == 302 and laptop.get("/account").status_code == 200


def test_a_forged_host_gets_no_link_when_hosts_are_named(tmp_path):
    app = make_app(tmp_path, TRUSTED_HOSTS="workspace.example.eu")  # as from the environment
    World(Factory(app))
    client = app.test_client()
    forged = client.post(
        "/forgot-password",
        data={"email": "editor@example.org"},
        headers={"Host": "attacker.example"},
    )
    assert forged.status_code == 400
    assert queued(app) == []
    real = client.post(
        "/forgot-password",
        data={"email": "editor@example.org"},
        base_url="https://workspace.example.eu",
    )
    assert real.status_code == 200
    (mail,) = queued(app)
    assert link_in(mail).startswith("https://workspace.example.eu/set-password/")

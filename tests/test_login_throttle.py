"""Password guessing is slowed without locking the owner out (workspace.login_throttle):
only failures count, per address, per client and over the workspace, and a browser
that signed in to an account before is not slowed by anyone else's failures."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from workspace.extensions import db
from workspace.login_throttle import DEVICE_COOKIE
from workspace.models import Event
from workspace.testing import PASSWORD

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}


def browser(app, address: str = "198.51.100.7"):
    """A browser of its own (cookies) at a client address of its own."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_the_owner_still_signs_in_from_a_known_browser_while_under_attack(app, world):
    laptop = browser(app)
    assert sign_in(laptop, world.coordinator.email).status_code == 302
    assert laptop.get_cookie(DEVICE_COOKIE) is not None
    laptop.post("/logout")

    attacker = browser(app, ATTACKER["REMOTE_ADDR"])
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"] + 2):
        sign_in(attacker, world.coordinator.email, "guess")
    # The attacker waits, even with the right password...
    refused = sign_in(attacker, world.coordinator.email)
    assert refused.status_code == 429
    assert "Too many failed attempts for this address" in refused.text
    # ...and so does a new browser of the owner's, at another address...
    assert sign_in(browser(app, "192.0.2.10"), world.coordinator.email).status_code == 429
    # ...but the owner's own laptop signs in at once.
    assert sign_in(laptop, world.coordinator.email).status_code == 302


def test_a_known_browser_is_slowed_by_its_own_failures(app, world):
    laptop = browser(app)
    assert sign_in(laptop, world.editor.email).status_code == 302
    laptop.post("/logout")
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        assert sign_in(laptop, world.editor.email, "guess").status_code == 422
    refused = sign_in(laptop, world.editor.email)
    assert refused.status_code == 429
    assert "Too many failed attempts from this browser" in refused.text


def test_a_forged_device_cookie_counts_for_nothing(app, world):
    attacker = browser(app, ATTACKER["REMOTE_ADDR"])
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        sign_in(attacker, world.editor.email, "guess")
    attacker.set_cookie(DEVICE_COOKIE, '{"d": "x", "u": [1, 2, 3, 4, 5, 6]}')
    assert sign_in(attacker, world.editor.email).status_code == 429


def test_simultaneous_right_passwords_all_get_in(app, world):
    """Only failures count: a room of people signing in at once never waits."""
    count = app.config["LOGIN_FREE_ATTEMPTS"] * 3
    start = threading.Barrier(count)
    answers: list[int] = []

    def one() -> None:
        client = browser(app)
        start.wait()
        answers.append(sign_in(client, world.coordinator.email).status_code)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [302] * count


def test_one_password_sprayed_over_many_addresses_is_slowed_per_client(app, world):
    app.config["LOGIN_CLIENT_FREE_ATTEMPTS"] = 4
    attacker = browser(app, ATTACKER["REMOTE_ADDR"])
    answers = [
        sign_in(attacker, f"person{n}@example.org", "Summer2026!").status_code for n in range(6)
    ]
    assert answers[:4] == [422] * 4 and 429 in answers[4:]
    refused = sign_in(attacker, "someone.new@example.org", "Summer2026!")
    assert "Too many failed sign-ins from your network" in refused.text
    # People elsewhere are not slowed by it.
    assert sign_in(browser(app), world.editor.email).status_code == 302


def test_a_spray_from_many_clients_is_slowed_over_the_workspace(app, world):
    app.config["LOGIN_FAILURES_PER_MINUTE"] = 5
    laptop = browser(app)
    assert sign_in(laptop, world.admin.email).status_code == 302
    laptop.post("/logout")
    for n in range(5):
        sign_in(browser(app, f"203.0.113.{n + 1}"), f"person{n}@example.org", "Summer2026!")
    refused = sign_in(browser(app, "192.0.2.99"), world.editor.email)
    assert refused.status_code == 429
    assert "Too many failed sign-ins on this workspace just now" in refused.text
    # A browser that signed in to its account before is not kept out.
    assert sign_in(laptop, world.admin.email).status_code == 302


@pytest.mark.parametrize("email", ["coord@example.org", "nobody@example.org"])
def test_the_answers_do_not_tell_which_addresses_exist(app, email):
    attacker = browser(app, ATTACKER["REMOTE_ADDR"])
    answers = [
        sign_in(attacker, email, "guess").status_code
        for _ in range(app.config["LOGIN_FREE_ATTEMPTS"] + 1)
    ]
    assert answers == [422] * app.config["LOGIN_FREE_ATTEMPTS"] + [429]


def test_every_failure_is_in_the_audit_trail(app, world):
    attacker = browser(app, ATTACKER["REMOTE_ADDR"])
    for _ in range(3):
        sign_in(attacker, world.editor.email, "guess")
    with app.app_context():
        verbs = db.session.scalars(select(Event.verb).where(Event.verb == "login_failed")).all()
    assert len(verbs) == 3


def test_a_huge_password_is_refused_before_it_is_hashed(app, world):
    """scrypt on a megabyte would tie up a worker: no accepted password is that long."""
    huge = sign_in(browser(app), world.editor.email, "x" * 1_000_000)
    assert huge.status_code == 422
    assert "E-mail or password is incorrect." in huge.text
    assert sign_in(browser(app), world.editor.email).status_code == 302

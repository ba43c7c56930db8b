"""The password rule (workspace/password_rules.py) on every path where a password is
chosen: the set-password link, the account's password change and the commands.

The refused passwords are the ones testers saw accepted: the most common ones, and
the account's own names ("klaipedacity" for the Klaipėda City account).
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from workspace.extensions import db
from workspace.models import MembershipRole, User
from workspace.password_rules import CONTEXT as LAZY_CONTEXT
from workspace.password_rules import common_passwords, password_refusal
from workspace.passwords import check_password, issue_set_password_token
from workspace.testing import DEMO_PASSWORD, PASSWORD, bare_app, load_demo

CONTEXT = str(LAZY_CONTEXT)  # the English text (a lazy string in the module)
COMMON = (
    "This password is among the 30,000 most used ones (adding digits or symbols, "
    "or writing 0 for o, does not change that): choose another."
)
SHORT = "Use at least 8 characters."
KLAIPEDA_EMAIL = "kultura@klaipedacity.lt"

# What people type, and why it is refused, for the Klaipėda City account below.
HABITS = [
    ("12345678", COMMON),
    ("password", COMMON),
    ("Password1!", COMMON),
    ("qwertyuiop", COMMON),
    ("p@ssw0rd2024", COMMON),
    ("klaipedacity", CONTEXT),  # the organisation's short name, and the e-mail's domain
    ("Kultura.2026", CONTEXT),  # the e-mail address's local part
    ("Municipal Administration 1", CONTEXT),  # the organisation's name
    ("Petrauskiene85", CONTEXT),  # the person's name
    ("InterVentures2026", CONTEXT),  # the project's name
    ("Abc12!x", SHORT),  # 7 characters
]
GOOD = "correct horse battery staple"
UNICODE = "Zażółć gęślą jaźń 2026"


@pytest.fixture
def klaipeda(make):
    """Rūta of Klaipėda City (Klaipėda Municipal Administration), an editor of the
    Klaipėda region, who reads her mail at the culture department's address."""
    region = make.region("klaipeda", "Vidurio ir vakarų Lietuvos regionas")
    partner = make.partner(
        "Klaipėda City", region, name="Klaipėda Municipal Administration", country="LT"
    )
    return make.user(
        KLAIPEDA_EMAIL,
        name="Rūta Petrauskienė",
        partner=partner,
        memberships={region: MembershipRole.EDITOR},
    )


def field_error(page: str) -> str:
    """The message shown on the new-password field."""
    found = re.search(r'<small id="password-msg" class="field-error">(.*?)</small>', page)
    assert found, "no message on the new-password field"
    return html.unescape(found.group(1))


def stored_hash(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.email == email))


def refusal(app, email: str, password: str) -> str | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return password_refusal(password, user)


def test_the_list_of_common_passwords_is_long_enough():
    common = common_passwords()
    assert len(common) >= 10_000
    assert {"123456", "password", "qwertyuiop", "iloveyou"} <= common


def test_the_habits_are_refused_with_the_reason(app, klaipeda):
    for password, reason in HABITS:
        assert refusal(app, KLAIPEDA_EMAIL, password) == reason, password


def test_the_account_name_is_refused_when_it_is_the_person_own(app, make):
    make.user("klaipedacity@gmail.com", name="Klaipeda City")
    for password in ("klaipedacity", "Klaipėda City!", "KLAIPEDA-CITY-2026", "city klaipeda 9"):
        assert refusal(app, "klaipedacity@gmail.com", password) == CONTEXT, password


def test_the_region_name_is_refused(app, klaipeda):
    for password in ("Klaipėda 1252!", "Lietuvos regionas 99", "Vidurio vakarų 2026"):
        assert refusal(app, KLAIPEDA_EMAIL, password) == CONTEXT, password


def test_passphrases_pass(app, make, world, klaipeda):
    anna = make.user("anna.kovacs@pannon.example", name="Anna Kovács")
    for email in (anna.email, KLAIPEDA_EMAIL, world.admin.email):
        for password in (GOOD, UNICODE, "my business plan 2026", "a new secret"):
            assert refusal(app, email, password) is None, (email, password)


def test_an_ordinary_word_of_the_organisation_name_alone_is_not_enough_to_refuse(app, klaipeda):
    # "municipal" is a word of the organisation's name, not a name: only a password
    # mostly made of such words is refused.
    assert refusal(app, KLAIPEDA_EMAIL, "municipal swimming pool opens at nine") is None
    assert refusal(app, KLAIPEDA_EMAIL, "Municipal Administration xyz") == CONTEXT


def test_the_passwords_of_the_tests_and_the_demo_pass(app, world):
    load_demo(app)
    with app.app_context():
        for user in db.session.scalars(select(User)):
            for password in (PASSWORD, DEMO_PASSWORD, "demo-pass-123", "demo password 1"):
                assert password_refusal(password, user) is None, (user.email, password)


def test_length_limits_and_variety(app):
    with app.app_context():
        assert password_refusal("x" * 1024 + "yz") == "Use at most 1,024 characters."
        assert password_refusal(" " * 12) == "Use more than two different characters."
        assert password_refusal("abababababab") == "Use more than two different characters."
        app.config["PASSWORD_MIN_LENGTH"] = 12
        assert password_refusal("eleven char") == "Use at least 12 characters."
        assert password_refusal("twelve chars") is None


# ---------------------------------------------------------------- the pages


def test_the_set_password_link_refuses_each_habit_and_stays_usable(app, client, auth, klaipeda):
    with app.app_context():
        token = issue_set_password_token(db.session.get(User, klaipeda.id))
        db.session.commit()
    before = stored_hash(app, KLAIPEDA_EMAIL)
    for password, reason in HABITS:
        page = client.post(
            f"/set-password/{token}", data={"password": password, "confirm": password}
        )
        assert page.status_code == 422, password
        assert field_error(page.text) == reason, password
        assert "Set your password" in page.text  # the form again, to try another
    assert stored_hash(app, KLAIPEDA_EMAIL) == before
    done = client.post(f"/set-password/{token}", data={"password": GOOD, "confirm": GOOD})
    assert done.status_code == 302
    assert stored_hash(app, KLAIPEDA_EMAIL).startswith("scrypt:")
    assert auth.login(KLAIPEDA_EMAIL, GOOD).status_code == 302


def test_the_account_page_refuses_each_habit(app, client, auth, klaipeda):
    auth.login(KLAIPEDA_EMAIL)
    for password, reason in HABITS:
        page = client.post(
            "/account/password",
            data={"current": PASSWORD, "password": password, "confirm": password},
        )
        assert page.status_code == 422, password
        assert field_error(page.text) == reason, password
    # Refusals are not wrong guesses of the current password: no waiting follows.
    done = client.post(
        "/account/password", data={"current": PASSWORD, "password": UNICODE, "confirm": UNICODE}
    )
    assert done.status_code == 302
    auth.logout()
    assert auth.login(KLAIPEDA_EMAIL).status_code == 422
    assert auth.login(KLAIPEDA_EMAIL, UNICODE).status_code == 302


def test_the_page_tells_the_rule_before_anyone_types(app, client, auth, world):
    auth.login(world.editor.email)
    page = client.get("/account/password").text
    assert "not a common password, nor one made of your name" in page


# ---------------------------------------------------------------- the commands


def test_user_set_password_refuses_each_habit(app, runner, klaipeda):
    before = stored_hash(app, KLAIPEDA_EMAIL)
    for password, reason in HABITS:
        result = runner.invoke(
            args=["user", "set-password", KLAIPEDA_EMAIL], input=f"{password}\n" * 2
        )
        assert result.exit_code != 0, password
        assert reason in result.output, password
    assert stored_hash(app, KLAIPEDA_EMAIL) == before
    result = runner.invoke(args=["user", "set-password", KLAIPEDA_EMAIL], input=f"{GOOD}\n" * 2)
    assert result.exit_code == 0, result.output
    assert stored_hash(app, KLAIPEDA_EMAIL) != before


def test_init_asks_again_until_the_password_is_acceptable(tmp_path):
    app = bare_app(tmp_path, "init")
    result = app.test_cli_runner().invoke(
        args=["init", "--admin-email", "klaipedacity@example.lt"],
        input=f"klaipedacity\nPassword1!\n{GOOD}\n{GOOD}\n",
    )
    assert result.exit_code == 0, result.output
    assert CONTEXT in result.output and COMMON in result.output
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "klaipedacity@example.lt"))
        assert check_password(admin, GOOD)


def test_demo_refuses_a_common_password(app, runner):
    result = runner.invoke(args=["demo", "--password", "iloveyou2"])
    assert result.exit_code != 0
    assert COMMON in result.output
    with app.app_context():
        assert db.session.scalars(select(User)).all() == []

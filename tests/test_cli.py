"""The command line: init, demo, user and plugins."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import PASSWORD, bare_app
from tests.test_reset import link_in, queued
from workspace.controllers import controlled_partner_ids
from workspace.extensions import db
from workspace.models import Membership, MembershipRole, Partner, PartnerRole, Region, User
from workspace.plugins import host


def users(app) -> list[User]:
    with app.app_context():
        return db.session.scalars(select(User).order_by(User.email)).all()


def test_demo_loads_the_consortium(app, runner):
    result = runner.invoke(args=["demo", "--password", "demo password 1"])
    assert result.exit_code == 0, result.output
    assert "admin@pannon.example" in result.output
    assert "demo password 1" in result.output
    with app.app_context():
        partners = db.session.scalars(select(Partner)).all()
        regions = db.session.scalars(select(Region).order_by(Region.slug)).all()
        assert len(partners) == 8
        assert [r.slug for r in regions] == [
            "burgos",
            "klaipeda",
            "lombardy",
            "pannon",
            "podkarpackie",
        ]
        assert {r.slug: r.nuts2 for r in regions}["podkarpackie"] == "PL82"
        roles = {p.short_name: p.role for p in partners}
        assert roles["Pannon EGTC"] is PartnerRole.LEAD
        assert roles["AEBR"] is PartnerRole.ADVISORY
        aebr = next(p for p in partners if p.short_name == "AEBR")
        assert aebr.region_id is None
        burgos = next(r for r in regions if r.slug == "burgos")
        assert {p.short_name for p in burgos.partners} == {"CEEI-Burgos", "SODEBUR"}
        admin = db.session.scalar(select(User).where(User.email == "admin@pannon.example"))
        assert admin.is_admin
        # A coordinator and an editor per partner, one stakeholder per region, and the
        # controllers (outside the partners too, with no region).
        for partner in partners:
            assert len(partner.users) >= 2, partner.short_name
        outside = db.session.scalars(select(User).where(User.partner_id.is_(None))).all()
        stakeholders = [u for u in outside if u.memberships]
        assert len(stakeholders) == 5
        controllers = {u.email: controlled_partner_ids(u) for u in outside if not u.memberships}
        assert len(controllers) == 6
        assert set().union(*controllers.values()) == {p.id for p in partners}
        for stakeholder in stakeholders:
            assert [m.role for m in stakeholder.memberships] == [MembershipRole.STAKEHOLDER]
        coordinator = db.session.scalar(
            select(User).where(User.email == "coordinator@ceei.example")
        )
        assert [(m.region.slug, m.role) for m in coordinator.memberships] == [
            ("burgos", MembershipRole.COORDINATOR)
        ]
        # The advisory partner works in every region.
        aebr_editor = db.session.scalar(select(User).where(User.email == "editor@aebr.example"))
        assert len(aebr_editor.memberships) == 5


def test_demo_login_works(app, runner, client):
    runner.invoke(args=["demo", "--password", "demo password 1"])
    response = client.post(
        "/login", data={"email": "admin@pannon.example", "password": "demo password 1"}
    )
    assert response.status_code == 302
    page = client.get("/").text
    assert page.count('class="card-link"') == 5
    assert "8 partners · 5 regions" in page


def test_demo_twice_changes_nothing(app, runner):
    runner.invoke(args=["demo", "--password", "demo password 1"])
    with app.app_context():
        membership = db.session.scalars(select(Membership)).first()
        db.session.delete(membership)  # a coordinator's later change must survive
        db.session.commit()
        before = (
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Membership)),
            [u.password_hash for u in db.session.scalars(select(User).order_by(User.id))],
        )
    result = runner.invoke(args=["demo", "--password", "another password"])
    assert "nothing changed" in result.output
    with app.app_context():
        after = (
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Membership)),
            [u.password_hash for u in db.session.scalars(select(User).order_by(User.id))],
        )
    assert before == after


def test_demo_without_password_prints_a_random_one(app, runner, client):
    result = runner.invoke(args=["demo"])
    password = result.output.split("Password of every demo account: ")[1].split()[0]
    assert len(password) >= 8
    response = client.post("/login", data={"email": "admin@pannon.example", "password": password})
    assert response.status_code == 302


def test_demo_if_empty_skips_a_used_database(app, runner, make):
    make.user("someone@example.org")
    result = runner.invoke(args=["demo", "--if-empty"])
    assert "not loaded again" in result.output
    assert len(users(app)) == 1


def test_demo_refuses_a_short_password(app, runner):
    result = runner.invoke(args=["demo", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output
    assert users(app) == []


def test_user_create_prints_a_set_password_link(app, runner, client):
    result = runner.invoke(args=["user", "create", "Boss@Example.org", "--admin"])
    assert result.exit_code == 0, result.output
    link = result.output.split("link: ")[1].strip()
    assert link.startswith("http://127.0.0.1:5000/set-password/")
    (invitation,) = queued(app)  # the same link, e-mailed
    assert invitation.recipients == ["boss@example.org"] and link_in(invitation) == link
    path = link.removeprefix("http://127.0.0.1:5000")
    client.post(path, data={"password": "corner office keys", "confirm": "corner office keys"})
    response = client.post(
        "/login", data={"email": "boss@example.org", "password": "corner office keys"}
    )
    assert response.status_code == 302
    assert users(app)[0].is_admin


def test_user_create_refuses_duplicates_and_unknown_partner(app, runner, make):
    make.user("taken@example.org")
    result = runner.invoke(args=["user", "create", "taken@example.org"])
    assert result.exit_code != 0 and "exists already" in result.output
    result = runner.invoke(args=["user", "create", "new@example.org", "--partner", "NOPE"])
    assert result.exit_code != 0 and "no partner" in result.output
    assert len(users(app)) == 1


def test_user_set_password_and_deactivate(app, runner, client, make):
    make.user("someone@example.org")
    result = runner.invoke(
        args=["user", "set-password", "someone@example.org"], input="fresh password\n" * 2
    )
    assert result.exit_code == 0, result.output
    login = {"email": "someone@example.org", "password": "fresh password"}
    assert client.post("/login", data=login).status_code == 302
    runner.invoke(args=["user", "deactivate", "someone@example.org"])
    assert client.get("/").status_code == 302
    assert client.post("/login", data=login).status_code == 422
    result = runner.invoke(args=["user", "deactivate", "nobody@example.org"])
    assert result.exit_code != 0 and "no account" in result.output


def test_plugins_list_enable_disable(app, runner, world):
    result = runner.invoke(args=["plugins", "list"])
    assert "fixture" in result.output and "switched off everywhere" in result.output
    result = runner.invoke(args=["plugins", "enable", "fixture", "--region", "burgos"])
    assert result.exit_code == 0, result.output
    assert "fixture on in burgos" in result.output
    assert "burgos" in runner.invoke(args=["plugins", "list"]).output
    with app.app_context():
        assert host().enabled_in(db.session.get(Region, world.burgos.id)) == {"fixture"}
        assert host().enabled_in(db.session.get(Region, world.pannon.id)) == set()
    runner.invoke(args=["plugins", "enable", "fixture", "--all"])
    runner.invoke(args=["plugins", "disable", "fixture", "--region", "pannon"])
    with app.app_context():
        assert host().enabled_anywhere() == {"fixture"}
        assert host().enabled_in(db.session.get(Region, world.pannon.id)) == set()


def test_plugins_command_errors(app, runner, world):
    result = runner.invoke(args=["plugins", "enable", "nothing", "--region", "burgos"])
    assert result.exit_code != 0 and "no plugin named 'nothing'" in result.output
    result = runner.invoke(args=["plugins", "enable", "fixture", "--region", "atlantis"])
    assert result.exit_code != 0 and "no region 'atlantis'" in result.output
    result = runner.invoke(args=["plugins", "enable", "fixture"])
    assert result.exit_code != 0 and "--region" in result.output


def test_init_migrates_and_creates_the_first_admin(tmp_path):
    app = bare_app(tmp_path, "init")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["init", "--admin-email", "First@Example.org"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Administrator first@example.org created." in result.output
    again = runner.invoke(args=["init"])
    assert "an administrator exists" in again.output
    with app.app_context():
        assert [u.email for u in db.session.scalars(select(User))] == ["first@example.org"]

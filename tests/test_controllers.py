"""Controllers (workspace.controllers): an admin assigns them to partners; a partner's
own staff never control it; a controller's home says whom they control and their menu
holds only the pages open to controllers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from workspace.controllers import ControllerAssignment, controls
from workspace.extensions import db
from workspace.models import Event, Partner, User
from workspace.notifications import notify, still_for
from workspace.testing import sign_in, switch_on


@pytest.fixture
def ceei(app, world) -> int:
    with app.app_context():
        return db.session.scalar(select(Partner.id).where(Partner.short_name == "CEEI-Burgos"))


@pytest.fixture
def auditor(make):
    return make.user("auditor@example.org", name="Ana Auditor")


def test_an_admin_assigns_and_removes_a_controller(app, world, ceei, auditor):
    admin = sign_in(app, world.admin.email)
    assert (
        admin.post(
            "/admin/controllers", data={"user_id": auditor.id, "partner_id": ceei}
        ).status_code
        == 303
    )
    page = admin.get("/admin/controllers").text
    assert "Ana Auditor" in page and "auditor@example.org" in page
    with app.app_context():
        assert controls(db.session.get(User, auditor.id), ceei)
        assignment = db.session.scalar(select(ControllerAssignment.id))
        verbs = list(db.session.scalars(select(Event.verb)))
    assert "controller_assigned" in verbs
    # Twice is once.
    assert (
        admin.post(
            "/admin/controllers", data={"user_id": auditor.id, "partner_id": ceei}
        ).status_code
        == 303
    )
    assert admin.post(f"/admin/controllers/{assignment}/remove").status_code == 303
    with app.app_context():
        assert not controls(db.session.get(User, auditor.id), ceei)
        assert db.session.scalar(select(ControllerAssignment)) is None


def test_a_partners_own_staff_never_control_it(app, world, ceei):
    admin = sign_in(app, world.admin.email)
    refused = admin.post(
        "/admin/controllers", data={"user_id": world.editor.id, "partner_id": ceei}
    )
    assert refused.status_code == 422
    assert (
        "works for CEEI-Burgos: its expenditure is controlled by someone independent"
        in refused.text
    )
    # Someone who later joins the partner they control stops controlling it.
    with app.app_context():
        db.session.add(ControllerAssignment(user_id=world.other.id, partner_id=ceei))
        db.session.commit()
        other = db.session.get(User, world.other.id)
        assert controls(other, ceei)
        other.partner_id = ceei
        db.session.commit()
        assert not controls(db.session.get(User, world.other.id), ceei)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"user_id": "", "partner_id": ""}, "This field is required."),
        ({"user_id": "999999", "partner_id": "1"}, "Not a valid choice"),
        ({"user_id": "1", "partner_id": "x"}, "Not a valid choice"),
    ],
)
def test_bad_input_changes_nothing(app, world, data, message):
    response = sign_in(app, world.admin.email).post("/admin/controllers", data=data)
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert db.session.scalar(select(ControllerAssignment)) is None


def test_a_controllers_home_and_menu(app, world, ceei, auditor):
    switch_on(app, "burgos", "reports")
    switch_on(app, "burgos", "minutes")
    admin = sign_in(app, world.admin.email)
    admin.post("/admin/controllers", data={"user_id": auditor.id, "partner_id": ceei})
    home = sign_in(app, auditor.email).get("/").text
    assert "You check the expenditure of <strong>CEEI-Burgos</strong>" in home
    assert "You are not a member of any region" not in home
    menu = home.split('id="modules-menu"', 1)[1].split("</details>", 1)[0]
    assert re.findall(r">([^<>]+)</a>", menu) == ["Partner reports"]  # no Meetings: 403 there
    assert sign_in(app, auditor.email).get("/p/minutes/").status_code == 403
    # Without an assignment, nothing of it.
    stranger = sign_in(app, world.outsider.email).get("/").text
    assert "Your controls" not in stranger and 'id="modules-menu"' not in stranger


def test_news_of_a_partners_report_reaches_its_controller_and_no_one_else(
    app, world, ceei, auditor, make
):
    """``notify(partner=...)``: the partner's controllers read it as well as those who
    read the region; a digest hours later asks the same (``still_for``)."""
    stranger = make.user("stranger@example.org")
    with app.app_context():
        db.session.add(ControllerAssignment(user_id=auditor.id, partner_id=ceei))
        db.session.commit()
        partner = db.session.get(Partner, ceei)
        people = [db.session.get(User, u.id) for u in (auditor, stranger)]
        made = notify(
            people,
            "mention",
            "CEEI-Burgos submitted its report for P1",
            "/p/reports/",
            region=partner.region,
            target="reports:report:1",
            partner=partner,
        )
        assert [n.user.email for n in made] == ["auditor@example.org"]
        assert still_for(made[0], people[0])
        # Without the partner, the region's rule alone: the controller does not read it.
        assert notify(people, "mention", "A note", "/", region=partner.region) == []
        db.session.commit()

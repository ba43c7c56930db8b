"""Administration of people, partner organisations and regions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import HTMX
from tests.test_reset import link_in, queued
from workspace.extensions import db
from workspace.models import LegalStatus, Partner, Region, SetPasswordToken, User

# Every admin route, with a payload that an admin may send.
ADMIN_ROUTES = [
    ("GET", "/admin/users", None),
    ("GET", "/admin/users/new", None),
    ("POST", "/admin/users/new", {"email": "n@example.org", "name": "N", "partner_id": "0"}),
    ("GET", "/admin/users/{user}", None),
    ("POST", "/admin/users/{user}", {"email": "s@example.org", "name": "S", "partner_id": "0"}),
    ("POST", "/admin/users/{user}/link", None),
    ("POST", "/admin/users/{user}/active", {"active": "0"}),
    ("GET", "/admin/partners", None),
    ("GET", "/admin/partners/new", None),
    (
        "POST",
        "/admin/partners/new",
        {
            "name": "N",
            "short_name": "N",
            "country": "DE",
            "legal_status": "public",
            "role": "advisory",
            "region_id": "0",
        },
    ),
    ("GET", "/admin/partners/{partner}", None),
    ("GET", "/admin/regions", None),
    ("GET", "/admin/regions/new", None),
    ("POST", "/admin/regions/new", {"slug": "new", "name": "N", "country": "IT", "nuts2": "ITC4"}),
    ("GET", "/admin/regions/{region}", None),
    (
        "POST",
        "/admin/regions/{region}",
        {"slug": "burgos", "name": "Burgos", "country": "ES", "nuts2": "ES41"},
    ),
]


@pytest.mark.parametrize(("method", "path", "data"), ADMIN_ROUTES)
def test_admin_routes_for_admins_only(app, client, auth, world, method, path, data):
    path = path.format(user=world.stakeholder.id, region=world.burgos.id, partner=1)
    before = snapshot(app)
    for who in ("coordinator", "editor", "stakeholder", "other", "outsider"):
        assert auth.login(getattr(world, who).email).status_code == 302
        response = client.open(path, method=method, data=data)
        assert response.status_code == 403, who
        assert "Not allowed" in response.text
        auth.logout()
    assert snapshot(app) == before
    auth.login(world.admin.email)
    response = client.open(path, method=method, data=data)
    assert response.status_code in (200, 303), response.status_code
    if method == "POST":
        assert snapshot(app) != before


def snapshot(app):
    """Everything an admin route can change, to show that a refusal changed nothing."""
    with app.app_context():
        return (
            [
                (u.email, u.name, u.active, u.partner_id)
                for u in db.session.scalars(select(User).order_by(User.id))
            ],
            [(p.name, p.role) for p in db.session.scalars(select(Partner).order_by(Partner.id))],
            [(r.slug, r.name) for r in db.session.scalars(select(Region).order_by(Region.id))],
            db.session.scalar(select(func.count()).select_from(SetPasswordToken)),
        )


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_admin_creates_a_user_and_gets_a_one_time_link(app, client, auth, world):
    auth.login(world.admin.email)
    response = client.post(
        "/admin/users/new",
        data={"email": "New.Person@Example.org", "name": "New Person", "partner_id": "0"},
    )
    assert response.status_code == 200
    assert "/set-password/" in response.text
    link = response.text.split('<output id="set-password-link">')[1].split("</output>")[0]
    path = link[link.index("/set-password/") :]
    assert "The invitation with this link is on its way" in response.text
    (invitation,) = queued(app)
    assert invitation.recipients == ["new.person@example.org"] and link_in(invitation) == link
    auth.logout()
    assert client.get(path).status_code == 200
    client.post(path, data={"password": "my own password", "confirm": "my own password"})
    assert auth.login("new.person@example.org", "my own password").status_code == 302


def test_user_form_errors_leave_data_unchanged(app, client, auth, world):
    auth.login(world.admin.email)
    before = count(app, User)
    taken = client.post(
        "/admin/users/new", data={"email": "EDITOR@example.org", "name": "X", "partner_id": "0"}
    )
    assert taken.status_code == 422
    assert "Another account already uses this e-mail." in taken.text
    invalid = client.post(
        "/admin/users/new", data={"email": "not-an-email", "name": "", "partner_id": "0"}
    )
    assert invalid.status_code == 422
    assert "Enter a valid e-mail." in invalid.text
    assert "This field is required." in invalid.text
    bad_partner = client.post(
        "/admin/users/new", data={"email": "a@example.org", "name": "A", "partner_id": "999"}
    )
    assert bad_partner.status_code == 422
    assert count(app, User) == before


def test_admin_edits_a_user(app, client, auth, world):
    auth.login(world.admin.email)
    page = client.get(f"/admin/users/{world.editor.id}")
    assert "Castilla y León" in page.text  # the user's regions
    response = client.post(
        f"/admin/users/{world.editor.id}",
        data={"email": "editor@example.org", "name": "Renamed Editor", "partner_id": "0"},
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.get(User, world.editor.id)
        assert user.name == "Renamed Editor" and user.partner_id is None


def test_admin_cannot_remove_own_admin_right_or_deactivate_self(app, client, auth, world):
    auth.login(world.admin.email)
    response = client.post(
        f"/admin/users/{world.admin.id}",
        data={"email": "admin@example.org", "name": "Admin", "partner_id": "0"},
    )
    assert response.status_code == 422
    assert "You cannot remove your own administrator right." in response.text
    client.post(f"/admin/users/{world.admin.id}/active", data={"active": "0"})
    with app.app_context():
        admin = db.session.get(User, world.admin.id)
        assert admin.active and admin.is_admin


def test_deactivate_and_reactivate_with_htmx(app, client, auth, world):
    auth.login(world.admin.email)
    victim = app.test_client()
    victim.post("/login", data={"email": "editor@example.org", "password": "correct horse battery"})
    assert victim.get("/").status_code == 200
    row = client.post(f"/admin/users/{world.editor.id}/active", data={"active": "0"}, headers=HTMX)
    assert row.status_code == 200
    assert f'<tr id="user-{world.editor.id}" class="inactive">' in row.text
    assert "Reactivate" in row.text
    # The open session of the deactivated user ends on its next request.
    assert victim.get("/").status_code == 302
    client.post(f"/admin/users/{world.editor.id}/active", data={"active": "1"})
    with app.app_context():
        assert db.session.get(User, world.editor.id).active


def test_no_link_for_a_deactivated_account(app, client, auth, world, make):
    gone = make.user("gone@example.org", active=False)
    auth.login(world.admin.email)
    response = client.post(f"/admin/users/{gone.id}/link")
    assert response.status_code == 303
    assert "Reactivate the account" in client.get("/admin/users").text


def test_admin_creates_and_edits_a_partner(app, client, auth, world):
    auth.login(world.admin.email)
    data = {
        "name": "SODEBUR",
        "short_name": "SODEBUR",
        "country": "es",
        "legal_status": "public",
        "role": "partner",
        "region_id": world.burgos.id,
    }
    assert client.post("/admin/partners/new", data=data).status_code == 303
    with app.app_context():
        partner = db.session.scalar(select(Partner).where(Partner.short_name == "SODEBUR"))
        assert partner.country == "ES" and partner.region_id == world.burgos.id
        partner_id = partner.id
    data["legal_status"] = "private_nonprofit"
    assert client.post(f"/admin/partners/{partner_id}", data=data).status_code == 303
    with app.app_context():
        assert db.session.get(Partner, partner_id).legal_status is LegalStatus.PRIVATE_NONPROFIT


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"country": "Spain"}, "Use the two-letter country code"),
        ({"short_name": "CEEI-Burgos"}, "Another partner has this short name."),
        ({"legal_status": "for-profit"}, "Not a valid choice"),
        ({"region_id": "0"}, "Lead partner and partners belong to a region."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_partner_form_errors(app, client, auth, world, change, message):
    auth.login(world.admin.email)
    data = {
        "name": "New partner",
        "short_name": "NEW",
        "country": "ES",
        "legal_status": "public",
        "role": "partner",
        "region_id": world.burgos.id,
    }
    before = count(app, Partner)
    response = client.post("/admin/partners/new", data={**data, **change})
    assert response.status_code == 422
    assert message in response.text
    assert count(app, Partner) == before


def test_advisory_partner_needs_no_region(app, client, auth, world):
    auth.login(world.admin.email)
    data = {
        "name": "AEBR",
        "short_name": "AEBR",
        "country": "DE",
        "legal_status": "private_nonprofit",
        "role": "advisory",
        "region_id": "0",
    }
    assert client.post("/admin/partners/new", data=data).status_code == 303


def test_admin_creates_and_edits_a_region(app, client, auth, world):
    auth.login(world.admin.email)
    data = {"slug": "lombardy", "name": "Lombardia", "country": "it", "nuts2": "itc4"}
    assert client.post("/admin/regions/new", data=data).status_code == 303
    assert client.get("/r/lombardy/").status_code == 200
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == "lombardy"))
        assert (region.country, region.nuts2) == ("IT", "ITC4")
        region_id = region.id
    data["name"] = "Lombardy"
    assert client.post(f"/admin/regions/{region_id}", data=data).status_code == 303
    assert "<h1>Lombardy</h1>" in client.get("/r/lombardy/").text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "Burgos Region"}, "Lower-case letters, digits and hyphens"),
        ({"slug": "burgos"}, "Another region uses this slug."),
        # /calendar/<token>/mine.ics is a person's own feed, not a region's.
        ({"slug": "mine"}, "“mine” is taken by the workspace&#39;s own addresses."),
        ({"nuts2": "HU23"}, "A NUTS 2 code of IT starts with IT."),
        ({"nuts2": "I"}, "A NUTS 2 code looks like HU23."),
    ],
)
def test_region_form_errors(app, client, auth, world, change, message):
    auth.login(world.admin.email)
    data = {"slug": "lombardy", "name": "Lombardia", "country": "IT", "nuts2": "ITC4"}
    before = count(app, Region)
    response = client.post("/admin/regions/new", data={**data, **change})
    assert response.status_code == 422
    assert message in response.text
    assert count(app, Region) == before


def test_missing_objects_are_404(client, auth, world):
    auth.login(world.admin.email)
    for path in ["/admin/users/999", "/admin/partners/999", "/admin/regions/999"]:
        assert client.get(path).status_code == 404, path


def test_names_of_only_spaces_are_refused(app, client, auth, world):
    auth.login(world.admin.email)
    response = client.post(
        "/admin/regions/new", data={"slug": "new", "name": "   ", "country": "IT", "nuts2": "ITC4"}
    )
    assert response.status_code == 422
    assert "This field is required." in response.text


def test_advisory_partner_with_a_region_is_refused(app, client, auth, world):
    auth.login(world.admin.email)
    data = {
        "name": "AEBR",
        "short_name": "AEBR",
        "country": "DE",
        "legal_status": "private_nonprofit",
        "role": "advisory",
        "region_id": world.burgos.id,
    }
    response = client.post("/admin/partners/new", data=data)
    assert response.status_code == 422
    assert "The advisory partner works across all regions" in response.text


def test_names_differing_only_in_case_are_taken_in_any_script(app, client, auth, world):
    auth.login(world.admin.email)
    data = {
        "name": "Łódź Agency",
        "short_name": "ŁA",
        "country": "PL",
        "legal_status": "public",
        "role": "partner",
        "region_id": world.burgos.id,
    }
    assert client.post("/admin/partners/new", data=data).status_code == 303
    again = client.post("/admin/partners/new", data={**data, "name": "łódź agency"})
    assert again.status_code == 422
    assert "Another partner has this name." in again.text


def test_malformed_deactivation_changes_nothing(app, client, auth, world):
    auth.login(world.admin.email)
    assert client.post(f"/admin/users/{world.editor.id}/active", data={}).status_code == 400
    with app.app_context():
        assert db.session.get(User, world.editor.id).active


def test_set_password_link_page_stays_out_of_history(client, auth, world):
    auth.login(world.admin.email)
    response = client.post(f"/admin/users/{world.editor.id}/link", headers=HTMX)
    assert response.headers["HX-Push-Url"] == "false"

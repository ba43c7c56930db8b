"""Project overview, region dashboards, members and the role checks on every route."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, with_panels
from workspace.extensions import db
from workspace.models import Event, Membership, MembershipRole, RegionPlugin
from workspace.testing import new_document, write_document

# Every core region route, the least right it needs, and a payload for it.
REGION_ROUTES = [
    ("GET", "/r/burgos/", "read", None),
    ("GET", "/r/burgos/export.zip", "edit", None),
    ("GET", "/r/burgos/members", "manage", None),
    ("POST", "/r/burgos/members", "manage", {"user_id": "{other}", "role": "editor"}),
    ("POST", "/r/burgos/members/{membership}/role", "manage", {"role": "coordinator"}),
    ("POST", "/r/burgos/members/{membership}/remove", "manage", None),
    ("POST", "/r/burgos/plugins/fixture", "manage", {"enabled": "1"}),
]

# Who may do what in Burgos (see World in conftest).
ALLOWED = {
    "admin": {"read", "edit", "manage"},
    "coordinator": {"read", "edit", "manage"},
    "editor": {"read", "edit"},
    "stakeholder": {"read"},
    "other": {"read"},  # consortium member from another region
    "outsider": set(),  # external stakeholder of another region
}


def burgos_state(app, region_id):
    """What the region routes can change: memberships and plugin switches."""
    with app.app_context():
        members = db.session.scalars(
            select(Membership).where(Membership.region_id == region_id).order_by(Membership.id)
        ).all()
        switches = db.session.scalars(select(RegionPlugin.enabled)).all()
        return [(m.user_id, m.role) for m in members], switches


@pytest.mark.parametrize("who", sorted(ALLOWED))
@pytest.mark.parametrize(("method", "path", "needs", "data"), REGION_ROUTES)
def test_region_routes_by_role(app, client, auth, world, who, method, path, needs, data):
    with app.app_context():
        stakeholder_membership = db.session.scalar(
            select(Membership.id).where(Membership.user_id == world.stakeholder.id)
        )
    path = path.format(membership=stakeholder_membership)
    data = {k: v.format(other=world.other.id) for k, v in (data or {}).items()}
    assert auth.login(getattr(world, who).email).status_code == 302
    before = burgos_state(app, world.burgos.id)
    response = client.open(path, method=method, data=data)
    if needs in ALLOWED[who]:
        assert response.status_code in (200, 302, 303), response.status_code
        assert "/login" not in response.headers.get("Location", "")
        if method == "POST":
            assert burgos_state(app, world.burgos.id) != before
    else:
        assert response.status_code == 403
        assert "Not allowed" in response.text
        assert burgos_state(app, world.burgos.id) == before


@pytest.mark.parametrize("who", ["editor", "stakeholder", "outsider"])
def test_refused_htmx_request_shows_a_message_and_changes_nothing(app, client, auth, world, who):
    auth.login(getattr(world, who).email)
    response = client.post("/r/burgos/plugins/fixture", data={"enabled": "1"}, headers=HTMX)
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#messages"
    assert "Not allowed" in response.text
    client.post("/logout")
    auth.login(world.admin.email)
    assert "Fixture panel" not in with_panels(client, "/r/burgos/")


def test_refusals_are_audited(app, client, auth, world):
    auth.login(world.stakeholder.email)
    client.get("/r/burgos/members")
    with app.app_context():
        event = db.session.scalars(select(Event).where(Event.verb == "permission_refused")).one()
        assert event.actor_id == world.stakeholder.id
        assert event.target == "region.manage"


def test_unknown_region_is_404(client, auth, world):
    auth.login(world.admin.email)
    response = client.get("/r/atlantis/")
    assert response.status_code == 404
    assert "Not found" in response.text


def test_project_overview_lists_readable_regions_and_partners(client, auth, world):
    auth.login(world.stakeholder.email)
    page = client.get("/").text
    assert "Castilla y León" in page
    assert "Dél-Dunántúl" not in page.split("Partners")[0]
    client.post("/logout")
    auth.login(world.other.email)
    page = client.get("/").text
    assert "Castilla y León" in page and "Dél-Dunántúl" in page
    assert "CEEI-Burgos" in page and "Pannon EGTC" in page


def test_region_switcher_lists_only_readable_regions(client, auth, world):
    auth.login(world.outsider.email)
    page = client.get("/r/pannon/").text
    assert 'href="/r/pannon/"' in page
    assert 'href="/r/burgos/"' not in page


def test_dashboard_shows_partners_members_and_modules(client, auth, world):
    auth.login(world.editor.email)
    page = client.get("/r/burgos/").text
    assert "<h1>Castilla y León</h1>" in page
    assert "CEEI-Burgos organisation" in page
    assert "Coord" in page and "Stake" in page
    assert "Fixture notes" in page
    # An editor sees the modules but no switch.
    assert 'role="switch" name="enabled"' not in page


def test_coordinator_adds_changes_and_removes_a_member(app, client, auth, world):
    auth.login(world.coordinator.email)
    added = client.post(
        "/r/burgos/members", data={"user_id": world.other.id, "role": "editor"}, headers=HTMX
    )
    assert added.status_code == 200
    assert "Other is now editor in Castilla y León." in added.text
    with app.app_context():
        membership = db.session.scalars(
            select(Membership).where(
                Membership.user_id == world.other.id, Membership.region_id == world.burgos.id
            )
        ).one()
        membership_id = membership.id
    changed = client.post(
        f"/r/burgos/members/{membership_id}/role", data={"role": "coordinator"}, headers=HTMX
    )
    assert "Other is now coordinator." in changed.text
    with app.app_context():
        assert db.session.get(Membership, membership_id).role is MembershipRole.COORDINATOR
    removed = client.post(f"/r/burgos/members/{membership_id}/remove", headers=HTMX)
    assert "is no longer a member" in removed.text
    with app.app_context():
        assert db.session.get(Membership, membership_id) is None


def test_adding_a_member_twice_or_with_a_bad_role_is_refused(app, client, auth, world):
    auth.login(world.coordinator.email)
    twice = client.post("/r/burgos/members", data={"user_id": world.editor.id, "role": "editor"})
    assert twice.status_code == 422
    assert "Not a valid choice" in twice.text
    bad_role = client.post("/r/burgos/members", data={"user_id": world.other.id, "role": "king"})
    assert bad_role.status_code == 422
    with app.app_context():
        assert (
            db.session.scalar(
                select(Membership).where(
                    Membership.user_id == world.other.id, Membership.region_id == world.burgos.id
                )
            )
            is None
        )


def test_role_change_of_a_membership_in_another_region_is_404(app, client, auth, world):
    auth.login(world.coordinator.email)
    with app.app_context():
        pannon_membership = db.session.scalars(
            select(Membership).where(Membership.region_id == world.pannon.id)
        ).first()
    response = client.post(
        f"/r/burgos/members/{pannon_membership.id}/role", data={"role": "coordinator"}
    )
    assert response.status_code == 404


def test_export_holds_region_data_and_plugin_files(app, client, auth, world):
    auth.login(world.admin.email)
    client.post("/r/burgos/plugins/fixture", data={"enabled": "1"})
    response = client.get("/r/burgos/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert "region.json" in names
    assert "fixture/notes.txt" in names
    # The plugin knows who downloads, to leave out what that person may not read.
    assert archive.read("fixture/notes.txt").decode() == (
        f"Notes of Castilla y León, exported by {world.admin.email}\n"
    )
    # A plugin cannot write outside its folder of the archive.
    assert all(name.startswith(("region.json", "documents/", "fixture/")) for name in names)
    assert not any(".." in name for name in names)
    data = json.loads(archive.read("region.json"))
    assert data["nuts2"] == "ES41"
    assert {m["email"] for m in data["members"]} >= {"coord@example.org", "stake@example.org"}
    assert data["plugins"] == ["fixture"]


def test_export_holds_the_region_documents_with_revisions_comments_and_files(
    app, client, auth, world
):
    auth.login(world.editor.email)
    document_id = new_document(client, "Situación: Burgos", "First text.\n")
    write_document(app, document_id, "Second text, *revised*.\n")
    client.post(f"/docs/{document_id}/comments", data={"body": "Check the figures."})
    scan = bytes(range(256)) * 40
    for content in (scan, b"a second scan"):  # two files of one name
        client.post(
            f"/docs/{document_id}/attachments", data={"file": (io.BytesIO(content), "scan.pdf")}
        )
    deleted = new_document(client, "Withdrawn note", "Gone.\n")
    client.post(f"/docs/{deleted}/delete")
    auth.logout()
    auth.login(world.other.email)  # Pannon's editor writes in Pannon
    elsewhere = new_document(client, "Pannon plan", "Not Burgos.\n", region="pannon")
    auth.logout()

    auth.login(world.editor.email)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/r/burgos/export.zip").data))
    folder = f"documents/{document_id}-situacion-burgos"
    text = archive.read(f"{folder}/document.md").decode()
    assert text.startswith('---\ntitle: "Situación: Burgos"\nregion: "burgos"\n')
    assert text.endswith("---\n\nSecond text, *revised*.\n") and "head_revision: 2" in text
    assert archive.read(f"{folder}/revisions/0001.md") == b"First text.\n"  # as saved
    assert archive.read(f"{folder}/revisions/0002.md") == b"Second text, *revised*.\n"
    revisions = json.loads(archive.read(f"{folder}/revisions.json"))
    editor = f"{world.editor.name} <{world.editor.email}>"
    assert [(r["number"], r["author"]) for r in revisions] == [(1, editor), (2, editor)]
    (comment,) = json.loads(archive.read(f"{folder}/comments.json"))
    assert comment["text"] == "Check the figures." and comment["author"] == editor
    assert archive.read(f"{folder}/attachments/scan.pdf") == scan
    assert archive.read(f"{folder}/attachments/scan (2).pdf") == b"a second scan"
    files = json.loads(archive.read(f"{folder}/attachments.json"))
    assert [(f["file"], f["filename"]) for f in files] == [
        ("attachments/scan.pdf", "scan.pdf"),
        ("attachments/scan (2).pdf", "scan.pdf"),
    ]
    names = archive.namelist()
    # A document in the trash and one of another region stay out.
    assert not any(
        n.startswith((f"documents/{deleted}-", f"documents/{elsewhere}-")) for n in names
    )


def test_coordinator_who_steps_down_goes_back_to_the_dashboard(app, client, auth, world):
    auth.login(world.coordinator.email)
    with app.app_context():
        own = db.session.scalar(
            select(Membership.id).where(Membership.user_id == world.coordinator.id)
        )
    response = client.post(f"/r/burgos/members/{own}/role", data={"role": "editor"}, headers=HTMX)
    assert response.headers["HX-Redirect"] == "/r/burgos/"
    assert client.get("/r/burgos/members").status_code == 403


def test_the_region_menu_marks_one_module_link_current(app, client, auth, world):
    """A page under two of a module's links ("Meetings" at /minutes/, "Stakeholder
    group" at /minutes/stakeholders) marks only the nearer one as the current page."""
    from workspace.testing import switch_on

    switch_on(app, "burgos", "minutes")
    auth.login(world.coordinator.email)
    nav = client.get("/r/burgos/minutes/stakeholders").text.split('id="region-nav"')[1]
    nav = nav.split("</nav>")[0]
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav)
    assert current == ["Stakeholder group"]
    nav = client.get("/r/burgos/minutes/").text.split('id="region-nav"')[1].split("</nav>")[0]
    assert re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav) == ["Meetings"]

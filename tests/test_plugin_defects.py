"""Defects found in review of the built-in plugins, each kept from coming back."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile
from types import SimpleNamespace

from plugins.budget.tests.conftest import budget  # noqa: F401  (fixture)
from plugins.budget.tests.test_budget_views import LINE
from plugins.minutes.tests.test_minutes_exports import meeting, minutes_on  # noqa: F401  (fixtures)
from plugins.minutes.tests.test_minutes_meetings import meeting_url
from plugins.portfolio.tests.test_portfolio import create, portfolio, switch, write_texts  # noqa: F401
from tests.conftest import with_panels
from workspace.attachments import attachments_of
from workspace.extensions import db
from workspace.models import Document, MembershipRole


def test_budget_refuses_huge_amounts_with_a_message(client, auth, budget, world):  # noqa: F811
    auth.login(world.editor.email)
    for amount, message in (("1e30", "written like 4,500.00"), ("9" * 40, "too large")):
        response = client.post(
            f"/p/budget/partners/{budget.ceei}/expenditure", data={**LINE, "amount": amount}
        )
        assert response.status_code == 422 and message in response.text


def test_budget_evidence_is_not_for_external_stakeholders(client, auth, budget, world):  # noqa: F811
    auth.login(world.editor.email)
    location = client.post(f"/p/budget/partners/{budget.ceei}/evidence").headers["Location"]
    auth.logout()
    auth.login(world.stakeholder.email)
    assert client.get(location).status_code == 403


def test_budget_stays_out_of_the_region_export_for_non_staff(client, auth, budget, world, make):  # noqa: F811
    make.user("ext@example.org", memberships={world.burgos: MembershipRole.EDITOR})
    auth.login("ext@example.org")
    names = zipfile.ZipFile(io.BytesIO(client.get("/r/burgos/export.zip").data)).namelist()
    assert not any(name.startswith("budget/") for name in names)


def test_a_draft_practice_is_not_opened_by_id_by_readers(client, auth, portfolio):  # noqa: F811
    auth.login(portfolio.editor.email)
    practice_id = create(client, title="Secret draft idea")
    auth.logout()
    auth.login(portfolio.stakeholder.email)
    assert client.get(f"/r/burgos/portfolio/{practice_id}").status_code == 404


def test_the_minutes_pdf_fetches_nothing(app, client, auth, meeting, minutes_on):  # noqa: F811
    from plugins.minutes.models import Meeting

    hits = []

    class Probe(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Probe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with app.app_context():
        document = db.session.get(Document, db.session.get(Meeting, meeting).minutes_document_id)
        document_id, head = document.id, document.head
    body = f"![x](http://127.0.0.1:{server.server_port}/internal-probe)"
    client.post(f"/docs/{document_id}/edit", data={"title": "Minutes", "base": head, "body": body})
    response = client.get(f"{meeting_url(meeting)}/minutes.pdf")
    server.shutdown()
    server.server_close()
    assert response.status_code == 200 and hits == []


def test_no_pdf_fetches_what_a_text_links_to():
    """Every plugin's PDF goes through workspace.pdf: an image address in a text is
    neither requested nor a reason to fail."""
    from workspace.pdf import html_to_pdf

    hits = []

    class Probe(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Probe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    image = f'<img src="http://127.0.0.1:{server.server_port}/probe">'
    pdf = html_to_pdf(f"<p>Conclusions</p>{image}<link rel=stylesheet href=file:///etc/passwd>")
    server.shutdown()
    server.server_close()
    assert pdf.startswith(b"%PDF") and hits == []


def test_action_item_cells_never_start_a_formula():
    from plugins.minutes.exports import action_items_csv
    from plugins.minutes.models import OutcomeKind

    outcome = SimpleNamespace(
        kind=OutcomeKind.ACTION,
        meeting=SimpleNamespace(
            title='=HYPERLINK("http://x","y")',
            local_start=__import__("datetime").datetime(2030, 1, 1),
        ),
        agenda_item=SimpleNamespace(title="@SUM(1)"),
        text="+cmd",
        owner=None,
        due_date=None,
        is_done=False,
        done_at=None,
    )
    line = action_items_csv([outcome]).splitlines()[1]
    assert line.startswith("\"'=HYPERLINK") and ",'@SUM(1),'+cmd," in line


def test_the_project_panel_leaves_out_practices_where_the_portfolio_is_off(
    app,
    client,
    auth,
    portfolio,  # noqa: F811
):
    auth.login(portfolio.editor.email)
    practice_id = create(client, title="Burgos pending practice")
    write_texts(app, practice_id)
    assert client.post(f"/r/burgos/portfolio/{practice_id}/submit").status_code == 303
    auth.logout()
    switch(app, "burgos", False)
    auth.login(portfolio.other.email)
    assert "Burgos pending practice" not in with_panels(client, "/")


def test_another_partners_staff_cannot_change_an_evidence_folder(app, client, auth, budget, world):  # noqa: F811
    auth.login(world.editor.email)  # CEEI-Burgos staff: opens and fills its folder
    folder = client.post(f"/p/budget/partners/{budget.ceei}/evidence").headers["Location"]
    client.post(
        f"{folder}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 invoice"), "T-77 hotel.pdf")},
        content_type="multipart/form-data",
    )
    with app.app_context():
        document = db.session.get(Document, int(folder.rsplit("/", 1)[1]))
        attachment_id, head = attachments_of(document)[0].id, document.head
    auth.logout()
    # Staff of the lead partner who edit in Pannon: they may edit project-wide
    # documents, but this one is CEEI-Burgos's own.
    auth.login(world.other.email)
    page = client.get(folder).text
    assert "only its own staff and the lead partner&#39;s admins change it" in page
    assert f'action="{folder}/attachments"' not in page  # no upload form offered
    upload = client.post(
        f"{folder}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 forged"), "T-78 forged.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "The file is not attached." in upload.text
    removal = client.post(f"{folder}/attachments/{attachment_id}/delete", follow_redirects=True)
    assert "The file stays." in removal.text
    edit = client.post(
        f"{folder}/edit", data={"title": "Evidence", "body": "Mine now", "base": head}
    )
    assert edit.status_code == 409 and "Mine now" in edit.text  # refused, text kept
    with app.app_context():
        document = db.session.get(Document, int(folder.rsplit("/", 1)[1]))
        assert [a.filename for a in attachments_of(document)] == ["T-77 hotel.pdf"]
        assert document.head == head
    # An admin of the lead partner may.
    auth.logout()
    auth.login(world.admin.email)
    assert f'action="{folder}/attachments"' in client.get(folder).text

"""The good-practice portfolio: practices, validation, the transfer matrix, analyses."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from plugins.portfolio.models import Analysis, Practice, Rating, Status
from plugins.portfolio.practices import SECTIONS
from workspace.api import Document, Event, Region, create_document, db
from workspace.testing import (
    CORPUS,
    HTMX,
    PASSWORD,
    load_demo,
    new_document,
    offending,
    switch_on,
    with_panels,
    write_document,
)

FIELDS = {
    "title": "Export coaching for small firms",
    "institution": "CEEI-Burgos",
    "country": "es",
    "nuts": "es412",
    "city": "Burgos",
    "summary": "Coaches take small firms to their first foreign contract.",
    "starts_on": "2018-02-01",
    "ends_on": "",
    "topic": "SME competitiveness",
    "keywords": "coaching, export",
    "website": "https://www.example.org",
    "contact": "Lucía, coaching@example.org",
}
FULL_TEXT = "".join(f"## {name}\n\nText about {name.lower()}.\n\n" for name in SECTIONS)


def switch(app, slug, on=True):
    switch_on(app, slug, "portfolio", on)


@pytest.fixture
def portfolio(app, world):
    switch(app, "burgos")
    switch(app, "pannon")
    return world


def create(client, **changes):
    response = client.post("/r/burgos/portfolio/new", data={**FIELDS, **changes})
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def practice(app, practice_id):
    with app.app_context():
        found = db.session.get(Practice, practice_id)
        db.session.expunge(found)
        return found


def write_texts(app, practice_id, body=FULL_TEXT):
    """Write the practice's long texts, as its author would in the core editor."""
    write_document(app, practice(app, practice_id).document_id, body)


def approved(app, auth, client, world):
    """A Burgos practice taken through validation; returns its id."""
    auth.login(world.editor.email)
    practice_id = create(client)
    write_texts(app, practice_id)
    assert client.post(f"/r/burgos/portfolio/{practice_id}/submit").status_code == 303
    auth.logout()
    auth.login(world.admin.email)
    client.post(f"/r/burgos/portfolio/{practice_id}/decision", data={"decision": "approve"})
    auth.logout()
    return practice_id


# ---------------------------------------------------------------- workflow


def test_a_practice_from_draft_to_approved(app, client, auth, portfolio):
    world = portfolio
    auth.login(world.editor.email)
    practice_id = create(client)
    page = client.get(f"/r/burgos/portfolio/{practice_id}").text
    assert "Draft" in page and "detailed description" in page  # listed as missing
    # Submitting with empty texts is refused, with what is missing.
    response = client.post(f"/r/burgos/portfolio/{practice_id}/submit")
    assert response.status_code == 422
    assert "Before submitting, fill in:" in response.text and "evidence of success" in response.text
    assert practice(app, practice_id).status == "draft"
    write_texts(app, practice_id)
    assert client.post(f"/r/burgos/portfolio/{practice_id}/submit").status_code == 303
    assert practice(app, practice_id).status == "submitted"
    # The region's editor may not approve its own practice.
    response = client.post(
        f"/r/burgos/portfolio/{practice_id}/decision", data={"decision": "approve"}
    )
    assert response.status_code == 403
    assert practice(app, practice_id).status == "submitted"
    auth.logout()
    auth.login(world.admin.email)
    page = client.get(f"/r/burgos/portfolio/{practice_id}").text
    assert "Validate this practice" in page
    response = client.post(
        f"/r/burgos/portfolio/{practice_id}/decision", data={"decision": "approve"}
    )
    assert response.status_code == 303
    assert practice(app, practice_id).status == "approved"
    assert "<strong>1</strong> approved" in client.get("/r/burgos/portfolio/").text
    assert "<strong>1</strong> approved" in client.get("/p/portfolio/").text
    activity = client.get("/r/burgos/activity").text
    assert "submitted a good practice for validation:" in activity
    assert "approved a good practice:" in activity
    assert f'href="/r/burgos/portfolio/{practice_id}">{FIELDS["title"]}</a>' in activity


def test_returning_needs_a_message_and_reopens_the_practice(app, client, auth, portfolio):
    world = portfolio
    auth.login(world.editor.email)
    practice_id = create(client)
    write_texts(app, practice_id)
    client.post(f"/r/burgos/portfolio/{practice_id}/submit")
    auth.logout()
    auth.login(world.admin.email)
    response = client.post(
        f"/r/burgos/portfolio/{practice_id}/decision", data={"decision": "return", "note": " "}
    )
    assert response.status_code == 422 and "Tell the region why" in response.text
    assert practice(app, practice_id).status == "submitted"
    client.post(
        f"/r/burgos/portfolio/{practice_id}/decision",
        data={"decision": "return", "note": "Add figures on exports."},
    )
    assert practice(app, practice_id).status == "returned"
    auth.logout()
    auth.login(world.editor.email)
    page = client.get(f"/r/burgos/portfolio/{practice_id}").text
    assert "Add figures on exports." in page and "Edit fields" in page


def test_an_approved_practice_is_read_only(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    auth.login(portfolio.editor.email)
    response = client.post(
        f"/r/burgos/portfolio/{practice_id}/edit",
        data={**FIELDS, "title": "Changed", "version": "3"},
    )
    assert response.status_code == 303
    assert practice(app, practice_id).title == FIELDS["title"]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "x" * 101}, "Keep the title to 100 characters"),
        ({"title": ""}, "Give the practice a title."),
        ({"ends_on": "2017-01-01"}, "The end date is before the start date."),
        ({"starts_on": "31/02/2020"}, "The date 31/02/2020 is not a day of the calendar."),
        ({"starts_on": "March 2020"}, "write it as 15/03/2022 or 2022-03-15"),
        ({"topic": "Space travel"}, "Not a valid choice"),
        ({"website": "javascript:alert(1)"}, "Enter a full address"),
    ],
)
def test_bad_practice_input_is_refused_and_nothing_is_saved(
    app, client, auth, portfolio, changes, message
):
    auth.login(portfolio.editor.email)
    response = client.post("/r/burgos/portfolio/new", data={**FIELDS, **changes})
    assert response.status_code == 422
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Practice)) == 0


def test_a_stale_edit_gets_409_and_keeps_the_text(app, client, auth, portfolio):
    auth.login(portfolio.editor.email)
    practice_id = create(client)
    first = {**FIELDS, "summary": "First change", "version": "1"}
    assert client.post(f"/r/burgos/portfolio/{practice_id}/edit", data=first).status_code == 303
    stale = {**FIELDS, "summary": "My careful second summary", "version": "1"}
    response = client.post(f"/r/burgos/portfolio/{practice_id}/edit", data=stale)
    assert response.status_code == 409
    assert "Someone else changed this practice" in response.text
    assert "My careful second summary" in response.text
    assert practice(app, practice_id).summary == "First change"


# ---------------------------------------------------------------- matrix


def test_rating_updates_the_row_and_refuses_bad_scores(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    auth.login(portfolio.other.email)  # an editor of Pannon
    url = f"/p/portfolio/matrix/{practice_id}/pannon"
    response = client.post(url, data={"score": "3", "note": "Fits our programme"}, headers=HTMX)
    assert response.status_code == 200
    assert f'id="practice-{practice_id}"' in response.text and "3.0" in response.text
    for bad in ("4", "-1", "x", ""):
        response = client.post(url, data={"score": bad}, headers=HTMX)
        assert response.status_code == 422, bad
        assert "score" in response.text.lower()
    with app.app_context():
        rating = db.session.scalar(select(Rating))
        assert (rating.score, rating.note) == (3, "Fits our programme")
    # Not for Burgos (no role there), nor for the practice's own region.
    assert client.post(
        f"/p/portfolio/matrix/{practice_id}/burgos", data={"score": "1"}
    ).status_code in (403, 409)


@pytest.mark.parametrize(
    "workspace_config", [{"PLUGINS": ["portfolio", "minutes"], "WTF_CSRF_ENABLED": True}]
)
def test_a_matrix_cell_saves_with_and_without_script(app, client, portfolio):
    """With CSRF checked: a browser without script sends the cell's form as written
    (its token is in the noscript part); htmx sends only the score, note and the page's
    CSRF header, and gets the row back."""
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == "burgos"))
        owner = db.session.get(type(portfolio.coordinator), portfolio.coordinator.id)
        practice = Practice(region=region, title="Export coaching", status="approved")
        practice.document = create_document("Export coaching", "Text", region, owner)
        db.session.add(practice)
        db.session.commit()
        practice_id = practice.id
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login).group(1)
    # An editor of Pannon.
    client.post(
        "/login", data={"email": portfolio.other.email, "password": PASSWORD, "csrf_token": token}
    )
    page = client.get("/p/portfolio/matrix").text
    row = re.search(rf'<tr id="practice-{practice_id}">.*?</tr>', page, re.S).group(0)
    (form,) = re.findall(r"<form .*?</form>", row, re.S)  # Burgos's own cell has none
    action = re.search(r'action="([^"]+)"', form).group(1)
    assert action == f"/p/portfolio/matrix/{practice_id}/pannon"
    assert re.search(r'hx-post="' + re.escape(action) + '"', form)
    token = re.search(r'<noscript><input type="hidden" name="csrf_token" value="([^"]+)"', form)
    response = client.post(action, data={"score": "2", "note": "", "csrf_token": token.group(1)})
    assert response.status_code == 303
    assert client.post(action, data={"score": "1"}, headers=HTMX).status_code == 400
    header = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(
        action, data={"score": "3", "note": "Fits"}, headers={**HTMX, "X-CSRFToken": header}
    )
    assert response.status_code == 200 and "3.0" in response.text
    assert 'value="Fits"' in response.text
    with app.app_context():
        assert db.session.scalar(select(Rating.score)) == 3


def test_matrix_csv_matches_the_matrix(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    auth.login(portfolio.other.email)
    client.post(f"/p/portfolio/matrix/{practice_id}/pannon", data={"score": "2"})
    page = client.get("/p/portfolio/matrix").text
    response = client.get("/p/portfolio/matrix.csv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Practice",
        "Region",
        "Topic",
        "Status",
        "Castilla y León",
        "Castilla y León note",
        "Dél-Dunántúl",
        "Dél-Dunántúl note",
        "Average interest",
    ]
    # A region's own practice is not "not rated": the file says which is which.
    assert rows[1] == [
        FIELDS["title"],
        "Castilla y León",
        "SME competitiveness",
        "Approved",
        "own practice",
        "",
        "2",
        "",
        "2.0",
    ]
    assert FIELDS["title"] in page and "2.0" in page


def test_csv_cells_never_start_a_formula(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    with app.app_context():
        db.session.get(Practice, practice_id).title = '=HYPERLINK("http://evil")'
        db.session.commit()
    auth.login(portfolio.admin.email)
    rows = list(
        csv.reader(io.StringIO(client.get("/p/portfolio/matrix.csv").data.decode("utf-8-sig")))
    )
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'


# ---------------------------------------------------------------- analyses


def test_an_analysis_pdf_holds_its_conclusions(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    auth.login(portfolio.coordinator.email)
    with app.app_context():
        burgos = db.session.scalar(select(Region.id).where(Region.slug == "burgos"))
    response = client.post(
        "/p/portfolio/analyses/new",
        data={
            "title": "Visit to Burgos",
            "region_id": burgos,
            "visit_on": "2020-04-15",
            "practices": [practice_id],
        },
    )
    assert response.status_code == 303
    with app.app_context():
        analysis = db.session.scalar(select(Analysis))
        analysis_id, document_id = analysis.id, analysis.document_id
    write_document(app, document_id, "## Conclusions\n\nCoaching travels well.\n")
    page = client.get(f"/p/portfolio/analyses/{analysis_id}").text
    assert "Coaching travels well." in page and FIELDS["title"] in page
    # Each text's document page leads back to what it belongs to.
    conclusions = client.get(f"/docs/{document_id}").text
    assert f'href="/p/portfolio/analyses/{analysis_id}"' in conclusions
    texts = client.get(f"/docs/{practice(app, practice_id).document_id}").text
    assert f'href="/r/burgos/portfolio/{practice_id}"' in texts
    pdf = client.get(f"/p/portfolio/analyses/{analysis_id}.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Coaching travels well." in text and "Visit to Burgos" in text


def new_analysis(app, client, practice_id, title="Visit to Burgos") -> int:
    with app.app_context():
        burgos = db.session.scalar(select(Region.id).where(Region.slug == "burgos"))
    response = client.post(
        "/p/portfolio/analyses/new",
        data={
            "title": title,
            "region_id": burgos,
            "visit_on": "2020-04-15",
            "practices": [practice_id],
        },
    )
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def write_conclusions(client, analysis_id: int, body: str):
    """Press "Write conclusions" on the analysis page, then save the editor's form."""
    page = client.get(f"/p/portfolio/analyses/{analysis_id}").text
    assert f'action="/p/portfolio/analyses/{analysis_id}/conclusions"' in page
    response = client.post(f"/p/portfolio/analyses/{analysis_id}/conclusions")
    assert response.status_code == 303
    edit_url = response.headers["Location"]
    form = client.get(edit_url)
    assert form.status_code == 200, form.status_code
    base = re.search(r'name="base"[^>]*value="(\d+)"', form.text).group(1)
    title = re.search(r'name="title"[^>]*value="([^"]*)"', form.text).group(1)
    return client.post(edit_url, data={"base": base, "title": title, "body": body})


def test_whoever_creates_an_analysis_writes_its_conclusions(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    # Pannon's editor creates the analysis of the visit to Burgos (another region).
    auth.login(portfolio.other.email)
    analysis_id = new_analysis(app, client, practice_id)
    saved = write_conclusions(client, analysis_id, "## Conclusions\n\nCoaching travels well.\n")
    assert saved.status_code in (200, 303), saved.status_code
    assert "Coaching travels well." in client.get(f"/p/portfolio/analyses/{analysis_id}").text
    with app.app_context():
        document = db.session.get(Analysis, analysis_id).document
        assert document.region_id is None and document.head == 2
    # Burgos' editor, who may create analyses too, adds to it.
    auth.logout()
    auth.login(portfolio.editor.email)
    saved = write_conclusions(
        client, analysis_id, "## Conclusions\n\nCoaching travels well.\n\nAgreed by Burgos.\n"
    )
    assert saved.status_code in (200, 303)
    assert "Agreed by Burgos." in client.get(f"/p/portfolio/analyses/{analysis_id}").text
    # Who may not create analyses has no button and cannot write them.
    auth.logout()
    auth.login(portfolio.stakeholder.email)
    assert client.post(f"/p/portfolio/analyses/{analysis_id}/conclusions").status_code == 403
    with app.app_context():
        document_id = db.session.get(Analysis, analysis_id).document_id
    assert client.get(f"/docs/{document_id}/edit").status_code == 403


def test_conclusions_kept_in_the_visited_region_become_writable_by_every_author(
    app, client, auth, portfolio
):
    """Analyses made before the conclusions were project-wide (and the demo's) keep
    them in the visited region: "Write conclusions" moves them up, once, recorded."""
    practice_id = approved(app, auth, client, portfolio)
    with app.app_context():
        burgos = db.session.scalar(select(Region).where(Region.slug == "burgos"))
        author = db.session.get(type(burgos.partners[0].users[0]), portfolio.editor.id)
        document = create_document("Conclusions: Old visit", "Old text.", burgos, author)
        analysis = Analysis(
            title="Old visit",
            region=burgos,
            document=document,
            practices=[db.session.get(Practice, practice_id)],
        )
        db.session.add(analysis)
        db.session.commit()
        analysis_id, document_id = analysis.id, document.id
    auth.login(portfolio.other.email)
    # Before: the region's document, not Pannon's editor's to write.
    assert client.get(f"/docs/{document_id}/edit").status_code == 403
    saved = write_conclusions(client, analysis_id, "Old text.\n\nRead again in 2021.\n")
    assert saved.status_code in (200, 303)
    assert "Read again in 2021." in client.get(f"/p/portfolio/analyses/{analysis_id}").text
    with app.app_context():
        assert db.session.get(Document, document_id).region_id is None
        verbs = db.session.scalars(select(Event.verb).where(Event.target == f"doc:{document_id}"))
        assert "analysis_conclusions_shared" in list(verbs)


def test_the_analysis_pdf_prints_conclusions_once(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    auth.login(portfolio.coordinator.email)
    analysis_id = new_analysis(app, client, practice_id)

    def pdf_text() -> str:
        pdf = client.get(f"/p/portfolio/analyses/{analysis_id}.pdf")
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)

    # Not written yet: the heading once, and what is missing.
    text = pdf_text()
    assert text.count("Conclusions") == 1 and "No conclusions yet." in text
    write_conclusions(client, analysis_id, "## Conclusions\n\nCoaching travels well.\n")
    text = pdf_text()
    assert text.count("Conclusions") == 1 and "Coaching travels well." in text
    # Conclusions written without the heading get it from the PDF.
    write_conclusions(client, analysis_id, "Coaching travels well, say all five regions.\n")
    text = pdf_text()
    assert text.count("Conclusions") == 1 and "say all five regions" in text


def test_an_analysis_needs_a_practice(app, client, auth, portfolio):
    auth.login(portfolio.coordinator.email)
    response = client.post("/p/portfolio/analyses/new", data={"title": "Empty", "region_id": 0})
    assert response.status_code == 422 and "Choose at least one practice." in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Analysis)) == 0


# ---------------------------------------------------------------- permissions

REGION_ROUTES = [
    ("GET", "/r/burgos/portfolio/", "read"),
    ("GET", "/r/burgos/portfolio/{id}", "edit"),  # a draft: its region's editors only
    ("GET", "/r/burgos/portfolio/new", "edit"),
    ("GET", "/r/burgos/portfolio/{id}/edit", "edit"),
    ("POST", "/r/burgos/portfolio/{id}/submit", "edit"),
    ("POST", "/r/burgos/portfolio/{id}/decision", "validate"),
    ("GET", "/r/burgos/portfolio/{id}/meetings?q=partner", "edit"),
    ("POST", "/r/burgos/portfolio/{id}/presented", "edit"),
]
PROJECT_ROUTES = [
    ("GET", "/p/portfolio/", "consortium"),
    ("GET", "/p/portfolio/matrix", "consortium"),
    ("GET", "/p/portfolio/matrix.csv", "consortium"),
    ("GET", "/p/portfolio/analyses/", "consortium"),
    ("GET", "/p/portfolio/analyses/new", "project_edit"),
    ("GET", "/p/portfolio/analyses/{analysis}", "consortium"),
    ("GET", "/p/portfolio/analyses/{analysis}.pdf", "consortium"),
    ("POST", "/p/portfolio/matrix/{id}/pannon", "rate_pannon"),
]
ALLOWED = {
    "admin": {"read", "edit", "validate", "consortium", "project_edit", "rate_pannon"},
    "coordinator": {"read", "edit", "consortium", "project_edit"},
    "editor": {"read", "edit", "consortium", "project_edit"},
    "stakeholder": {"read"},
    "other": {"read", "consortium", "project_edit", "rate_pannon"},
    "outsider": set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
@pytest.mark.parametrize(("method", "path", "needs"), REGION_ROUTES + PROJECT_ROUTES)
def test_portfolio_routes_by_role(app, client, auth, portfolio, who, method, path, needs):
    auth.login(portfolio.editor.email)
    practice_id = create(client)
    with app.app_context():
        analysis = Analysis(title="Visit", practices=[db.session.get(Practice, practice_id)])
        db.session.add(analysis)
        db.session.commit()
        analysis_id = analysis.id
    auth.logout()
    auth.login(getattr(portfolio, who).email)
    before = practice(app, practice_id).status
    data = {"decision": "approve", "score": "2", "target": "minutes:meeting:999"}
    url = path.format(id=practice_id, analysis=analysis_id)
    response = client.open(url, method=method, data=data, headers=HTMX if "matrix/" in url else {})
    if needs in ALLOWED[who]:
        assert response.status_code in (200, 303, 409, 422), response.status_code
    else:
        # 404 where the draft itself is not theirs to see, 403 for the rest.
        assert response.status_code in (403, 404), response.status_code
        assert practice(app, practice_id).status == before


def test_drafts_are_hidden_from_readers_and_htmx_fragments_respect_roles(
    app, client, auth, portfolio
):
    auth.login(portfolio.editor.email)
    create(client, title="Unfinished idea")
    auth.logout()
    auth.login(portfolio.stakeholder.email)
    assert "Unfinished idea" not in client.get("/r/burgos/portfolio/").text
    assert client.get("/p/portfolio/matrix", headers=HTMX).status_code == 403
    auth.logout()
    auth.login(portfolio.other.email)
    assert "Unfinished idea" not in client.get("/p/portfolio/?q=Unfinished", headers=HTMX).text


def test_switched_off_for_one_region_only(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    switch(app, "burgos", False)
    auth.login(portfolio.admin.email)
    assert client.get(f"/r/burgos/portfolio/{practice_id}").status_code == 404
    assert client.get("/r/pannon/portfolio/").status_code == 200
    assert FIELDS["title"] not in client.get("/p/portfolio/").text
    with app.app_context():
        assert db.session.get(Practice, practice_id) is not None  # data kept


# ---------------------------------------------------------------- hooks


def test_search_panel_export_and_links(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    auth.login(portfolio.coordinator.email)
    results = client.get("/search?q=coaching").text
    assert FIELDS["title"] in results and "Good practice" in results
    assert "Good practices" in with_panels(client, "/r/burgos/")  # the dashboard panel
    archive = zipfile.ZipFile(io.BytesIO(client.get("/r/burgos/export.zip").data))
    name = next(n for n in archive.namelist() if n.endswith("practices.csv"))
    rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert rows[1][0] == FIELDS["title"] and rows[1][1] == "Approved"
    assert "coaching@example.org" not in archive.read(name).decode()  # contacts stay inside
    # Its long texts, as written in the core editor, one file per practice.
    texts = archive.read(f"portfolio/practices/{practice_id}.md").decode()
    assert texts.startswith(f"# {FIELDS['title']}\n\nApproved · Castilla y León")
    assert FULL_TEXT in texts
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.plugin.is_(None)))
    if document_id is None:
        document_id = new_document(client, "Situation report", "text")
    targets = client.get(f"/links/doc/{document_id}/targets?q=coaching", headers=HTMX).text
    assert f"portfolio:practice:{practice_id}" in targets


def test_demo_is_idempotent(app):
    def counts() -> list[int]:
        with app.app_context():
            return [
                db.session.scalar(select(func.count()).select_from(m))
                for m in (Practice, Rating, Analysis)
            ]

    load_demo(app)
    first = counts()
    load_demo(app)
    assert counts() == first and first[0] == 5 and first[2] == 1


def test_plugin_style_sheet_is_public_and_confined_to_its_folder(client):
    with client.get("/static/plugins/portfolio/portfolio.css") as response:
        assert response.status_code == 200 and response.mimetype == "text/css"
        assert ".score-3" in response.text
    assert client.get("/static/plugins/portfolio/../__init__.py").status_code == 404
    assert client.get("/static/plugins/portfolio/%2e%2e/__init__.py").status_code == 404
    assert client.get("/static/plugins/nothing/x.css").status_code == 404


# What the minutes plugin's form asks to plan a meeting.
MEETING = {
    "title": "Partner meeting on good practices",
    "kind": "partner",
    "day": "2030-04-15",
    "start": "10:00",
    "end": "12:30",
    "timezone": "Europe/Madrid",
}


def test_where_a_practice_was_presented(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    switch_on(app, "burgos", "minutes")
    auth.login(portfolio.editor.email)
    # A meeting of the minutes plugin, planned through its form: plugins never import
    # each other, their tests included.
    meeting = client.post("/r/burgos/minutes/new", data=MEETING)
    assert meeting.status_code == 303, meeting.text
    meeting_id = int(meeting.headers["Location"].rsplit("/", 1)[1])
    url = f"/r/burgos/portfolio/{practice_id}"
    picker = client.get(f"{url}/meetings?q={MEETING['title'][:8]}", headers=HTMX).text
    ref = f"minutes:meeting:{meeting_id}"
    assert f'value="{ref}"' in picker
    assert (
        client.post(f"{url}/presented", data={"target": "doc:1"}, headers=HTMX).status_code == 422
    )
    response = client.post(f"{url}/presented", data={"target": ref}, headers=HTMX)
    assert response.status_code == 200 and MEETING["title"] in response.text
    # The meeting page lists the practice among what links to it.
    assert FIELDS["title"] in client.get(f"/r/burgos/minutes/meetings/{meeting_id}").text
    auth.logout()
    auth.login(portfolio.stakeholder.email)  # reads, but may not change the list
    assert MEETING["title"] in client.get(url).text
    assert client.post(f"{url}/presented", data={"target": ref}).status_code == 403


@pytest.mark.parametrize("text", CORPUS[:15])
def test_hostile_text_is_inert_on_every_portfolio_page(app, client, auth, portfolio, text):
    auth.login(portfolio.editor.email)
    fields = {"title": text[:100], "summary": text, "keywords": text[:300], "contact": text[:300]}
    practice_id = create(client, **fields)
    write_texts(app, practice_id, "".join(f"## {name}\n\n{text}\n\n" for name in SECTIONS))
    client.post(f"/r/burgos/portfolio/{practice_id}/submit")
    pages = [
        f"/r/burgos/portfolio/{practice_id}",
        "/r/burgos/portfolio/",
        "/p/portfolio/",
        "/p/portfolio/matrix",
        f"/search?q={text[:20]}",
        "/r/burgos/activity",
    ]
    for path in pages:
        page = client.get(path).text
        if "<" in text:
            assert text[:100] not in page, path  # shown escaped, never as markup
    practice_page = client.get(f"/r/burgos/portfolio/{practice_id}").text
    sections = practice_page.split('class="practice-sections"', 1)[1].split("</article>", 1)[0]
    assert offending(sections) == []
    # The matrix's rating forms are written in Python (portfolio/matrix.py): the title
    # in their labels and a hostile note stay text there too, on the page and in the
    # row an HTMX save swaps in.
    auth.logout()
    auth.login(portfolio.other.email)  # an editor of Pannon: a form in the cell
    saved = client.post(
        f"/p/portfolio/matrix/{practice_id}/pannon",
        data={"score": "2", "note": text[:300]},
        headers=HTMX,
    )
    assert saved.status_code == 200
    row = re.search(
        rf'<tr id="practice-{practice_id}">.*?</tr>', client.get("/p/portfolio/matrix").text, re.S
    ).group(0)
    swapped = re.search(rf'<tr id="practice-{practice_id}">.*?</tr>', saved.text, re.S).group(0)
    for html in (row, swapped):
        tags, values = _markup_of(html)
        # Only the cell's own elements and attributes: the text broke out of none.
        assert tags <= MATRIX_TAGS and {name for name, _ in values} <= MATRIX_ATTRIBUTES
        # ...and it is still all there, as text: in the labels and in the note.
        labels = [value for name, value in values if name == "aria-label"]
        assert any(value.endswith(f" in {text[:100]}") for value in labels)
        assert ("value", text[:300]) in values


MATRIX_TAGS = {"tr", "th", "td", "a", "br", "small", "form", "select", "option", "input"}
MATRIX_TAGS |= {"noscript", "button", "span", "strong"}
MATRIX_ATTRIBUTES = {"id", "scope", "href", "class", "method", "action", "hx-post", "hx-trigger"}
MATRIX_ATTRIBUTES |= {"name", "aria-label", "value", "title", "selected", "type", "maxlength"}
MATRIX_ATTRIBUTES |= {"placeholder"}


def _markup_of(html: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The elements of ``html`` and its (attribute, value) pairs, as a browser parses them."""
    tags: set[str] = set()
    values: set[tuple[str, str]] = set()

    class Reader(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.add(tag)
            values.update((name, value or "") for name, value in attrs)

    Reader().feed(html)
    return tags, values


def test_practice_texts_leave_lists_and_search_with_the_plugin(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    auth.login(portfolio.coordinator.email)
    title = f"Good practice: {FIELDS['title']}"
    assert title in client.get("/docs/?region=burgos").text
    assert title in client.get("/search?q=evidence").text
    switch(app, "burgos", False)
    assert title not in client.get("/docs/?region=burgos").text
    assert title not in client.get("/search?q=evidence").text
    switch(app, "burgos", True)
    assert title in client.get("/search?q=evidence").text
    assert practice(app, practice_id).status == "approved"


def test_keyword_wildcards_match_only_themselves(app, client, auth, portfolio):
    approved(app, auth, client, portfolio)
    auth.login(portfolio.coordinator.email)
    assert FIELDS["title"] in client.get("/p/portfolio/?q=coaching").text
    for wildcard in ("%", "_", "\\"):
        assert FIELDS["title"] not in client.get("/p/portfolio/", query_string={"q": wildcard}).text


def test_the_matrix_and_the_portfolio_show_a_page_at_a_time(app, client, auth, portfolio):
    """Sixty practices: three pages of 25, 25 and 10, each reached by its link, with
    the filters kept; the CSV still holds every practice."""
    with app.app_context():
        for n in range(60):
            db.session.add(
                Practice(
                    region_id=portfolio.burgos.id,
                    title=f"Practice {n:02d}",
                    status=Status.APPROVED.value,
                    topic="SME competitiveness",
                )  # fmt: skip
            )
        db.session.commit()
    auth.login(portfolio.other.email)
    first = client.get("/p/portfolio/matrix").text
    assert first.count('<tr id="practice-') == 25
    assert "Practices 1–25 of 60" in first and "Practice 00" in first
    assert "Practice 25" not in first
    third = client.get("/p/portfolio/matrix?page=3&topic=SME+competitiveness").text
    assert third.count('<tr id="practice-') == 10
    assert "Practices 51–60 of 60" in third and "Practice 59" in third
    assert 'href="/p/portfolio/matrix?page=2&amp;topic=SME+competitiveness' in third
    # A page past the end shows the last; nonsense shows the first.
    assert "Practices 51–60 of 60" in client.get("/p/portfolio/matrix?page=9").text
    assert "Practices 1–25 of 60" in client.get("/p/portfolio/matrix?page=x").text
    rows = list(csv.reader(io.StringIO(client.get("/p/portfolio/matrix.csv").data.decode())))
    assert len(rows) == 61
    # The portfolio's cards come 24 a page, with the same pager.
    cards = client.get("/p/portfolio/?topic=SME+competitiveness&page=3").text
    assert cards.count('class="practice-card"') == 12
    assert "Practices 49–60 of 60" in cards and "Practice 59" in cards
    assert 'href="/p/portfolio/?page=2&amp;' in cards

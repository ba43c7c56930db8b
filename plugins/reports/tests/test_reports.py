"""Partner reports: every workflow step and who may take it, the frozen submission,
deductions flowing into the budget, the exports read back, deadlines and lateness."""

from __future__ import annotations

import io
import itertools
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, text

from plugins.reports.models import PartnerReport, State, Submission
from plugins.reports.overview import Cell
from workspace.api import (
    DEMO_REGION_SLUGS,
    Attachment,
    Partner,
    Period,
    User,
    db,
    parse_number,
)
from workspace.testing import (
    CORPUS,
    DEMO_PASSWORD,
    inbox,
    load_demo,
    offending,
    queued_mails,
    sign_in,
    switch_on,
    write_document,
)

REPORT = "/p/reports/{partner}/P1"
INVOICES = itertools.count(1)
# The budget's columns a certification fills.
CERTIFIED = text("SELECT id, eligible_eur, deduction_reason, certified_at FROM budget_expenditure")


def a_line(editor, partner_id: int, description: str, amount: str, **extra) -> int:
    """Record an expenditure line as the partner's editor does (English format)."""
    line = {
        "category": "staff",
        "description": description,
        "invoice_number": f"F-{next(INVOICES)}",
        "invoice_date": "01/10/2019",
        "payment_date": "03/10/2019",
        "amount": amount,
        "vat": "0",
        "currency": "EUR",
        "rate": "1",
    } | extra
    response = editor.post(f"/p/budget/partners/{partner_id}/expenditure", data=line)
    assert response.status_code == 303, response.text


@pytest.fixture
def setup(app, make, world):
    for plugin in ("budget", "reports"):
        switch_on(app, "burgos", plugin)
        switch_on(app, "pannon", plugin)
    auditor = make.user("auditor@example.org", name="Ana Auditor")
    with app.app_context():
        ceei = db.session.scalar(select(Partner.id).where(Partner.short_name == "CEEI-Burgos"))
        db.session.get(User, auditor.id).number_format = "it"  # writes 4.500,00
        db.session.commit()
    admin = sign_in(app, world.admin.email)
    assigned = admin.post("/admin/controllers", data={"user_id": auditor.id, "partner_id": ceei})
    assert assigned.status_code == 303
    editor = sign_in(app, world.editor.email)
    a_line(editor, ceei, "Project manager, October", "1000.00")
    a_line(
        editor,
        ceei,
        "Train to Pécs",
        "800.00",
        category="travel",
        invoice_number="PKP/7",
        currency="PLN",
        rate="4",
    )
    with app.app_context():
        lines = dict(
            db.session.execute(text("SELECT description, id FROM budget_expenditure")).all()
        )
    return SimpleNamespace(
        url=REPORT.format(partner=ceei),
        ceei=ceei,
        staff=lines["Project manager, October"],
        travel=lines["Train to Pécs"],
        controller=sign_in(app, auditor.email),
        coordinator=sign_in(app, world.coordinator.email),
        editor=editor,
        admin=admin,
    )


def version(client, url: str) -> str:
    return re.search(r'name="version" value="(\d+)"', client.get(url).text).group(1)


def submitted(app, setup) -> None:
    response = setup.coordinator.post(f"{setup.url}/submit", data={"version": "0"})
    assert response.status_code == 303


def in_control(app, setup) -> None:
    submitted(app, setup)
    response = setup.controller.post(
        f"{setup.url}/control", data={"version": version(setup.controller, setup.url)}
    )
    assert response.status_code == 303


def test_the_partner_sees_its_records_and_the_deadline_while_writing(app, setup):
    page = setup.editor.get(setup.url).text
    assert "Project manager, October" in page and "Train to Pécs" in page
    assert "Expenditure: Staff" in page and "Expenditure: Travel and accommodation" in page
    assert "Due 14 Feb 2020" in page and "16 days late" in page
    assert "Declared lines</span><strong>EUR 1,200.00" in page
    assert setup.editor.post(f"{setup.url}/begin").status_code == 303
    with app.app_context():
        report = db.session.scalar(select(PartnerReport))
        assert report.narrative_document.title == "Partner report P1: CEEI-Burgos"
    # Editors write; only the partner's coordinator submits.
    refused = setup.editor.post(f"{setup.url}/submit", data={"version": "1"})
    assert refused.status_code == 403


def test_a_submission_is_frozen_with_its_narrative(app, setup):
    setup.editor.post(f"{setup.url}/begin")
    with app.app_context():
        document_id = db.session.scalar(select(PartnerReport.narrative_document_id))
    submitted(app, setup)
    # Records changed after the submission leave the report as it was submitted.
    a_line(setup.editor, setup.ceei, "Late invoice", "50.00")
    page = setup.coordinator.get(setup.url).text
    assert "Late invoice" not in page and "Submitted" in page
    assert "What follows is as it was submitted" in page
    assert "Activities of the period" in page  # the narrative, frozen
    # The narrative is locked while the controller has it.
    edit = setup.editor.get(f"/docs/{document_id}").text
    assert "it changes only if the controller returns it" in edit
    with app.app_context():
        items = json.loads(db.session.scalar(select(Submission.items)))
    assert {i["key"] for i in items if i["expense"]} == {
        f"budget:expenditure:{setup.staff}",
        f"budget:expenditure:{setup.travel}",
    }
    assert "submitted 16 days late" in page


def test_the_controller_sees_only_the_reports_of_their_partners(app, setup, world):
    submitted(app, setup)
    controller = setup.controller
    overview = controller.get("/p/reports/")
    assert overview.status_code == 200 and "You control" in overview.text
    assert "1 report waits for you" in overview.text
    assert "CEEI-Burgos" in overview.text and "Pannon EGTC" not in overview.text
    assert "Train to Pécs" in controller.get(setup.url).text
    with app.app_context():
        lead = db.session.scalar(select(Partner.id).where(Partner.short_name == "Pannon EGTC"))
    for url in (
        f"/p/reports/{lead}/P1",
        "/r/burgos/",
        "/p/budget/",
        f"/p/budget/partners/{setup.ceei}",
        "/r/burgos/reports/",
    ):
        assert controller.get(url).status_code == 403, url


def test_deductions_need_a_reason_and_nothing_typed_is_lost(app, setup):
    in_control(app, setup)
    data = {
        "version": version(setup.controller, setup.url),
        f"eligible:budget:expenditure:{setup.staff}": "1.000,00",
        f"eligible:budget:expenditure:{setup.travel}": "150,00",
        f"reason:budget:expenditure:{setup.travel}": "",
    }
    refused = setup.controller.post(f"{setup.url}/results", data=data)
    assert refused.status_code == 422
    assert "Say why the amount is lower" in refused.text
    assert 'value="150,00"' in refused.text  # as typed
    assert "Declared lines</span><strong>EUR 1.200,00" in refused.text  # in the reader's format
    too_much = setup.controller.post(
        f"{setup.url}/results", data=data | {f"eligible:budget:expenditure:{setup.travel}": "250"}
    )
    assert "cannot exceed the declared EUR 200,00" in too_much.text
    with app.app_context():
        submission = db.session.scalar(select(Submission))
        assert submission.controls == []  # nothing saved


def test_certifying_flows_into_the_budget_and_the_exports(app, setup):
    in_control(app, setup)
    form = {
        "version": version(setup.controller, setup.url),
        f"eligible:budget:expenditure:{setup.staff}": "1.000,00",
        f"eligible:budget:expenditure:{setup.travel}": "150",
        f"reason:budget:expenditure:{setup.travel}": "First-class fare; second class is eligible.",
    }
    # Admins and the partner's own coordinator do not certify.
    assert setup.admin.post(f"{setup.url}/certify", data=form).status_code == 403
    assert setup.coordinator.post(f"{setup.url}/certify", data=form).status_code == 403
    response = setup.controller.post(f"{setup.url}/certify", data=form)
    assert response.status_code == 303
    page = setup.coordinator.get(setup.url).text
    assert "Certified" in page and "EUR 1,150.00" in page
    with app.app_context():
        certified = {row.id: row for row in db.session.execute(CERTIFIED)}
    travel, staff = certified[setup.travel], certified[setup.staff]
    assert Decimal(str(travel.eligible_eur)) == Decimal("150.00")
    assert travel.deduction_reason.startswith("First-class fare")
    assert Decimal(str(staff.eligible_eur)) == Decimal("1000.00") and staff.certified_at
    # A certified line stays as reported.
    delete = setup.coordinator.post(
        f"/p/budget/partners/{setup.ceei}/expenditure/{setup.travel}/delete"
    )
    assert delete.status_code == 422 and "certified by the controller" in delete.text

    certificate = setup.coordinator.get(f"{setup.url}/certificate.pdf")
    assert certificate.status_code == 200 and certificate.data.startswith(b"%PDF")
    workbook = load_workbook(io.BytesIO(setup.controller.get(f"{setup.url}/expenditure.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Cost category", "Description", "Invoice number", "Invoice date")
    by_description = {row[1]: row for row in rows[1:]}
    train = by_description["Train to Pécs"]
    assert train[5] == 800 and train[6] == "PLN" and train[8] == 200
    assert train[10] == 150 and train[11] == 50 and train[12].startswith("First-class")
    assert rows[-1][0] == "Total" and rows[-1][9] == 1200 and rows[-1][10] == 1150
    # Certified is final: no more results, no return.
    again = setup.controller.post(f"{setup.url}/return", data={"version": "9", "remarks": "x"})
    assert again.status_code == 409


def test_a_returned_report_is_submitted_again_as_a_new_submission(app, setup):
    in_control(app, setup)
    v = version(setup.controller, setup.url)
    empty = setup.controller.post(f"{setup.url}/return", data={"version": v, "remarks": "  "})
    assert empty.status_code == 422 and "the remarks are required" in empty.text
    back = setup.controller.post(
        f"{setup.url}/return", data={"version": v, "remarks": "Add the boarding passes."}
    )
    assert back.status_code == 303
    page = setup.coordinator.get(setup.url).text
    assert "Returned" in page and "Add the boarding passes." in page
    a_line(setup.editor, setup.ceei, "Boarding passes fee", "5.00")
    again = setup.coordinator.post(
        f"{setup.url}/submit", data={"version": version(setup.coordinator, setup.url)}
    )
    assert again.status_code == 303
    with app.app_context():
        report = db.session.scalar(select(PartnerReport))
        assert [s.number for s in report.submissions] == [1, 2]
        assert "Boarding passes fee" in report.submission.items
        assert "Boarding passes fee" not in report.submissions[0].items
        assert [s.state for s in report.steps] == [
            "submitted",
            "in_control",
            "returned",
            "submitted",
        ]


def test_two_steps_from_the_same_page_take_one(app, setup):
    submitted(app, setup)
    v = version(setup.controller, setup.url)
    first = setup.controller.post(f"{setup.url}/control", data={"version": v})
    second = setup.controller.post(f"{setup.url}/return", data={"version": v, "remarks": "x"})
    assert first.status_code == 303
    assert second.status_code == 409 and "Someone else changed this report" in second.text


def test_a_report_is_submitted_only_after_its_period(app, setup):
    with app.app_context():
        app.config["NOW"] = "2020-01-20T09:00:00+00:00"
    response = setup.coordinator.post(f"{setup.url}/submit", data={"version": "0"})
    assert response.status_code == 422 and "submit its report after that" in response.text


def test_the_controller_downloads_only_the_submitted_evidence(app, setup, world):
    editor = setup.editor
    page = editor.post(f"/p/budget/partners/{setup.ceei}/evidence")
    assert page.status_code == 303
    evidence = page.headers["Location"]
    upload = editor.post(
        f"{evidence}/attachments", data={"file": (io.BytesIO(b"invoice"), "invoice.pdf")}
    )
    assert upload.status_code == 303
    # A file attached to the narrative goes with the report too.
    setup.editor.post(f"{setup.url}/begin")
    with app.app_context():
        narrative = db.session.scalar(select(PartnerReport.narrative_document_id))
    attached = setup.editor.post(
        f"/docs/{narrative}/attachments",
        data={"file": (io.BytesIO(b"agenda"), "stakeholder meeting.pdf")},
    )
    assert attached.status_code == 303
    # One more file in the evidence folder, uploaded after the submission.
    submitted(app, setup)
    editor.post(f"{evidence}/attachments", data={"file": (io.BytesIO(b"late"), "late.pdf")})
    with app.app_context():
        files = dict(db.session.execute(select(Attachment.filename, Attachment.id)).all())
    for name, content in (("invoice.pdf", b"invoice"), ("stakeholder meeting.pdf", b"agenda")):
        got = setup.controller.get(f"{setup.url}/evidence/{files[name]}")
        assert got.status_code == 200 and got.data == content, name
        got.close()  # a download holds its file open until then
    assert setup.controller.get(f"{setup.url}/evidence/{files['late.pdf']}").status_code == 404
    page = setup.controller.get(setup.url).text
    assert "stakeholder meeting.pdf" in page and "late.pdf" not in page
    # The evidence folder itself stays closed to the controller.
    assert setup.controller.get(evidence).status_code == 403


def test_a_switched_off_module_adds_nothing_to_the_report(app, setup):
    switch_on(app, "burgos", "budget", enabled=False)
    page = setup.coordinator.get(setup.url).text
    assert "Project manager, October" not in page and "Expenditure: Staff" not in page
    assert "No records of CEEI-Burgos in P1" in page


def test_the_dashboard_shows_the_reports_due_with_their_lateness(app, setup):
    from workspace.testing import with_panels

    page = with_panels(setup.coordinator, "/r/burgos/")
    assert "Partner reports: P1" in page and "16 days late" in page


def test_the_demo_reports_stand_as_described_and_add_up(app, client, auth):
    load_demo(app)
    auth.login("admin@pannon.example", DEMO_PASSWORD)
    with app.app_context():
        reports = db.session.scalars(select(PartnerReport)).all()
        states = {(r.partner.short_name, r.period): r.state for r in reports}
        lines = db.session.execute(
            text("SELECT SUM(eligible_eur) FROM budget_expenditure WHERE certified_at IS NOT NULL")
        ).scalar()
    assert all(states[name, n] == "certified" for name, n in states if n <= 4)
    assert states["RARR", 5] == "returned" and states["Pannon EGTC", 5] == "certified"
    assert {states[k] for k in states if k[1] == 5} >= {"submitted", "in_control", "draft"}
    project = client.get("/p/reports/").text
    total = shown(project, "total")
    assert total == Decimal(str(lines)).quantize(Decimal("0.01"))
    # Each region's page shows its partners' totals as the project page does.
    regions = 0
    for slug in DEMO_REGION_SLUGS:
        page = client.get(f"/r/{slug}/reports/").text
        for partner_id, value in re.findall(r'data-certified="(\d+)">([\d,.]+)<', page):
            assert shown(project, partner_id) == parse_number(value, fmt="en")
        regions += shown(page, "total")
    advisory = [r for r in reports if r.partner.region_id is None]
    assert regions + sum(r.certified_eur or 0 for r in advisory) == total
    # The deductions are in the certificates.
    rarr = next(r for r in reports if r.partner.short_name == "RARR" and r.period == 4)
    certificate = client.get(f"/p/reports/{rarr.partner_id}/P4/certificate.pdf")
    assert certificate.status_code == 200 and certificate.data.startswith(b"%PDF")


def shown(page: str, key: str) -> Decimal:
    value = re.search(rf'data-certified="{key}">([\d,.]+)<', page).group(1)
    return parse_number(value, fmt="en")  # the admin reads the default (English) format


def test_results_saved_from_a_stale_page_are_refused_and_kept_as_typed(app, setup):
    in_control(app, setup)
    stale = version(setup.controller, setup.url)
    travel = f"eligible:budget:expenditure:{setup.travel}"
    first = setup.controller.post(f"{setup.url}/results", data={"version": stale, travel: "200"})
    assert first.status_code == 303
    again = setup.controller.post(
        f"{setup.url}/results",
        data={
            "version": stale,
            travel: "180,00",
            f"reason:budget:expenditure:{setup.travel}": "Taxi",
        },
    )
    assert again.status_code == 409 and "Someone else changed this report" in again.text
    assert 'value="180,00"' in again.text and ">Taxi</textarea>" in again.text
    with app.app_context():
        [line] = db.session.scalar(select(Submission)).controls
        assert line.eligible_eur == Decimal("200.00")  # the first save stands


@pytest.mark.parametrize("text", CORPUS[:12])
def test_hostile_text_is_inert_in_the_report_its_control_and_its_files(app, setup, text):
    """An expenditure line and the narrative carry the input: the draft, the submitted
    report, the controller's form and the certificate show it as text."""
    a_line(setup.editor, setup.ceei, text[:200].strip() or "x", "10.00")
    setup.editor.post(f"{setup.url}/begin")
    with app.app_context():
        narrative = db.session.scalar(select(PartnerReport.narrative_document_id))
    write_document(app, narrative, f"## Activities of the period\n\n{text}\n")
    pages = [setup.coordinator.get(setup.url).text]
    in_control(app, setup)
    pages.append(setup.controller.get(setup.url).text)
    for page in pages:
        # The narrative and the records, up to the forms that end the page.
        body = page.split("<h2>Narrative</h2>", 1)[1].split("<h2>Return to the partner", 1)[0]
        assert offending(body.split("<h2>History</h2>", 1)[0]) == []
        if "<" in text:
            assert text[:100] not in page
    certify = setup.controller.post(
        f"{setup.url}/certify", data={"version": version(setup.controller, setup.url)}
    )
    assert certify.status_code == 303
    for name in ("certificate.pdf", "report.pdf", "expenditure.xlsx"):
        response = setup.controller.get(f"{setup.url}/{name}")
        assert response.status_code == 200, name


def test_the_certificate_reads_back_with_its_figures_and_reasons(app, setup):
    in_control(app, setup)
    form = {
        "version": version(setup.controller, setup.url),
        f"eligible:budget:expenditure:{setup.travel}": "150",
        f"reason:budget:expenditure:{setup.travel}": "Second class only.",
    }
    assert setup.controller.post(f"{setup.url}/certify", data=form).status_code == 303
    pdf = PdfReader(io.BytesIO(setup.coordinator.get(f"{setup.url}/certificate.pdf").data))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "CEEI-Burgos organisation" in text and "P1" in text
    assert "EUR 1,200.00" in text and "EUR 50.00" in text and "EUR 1,150.00" in text
    assert "Train to Pécs" in text and "Second class only." in text
    assert "Ana Auditor" in text


def test_the_controller_and_the_partner_are_told_of_each_step(app, setup, world):
    submitted(app, setup)
    [(subject, _)] = inbox(app, "auditor@example.org")
    assert subject == "CEEI-Burgos submitted its report for P1"
    assert [s for s, _ in queued_mails(app, "auditor@example.org")] == [subject]
    assert inbox(app, world.other.email) == []  # staff of another partner: not theirs
    setup.controller.post(
        f"{setup.url}/control", data={"version": version(setup.controller, setup.url)}
    )
    setup.controller.post(
        f"{setup.url}/return",
        data={"version": version(setup.controller, setup.url), "remarks": "Add the tickets."},
    )
    for person in (world.coordinator, world.editor):
        subjects = [s for s, _ in inbox(app, person)]
        assert "The report for P1 is returned: change it and submit it again" in subjects
    mails = queued_mails(app, world.editor)
    assert any("Add the tickets." in text for _, text in mails)
    # Once the controller's account is deactivated, nothing more goes to it.
    with app.app_context():
        db.session.scalar(select(User).where(User.email == "auditor@example.org")).active = False
        db.session.commit()
    again = setup.coordinator.post(
        f"{setup.url}/submit", data={"version": version(setup.coordinator, setup.url)}
    )
    assert again.status_code == 303
    with app.app_context():
        auditor = db.session.scalar(select(User).where(User.email == "auditor@example.org"))
        auditor.active = True
        db.session.commit()
    assert len(inbox(app, "auditor@example.org")) == 1  # the first submission only


@pytest.mark.parametrize(
    "first_submitted, state, expected",
    [
        (None, State.DRAFT, "40 days late"),  # still with the partner: to today
        ("2020-02-12", State.RETURNED, ""),  # returned, but submitted on time
        ("2020-02-20", State.RETURNED, "submitted 6 days late"),
        ("2020-02-20", State.CERTIFIED, "submitted 6 days late"),
        ("2020-02-14", State.SUBMITTED, ""),  # on the day is on time
    ],
)
def test_lateness_counts_to_the_first_submission(first_submitted, state, expected):
    period = Period(1, 1, date(2019, 8, 1), date(2020, 1, 31), date(2020, 2, 14))
    report = SimpleNamespace(
        status=state,
        first_submitted_at=first_submitted
        and datetime.fromisoformat(first_submitted).replace(tzinfo=UTC),
    )
    assert Cell(None, period, report, date(2020, 3, 25)).lateness == expected

"""Indicators, the media log and the progress report: a hand correction needs a reason
and shows wherever the figure is; targets in the reader's number format; the Ready
rule; the steps' dates checked; the texts locked once ready; the files read back."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from docx import Document as Docx
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from plugins.reports.models import Correction, IndicatorSetting, MediaAppearance, ProgressReport
from workspace.api import Partner, User, db
from workspace.testing import sign_in, switch_on

MEDIA = "/p/reports/media"
PROGRESS = "/p/reports/progress/P1"


@pytest.fixture
def people(app, world):
    for plugin in ("budget", "reports"):
        switch_on(app, "burgos", plugin)
        switch_on(app, "pannon", plugin)
    with app.app_context():
        ids = dict(db.session.execute(select(Partner.short_name, Partner.id)).all())
        db.session.get(User, world.editor.id).number_format = "it"  # types 1.234,00
        db.session.commit()
    return SimpleNamespace(
        ceei=ids["CEEI-Burgos"],
        pannon=ids["Pannon EGTC"],
        admin=sign_in(app, world.admin.email),
        editor=sign_in(app, world.editor.email),
        other=sign_in(app, world.other.email),
        coordinator=sign_in(app, world.coordinator.email),
        stakeholder=sign_in(app, world.stakeholder.email),
    )


def log(client, partner_id: int, title: str = "Export vouchers for SMEs", **extra):
    form = {
        "partner_id": partner_id,
        "day": "01/10/2019",
        "outlet": "Diario de Burgos",
        "title": title,
        "link": "https://diario.example.org/vouchers",
        "kind": "print",
    } | extra
    return client.post(MEDIA, data=form)


def media_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(MediaAppearance.id)))


def figure(client, key: str, period: int = 1, scope: str = "") -> str:
    page = client.get(f"/p/reports/indicators?period={period}&scope={scope}").text
    return re.search(rf'data-indicator="{key}">\s*([^<\s]+)', page).group(1)


def test_the_media_log_counts_towards_its_indicator(app, people):
    assert log(people.editor, people.ceei, day="01.10.2019").status_code == 303
    page = people.admin.get(MEDIA).text
    assert "Export vouchers for SMEs" in page and "Diario de Burgos" in page
    assert figure(people.admin, "media") == "1"
    evidence = people.admin.get("/p/reports/indicators/media?period=1").text
    assert "Export vouchers for SMEs (Diario de Burgos)" in evidence
    assert "CEEI-Burgos" in evidence
    # P2 counts nothing of P1's, and "to date" sums the periods up to it.
    assert figure(people.admin, "media", 2) == "0"
    page = people.admin.get("/p/reports/indicators?period=2").text
    assert re.search(r'data-to-date="media">1<', page)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outlet": ""}, "Name the newspaper, site, station or channel."),
        ({"title": ""}, "Give the article&#39;s title or the subject."),
        ({"link": "javascript:alert(1)"}, "Enter a full address, starting https://"),
        ({"link": "ftp://files.example.org/a"}, "Enter a web address, starting https://"),
        ({"day": "2030-01-01"}, "An appearance is logged once it has happened."),
        ({"day": "31/02/2020"}, "The date"),
        ({"kind": "rumour"}, "Not a valid choice"),
    ],
)
def test_a_wrong_media_entry_is_refused_and_kept_as_typed(app, people, change, message):
    response = log(people.editor, people.ceei, **({"title": "Kept as typed"} | change))
    assert response.status_code == 422
    assert message in response.text
    kept = "Diario de Burgos" if "title" in change else "Kept as typed"
    assert f'value="{kept}"' in response.text
    assert media_count(app) == 0


def test_only_a_partners_staff_log_and_remove_its_appearances(app, people):
    # Pannon's editor may log for Pannon, not for CEEI-Burgos (not among the choices).
    assert log(people.other, people.ceei).status_code == 422
    assert log(people.editor, people.ceei).status_code == 303
    entry = media_count(app)
    with app.app_context():
        entry = db.session.scalar(select(MediaAppearance.id))
    assert people.other.post(f"{MEDIA}/{entry}/delete").status_code == 403
    assert people.stakeholder.get(MEDIA).status_code == 403
    assert people.editor.post(f"{MEDIA}/{entry}/delete").status_code == 303
    assert media_count(app) == 0


def correction_url(key: str, partner_id: int, period: int = 1) -> str:
    return f"/p/reports/indicators/{key}/P{period}/{partner_id}/correction"


def test_a_hand_correction_needs_a_reason_and_shows(app, people):
    log(people.editor, people.ceei)
    url = correction_url("media", people.ceei)
    page = people.editor.get(url).text
    assert "count <strong>1</strong>" in page
    refused = people.editor.post(url, data={"version": "0", "value": "3", "reason": "  "})
    assert refused.status_code == 422
    assert "a figure is corrected by hand only with a reason" in refused.text
    assert 'value="3"' in refused.text
    half = people.editor.post(url, data={"version": "0", "value": "2,5", "reason": "x"})
    assert half.status_code == 422 and "no decimals" in half.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Correction.id))) == 0
    reason = "The radio interview of 12 October was not logged at the time."
    saved = people.editor.post(url, data={"version": "0", "value": "2", "reason": reason})
    assert saved.status_code == 303
    # The figure, the counted one and the reason, wherever the figure is shown.
    assert figure(people.admin, "media") == "2"
    overview = people.admin.get("/p/reports/indicators?period=1").text
    assert "counted 1, corrected by hand" in overview
    evidence = people.admin.get("/p/reports/indicators/media?period=1").text
    assert reason in evidence and f'data-partner-figure="{people.ceei}">2<' in evidence
    people.admin.post(f"{PROGRESS}/begin")
    assert reason in people.admin.get(PROGRESS).text
    # Someone else's page from before the save is refused, and keeps what they typed.
    stale = people.editor.post(url, data={"version": "0", "value": "4", "reason": "Mine"})
    assert stale.status_code == 409 and 'value="4"' in stale.text
    # Removing it brings the counted figure back.
    gone = people.editor.post(f"{url}/remove", data={"version": "1"})
    assert gone.status_code == 303
    assert figure(people.admin, "media") == "1"


def test_only_the_partners_staff_correct_its_figures(app, people):
    url = correction_url("media", people.ceei)
    assert people.other.get(url).status_code == 403
    assert (
        people.other.post(url, data={"version": "0", "value": "9", "reason": "r"}).status_code
        == 403
    )
    assert people.stakeholder.get(url).status_code == 403
    assert people.admin.get(url).status_code == 200
    assert people.editor.get(correction_url("nonsense", people.ceei)).status_code == 404
    assert people.editor.get(correction_url("media", people.ceei, period=99)).status_code == 404


def test_targets_in_the_readers_format(app, people, world):
    with app.app_context():
        db.session.get(User, world.admin.id).number_format = "it"
        db.session.commit()
    admin = sign_in(app, world.admin.email)
    form = admin.get("/p/reports/indicators/settings").text
    posted = dict(re.findall(r'name="([\w-]+)" value="([^"]*)"', form))
    bad = posted | {"media-target": "dieci", "good_practices-name": ""}
    refused = admin.post("/p/reports/indicators/settings", data=bad)
    assert refused.status_code == 422
    assert "Give the indicator a name." in refused.text and 'value="dieci"' in refused.text
    with app.app_context():
        assert db.session.scalar(select(func.count(IndicatorSetting.id))) == 0
    good = posted | {"media-target": "10", "structural_funds-target": "1.500.000,00"}
    good |= {"media-name": "Media appearances (print, online, broadcast)"}
    assert admin.post("/p/reports/indicators/settings", data=good).status_code == 303
    log(people.editor, people.ceei)
    page = admin.get("/p/reports/indicators?period=1").text
    assert "Media appearances (print, online, broadcast)" in page
    assert 'value="10"' in page and "10 %" in page
    assert "1.500.000,00" in page
    # A second admin's form from before the save is refused.
    assert admin.post("/p/reports/indicators/settings", data=good).status_code == 409


def steps(client, action: str, **data):
    version = re.search(r'name="version" value="(\d+)"', client.get(PROGRESS).text).group(1)
    return client.post(f"{PROGRESS}/{action}", data={"version": version} | data)


def test_the_progress_report_is_ready_only_when_every_partner_report_is_settled(app, people):
    assert people.editor.post(f"{PROGRESS}/begin").status_code == 403  # not the lead partner
    assert people.other.post(f"{PROGRESS}/begin").status_code == 303  # the lead partner's editor
    refused = steps(people.admin, "ready")
    assert refused.status_code == 422
    assert "Not ready: the reports of Pannon EGTC, CEEI-Burgos are not certified" in refused.text
    no_reason = people.admin.post(f"{PROGRESS}/leave-out", data={"partner_id": people.pannon})
    assert no_reason.status_code == 422 and "Say why" in no_reason.text
    form = {"partner_id": people.pannon, "reason": "Late\x00"}
    control = people.admin.post(f"{PROGRESS}/leave-out", data=form)
    assert control.status_code == 422 and "characters that are not text" in control.text
    for partner in (people.pannon, people.ceei):
        left = people.admin.post(
            f"{PROGRESS}/leave-out",
            data={"partner_id": partner, "reason": "Its controller is ill: reported next period."},
        )
        assert left.status_code == 303
    # Taken back, it is expected again; left out again, the report can be ready.
    people.admin.post(f"{PROGRESS}/take-back", data={"partner_id": people.ceei})
    assert steps(people.admin, "ready").status_code == 422
    people.admin.post(f"{PROGRESS}/leave-out", data={"partner_id": people.ceei, "reason": "Late."})
    assert steps(people.admin, "ready").status_code == 303
    page = people.admin.get(PROGRESS).text
    assert "Left out: Its controller is ill: reported next period." in page
    assert "Ready" in page


def test_the_steps_dates_are_checked_and_the_texts_locked(app, people):
    people.admin.post(f"{PROGRESS}/begin")
    for partner in (people.pannon, people.ceei):
        people.admin.post(f"{PROGRESS}/leave-out", data={"partner_id": partner, "reason": "r"})
    assert steps(people.admin, "ready").status_code == 303
    with app.app_context():
        summary = db.session.scalar(select(ProgressReport.summary_document_id))
    edit = people.admin.get(f"/docs/{summary}")
    assert "changes only while the report is a draft" in edit.text
    for day, message in [
        ("", "is missing"),
        ("15/01/2020", "It is submitted after P1 ends"),
        ("2030-01-01", "cannot be in the future"),
        ("31/13/2020", "The day it was submitted"),
    ]:
        refused = steps(people.admin, "submit", submitted_on=day)
        assert refused.status_code == 422 and message in refused.text, day
        assert f'value="{day}"' in refused.text
    assert steps(people.admin, "submit", submitted_on="20/02/2020").status_code == 303
    early = steps(people.admin, "approve", approved_on="19/02/2020")
    assert early.status_code == 422 and "it is approved on that day or later" in early.text
    remarks = "Approved; <script>alert(1)</script> check the indicator sheet."
    done = steps(people.admin, "approve", approved_on="28/02/2020", remarks=remarks)
    assert done.status_code == 303
    page = people.admin.get(PROGRESS).text
    assert "approved 28 Feb 2020" in page
    assert "&lt;script&gt;alert(1)" in page and "<script>alert(1)" not in page
    # A page from before the approval is stale.
    stale = people.admin.post(f"{PROGRESS}/draft", data={"version": "3"})
    assert stale.status_code == 409


def test_the_files_follow_the_section_order(app, people):
    log(people.editor, people.ceei)
    people.admin.post(f"{PROGRESS}/begin")
    docx = people.other.get(f"{PROGRESS}/progress-report.docx")
    assert docx.status_code == 200
    headings = [
        p.text for p in Docx(io.BytesIO(docx.data)).paragraphs if p.style.name == "Heading 1"
    ]
    assert headings == [
        "1. Summary",
        "2. Partner reports",
        "3. Activities of the period",
        "4. Indicators",
        "5. Communication",
        "6. Problems and deviations",
        "7. Plan for the next period",
    ]
    text = "\n".join(p.text for p in Docx(io.BytesIO(docx.data)).paragraphs)
    assert "Export vouchers for SMEs" in text
    pdf = people.other.get(f"{PROGRESS}/progress-report.pdf")
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    order = [words.index(h) for h in ("1. Summary", "2. Partner reports", "5. Communication")]
    assert order == sorted(order) and "Diario de Burgos" in words
    sheet = load_workbook(io.BytesIO(people.other.get(f"{PROGRESS}/indicators.xlsx").data))
    rows = list(sheet["Indicators P1"].iter_rows(values_only=True))
    assert rows[-1][:4] == ("Appearances in media", 1, 1, 1)
    evidence = list(sheet["Evidence"].iter_rows(values_only=True))
    assert any("Export vouchers for SMEs" in str(row[3]) for row in evidence[1:])
    assert people.stakeholder.get(f"{PROGRESS}/progress-report.docx").status_code == 403


def test_a_submitted_progress_report_stays_as_submitted(app, people):
    """The programme approves what was submitted: an appearance logged afterwards counts
    on the indicators page, not in the submitted report."""
    log(people.editor, people.ceei, title="Logged before")
    people.admin.post(f"{PROGRESS}/begin")
    for partner in (people.pannon, people.ceei):
        people.admin.post(f"{PROGRESS}/leave-out", data={"partner_id": partner, "reason": "r"})
    steps(people.admin, "ready")
    assert steps(people.admin, "submit", submitted_on="20/02/2020").status_code == 303
    log(people.editor, people.ceei, title="Logged after")
    page = people.other.get(PROGRESS).text
    assert "Logged before" in page and "Logged after" not in page
    assert "As submitted to the programme on 20 Feb 2020" in page
    assert figure(people.admin, "media") == "2"
    docx = people.other.get(f"{PROGRESS}/progress-report.docx")
    text = "\n".join(p.text for p in Docx(io.BytesIO(docx.data)).paragraphs)
    assert "Logged before" in text and "Logged after" not in text


def test_the_figures_of_a_region_and_of_a_partner(app, people):
    log(people.editor, people.ceei)
    log(people.other, people.pannon, title="Pécs on air")
    assert figure(people.admin, "media") == "2"
    assert figure(people.admin, "media", scope="region:burgos") == "1"
    burgos = people.admin.get("/p/reports/indicators?period=1&scope=region:burgos").text
    assert "The targets are the project's" in burgos and "Progress</th>" not in burgos
    assert figure(people.admin, "media", scope=f"partner:{people.pannon}") == "1"
    assert figure(people.admin, "media", scope="region:pannon") == "1"
    # An unknown scope is the project's.
    assert people.admin.get("/p/reports/indicators?scope=region:atlantis").status_code == 200

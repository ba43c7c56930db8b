"""Action plans as a new user met them: endorsing with review comments still open, and
the plan's files (A4 pages, the region's NUTS 2 code, what inspired each action)."""

from __future__ import annotations

import io
import re

from docx import Document as Docx
from pypdf import PdfReader
from sqlalchemy import select

from workspace.api import UNAVAILABLE, Comment, Event, db
from workspace.testing import HTMX, sign_in

from .test_action_plans import (
    BASE,
    a_practice,
    add_action,
    complete,
    create,
    get_plan,
    plans,
    switch,
    template_words,
)

__all__ = ["plans"]


def in_review(app, world) -> tuple[int, list[int]]:
    """A complete Burgos plan sent to review; returns its id and its texts' documents."""
    editor = sign_in(app, world.editor.email)
    plan_id = create(editor)
    complete(app, editor, plan_id)
    assert editor.post(f"{BASE}/{plan_id}/review").status_code == 303
    return plan_id, get_plan(app, plan_id)["documents"]


def comment(client, document_id: int, body: str) -> int:
    response = client.post(f"/docs/{document_id}/comments", data={"body": body})
    assert response.status_code in (200, 303), response.status_code
    with app_of(client).app_context():
        return db.session.scalar(select(Comment.id).where(Comment.body == body))


def app_of(client):
    return client.application


def endorse(client, plan_id: int, confirmed: str | None = None):
    data = {} if confirmed is None else {"confirmed_comments": confirmed}
    return client.post(f"{BASE}/{plan_id}/endorse", data=data)


def confirmed_value(page: str) -> str:
    return re.search(r'name="confirmed_comments" value="(\d+)"', page).group(1)


# ---------------------------------------------------------------- e. open comments


def test_endorsing_with_open_review_comments_shows_them_and_asks_first(app, plans):
    plan_id, documents = in_review(app, plans)
    context_doc, _summary, first_action = documents[0], documents[1], documents[2]
    # The stakeholder and the lead partner comment during the review.
    stakeholder = sign_in(app, plans.stakeholder.email)
    comment(stakeholder, first_action, "Who pays the vouchers after 2021?")
    other = sign_in(app, plans.admin.email)
    comment(other, context_doc, "Name the priority axis of the programme.")

    # The plan page and its review checklist count them, and say where they are.
    coordinator = sign_in(app, plans.coordinator.email)
    page = coordinator.get(f"{BASE}/{plan_id}").text
    assert "2 open review comments" in page
    assert "Who pays the vouchers after 2021?" in page
    assert "Action 1: Action number 1" in page and "Part II: policy context" in page
    assert page.count("1 open comment<") == 2  # beside each commented text

    # Endorsing asks first, showing them; nothing is endorsed yet.
    asked = endorse(coordinator, plan_id)
    assert asked.status_code == 409
    assert "2 review comments are still open" in asked.text
    assert "Name the priority axis of the programme." in asked.text
    assert "Endorse with 2 open comments" in asked.text
    assert get_plan(app, plan_id)["status"] == "review"
    seen = confirmed_value(asked.text)

    # A comment written while the coordinator read them is asked about too.
    comment(other, first_action, "Add the chambers to the players.")
    again = endorse(coordinator, plan_id, confirmed=seen)
    assert again.status_code == 409 and "3 review comments are still open" in again.text
    assert "Add the chambers to the players." in again.text
    assert get_plan(app, plan_id)["status"] == "review"

    # Confirmed: endorsed, and the event says how many comments were left open.
    done = endorse(coordinator, plan_id, confirmed=confirmed_value(again.text))
    assert done.status_code == 303
    assert get_plan(app, plan_id)["status"] == "endorsed"
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.verb == "action_plan_endorsed"))
        assert event.detail["open_comments"] == 3


def test_resolved_comments_do_not_hold_up_the_endorsement(app, plans):
    plan_id, documents = in_review(app, plans)
    other = sign_in(app, plans.admin.email)
    comment_id = comment(other, documents[0], "Name the priority axis.")
    editor = sign_in(app, plans.editor.email)
    page = editor.get(f"{BASE}/{plan_id}").text
    assert "1 open review comment" in page
    # The editor deals with it and resolves it in the core's comments.
    resolved = editor.post(f"/docs/{documents[0]}/comments/{comment_id}/resolve")
    assert resolved.status_code in (200, 303)
    page = editor.get(f"{BASE}/{plan_id}").text
    assert "No open review comments." in page and "open comment<" not in page
    coordinator = sign_in(app, plans.coordinator.email)
    assert endorse(coordinator, plan_id).status_code == 303
    assert get_plan(app, plan_id)["status"] == "endorsed"


def test_a_forged_confirmation_is_no_confirmation(app, plans):
    plan_id, documents = in_review(app, plans)
    comment(sign_in(app, plans.admin.email), documents[0], "Name the priority axis.")
    coordinator = sign_in(app, plans.coordinator.email)
    for value in ("0", "", "abc", "99999999999999999999999"):
        assert endorse(coordinator, plan_id, confirmed=value).status_code == 409
    assert get_plan(app, plan_id)["status"] == "review"


# ---------------------------------------------------------------- g. the files


def inspire(app, plans) -> tuple[int, int, int]:
    """A plan whose first action is inspired by a Pannon practice and a Burgos meeting."""
    switch(app, "pannon", "portfolio")
    switch(app, "burgos", "minutes")
    practice_id = a_practice(app, plans, title="Export coaching for small firms")
    editor = sign_in(app, plans.editor.email)
    meeting = editor.post(
        "/r/burgos/minutes/new",
        data={"title": "Partner meeting in Burgos", "kind": "partner", "day": "2020-04-15",
              "start": "10:00", "end": "12:00", "timezone": "Europe/Madrid"},
    )  # fmt: skip
    assert meeting.status_code == 303
    meeting_id = int(meeting.headers["Location"].rsplit("/", 1)[1])
    plan_id = create(editor)
    action_id = add_action(editor, plan_id, "Export vouchers")
    url = f"{BASE}/{plan_id}/actions/{action_id}/sources"
    for ref in (f"portfolio:practice:{practice_id}", f"minutes:meeting:{meeting_id}"):
        assert editor.post(url, data={"target": ref}, headers=HTMX).status_code == 200
    return plan_id, practice_id, meeting_id


def docx_text(document) -> str:
    text = "\n".join(p.text for p in document.paragraphs)
    return text + "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)


def pdf_text(data: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split()), reader


def test_the_docx_is_on_a4_like_the_pdf(app, plans):
    plan_id, _, _ = inspire(app, plans)
    client = sign_in(app, plans.stakeholder.email)
    document = Docx(io.BytesIO(client.get(f"{BASE}/{plan_id}/plan.docx").data))
    # Word keeps sizes in twentieths of a point: A4 is 11906 x 16838 of them.
    for section in document.sections:
        sizes = [section.page_width, section.page_height, section.top_margin,
                 section.bottom_margin, section.left_margin, section.right_margin]  # fmt: skip
        assert [round(size.mm) for size in sizes] == [210, 297, 18, 18, 16, 16]
    _, reader = pdf_text(client.get(f"{BASE}/{plan_id}/plan.pdf").data)
    box = reader.pages[0].mediabox
    # A4 in points (1 mm = 72 / 25.4 pt).
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842


def test_both_files_name_the_nuts_2_region_and_what_inspired_each_action(app, plans):
    plan_id, practice_id, _ = inspire(app, plans)
    client = sign_in(app, plans.editor.email)
    text = docx_text(Docx(io.BytesIO(client.get(f"{BASE}/{plan_id}/plan.docx").data)))
    pdf, _ = pdf_text(client.get(f"{BASE}/{plan_id}/plan.pdf").data)
    # The plan is written in Spanish: the template's headings are the plan's language,
    # what the workspace adds (the country's name, "Inspired by") the reader's.
    spanish = template_words("es")
    for expected in [
        spanish("NUTS 2 region"),
        "Castilla y León (ES41)",
        spanish("Country"),
        "Spain (ES)",
        "Inspired by",
        "Export coaching for small firms (Good practice)",
        "Partner meeting in Burgos (2020-04-15) (Meeting)",
    ]:
        assert expected in text, expected
        assert expected in pdf, expected
    # The plan page names the NUTS 2 code too.
    assert "Castilla y León (ES41)" in client.get(f"{BASE}/{plan_id}").text

    def files(reader) -> tuple[str, str]:
        docx = Docx(io.BytesIO(reader.get(f"{BASE}/{plan_id}/plan.docx").data))
        return docx_text(docx), pdf_text(reader.get(f"{BASE}/{plan_id}/plan.pdf").data)[0]

    # Burgos' external stakeholder may not open Pannon's practice: it is unavailable to them.
    for text in files(sign_in(app, plans.stakeholder.email)):
        assert "Export coaching for small firms" not in text and str(UNAVAILABLE) in text
        assert "Partner meeting in Burgos" in text

    # With the portfolio switched off in Pannon, the practice is unavailable, not an error.
    switch(app, "pannon", "portfolio", on=False)
    for text in files(client):
        assert "Export coaching for small firms" not in text and str(UNAVAILABLE) in text
        assert "Partner meeting in Burgos" in text


def test_an_action_without_inspiration_says_so_in_the_files(app, plans):
    editor = sign_in(app, plans.editor.email)
    plan_id = create(editor)
    add_action(editor, plan_id, "Export vouchers")
    text = docx_text(Docx(io.BytesIO(editor.get(f"{BASE}/{plan_id}/plan.docx").data)))
    pdf, _ = pdf_text(editor.get(f"{BASE}/{plan_id}/plan.pdf").data)
    assert "Nothing linked in the workspace." in text
    assert "Nothing linked in the workspace." in pdf

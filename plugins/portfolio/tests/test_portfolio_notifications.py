"""The portfolio's notifications (issue 16, item 3): a practice submitted reaches the
lead partner's coordinators, its decision reaches its author and its region's
coordinators, in their inbox and by e-mail at once, with a link that opens the
practice; never the person who acted, nor someone who may not read the practice."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from plugins.portfolio import notices
from plugins.portfolio.models import Practice
from plugins.portfolio.practices import SECTIONS
from workspace.api import Membership, MembershipRole, db
from workspace.testing import inbox, queued_mails, sign_in, switch_on, write_document

FIELDS = {
    "title": "Export coaching for small firms",
    "institution": "CEEI-Burgos",
    "country": "es",
    "summary": "Coaches take small firms to their first foreign contract.",
    "starts_on": "2018-02-01",
    "topic": "SME competitiveness",
    "contact": "Lucía, coaching@example.org",
}
TEXT = "".join(f"## {name}\n\nText about {name.lower()}.\n\n" for name in SECTIONS)
TO_VALIDATE = "Good practice to validate: “Export coaching for small firms” (Castilla y León)"


def opens(app, user, link: str) -> str:
    """Follow a notification's link as its reader: the page it leads to."""
    client = sign_in(app, user.email)
    response = client.get(link)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return page.text


def submitted(app, author) -> int:
    """A complete Burgos practice written and submitted by ``author``; returns its id."""
    client = sign_in(app, author.email)
    response = client.post("/r/burgos/portfolio/new", data=FIELDS)
    assert response.status_code == 303, response.text
    practice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        document_id = db.session.get(Practice, practice_id).document_id
    write_document(app, document_id, TEXT)
    assert client.post(f"/r/burgos/portfolio/{practice_id}/submit").status_code == 303
    return practice_id


@pytest.fixture
def portfolio(app, world):
    switch_on(app, "burgos", "portfolio")
    return world


def test_a_submitted_practice_reaches_the_admins_at_once(app, make, portfolio):
    world = portfolio
    gone = make.user("gone@example.org", admin=True, active=False)
    submitted(app, world.editor)
    [(subject, link)] = inbox(app, world.admin)
    assert subject == TO_VALIDATE
    assert FIELDS["title"] in opens(app, world.admin, link)
    [(mail_subject, text)] = queued_mails(app, world.admin)
    assert mail_subject == TO_VALIDATE and f"http://localhost{link}" in text
    # Only the admins validate: the author, the region and an inactive admin hear nothing.
    for person in (world.editor, world.coordinator, world.other, world.stakeholder):
        assert inbox(app, person) == []
    assert queued_mails(app, gone) == []


def test_the_link_of_a_submitted_practice_opens_it(app, portfolio):
    practice_id = submitted(app, portfolio.editor)
    [(_, link)] = inbox(app, portfolio.admin)
    client = sign_in(app, portfolio.admin.email)
    assert client.get(link).headers["Location"] == f"/r/burgos/portfolio/{practice_id}"


def test_a_decision_reaches_the_author_and_the_regions_coordinators(app, portfolio):
    world = portfolio
    practice_id = submitted(app, world.editor)
    admin = sign_in(app, world.admin.email)
    response = admin.post(
        f"/r/burgos/portfolio/{practice_id}/decision",
        data={"decision": "return", "note": "Add figures on exports."},
    )
    assert response.status_code == 303
    said = "Good practice returned for changes: “Export coaching for small firms”"
    for person in (world.editor, world.coordinator):
        [(subject, link)] = inbox(app, person)
        assert subject == said
        assert "Add figures on exports." in opens(app, person, link)
        [(mail_subject, text)] = queued_mails(app, person)
        assert mail_subject == said and "Add figures on exports." in text
    # The admin decided: told of the submission only, not of their own decision.
    assert [subject for subject, _ in inbox(app, world.admin)] == [TO_VALIDATE]
    assert inbox(app, world.stakeholder) == [] and inbox(app, world.other) == []


def test_an_approval_says_so(app, portfolio):
    practice_id = submitted(app, portfolio.editor)
    sign_in(app, portfolio.admin.email).post(
        f"/r/burgos/portfolio/{practice_id}/decision", data={"decision": "approve"}
    )
    assert [s for s, _ in inbox(app, portfolio.editor)] == [
        "Good practice approved: “Export coaching for small firms”"
    ]


def test_an_author_who_may_no_longer_read_the_region_hears_nothing(app, make, portfolio):
    world = portfolio
    # An external expert who wrote for Burgos, then left its membership.
    expert = make.user("expert@example.org", memberships={world.burgos: MembershipRole.EDITOR})
    practice_id = submitted(app, expert)
    with app.app_context():
        db.session.execute(delete(Membership).where(Membership.user_id == expert.id))
        db.session.commit()
    sign_in(app, world.admin.email).post(
        f"/r/burgos/portfolio/{practice_id}/decision", data={"decision": "decline", "note": "No."}
    )
    assert inbox(app, expert) == [] and queued_mails(app, expert) == []
    assert len(inbox(app, world.coordinator)) == 1


def test_nothing_is_sent_where_the_portfolio_is_switched_off(app, portfolio):
    practice_id = submitted(app, portfolio.editor)
    switch_on(app, "burgos", "portfolio", False)
    with app.test_request_context():
        practice = db.session.get(Practice, practice_id)
        notices.practice_submitted(practice)
        practice.status = "approved"
        notices.practice_decided(practice)
        db.session.commit()
    assert len(inbox(app, portfolio.admin)) == 1  # the submission, made while it was on
    assert inbox(app, portfolio.editor) == [] and inbox(app, portfolio.coordinator) == []


def test_following_a_practice_tells_of_comments_on_its_texts(app, portfolio):
    practice_id = submitted(app, portfolio.editor)
    with app.app_context():
        document_id = db.session.get(Practice, practice_id).document_id
    admin = sign_in(app, portfolio.admin.email)
    page = admin.get(f"/r/burgos/portfolio/{practice_id}").text
    assert ">Follow</button>" in page
    assert admin.post(f"/docs/{document_id}/follow").status_code == 303
    assert ">Following</button>" in admin.get(f"/r/burgos/portfolio/{practice_id}").text
    coordinator = sign_in(app, portfolio.coordinator.email)
    coordinator.post(f"/docs/{document_id}/comments", data={"body": "Add the 2023 figures?"})
    assert [s for s, _ in inbox(app, portfolio.admin)] == [
        f"{portfolio.coordinator.name} commented on “Good practice: {FIELDS['title']}”",
        TO_VALIDATE,
    ]

"""The action plans' notifications (issue 16, item 3): a plan sent for review reaches
its reviewers (the region's coordinators and the advisory partner's staff working
there), an endorsed plan reaches the region's editors and coordinators; in their inbox
and by e-mail at once, with a link that opens the plan; never the person who acted,
nor someone who may not read the plan."""

from __future__ import annotations

import pytest

from plugins.action_plans import notices
from plugins.action_plans.models import Plan
from workspace.api import Document, MembershipRole, PartnerRole, db
from workspace.testing import HTMX, inbox, queued_mails, sign_in, switch_on

from .test_action_plans import BASE, complete, create, get_plan

TO_REVIEW = "Action plan to review: “ROP Castilla y León, priority 3” (Castilla y León)"
ENDORSED = "Action plan endorsed: “ROP Castilla y León, priority 3” (Castilla y León)"


def subjects(app, user) -> list[str]:
    return [subject for subject, _ in inbox(app, user)]


@pytest.fixture
def team(app, make, world):
    """The world, with the advisory partner's staff: one working with Burgos, one not."""
    switch_on(app, "burgos", "action_plans")
    aebr = make.partner("AEBR", None, role=PartnerRole.ADVISORY)
    world.adviser = make.user(
        "adviser@aebr.example", partner=aebr, memberships={world.burgos: MembershipRole.EDITOR}
    )
    world.elsewhere = make.user(
        "elsewhere@aebr.example", partner=aebr, memberships={world.pannon: MembershipRole.EDITOR}
    )
    return world


def in_review(app, world) -> int:
    """A complete Burgos plan the editor sent to review; returns its id."""
    editor = sign_in(app, world.editor.email)
    plan_id = create(editor)
    complete(app, editor, plan_id)
    assert editor.post(f"{BASE}/{plan_id}/review").status_code == 303
    return plan_id


def test_a_plan_sent_for_review_reaches_its_reviewers_at_once(app, team):
    plan_id = in_review(app, team)
    for reviewer in (team.coordinator, team.adviser):
        [(subject, link)] = inbox(app, reviewer)
        assert subject == TO_REVIEW
        client = sign_in(app, reviewer.email)
        response = client.get(link)
        assert response.headers["Location"] == f"{BASE}/{plan_id}"
        assert "ROP Castilla y León, priority 3" in client.get(f"{BASE}/{plan_id}").text
        [(mail_subject, text)] = queued_mails(app, reviewer)
        assert mail_subject == TO_REVIEW and f"http://localhost{link}" in text
    # Not the editor who sent it, nor those who do not review Burgos's plan.
    for person in (team.editor, team.stakeholder, team.other, team.elsewhere, team.admin):
        assert inbox(app, person) == []


def test_an_endorsed_plan_reaches_the_regions_editors_and_coordinators(app, make, team):
    gone = make.user("gone@example.org", memberships={team.burgos: MembershipRole.EDITOR})
    with app.app_context():
        db.session.get(type(team.editor), gone.id).active = False
        db.session.commit()
    plan_id = in_review(app, team)
    coordinator = sign_in(app, team.coordinator.email)
    assert coordinator.post(f"{BASE}/{plan_id}/endorse").status_code == 303
    for person in (team.editor, team.adviser):
        assert ENDORSED in subjects(app, person)
        assert ENDORSED in [subject for subject, _ in queued_mails(app, person)]
    [link] = [link for subject, link in inbox(app, team.editor) if subject == ENDORSED]
    assert sign_in(app, team.editor.email).get(link).headers["Location"] == f"{BASE}/{plan_id}"
    # The coordinator endorsed it: told of the review only.
    assert subjects(app, team.coordinator) == [TO_REVIEW]
    for person in (team.stakeholder, team.other, team.elsewhere):
        assert inbox(app, person) == []
    assert queued_mails(app, gone) == []  # an inactive account


def test_a_plan_in_the_trash_or_switched_off_tells_nobody(app, team):
    plan_id = in_review(app, team)
    coordinator = sign_in(app, team.coordinator.email)
    assert coordinator.post(f"{BASE}/{plan_id}/trash").status_code == 303
    with app.test_request_context():
        notices.plan_endorsed(db.session.get(Plan, plan_id))
        db.session.commit()
    assert ENDORSED not in subjects(app, team.editor)
    assert coordinator.post(f"{BASE}/{plan_id}/untrash").status_code == 303
    switch_on(app, "burgos", "action_plans", False)
    with app.test_request_context():
        notices.plan_endorsed(db.session.get(Plan, plan_id))
        db.session.commit()
    assert ENDORSED not in subjects(app, team.editor)
    # The same call with the module on does reach the editor.
    switch_on(app, "burgos", "action_plans")
    with app.test_request_context():
        notices.plan_endorsed(db.session.get(Plan, plan_id))
        db.session.commit()
    assert ENDORSED in subjects(app, team.editor)


def title(app, document_id: int) -> str:
    with app.app_context():
        return db.session.get(Document, document_id).title


def comment(app, user, document_id: int, body: str) -> None:
    response = sign_in(app, user.email).post(f"/docs/{document_id}/comments", data={"body": body})
    assert response.status_code in (200, 303), response.text


def test_following_a_plan_tells_of_comments_on_any_of_its_texts(app, team):
    editor = sign_in(app, team.editor.email)
    plan_id = create(editor)
    follower = sign_in(app, team.other.email)
    page = follower.get(f"{BASE}/{plan_id}").text
    assert 'aria-pressed="false"' in page and ">Follow</button>" in page
    pressed = follower.post(f"{BASE}/{plan_id}/follow", headers=HTMX)
    assert ">Following</button>" in pressed.text
    assert ">Following</button>" in follower.get(f"{BASE}/{plan_id}").text
    # An action written after the follow is the plan's too.
    complete(app, editor, plan_id, actions=1)
    context, _, action_text = get_plan(app, plan_id)["documents"]
    comment(app, team.adviser, action_text, "Which firms does this reach?")
    comment(app, team.coordinator, context, "The programme was amended in 2021.")
    assert subjects(app, team.other) == [
        f"{team.coordinator.name} commented on “{title(app, context)}”",
        f"{team.adviser.name} commented on “{title(app, action_text)}”",
    ]
    # Someone who does not follow it hears nothing; after unfollowing, neither.
    assert inbox(app, team.elsewhere) == []
    follower.post(f"{BASE}/{plan_id}/unfollow")
    comment(app, team.adviser, action_text, "And a second question.")
    assert len(inbox(app, team.other)) == 2

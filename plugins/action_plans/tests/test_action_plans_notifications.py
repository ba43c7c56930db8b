"""The action plans' notifications (issue 16, item 3): a plan sent for review reaches
its reviewers (the region's coordinators and the advisory partner's staff working
there), an endorsed plan reaches the region's editors and coordinators; in their inbox
and by e-mail at once, with a link that opens the plan; never the person who acted,
nor someone who may not read the plan."""

from __future__ import annotations

import pytest

from plugins.action_plans import notices
from plugins.action_plans.models import Plan
from workspace.api import MembershipRole, PartnerRole, db
from workspace.testing import inbox, queued_mails, sign_in, switch_on

from .test_action_plans import BASE, complete, create

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

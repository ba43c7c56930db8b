"""What the portfolio tells people: a practice submitted (to the lead partner's
coordinators, who validate it) and a practice decided (to its author and its region's
coordinators). Called by the views before their commit, so a change that is rolled
back tells nobody; the core leaves out the actor and whoever may not read the practice.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from workspace.api import Membership, MembershipRole, NotificationKind, User, db, notify

from .models import Practice, Status

SUBMITTED = "portfolio.practice_submitted"
DECIDED = "portfolio.practice_decided"

KINDS = [
    NotificationKind(
        SUBMITTED,
        "A good practice is submitted for validation",
        "A region submitted a good practice; the lead partner's coordinators validate it.",
        default="immediately",
    ),
    NotificationKind(
        DECIDED,
        "A good practice is approved, returned or declined",
        "The validation of a practice you wrote, or of one of a region you coordinate.",
        default="immediately",
    ),
]

VERBS = {
    Status.APPROVED: "approved",
    Status.RETURNED: "returned for changes",
    Status.DECLINED: "declined",
}


def _send(practice: Practice, people: list[User], kind: str, subject: str, body: str) -> None:
    # The practice's text is the target: the core then applies its region, the switch
    # and the portfolio's own rule (a draft is for its region's editors only).
    notify(
        people,
        kind,
        subject,
        url_for("portfolio.view", region=practice.region.slug, practice_id=practice.id),
        body=body,
        region=practice.region,
        target=practice.document or practice.ref,
    )


def practice_submitted(practice: Practice) -> None:
    """Tell the admins, who validate, that ``practice`` waits for them."""
    admins = list(db.session.scalars(select(User).where(User.is_admin.is_(True))))
    _send(
        practice,
        admins,
        SUBMITTED,
        f"Good practice to validate: “{practice.title}” ({practice.region.name})",
        practice.summary or "",
    )


def practice_decided(practice: Practice) -> None:
    """Tell the practice's author and its region's coordinators how it was decided,
    with the validator's message."""
    coordinators = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.region_id == practice.region_id,
            Membership.role == MembershipRole.COORDINATOR,
        )
    )
    author = db.session.get(User, practice.created_by_id) if practice.created_by_id else None
    _send(
        practice,
        [author, *coordinators],
        DECIDED,
        f"Good practice {VERBS[practice.state]}: “{practice.title}”",
        practice.decision_note,
    )

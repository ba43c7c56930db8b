"""What the portfolio tells people: a practice submitted (to the lead partner's
coordinators, who validate it) and a practice decided (to its author and its region's
coordinators). Called by the views before their commit, so a change that is rolled
back tells nobody; the core leaves out the actor and whoever may not read the practice.
Each person is told in their own language.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workspace.api import (
    Membership,
    MembershipRole,
    NotificationKind,
    User,
    by_language,
    db,
    in_language,
    notify,
)

from .models import Practice, Status

SUBMITTED = "portfolio.practice_submitted"
DECIDED = "portfolio.practice_decided"

KINDS = [
    NotificationKind(
        SUBMITTED,
        _l("A good practice is submitted for validation"),
        _l("A region submitted a good practice; the lead partner's coordinators validate it."),
        default="immediately",
    ),
    NotificationKind(
        DECIDED,
        _l("A good practice is approved, returned or declined"),
        _l("The validation of a practice you wrote, or of one of a region you coordinate."),
        default="immediately",
    ),
]


def _decided_subject(practice: Practice) -> str:
    title = practice.title
    if practice.state is Status.APPROVED:
        return _("Good practice approved: “%(title)s”", title=title)
    if practice.state is Status.RETURNED:
        return _("Good practice returned for changes: “%(title)s”", title=title)
    return _("Good practice declined: “%(title)s”", title=title)


def _send(
    practice: Practice, people: list[User], kind: str, subject: Callable[[], str], body: str
) -> None:
    """Notify ``people``, those of each language together, the subject (``subject()``)
    written in their language."""
    # The practice's text is the target: the core then applies its region, the switch
    # and the portfolio's own rule (a draft is for its region's editors only).
    url = url_for("portfolio.view", region=practice.region.slug, practice_id=practice.id)
    for language, group in by_language(p for p in people if p is not None).items():
        with in_language(language):
            notify(
                group,
                kind,
                subject(),
                url,
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
        lambda: _(
            "Good practice to validate: “%(title)s” (%(region)s)",
            title=practice.title,
            region=practice.region.name,
        ),
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
        lambda: _decided_subject(practice),
        practice.decision_note,
    )

"""What the action plans tell people: a plan sent for review (to those who review it:
the region's coordinators, who endorse it, and the advisory partner's staff who may
comment there) and a plan endorsed (to the region's editors and coordinators, who wrote
it). Called by the views before their commit, so a change that is rolled back tells
nobody; the core leaves out the actor and whoever may not read the plan.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workspace.api import (
    Action,
    Membership,
    MembershipRole,
    NotificationKind,
    Partner,
    PartnerRole,
    User,
    by_language,
    can,
    db,
    in_language,
    notify,
)

from .models import Plan

REVIEW = "action_plans.plan_review"
ENDORSED = "action_plans.plan_endorsed"

KINDS = [
    NotificationKind(
        REVIEW,
        _l("An action plan is sent for review"),
        _l(
            "A plan of a region you coordinate, or one the advisory partner reviews, "
            "waits for comments and endorsement."
        ),
        default="immediately",
    ),
    NotificationKind(
        ENDORSED,
        _l("An action plan is endorsed"),
        _l("A plan of a region you edit or coordinate is endorsed; its texts are read-only."),
        default="immediately",
    ),
]


def _members(plan: Plan, roles: tuple[MembershipRole, ...]) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.region_id == plan.region_id, Membership.role.in_(roles))
        )
    )


def _send(
    plan: Plan,
    people: list[User],
    kind: str,
    subject: Callable[[], str],
    body: Callable[[], str],
) -> None:
    """Notify ``people``, each in their own language: ``subject`` and ``body`` are
    written once per language among them."""
    for language, group in by_language(people).items():
        with in_language(language):
            # The plan's policy context is the target: the core then applies its region,
            # the switch and the plugin's own rule (a plan in the trash is gone with its
            # texts).
            notify(
                group,
                kind,
                subject(),
                url_for("action_plans.view", region=plan.region.slug, plan_id=plan.id),
                body=body(),
                region=plan.region,
                target=plan.context_document or plan.ref,
            )


def plan_review(plan: Plan) -> None:
    """Tell the plan's reviewers that it waits for them."""
    advisers = [
        user
        for user in db.session.scalars(
            select(User)
            .join(Partner, Partner.id == User.partner_id)
            .where(Partner.role == PartnerRole.ADVISORY)
        )
        if can(user, Action.COMMENT, plan.region)  # who may comment on the texts
    ]
    _send(
        plan,
        _members(plan, (MembershipRole.COORDINATOR,)) + advisers,
        REVIEW,
        lambda: _(
            "Action plan to review: “%(instrument)s” (%(region)s)",
            instrument=plan.instrument_name,
            region=plan.region.name,
        ),
        lambda: _("Comment on each of its texts; the region's coordinators endorse it."),
    )


def plan_endorsed(plan: Plan) -> None:
    """Tell the region's editors and coordinators that their plan is endorsed."""
    _send(
        plan,
        _members(plan, (MembershipRole.EDITOR, MembershipRole.COORDINATOR)),
        ENDORSED,
        lambda: _(
            "Action plan endorsed: “%(instrument)s” (%(region)s)",
            instrument=plan.instrument_name,
            region=plan.region.name,
        ),
        lambda: _("Its texts are read-only until it is re-opened; Phase 2 monitoring can start."),
    )

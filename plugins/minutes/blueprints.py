"""The minutes' two blueprints, and what every page on them shares.

Meetings hosted by a region live under ``/r/<region>/minutes/`` (the core's region
gate in front); project-wide meetings under ``/p/minutes/``. Both blueprints carry the
same meeting views (``meeting_route``), so a meeting page works the same wherever it
lives; ``meeting_url`` picks the right address.

Shared here: finding the meeting at an address (``get_meeting``, ``changeable``),
which meetings a user sees, who may approve the minutes or settle an action item, and
the refusals of a change to a closed, cancelled or meanwhile-changed meeting. The
views on these blueprints live in ``views`` (meeting list and the meeting itself),
``agenda_views``, ``outcome_views``, ``participant_views``, ``export_views`` and
``trash``; the package imports them all before it hands the blueprints to the core.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, Response, abort, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm.exc import StaleDataError

from workspace.api import (
    Action,
    Region,
    User,
    can,
    db,
    enabled_in,
    error_response,
    require,
    utcnow,
)

from .models import Approval, Meeting, MeetingStatus, Outcome

PLUGIN_NAME = "minutes"

region_bp = Blueprint("minutes", __name__, template_folder="templates")
project_bp = Blueprint("minutes_project", __name__, template_folder="templates")

CLOSED_MESSAGE = _l(
    "This meeting is closed, so its agenda, participants and outcomes are read-only. "
    "A coordinator of the region can re-open it."
)
CANCELLED_MESSAGE = _l(
    "This meeting is cancelled, so it takes no changes. A coordinator of the region can restore it."
)
# The one step forward from each state, with the button that takes it.
NEXT_STEP = {
    MeetingStatus.DRAFT: (MeetingStatus.OPEN, _l("Publish the agenda")),
    MeetingStatus.OPEN: (MeetingStatus.IN_PROGRESS, _l("Start the meeting")),
    MeetingStatus.IN_PROGRESS: (MeetingStatus.CLOSED, _l("Close the meeting")),
}


# ---------------------------------------------------------------- addresses


def meeting_route(rule: str, **options):
    """Register a meeting view on both blueprints: region meetings and project ones."""

    def decorator(view):
        for blueprint in (region_bp, project_bp):
            blueprint.add_url_rule(rule, view_func=view, **options)
        return view

    return decorator


@region_bp.app_template_global()
def meeting_url(meeting: Meeting, endpoint: str = "meeting", **values) -> str:
    """The address of one of a meeting's pages, in its region or in the project."""
    if meeting.region is not None:
        return url_for(
            f"minutes.{endpoint}", region=meeting.region.slug, meeting_id=meeting.id, **values
        )
    return url_for(f"minutes_project.{endpoint}", meeting_id=meeting.id, **values)


def in_project_scope() -> bool:
    return request.blueprint == "minutes_project"


def get_meeting(meeting_id: int, action: Action = Action.READ, trashed: bool = False) -> Meeting:
    """The meeting at this address, or 404; 403 unless the user may ``action`` there.

    A meeting in the trash is 404 on every page but the one that brings it back
    (``trashed=True``, which answers 404 for one that is not in the trash)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    if in_project_scope():
        if meeting.region_id is not None:
            abort(404)
    elif meeting.region_id != g.region.id:
        abort(404)
    meeting.check_trash(trashed)
    require(action, meeting.region)
    return meeting


def closed_refusal(meeting: Meeting | None = None) -> Response:
    """409 for a change of a closed or cancelled meeting, saying which and why."""
    cancelled = meeting is not None and meeting.is_cancelled
    return error_response(409, str(CANCELLED_MESSAGE if cancelled else CLOSED_MESSAGE))


def visible_regions(user: User) -> list[Region]:
    """Regions where the plugin is on and the user may read."""
    regions = db.session.scalars(select(Region).order_by(Region.name))
    return [r for r in regions if PLUGIN_NAME in enabled_in(r) and can(user, Action.READ, r)]


def visible_meetings_filter(user: User, region: Region | None = None):
    """A WHERE clause for the meetings ``user`` may see (in ``region`` only, if given);
    those in the trash are left out."""
    if region is not None:
        return and_(Meeting.region_id == region.id, Meeting.not_trashed())
    region_ids = [r.id for r in visible_regions(user)]
    clause = Meeting.region_id.in_(region_ids)
    if can(user, Action.READ):
        clause = or_(clause, Meeting.region_id.is_(None))
    return and_(clause, Meeting.not_trashed())


def changeable(meeting_id: int) -> tuple[Meeting, Response | None]:
    """The meeting for a change of its agenda, participants or outcomes: editors only,
    and never while it is closed or cancelled."""
    meeting = get_meeting(meeting_id, Action.EDIT)
    if meeting.is_locked:
        return meeting, closed_refusal(meeting)
    return meeting, None


def commit_meeting(meeting: Meeting, then: Callable[[], object] | None = None) -> bool:
    """Commit a change of the meeting row; False when someone saved it in between.

    ``then`` runs in the same transaction once the row is written (the notifications
    of the change), so a stale save is refused before anyone is told of it."""
    try:
        if then is not None:
            db.session.flush()
            then()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return False
    return True


def _stale_meeting() -> Response:
    return error_response(
        409,
        _(
            "Someone else changed this meeting in the meantime; nothing was changed. "
            "Reload the page to see its current state."
        ),
    )


# ---------------------------------------------------------------- who may


def my_partner_approval(meeting: Meeting) -> Approval | None:
    for approval in meeting.approvals:
        if approval.partner_id == current_user.partner_id:
            return approval
    return None


def may_approve(meeting: Meeting) -> bool:
    """Staff of a participating partner speak for it once the meeting is closed."""
    return (
        meeting.is_closed
        and can(current_user, Action.READ, meeting.region)
        and current_user.partner_id is not None
        and any(p.id == current_user.partner_id for p in meeting.participating_partners())
    )


def may_settle(outcome: Outcome) -> bool:
    """Editors of the meeting's region, and the action item's owner, close it."""
    return can(current_user, Action.EDIT, outcome.meeting.region) or (
        outcome.owner_id is not None and outcome.owner_id == current_user.id
    )


def _today() -> date:
    return utcnow().date()

"""The minutes in the calendar feeds (the ``calendar_entries`` hook): a person's own
feed gets the meetings they are invited to (by name, or their organisation) and their
open action items, each on its due date; a region's feed gets the region's meetings, as
its ``meetings.ics`` does.

Each entry names its meeting's region, so the core leaves out the meetings of regions
where the minutes are off and those the person may not read. What is in the trash is
the minutes' own business: left out here, as from every list. A meeting reads as in
the minutes' ``.ics`` files (the same UID, summary, status and description), so a
calendar that has it from one of them updates it from the other.
"""

from __future__ import annotations

from datetime import timedelta

from flask import request
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from workspace.api import CalendarEntry, Region, User, db

from . import exports
from .blueprints import meeting_url
from .models import Meeting, Outcome, OutcomeKind, Participant

# The longest action text in an entry's title; the description holds all of it.
TITLE_TEXT_MAX = 80


def entries(user: User, region: Region | None) -> list[CalendarEntry]:
    """The region's meetings, or (``region`` None) ``user``'s meetings and actions."""
    if region is not None:
        meetings = select(Meeting).where(Meeting.region_id == region.id)
        return _meeting_entries(meetings)
    # Invited by name, or as staff of an invited organisation (which is how the
    # interregional meetings invite the partners).
    invitation = Participant.user_id == user.id
    if user.partner_id is not None:
        invitation = or_(invitation, Participant.partner_id == user.partner_id)
    invited = select(Participant.meeting_id).where(invitation)
    actions = db.session.scalars(
        select(Outcome)
        .join(Outcome.meeting)
        .where(
            Outcome.kind == OutcomeKind.ACTION,
            Outcome.owner_id == user.id,
            Outcome.done_at.is_(None),
            Outcome.due_date.is_not(None),
            Meeting.not_trashed(),
            # As for the reminders: an action of a cancelled meeting is nobody's task.
            Meeting.cancelled_at.is_(None),
        )
        .options(joinedload(Outcome.meeting).joinedload(Meeting.region))
        .order_by(Outcome.due_date, Outcome.id)
    )
    meetings = select(Meeting).where(Meeting.id.in_(invited))
    return _meeting_entries(meetings) + [_action_entry(outcome) for outcome in actions]


def _meeting_entries(meetings) -> list[CalendarEntry]:
    found = db.session.scalars(
        meetings.where(Meeting.not_trashed())
        .options(selectinload(Meeting.region), selectinload(Meeting.agenda))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [_meeting_entry(meeting) for meeting in found]


def _meeting_entry(meeting: Meeting) -> CalendarEntry:
    page = meeting_url(meeting, _external=True)
    return CalendarEntry(
        uid=exports.meeting_uid(meeting),
        title=exports.summary(meeting),
        start=meeting.local_start,
        end=meeting.local_end,
        url=page,
        location=exports.location(meeting) if meeting.where else "",
        description=exports.description(meeting, page),
        status=exports.event_status(meeting),
        sequence=meeting.version,
        region=meeting.region,
    )


def _action_entry(outcome: Outcome) -> CalendarEntry:
    """An open action item as an all-day entry on its due date: calendar apps show
    events of a subscribed calendar, and many leave its to-dos (VTODO) out."""
    meeting = outcome.meeting
    page = meeting_url(meeting, _external=True)
    text = exports.one_line(outcome.text)
    if len(text) > TITLE_TEXT_MAX:
        text = text[: TITLE_TEXT_MAX - 1].rstrip() + "…"
    return CalendarEntry(
        uid=f"minutes-action-{outcome.id}@{request.host}",
        title=_("Action: %(text)s (due)", text=text),
        start=outcome.due_date,
        end=outcome.due_date + timedelta(days=1),
        url=page,
        description=(
            f"{outcome.text}\n\n"
            + _(
                "From the meeting “%(title)s” of %(day)s.",
                title=exports.one_line(meeting.title),
                day=meeting.local_start.date().isoformat(),
            )
            + "\n"
            + _("Meeting page: %(url)s", url=page)
        ),
        sequence=outcome.version,
        region=meeting.region,
    )

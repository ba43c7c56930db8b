"""The minutes' part of a partner report (the ``report_items`` hook): the meetings the
partner's region hosted and those its staff attended in the period, and the action
items its staff closed."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from workspace.api import Action, Partner, Period, ReportItem, User, can, db, format_day

from .blueprints import meeting_url
from .models import Meeting, MeetingStatus, Outcome, OutcomeKind, Participant


def _held(start: datetime, end: datetime):
    return (
        Meeting.not_trashed(),
        Meeting.cancelled_at.is_(None),
        Meeting.status != MeetingStatus.DRAFT,
        Meeting.starts_at >= start,
        Meeting.starts_at < end,
    )


def items(partner: Partner, period: Period, user: User) -> list[ReportItem]:
    region = partner.region
    if not can(user, Action.READ, region):
        return []
    start, end = period.moments
    found: list[ReportItem] = []
    if region is not None:
        hosted = db.session.scalars(
            select(Meeting)
            .where(Meeting.region_id == region.id, *_held(start, end))
            .order_by(Meeting.starts_at)
        )
        found += [_meeting(_("Meetings hosted"), m) for m in hosted]
    attended = db.session.scalars(
        select(Meeting)
        .join(Participant, Participant.meeting_id == Meeting.id)
        .where(Participant.partner_id == partner.id, Participant.attended.is_(True))
        .where(*_held(start, end))
        .distinct()
        .order_by(Meeting.starts_at)
    )
    found += [_meeting(_("Meetings attended"), m) for m in attended]
    closed = db.session.scalars(
        select(Outcome)
        .join(Meeting, Meeting.id == Outcome.meeting_id)
        .join(User, User.id == Outcome.owner_id)
        .where(
            Outcome.kind == OutcomeKind.ACTION,
            User.partner_id == partner.id,
            Outcome.done_at >= start,
            Outcome.done_at < end,
            Meeting.not_trashed(),
        )
        .order_by(Outcome.done_at)
    )
    found += [
        ReportItem(
            _("Action items closed"),
            f"minutes:outcome:{o.id}",
            o.text if len(o.text) <= 200 else o.text[:199] + "…",
            url=meeting_url(o.meeting),
            day=o.done_at.date(),
            detail=_("%(owner)s, from “%(title)s”", owner=o.owner.name, title=o.meeting.title),
        )
        for o in closed
    ]
    return found


def _meeting(section: str, meeting: Meeting) -> ReportItem:
    where = meeting.place or (_("online") if meeting.online_url else "")
    return ReportItem(
        section,
        f"minutes:meeting:{meeting.id}",
        meeting.title,
        url=meeting_url(meeting),
        day=meeting.starts_at.date(),
        detail=" · ".join(
            part for part in (meeting.kind.label, where, format_day(meeting.starts_at)) if part
        ),
    )

"""What the minutes count towards the programme's indicators (``indicator_values``) and
list among the project's activities (``project_activities``).

- ``learning_events``: each meeting held (closed, not cancelled, not in the trash) of
  the kinds where the partners and their stakeholders learn from each other:
  interregional meetings, thematic visits and webinars. It counts on the day it began
  (where it was held), in its region, credited to one partner of that region.
- ``people_capacity``: each person present at one of those events, once however many
  they attended, as a suggestion the partner confirms (the reports plugin asks): staff
  and stakeholders with an account (by account), members of a stakeholder group (by
  register entry) and named guests (by name and organisation, folded). A partner
  invited as an organisation is not a person and is not counted.

Both answer from the meetings ``user`` may read; the core screens again and keeps the
scope and period asked for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import (
    IndicatorValue,
    Partner,
    Period,
    Region,
    ReportItem,
    User,
    db,
    format_day,
    format_number,
)

from .blueprints import meeting_url, visible_meetings_filter
from .models import Meeting, MeetingKind, MeetingStatus, Participant

LEARNING_KINDS = (MeetingKind.INTERREGIONAL, MeetingKind.THEMATIC_VISIT, MeetingKind.WEBINAR)
SECTIONS = {
    MeetingKind.INTERREGIONAL: _l("Interregional meetings"),
    MeetingKind.WEBINAR: _l("Webinars"),
    MeetingKind.THEMATIC_VISIT: _l("Thematic visits"),
    MeetingKind.STAKEHOLDER_GROUP: _l("Stakeholder group meetings"),
}


def held_meetings(user: User, kinds) -> list[Meeting]:
    """The meetings of ``kinds`` held and readable by ``user``, oldest first."""
    return db.session.scalars(
        select(Meeting)
        .where(
            visible_meetings_filter(user),
            Meeting.kind.in_(kinds),
            Meeting.status == MeetingStatus.CLOSED,
            Meeting.cancelled_at.is_(None),
        )
        .options(
            selectinload(Meeting.region),
            selectinload(Meeting.created_by).selectinload(User.partner),
            selectinload(Meeting.participants).selectinload(Participant.user),
            selectinload(Meeting.participants).selectinload(Participant.stakeholder),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()


def local_day(meeting: Meeting) -> date:
    return meeting.local_start.date()


def credited_partners(meetings: list[Meeting]) -> dict[int, int | None]:
    """Meeting id -> the partner a held meeting is credited to: its creator's partner
    when that is a partner of the meeting's region, else the region's first partner
    (by id); none for a project-wide meeting."""
    region_ids = {m.region_id for m in meetings if m.region_id is not None}
    first: dict[int, int] = {}
    if region_ids:
        rows = db.session.execute(
            select(Partner.region_id, Partner.id)
            .where(Partner.region_id.in_(region_ids))
            .order_by(Partner.id)
        )
        for region_id, partner_id in rows:
            first.setdefault(region_id, partner_id)
    credited: dict[int, int | None] = {}
    for m in meetings:
        if m.region_id is None:
            credited[m.id] = None
            continue
        creator = m.created_by.partner if m.created_by is not None else None
        if creator is not None and creator.region_id == m.region_id:
            credited[m.id] = creator.id
        else:
            credited[m.id] = first.get(m.region_id)
    return credited


def attendance(meeting: Meeting) -> str:
    """Who was there, in words: "8 partner organisations and 3 people present"."""
    present = [p for p in meeting.participants if p.attended]
    organisations = sum(1 for p in present if p.partner_id is not None)
    people = len(present) - organisations
    if organisations and people:
        return _(
            "%(organisations)s and %(people)s present",
            organisations=ngettext(
                "%(num)d partner organisation", "%(num)d partner organisations", organisations
            ),
            people=ngettext("%(num)d person", "%(num)d people", people),
        )
    if organisations:
        return ngettext(
            "%(num)d partner organisation present",
            "%(num)d partner organisations present",
            organisations,
        )
    if people:
        return ngettext("%(num)d person present", "%(num)d people present", people)
    return _("attendance not marked")


def webinar_facts(meeting: Meeting) -> str:
    parts = []
    if meeting.speakers:
        parts.append(_("speakers: %(names)s", names=meeting.speakers))
    if meeting.attendee_count is not None:
        count = meeting.attendee_count
        parts.append(
            ngettext(
                "%(count)s attendee", "%(count)s attendees", count, count=format_number(count, 0)
            )
        )
    return " · ".join(parts)


def describe(meeting: Meeting, with_kind: bool = True) -> str:
    where = meeting.place or (_("online") if meeting.online_url else "")
    parts = [meeting.kind.label] if with_kind else []
    parts += [where] if where else []
    if meeting.is_webinar and meeting.attendee_count is not None:
        parts.append(webinar_facts(meeting))
    else:
        parts.append(attendance(meeting))
        if meeting.is_webinar and meeting.speakers:
            parts.append(webinar_facts(meeting))
    return " · ".join(parts)


# ---------------------------------------------------------------- people


def fold(text: str) -> str:
    """A name as the same person is written in many ways: accents, case and spacing
    set aside ("María  SANZ" and "Maria Sanz" are one); letters and digits only."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "-", plain).strip("-")


@dataclass
class Person:
    ref: str
    name: str
    user_partner: int | None = None
    events: list[Meeting] = field(default_factory=list)


def person_of(participant: Participant) -> Person | None:
    """Who a present participant is, as one person across events; None for a partner
    invited as an organisation, or a guest without a name."""
    if participant.partner_id is not None:
        return None
    if participant.user is not None:
        user = participant.user
        partner = user.partner.short_name if user.partner else _("external stakeholder")
        return Person(f"minutes:person:user:{user.id}", f"{user.name} ({partner})", user.partner_id)
    if participant.stakeholder is not None:
        member = participant.stakeholder
        return Person(
            f"minutes:person:member:{member.id}", f"{member.person} ({member.organisation})"
        )
    name = fold(participant.guest_name)
    if not name:
        return None
    organisation = fold(participant.guest_organisation)
    label = participant.guest_name + (
        f" ({participant.guest_organisation})" if participant.guest_organisation else ""
    )
    return Person(f"minutes:person:guest:{name}~{organisation}", label)


def indicator_values(
    scope: Partner | Region | None, period: Period | None, user: User
) -> list[IndicatorValue]:
    events = held_meetings(user, LEARNING_KINDS)
    credited = credited_partners(events)
    values = [
        IndicatorValue(
            "learning_events",
            m.ref,
            m.title,
            local_day(m),
            url=meeting_url(m),
            detail=describe(m),
            region=m.region_id,
            partner=credited[m.id],
        )
        for m in events
    ]
    people: dict[str, Person] = {}
    for m in events:
        for participant in m.participants:
            if not participant.attended:
                continue
            person = person_of(participant)
            if person is None:
                continue
            person = people.setdefault(person.ref, person)
            if m not in person.events:
                person.events.append(m)
    for person in people.values():
        first = person.events[0]
        attended = "; ".join(f"{m.title} ({format_day(local_day(m))})" for m in person.events)
        values.append(
            IndicatorValue(
                "people_capacity",
                person.ref,
                person.name,
                local_day(first),
                url=meeting_url(first),
                detail=_("Attended: %(events)s", events=attended),
                region=first.region_id,
                partner=person.user_partner or credited[first.id],
                suggested=True,
            )
        )
    return values


def activities(period: Period, user: User) -> list[ReportItem]:
    return [
        ReportItem(
            str(SECTIONS[m.kind]),
            m.ref,
            m.title,
            url=meeting_url(m),
            day=local_day(m),
            detail=describe(m, with_kind=False),
            region=m.region_id,
        )
        for m in held_meetings(user, tuple(SECTIONS))
        if period.contains(local_day(m))
    ]

"""What the minutes tell people: an action item assigned to them, due in 3 days or
overdue; minutes awaiting their partner's approval; an agenda published or changed
for a meeting they take part in (with the meeting's ``.ics``).

The views call the ``*_`` functions below before their commit, so a notification
exists only if the change does. Due and overdue come from the hourly
``minutes.reminders`` job, which notes on each action item the due date it reminded
of (``reminded_due``, ``reminded_overdue``): each state is told once per due date, and
a new due date is told again. Who may not read the meeting, the acting person and a
region where the minutes are off are left out by the core's ``notify``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from workspace.api import (
    Membership,
    MembershipRole,
    NotificationKind,
    User,
    by_language,
    db,
    in_language,
    notify,
    now,
    regions_on,
    scheduled,
)

from . import exports
from .blueprints import meeting_url
from .models import Meeting, MeetingStatus, Outcome, OutcomeKind

DUE_SOON_DAYS = 3

KINDS = [
    NotificationKind(
        "minutes.action_assigned",
        _l("An action item is assigned to me"),
        _l("An action item of a meeting's minutes names you as its owner."),
        default="immediately",
    ),
    NotificationKind(
        "minutes.action_due",
        _l("An action item of mine is due in 3 days"),
        _l("An open action item you own is due within the next three days."),
        default="daily",
    ),
    NotificationKind(
        "minutes.action_overdue",
        _l("An action item of mine is overdue"),
        _l("An open action item you own is past its due date."),
        default="daily",
    ),
    NotificationKind(
        "minutes.approval_awaited",
        _l("Minutes await my partner's approval"),
        _l(
            "A meeting your organisation took part in is closed: its minutes await your "
            "organisation's approval (you are one of its coordinators)."
        ),
        default="immediately",
    ),
    NotificationKind(
        "minutes.agenda_changed",
        _l("The agenda of a meeting I take part in is published or changed"),
        _l(
            "The agenda is published, or an item of a published agenda is added, changed, "
            "moved or removed; the mail carries the meeting's calendar entry (.ics)."
        ),
        default="immediately",
    ),
]


def _notify(
    users: Iterable[User | None],
    kind: str,
    subject: Callable[[], str],
    url: str,
    *,
    body: Callable[[], str] = str,
    attachments: Callable[[], list] = list,
    **options,
) -> None:
    """``notify`` once per language of ``users``: ``subject``, ``body`` and
    ``attachments`` are worked out in each language (the person's choice, else
    English), so everyone reads the notification and its e-mail in their own."""
    for language, people in by_language(user for user in users if user is not None).items():
        with in_language(language):
            notify(
                people,
                kind,
                subject(),
                url,
                body=body(),
                attachments=attachments(),
                **options,
            )


def action_assigned(outcome: Outcome, owner: User) -> None:
    """Tell ``owner`` that the action item is theirs now."""
    meeting = outcome.meeting

    def subject() -> str:
        if outcome.due_date:
            return _(
                "Action for you from “%(title)s” (due %(day)s)",
                title=meeting.title,
                day=outcome.due_date.isoformat(),
            )
        return _("Action for you from “%(title)s”", title=meeting.title)

    _notify(
        [owner],
        "minutes.action_assigned",
        subject,
        meeting_url(meeting),
        body=lambda: outcome.text,
        region=meeting.region,
        target=meeting.ref,
    )


def approval_awaited(meeting: Meeting) -> None:
    """Tell the coordinators of each participating partner that the closed minutes
    await their organisation's word."""
    partner_ids = [partner.id for partner in meeting.participating_partners()]
    if not partner_ids:
        return
    coordinators = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.partner_id.in_(partner_ids), Membership.role == MembershipRole.COORDINATOR)
        .distinct()
    ).all()
    _notify(
        coordinators,
        "minutes.approval_awaited",
        lambda: _(
            "The minutes of “%(title)s” await your organisation's approval", title=meeting.title
        ),
        _page(meeting),  # the demo sends it too, outside any request
        body=lambda: _(
            "The meeting is closed. Approve the minutes or comment on them for your "
            "organisation on the meeting's page."
        ),
        region=meeting.region,
        target=meeting.ref,
    )


def agenda_changed(meeting: Meeting, published: bool = False) -> None:
    """Tell the invited people with an account that the agenda is published (or, once
    published, changed), with the meeting's calendar entry attached. A draft's agenda
    is nobody's news yet, and a meeting under way or over is not re-announced."""
    if not published and meeting.status is not MeetingStatus.OPEN:
        return
    people = [p.user for p in meeting.participants if p.user is not None]
    if not people:
        return
    if not published:
        # The calendar lists the agenda as it is now, moves and removals included.
        db.session.flush()
        db.session.expire(meeting, ["agenda"])
    when = f"{meeting.local_start:%Y-%m-%d %H:%M}"
    agenda = "\n".join(f"{i}. {item.title}" for i, item in enumerate(meeting.agenda, start=1))

    def subject() -> str:
        if published:
            return _("Agenda published: “%(title)s”, %(when)s", title=meeting.title, when=when)
        return _("Agenda changed: “%(title)s”, %(when)s", title=meeting.title, when=when)

    def ics() -> list:
        # The calendar entry's words (kind, "Join online") in the reader's language too.
        content = exports.calendar([meeting], meeting.title, meeting_url).to_ical()
        return [(f"meeting-{meeting.id}.ics", content, "text/calendar")]

    _notify(
        people,
        "minutes.agenda_changed",
        subject,
        meeting_url(meeting),
        body=lambda: agenda,
        region=meeting.region,
        target=meeting.ref,
        attachments=ics,
    )


def _open_actions():
    """Open action items of meetings that are live (not cancelled or in the trash)
    where the minutes are switched on."""
    regions = regions_on("minutes")
    where_on = Meeting.region_id.in_(regions)
    if regions:  # project-wide meetings count while the minutes are on somewhere
        where_on = or_(where_on, Meeting.region_id.is_(None))
    return (
        select(Outcome)
        .join(Outcome.meeting)
        .where(
            Outcome.kind == OutcomeKind.ACTION,
            Outcome.done_at.is_(None),
            Outcome.owner_id.is_not(None),
            Outcome.due_date.is_not(None),
            Meeting.not_trashed(),
            Meeting.cancelled_at.is_(None),
            where_on,
        )
        .options(joinedload(Outcome.owner), joinedload(Outcome.meeting))
    )


def _page(meeting: Meeting) -> str:
    """The meeting's path, built by hand: the worker has no request to build it from."""
    base = f"/r/{meeting.region.slug}/minutes" if meeting.region else "/p/minutes"
    return f"{base}/meetings/{meeting.id}"


def _remind(outcome: Outcome, kind: str, subject: Callable[[], str]) -> None:
    meeting = outcome.meeting
    _notify(
        [outcome.owner],
        kind,
        subject,
        _page(meeting),
        body=lambda: outcome.text,
        region=meeting.region,
        target=meeting.ref,
    )


@scheduled("minutes.reminders", every=timedelta(hours=1))
def send_reminders() -> None:
    """Remind owners of open action items due within 3 days, and of overdue ones,
    once per state and due date."""
    today: date = now().date()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    for outcome in db.session.scalars(_open_actions()).unique():
        due = outcome.due_date
        title = outcome.meeting.title
        if due < today:
            if outcome.reminded_overdue != due:
                _remind(
                    outcome,
                    "minutes.action_overdue",
                    lambda due=due, title=title: _(
                        "Overdue since %(day)s: your action from “%(title)s”",
                        day=due.isoformat(),
                        title=title,
                    ),
                )
                outcome.reminded_overdue = due
        elif due <= soon and outcome.reminded_due != due:
            _remind(
                outcome,
                "minutes.action_due",
                lambda due=due, title=title: _(
                    "Due on %(day)s: your action from “%(title)s”",
                    day=due.isoformat(),
                    title=title,
                ),
            )
            outcome.reminded_due = due
    db.session.commit()

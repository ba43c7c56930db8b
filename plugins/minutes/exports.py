"""The minutes' files: iCalendar for one meeting or a region's feed, the PDF of the
minutes (WeasyPrint) and the CSV of action items for the region export."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import timedelta

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event

from workspace.api import html_to_pdf, to_csv, utcnow

from .models import Meeting, MeetingStatus, Outcome, OutcomeKind

# Line breaks and other control characters (C0, DEL, C1, the Unicode line and
# paragraph separators); a tab is kept, iCalendar allows it.
_BREAKS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` fit for a single-line iCalendar property: line breaks become spaces.

    The forms refuse them, but a record saved before they did (or by a plugin's import)
    must still export: an unknown property such as X-WR-CALNAME is not escaped by
    icalendar, so a raw line break there fails the whole file."""
    return _BREAKS.sub(" ", text or "").strip()


def calendar(meetings: Iterable[Meeting], name: str, url: Callable[..., str]) -> Calendar:
    """An iCalendar with one event per meeting, in the meeting's own time zone (the
    VTIMEZONE definitions are included, so every calendar shows the right hour)."""
    cal = Calendar()
    cal.add("prodid", "-//InterVentures Workspace//Meeting minutes//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", one_line(name))
    stamp = utcnow()
    for meeting in meetings:
        event = Event()
        event.add("uid", meeting_uid(meeting))
        event.add("dtstamp", stamp)
        event.add("summary", summary(meeting))
        event.add("dtstart", meeting.local_start)
        event.add("dtend", meeting.local_end)
        event.add("status", event_status(meeting))
        # Every save bumps the version: a subscribed calendar takes the newer entry.
        event.add("sequence", meeting.version)
        if meeting.where:
            event.add("location", location(meeting))
        page = url(meeting, _external=True)
        event.add("url", page)
        event.add("description", description(meeting, page))
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal


def meeting_uid(meeting: Meeting) -> str:
    """The meeting's UID, the same in every file and feed: a calendar app that has the
    meeting from one of them updates it from another."""
    return f"minutes-meeting-{meeting.id}@{request.host}"


def summary(meeting: Meeting) -> str:
    title = one_line(meeting.title)
    # Calendars that ignore STATUS still tell a cancelled meeting by its summary.
    return _("Cancelled: %(title)s", title=title) if meeting.is_cancelled else title


def location(meeting: Meeting) -> str:
    return one_line(meeting.place or meeting.online_url)


def description(meeting: Meeting, page: str) -> str:
    """The meeting's kind, how to join, its agenda and its page, a line each
    (icalendar escapes the line breaks)."""
    lines = [meeting.kind.label]
    if meeting.is_cancelled:
        lines.insert(0, one_line(_("Cancelled. %(reason)s", reason=meeting.cancel_reason)))
    if meeting.online_url:
        lines.append(_("Join online: %(url)s", url=one_line(meeting.online_url)))
    lines += [f"{i}. {one_line(item.title)}" for i, item in enumerate(meeting.agenda, start=1)]
    lines.append(_("Meeting page: %(url)s", url=page))
    return "\n".join(lines)


def event_status(meeting: Meeting) -> str:
    """iCalendar's STATUS of the meeting's event."""
    if meeting.is_cancelled:
        return "CANCELLED"
    return "TENTATIVE" if meeting.status is MeetingStatus.DRAFT else "CONFIRMED"


def ics_response(
    meetings: Iterable[Meeting], filename: str, name: str, url: Callable[..., str]
) -> Response:
    response = Response(calendar(meetings, name, url).to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def minutes_pdf(meeting: Meeting) -> bytes:
    """The minutes as a PDF: agenda with notes and outcomes, attendance, minutes text.

    The template carries its own styles and no external resources, so WeasyPrint
    fetches nothing over the network or from /static.
    """

    html = render_template(
        "minutes/pdf.html", meeting=meeting, generated=utcnow(), timedelta=timedelta
    )
    return html_to_pdf(html)


# The columns' headings, in the language of whoever exports.
ACTION_ITEMS_HEADER = [
    _l("meeting"),
    _l("meeting date"),
    _l("agenda item"),
    _l("action"),
    _l("owner"),
    _l("due date"),
    _l("status"),
    _l("done on"),
]


def action_items_csv(outcomes: Iterable[Outcome]) -> str:
    """The action items, one a line; every text is escaped by the shared helper, so a
    title never runs as a spreadsheet formula."""
    rows = [
        [
            o.meeting.title,
            o.meeting.local_start.date(),
            o.agenda_item.title,
            o.text,
            o.owner.name if o.owner else None,
            o.due_date,
            "done" if o.is_done else "open",
            o.done_at.date() if o.done_at else None,
        ]
        for o in outcomes
        if o.kind is OutcomeKind.ACTION
    ]
    return to_csv([str(heading) for heading in ACTION_ITEMS_HEADER], rows)

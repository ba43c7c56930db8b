"""The minutes' files: iCalendar for one meeting or a region's feed, the PDF of the
minutes (WeasyPrint) and the CSV of action items for the region export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import timedelta

from flask import Response, render_template, request
from icalendar import Calendar, Event

from workspace.models import utcnow
from workspace.pdf import html_to_pdf

from .models import Meeting, MeetingStatus, Outcome, OutcomeKind


def calendar(meetings: Iterable[Meeting], name: str, url: Callable[..., str]) -> Calendar:
    """An iCalendar with one event per meeting, in the meeting's own time zone (the
    VTIMEZONE definitions are included, so every calendar shows the right hour)."""
    cal = Calendar()
    cal.add("prodid", "-//InterVentures Workspace//Meeting minutes//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = utcnow()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"minutes-meeting-{meeting.id}@{request.host}")
        event.add("dtstamp", stamp)
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.local_start)
        event.add("dtend", meeting.local_end)
        event.add("status", "TENTATIVE" if meeting.status is MeetingStatus.DRAFT else "CONFIRMED")
        if meeting.where:
            event.add("location", meeting.place or meeting.online_url)
        page = url(meeting, _external=True)
        event.add("url", page)
        lines = [meeting.kind.label]
        if meeting.online_url:
            lines.append(f"Join online: {meeting.online_url}")
        lines += [f"{i}. {item.title}" for i, item in enumerate(meeting.agenda, start=1)]
        lines.append(f"Meeting page: {page}")
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal


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


def _text_cell(value: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def action_items_csv(outcomes: Iterable[Outcome]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "meeting",
            "meeting date",
            "agenda item",
            "action",
            "owner",
            "due date",
            "status",
            "done on",
        ]
    )
    for o in outcomes:
        if o.kind is not OutcomeKind.ACTION:
            continue
        writer.writerow(
            [
                _text_cell(o.meeting.title),
                o.meeting.local_start.date().isoformat(),
                _text_cell(o.agenda_item.title),
                _text_cell(o.text),
                _text_cell(o.owner.name) if o.owner else "",
                o.due_date.isoformat() if o.due_date else "",
                "done" if o.is_done else "open",
                o.done_at.date().isoformat() if o.done_at else "",
            ]
        )
    return out.getvalue()

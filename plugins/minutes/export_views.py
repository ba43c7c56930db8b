"""The files of meetings at their addresses: a meeting's calendar entry (ICS), a
region's calendar feed, and the minutes as PDF. ``exports`` builds the files.
"""

from __future__ import annotations

from flask import Response, g
from flask_babel import gettext as _
from sqlalchemy import select

from workspace.api import db

from . import exports
from .blueprints import get_meeting, meeting_route, meeting_url, region_bp
from .models import Meeting


@meeting_route("/meetings/<int:meeting_id>/meeting.ics")
def meeting_ics(meeting_id: int) -> Response:
    meeting = get_meeting(meeting_id)
    return exports.ics_response(
        [meeting], f"meeting-{meeting.id}.ics", name=meeting.title, url=meeting_url
    )


@region_bp.get("/meetings.ics")
def feed() -> Response:
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.region_id == g.region.id, Meeting.not_trashed())
        .order_by(Meeting.starts_at)
    ).all()
    return exports.ics_response(
        meetings,
        f"meetings-{g.region.slug}.ics",
        name=_("Meetings · %(region)s", region=g.region.name),
        url=meeting_url,
    )


@meeting_route("/meetings/<int:meeting_id>/minutes.pdf")
def minutes_pdf(meeting_id: int) -> Response:
    meeting = get_meeting(meeting_id)
    pdf = exports.minutes_pdf(meeting)
    response = Response(pdf, mimetype="application/pdf")
    filename = f"minutes-{meeting.local_start:%Y-%m-%d}-{meeting.id}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response

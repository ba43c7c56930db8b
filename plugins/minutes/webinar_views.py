"""Webinars: a webinar's speakers, attendee count and recording (a section of its
meeting page, edited from the meeting version the page showed), and the project's
register of webinars at ``/p/minutes/webinars``.

The facts of a webinar are known after it (the recording is published, the attendees
counted), so they can be filled in once the meeting is closed; a cancelled webinar
takes no changes.
"""

from __future__ import annotations

from flask import Response, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import Action, db, error_response, record, render

from .blueprints import (
    closed_refusal,
    commit_meeting,
    get_meeting,
    meeting_route,
    project_bp,
    visible_meetings_filter,
)
from .forms import WebinarForm
from .meeting_page import fragment_or_page
from .models import Meeting, MeetingKind

STALE_WEBINAR = _l(
    "Someone else changed this meeting while you were editing the webinar; nothing was "
    "saved. Your entries are still in the form: compare them with what is saved now and "
    "save again."
)


@meeting_route("/meetings/<int:meeting_id>/webinar", methods=["POST"])
def webinar(meeting_id: int) -> Response:
    meeting = get_meeting(meeting_id, Action.EDIT)
    if not meeting.is_webinar:
        return error_response(409, _("Only a webinar has speakers, attendees and a recording."))
    if meeting.is_cancelled:
        return closed_refusal(meeting)
    form = WebinarForm()
    if not form.validate_on_submit():
        return fragment_or_page(meeting, "webinar", status=422, webinar_form=form)
    if form.version.data != meeting.version:
        return _stale(meeting, form)
    meeting.speakers = form.speakers.data or ""
    meeting.attendee_count = form.attendee_count.data
    meeting.recording_url = form.recording_url.data or ""
    record("webinar_edited", region=meeting.region, target=meeting.ref, title=meeting.title)
    if not commit_meeting(meeting):
        return _stale(db.session.get(Meeting, meeting_id), form)
    flash(_("The webinar's details are saved."), "success")
    return fragment_or_page(meeting, "webinar")


def _stale(meeting: Meeting, form: WebinarForm) -> Response:
    db.session.refresh(meeting)
    form.version.data, form.version.raw_data = meeting.version, [str(meeting.version)]
    form.form_errors.append(STALE_WEBINAR)
    return fragment_or_page(
        meeting, "webinar", status=409, webinar_form=form, webinar_saved_now=meeting
    )


@project_bp.get("/webinars")
def webinars() -> Response:
    """Every webinar the reader may read, the project's and the regions', by day."""
    found = db.session.scalars(
        select(Meeting)
        .where(visible_meetings_filter(current_user), Meeting.kind == MeetingKind.WEBINAR)
        .options(selectinload(Meeting.region), selectinload(Meeting.participants))
        .order_by(Meeting.starts_at)
        .limit(1000)
    ).all()
    held = [m for m in found if m.is_held]
    return render(
        "minutes/webinars.html",
        webinars=found,
        attendees=sum(m.attendee_count or 0 for m in held),
        held=len(held),
    )

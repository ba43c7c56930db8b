"""The meeting pages: the list of a region's (or the project's) meetings, planning a
new meeting, the meeting page itself, editing its details, and its status (publish,
start, close, re-open, cancel, restore).

The blueprints and the helpers every page shares are in ``blueprints``; the meeting
page's context in ``meeting_page``; the agenda, outcomes, participants and exports
have modules of their own.
"""

from __future__ import annotations

from flask import Response, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import (
    N_,
    Action,
    Document,
    Link,
    Region,
    can,
    create_document,
    db,
    error_response,
    record,
    render,
    require,
    utcnow,
)

from . import notifications
from .blueprints import (
    NEXT_STEP,
    PLUGIN_NAME,
    _stale_meeting,
    closed_refusal,
    commit_meeting,
    get_meeting,
    meeting_route,
    meeting_url,
    project_bp,
    region_bp,
    visible_meetings_filter,
)
from .forms import (
    COUNTRY_ZONES,
    DEFAULT_ZONE,
    TIMEZONES,
    CancelForm,
    MeetingForm,
    VersionForm,
)
from .meeting_page import meeting_context
from .models import Meeting, MeetingKind, MeetingStatus

MINUTES_TEMPLATE = "## Summary\n\n\n## Discussion\n\n\n## Next steps\n\n"


def link_minutes(document: Document, meeting: Meeting) -> None:
    """The minutes document links to its meeting, so its page leads back here."""
    db.session.add(Link(source=document.ref, target=meeting.ref, kind="minutes"))


# Whole sentences per state (a state's name is not glued into a sentence: word order
# and grammar differ between languages).
STATUS_NOW = {
    MeetingStatus.DRAFT: lambda: _("This meeting is draft now; reload the page."),
    MeetingStatus.OPEN: lambda: _("This meeting is open now; reload the page."),
    MeetingStatus.IN_PROGRESS: lambda: _("This meeting is in progress now; reload the page."),
    MeetingStatus.CLOSED: lambda: _("This meeting is closed now; reload the page."),
}
RESTORED = {
    MeetingStatus.DRAFT: lambda title: _(
        "“%(title)s” is no longer cancelled: it is draft.", title=title
    ),
    MeetingStatus.OPEN: lambda title: _(
        "“%(title)s” is no longer cancelled: it is open.", title=title
    ),
    MeetingStatus.IN_PROGRESS: lambda title: _(
        "“%(title)s” is no longer cancelled: it is in progress.", title=title
    ),
    MeetingStatus.CLOSED: lambda title: _(
        "“%(title)s” is no longer cancelled: it is closed.", title=title
    ),
}


# ---------------------------------------------------------------- lists


def meetings_page(region: Region | None) -> Response:
    when = "past" if request.args.get("when") == "past" else "upcoming"
    now = utcnow()
    query = (
        select(Meeting)
        .where(visible_meetings_filter(current_user, region))
        .options(selectinload(Meeting.region))
    )
    if when == "past":
        query = query.where(Meeting.ends_at < now).order_by(Meeting.starts_at.desc())
    else:
        query = query.where(Meeting.ends_at >= now).order_by(Meeting.starts_at)
    meetings = db.session.scalars(query.limit(500)).all()
    if region is None:
        can_create = can(current_user, Action.EDIT)
        new_url = url_for("minutes_project.project_new")
        feed_url = None
    else:
        can_create = can(current_user, Action.EDIT, region)
        new_url = url_for("minutes.new")
        feed_url = url_for("minutes.feed")
    return render(
        "minutes/index.html",
        block="meetings",
        region=region,
        meetings=meetings,
        when=when,
        can_create=can_create,
        new_url=new_url,
        feed_url=feed_url,
    )


@region_bp.get("/")
def index() -> Response:
    return meetings_page(g.region)


@project_bp.get("/")
def project_index() -> Response:
    return meetings_page(None)


# ---------------------------------------------------------------- create and edit


def _new_form_defaults(form: MeetingForm, region: Region | None) -> None:
    form.timezone.data = COUNTRY_ZONES.get(region.country, DEFAULT_ZONE) if region else DEFAULT_ZONE
    form.kind.data = (
        MeetingKind.STAKEHOLDER_GROUP.value if region else MeetingKind.INTERREGIONAL.value
    )


def new_meeting(region: Region | None) -> Response:
    require(Action.EDIT, region)
    form = MeetingForm()
    if request.method == "GET":
        _new_form_defaults(form, region)
    if form.validate_on_submit():
        starts_at, ends_at = form.times_utc()
        meeting = Meeting(
            region=region,
            title=form.title.data,
            kind=MeetingKind(form.kind.data),
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=form.timezone.data,
            place=form.place.data or "",
            online_url=form.online_url.data or "",
            created_by=current_user,
        )
        db.session.add(meeting)
        db.session.flush()
        record("meeting_created", region=region, target=meeting.ref, title=meeting.title)
        # The minutes text is a core document: revisions, merge, comments and search.
        document = create_document(
            f"Minutes: {meeting.title}", MINUTES_TEMPLATE, region, current_user, plugin=PLUGIN_NAME
        )
        meeting.minutes_document_id = document.id
        link_minutes(document, meeting)
        db.session.commit()
        flash(
            _(
                "“%(title)s” is planned. Add the agenda and invite the participants.",
                title=meeting.title,
            ),
            "success",
        )
        return redirect(meeting_url(meeting), code=303)
    status = 422 if form.is_submitted() else 200
    return render(
        "minutes/meeting_form.html",
        form=form,
        region=region,
        meeting=None,
        timezones=TIMEZONES,
        status=status,
    )


@region_bp.route("/new", methods=["GET", "POST"])
def new() -> Response:
    return new_meeting(g.region)


@project_bp.route("/new", methods=["GET", "POST"])
def project_new() -> Response:
    return new_meeting(None)


@meeting_route("/meetings/<int:meeting_id>")
def meeting(meeting_id: int) -> Response:
    return render("minutes/meeting.html", **meeting_context(get_meeting(meeting_id)))


@meeting_route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int) -> Response:
    meeting = get_meeting(meeting_id, Action.EDIT)
    if meeting.is_locked:
        return closed_refusal(meeting)
    form = MeetingForm(obj=None if request.method == "POST" else meeting)
    if request.method == "GET":
        start, end = meeting.local_start, meeting.local_end
        form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
        form.kind.data = meeting.kind.value
        form.version.data = meeting.version
    context = {"form": form, "region": meeting.region, "meeting": meeting, "timezones": TIMEZONES}
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render("minutes/meeting_form.html", status=status, **context)
    if form.version.data != meeting.version:
        return stale_edit(meeting, form)
    meeting.title = form.title.data
    meeting.kind = MeetingKind(form.kind.data)
    meeting.starts_at, meeting.ends_at = form.times_utc()
    meeting.timezone = form.timezone.data
    meeting.place = form.place.data or ""
    meeting.online_url = form.online_url.data or ""
    record("meeting_edited", region=meeting.region, target=meeting.ref, title=meeting.title)
    if not commit_meeting(meeting):
        return stale_edit(db.session.get(Meeting, meeting_id), form)
    flash(_("The meeting is saved."), "success")
    return redirect(meeting_url(meeting), code=303)


def stale_edit(meeting: Meeting, form: MeetingForm) -> Response:
    """Someone saved the meeting since this form was opened: keep the user's input,
    show what is saved now, and let them save again on top of it."""
    db.session.refresh(meeting)
    if meeting.is_locked:
        return closed_refusal(meeting)
    # A resubmit now saves on top of what is there: the user has seen both.
    form.version.data, form.version.raw_data = meeting.version, [str(meeting.version)]
    form.form_errors.append(
        _(
            "Someone else saved this meeting while you were editing it. Your changes are "
            "still in the form below and were not saved; compare them with the details saved "
            "now and save again."
        )
    )
    return render(
        "minutes/meeting_form.html",
        status=409,
        form=form,
        region=meeting.region,
        meeting=meeting,
        timezones=TIMEZONES,
        saved_now=meeting,
    )


@meeting_route("/meetings/<int:meeting_id>/status", methods=["POST"])
def change_status(meeting_id: int) -> Response:
    meeting = get_meeting(meeting_id, Action.EDIT)
    if meeting.is_cancelled:
        return closed_refusal(meeting)
    form = VersionForm()
    reopen = form.to.data == "reopen"
    if reopen:
        require(Action.MANAGE, meeting.region)
        if not meeting.is_closed:
            return error_response(409, _("This meeting is not closed."))
        target = MeetingStatus.IN_PROGRESS
    else:
        step = NEXT_STEP.get(meeting.status)
        if meeting.is_closed:
            return closed_refusal()
        if step is None or form.to.data != step[0].value:
            return error_response(409, STATUS_NOW[meeting.status]())
        target = step[0]
    if form.version.data != meeting.version:
        return error_response(
            409,
            _(
                "Someone else changed this meeting in the meantime; nothing was changed. "
                "Reload the page to see its current state."
            ),
        )
    meeting.status = target
    if reopen:
        # The approvals were given to the closed text, which may now change.
        meeting.approvals.clear()
    record(
        "meeting_reopened" if reopen else f"meeting_{target.value}",
        region=meeting.region,
        target=meeting.ref,
        title=meeting.title,
    )
    tell = {
        MeetingStatus.OPEN: lambda: notifications.agenda_changed(meeting, published=True),
        MeetingStatus.CLOSED: lambda: notifications.approval_awaited(meeting),
    }
    if not commit_meeting(meeting, then=None if reopen else tell.get(target)):
        return error_response(409, _("Someone else changed this meeting in the meantime."))
    messages = {
        MeetingStatus.OPEN: lambda: _("The agenda is published."),
        MeetingStatus.IN_PROGRESS: lambda: _(
            "The meeting is in progress: mark attendance and outcomes."
        ),
        MeetingStatus.CLOSED: lambda: _(
            "The meeting is closed. The participating partners can now approve the minutes."
        ),
    }
    if reopen:
        flash(_("The meeting is re-opened; the partners approve again after it closes."), "success")
    else:
        flash(messages[target](), "success")
    return redirect(meeting_url(meeting), code=303)


@meeting_route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
def cancel(meeting_id: int) -> Response:
    """Call the meeting off. It stays listed (marked cancelled), its calendar entry says
    so, and it takes no changes until a coordinator restores it. A closed meeting was
    held: it is not cancelled."""
    meeting = get_meeting(meeting_id, Action.EDIT)
    if meeting.is_cancelled:
        return error_response(409, _("This meeting is cancelled already."))
    if meeting.is_closed:
        return error_response(
            409, _("This meeting was held and closed; a meeting is cancelled before it ends.")
        )
    form = CancelForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return render("minutes/meeting.html", status=422, **meeting_context(meeting))
    if form.version.data != meeting.version:
        return _stale_meeting()
    meeting.cancelled_at, meeting.cancelled_by = utcnow(), current_user._get_current_object()
    meeting.cancel_reason = form.reason.data or ""
    record(
        "meeting_cancelled",
        region=meeting.region,
        target=meeting.ref,
        title=meeting.title,
        reason=meeting.cancel_reason,
        phrase=N_("cancelled the meeting"),
    )
    if not commit_meeting(meeting):
        return _stale_meeting()
    flash(
        _(
            "“%(title)s” is cancelled. It stays in the list, marked cancelled, and "
            "calendars that subscribed to it show it as cancelled.",
            title=meeting.title,
        ),
        "success",
    )
    return redirect(meeting_url(meeting), code=303)


@meeting_route("/meetings/<int:meeting_id>/restore", methods=["POST"])
def restore(meeting_id: int) -> Response:
    """A coordinator takes a cancellation back: the meeting is as it was before."""
    meeting = get_meeting(meeting_id, Action.MANAGE)
    if not meeting.is_cancelled:
        return error_response(409, _("This meeting is not cancelled."))
    form = VersionForm()
    if form.version.data != meeting.version:
        return _stale_meeting()
    meeting.cancelled_at, meeting.cancelled_by, meeting.cancel_reason = None, None, ""
    record(
        "meeting_restored",
        region=meeting.region,
        target=meeting.ref,
        title=meeting.title,
        phrase=N_("restored the cancelled meeting"),
    )
    if not commit_meeting(meeting):
        return _stale_meeting()
    flash(RESTORED[meeting.status](meeting.title), "success")
    return redirect(meeting_url(meeting), code=303)

"""Meetings in the trash (``workspace.trash``): moving one there, bringing it back,
and the trash page of a region (``/r/<region>/minutes/trash``) or of the project's
own meetings (``/p/minutes/trash``).

Who may: a draft meeting (its agenda not yet published) is its writers' work, so
those who edit where it lives move it to the trash and back; a published, held,
closed or cancelled meeting, only the region's coordinators (admins for a
project-wide meeting), as for re-opening and restoring a cancelled one. Whoever
edits there sees the trash page.

While in the trash a meeting is 404 by id (``blueprints.get_meeting``), out of lists,
action items, panels, search, link targets, calendars and the region export, and
its minutes text is hidden (``document_visible``).
"""

from __future__ import annotations

from flask import Response, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import (
    N_,
    Action,
    Region,
    TrashRow,
    User,
    bring_back,
    can,
    db,
    documents_in_trash,
    format_moment,
    require,
    say_restored,
    say_trashed,
    send_to_trash,
    trash_page,
)

from .blueprints import (
    _stale_meeting,
    commit_meeting,
    get_meeting,
    meeting_route,
    meeting_url,
    project_bp,
    region_bp,
)
from .models import Meeting, MeetingStatus


def may_trash(user: User, meeting: Meeting) -> bool:
    """Whether ``user`` may move ``meeting`` to the trash, and bring it back."""
    if meeting.status is MeetingStatus.DRAFT:
        return can(user, Action.EDIT, meeting.region)
    return can(user, Action.MANAGE, meeting.region)


def _require_trash_right(meeting: Meeting) -> None:
    if not may_trash(current_user, meeting):
        require(Action.MANAGE, meeting.region)  # a 403, in the audit trail


# Built once: ``document_visible`` asks for it on every minutes text a page lists.
_TRASHED_DOCUMENTS = select(Meeting.minutes_document_id).where(
    Meeting.trashed(), Meeting.minutes_document_id.is_not(None)
)


def trashed_documents() -> frozenset[int]:
    """The minutes texts of the meetings in the trash (read once per request)."""
    return documents_in_trash("minutes", _TRASHED_DOCUMENTS)


@region_bp.app_template_global("minutes_may_trash")
def may_trash_here(meeting: Meeting) -> bool:
    return may_trash(current_user, meeting)


@region_bp.app_template_global("minutes_trash_url")
def trash_url(region: Region | None) -> str | None:
    """The trash page of ``region``'s meetings (None: the project's), for those who
    edit there; None for the others."""
    if not can(current_user, Action.EDIT, region):
        return None
    if region is None:
        return url_for("minutes_project.trash_list")
    return url_for("minutes.trash_list", region=region.slug)


def _index_url(meeting: Meeting) -> str:
    if meeting.region is None:
        return url_for("minutes_project.project_index")
    return url_for("minutes.index", region=meeting.region.slug)


@meeting_route("/meetings/<int:meeting_id>/trash", methods=["POST"])
def trash(meeting_id: int) -> Response:
    meeting = get_meeting(meeting_id, Action.EDIT)
    _require_trash_right(meeting)
    title = meeting.title
    send_to_trash(meeting, kind="meeting", what=N_("a meeting"), title=title, region=meeting.region)
    if not commit_meeting(meeting):
        return _stale_meeting()
    say_trashed(title)
    return redirect(_index_url(meeting), code=303)


@meeting_route("/meetings/<int:meeting_id>/untrash", methods=["POST"])
def untrash(meeting_id: int) -> Response:
    meeting = get_meeting(meeting_id, Action.EDIT, trashed=True)
    _require_trash_right(meeting)
    title = meeting.title
    bring_back(meeting, kind="meeting", what=N_("a meeting"), title=title, region=meeting.region)
    if not commit_meeting(meeting):
        return _stale_meeting()
    say_restored(title)
    return redirect(meeting_url(meeting), code=303)


def _trash_list(region: Region | None) -> Response:
    require(Action.EDIT, region)
    where = Meeting.region_id == region.id if region is not None else Meeting.region_id.is_(None)
    meetings = db.session.scalars(
        select(Meeting)
        .where(where, Meeting.trashed())
        .options(selectinload(Meeting.region), selectinload(Meeting.deleted_by))
        .limit(500)
    ).all()
    user = current_user._get_current_object()
    rows = [
        TrashRow.of(
            m,
            m.title,
            meeting_url(m, "untrash") if may_trash(user, m) else None,
            f"{m.kind.label} · {format_moment(m.local_start)}",
        )
        for m in meetings
    ]
    where_name = region.name if region is not None else _("Whole project")
    return trash_page(
        rows,
        back_url=url_for("minutes.index") if region is not None else _project_index(),
        back_label=_("the meetings"),
        eyebrow=_("%(where)s · Meeting minutes", where=where_name),
        intro=_(
            "Meetings moved to the trash: gone from lists, calendars and search until "
            "they are restored, with their agenda, outcomes and minutes."
        ),
        empty=_("No meeting is in the trash."),
        cannot=_("A coordinator can restore it."),
    )


def _project_index() -> str:
    return url_for("minutes_project.project_index")


@region_bp.get("/trash")
def trash_list() -> Response:
    return _trash_list(g.region)


@project_bp.get("/trash", endpoint="trash_list")
def project_trash_list() -> Response:
    return _trash_list(None)

"""Activity streams (what happened in a region, in the project) and the audit trail.

Both read the append-only Event log. The streams show work (documents, comments,
members, modules); sign-ins, failed sign-ins and refusals are for the audit trail,
which only admins see.
"""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .converters import db_int
from .extensions import db
from .hookspecs import LinkTarget
from .links import describe, ref_number
from .models import Document, Event, Region
from .permissions import Action, can, readable_regions, require
from .plugins import host
from .regions import get_region
from .rendering import render
from .visibility import hidden_by_plugins, hidden_events_clause, switched_on_clause

bp = Blueprint("activity", __name__)

PAGE_SIZE = 50

PHRASES = {
    "doc_created": _l("created"),
    "doc_edited": _l("edited"),
    "doc_merged": _l("edited (merged with a parallel change)"),
    "doc_conflict": _l("hit a conflict while saving"),
    "doc_deleted": _l("moved to the trash"),
    "doc_restored": _l("brought back from the trash"),
    "doc_revision_restored": _l("restored an earlier revision of"),
    "comment_added": _l("commented on"),
    "upload": _l("attached a file to"),
    "attachment_deleted": _l("removed a file from"),
    "link_added": _l("linked"),
    "link_removed": _l("removed a link from"),
    "comment_resolved": _l("resolved a comment on"),
    "comment_reopened": _l("re-opened a comment on"),
    "member_added": _l("added a member"),
    "member_role_changed": _l("changed a member's role"),
    "member_removed": _l("removed a member"),
    "plugin_enabled": _l("switched on a module"),
    "plugin_disabled": _l("switched off a module"),
    "plugin_settings_changed": _l("changed the settings of the module"),
    "region_exported": _l("exported the region's data"),
}
AUDIT_ONLY = {
    "login", "login_failed", "permission_refused", "password_changed", "password_set",
    "password_link_issued", "user_created", "user_changed", "user_activated",
    "user_deactivated", "partner_created", "partner_changed", "region_created",
    "region_changed", "logout", "sessions_ended", "sessions_ended_by_admin",
    "account_formats_saved", "two_factor_enabled", "two_factor_disabled", "two_factor_failed",
    "recovery_code_used", "recovery_codes_regenerated", "two_factor_reset_by_admin",
    "retention_changed",
    "archive_exported", "archive_imported",
    "invitation_sent", "password_reset_requested", "password_reset",
}  # fmt: skip


def _stream(query, before: int | None) -> list[Event]:
    if before:
        query = query.where(Event.id < before)
    return list(
        db.session.scalars(
            query.options(selectinload(Event.actor), selectinload(Event.region))
            .order_by(Event.id.desc())
            .limit(PAGE_SIZE)
        )
    )


def _objects(events: list[Event]) -> dict[str, LinkTarget]:
    """What each event is about, as a title and an address: documents (deleted ones
    too, through their history), and whatever plugins describe through their
    ``describe_refs`` hook. A plugin's thing the reader may not open, or that is gone,
    is left out and named without a link."""
    found: dict[str, LinkTarget] = {}
    ids = {number for e in events if (number := ref_number(e.target, "doc:")) is not None}
    if ids:
        user = current_user._get_current_object()
        rows = db.session.execute(
            select(Document.id, Document.title, Document.deleted_at, Document.plugin)
            .where(Document.id.in_(ids))
            # A text of a switched-off module, or one the reader may not open, is not
            # named: its page would be 404.
            .where(switched_on_clause())
        ).all()
        hidden = hidden_by_plugins([(row.id, row.plugin) for row in rows], user)
        for id_, title, deleted_at, _plugin in rows:
            if id_ in hidden:
                continue
            endpoint = "documents.history" if deleted_at else "documents.view"
            found[f"doc:{id_}"] = LinkTarget(
                f"doc:{id_}", title, url_for(endpoint, document_id=id_), _("Document")
            )
    plugin_refs = sorted({e.target for e in events if e.target.split(":", 1)[0] in host().infos})
    if plugin_refs:
        described = describe(plugin_refs, current_user._get_current_object())
        found.update({ref: target for ref, target in described.items() if target})
    return found


def _page(events: list[Event], region: Region | None, endpoint_args: dict, **context) -> Response:
    return render(
        "activity.html",
        block="events",
        events=events,
        region=region,
        **context,
        phrases=PHRASES,
        objects=_objects(events),
        plugin_labels={name: info.label for name, info in host().infos.items()},
        more=len(events) == PAGE_SIZE,
        endpoint_args=endpoint_args,
    )


def _without_switched_off(query, region_ids: list[int]):
    """The stream without the events of modules switched off in their region."""
    hidden = hidden_events_clause(region_ids)
    return query if hidden is None else query.where(~hidden)


@bp.get("/activity")
def project() -> Response:
    regions = readable_regions(current_user, list(db.session.scalars(select(Region))))
    visible = Event.region_id.in_([r.id for r in regions])
    if can(current_user, Action.READ):
        visible = visible | Event.region_id.is_(None)
    query = select(Event).where(visible, Event.verb.not_in(AUDIT_ONLY))
    query = _without_switched_off(query, [r.id for r in regions])
    events = _stream(query, request.args.get("before", type=db_int))
    return _page(events, None, {})


@bp.get("/r/<slug:region>/activity")
def region(region: str) -> Response:
    the_region = get_region(region)
    query = select(Event).where(Event.region_id == the_region.id, Event.verb.not_in(AUDIT_ONLY))
    query = _without_switched_off(query, [the_region.id])
    events = _stream(query, request.args.get("before", type=db_int))
    return _page(events, the_region, {"region": the_region.slug})


@bp.get("/docs/<id:document_id>/activity")
def document(document_id: int) -> Response:
    """A document's own history: its edits, comments, files and links, newest first."""
    from .access import get_document

    the_document = get_document(document_id, deleted=True)
    query = select(Event).where(Event.target == the_document.ref, Event.verb.not_in(AUDIT_ONLY))
    events = _stream(query, request.args.get("before", type=db_int))
    return _page(
        events,
        the_document.region,
        {"document_id": the_document.id},
        document=the_document,
        nav_endpoint="documents.view",  # the region menu marks "Documents"
    )


@bp.get("/admin/audit")
def audit() -> Response:
    require(Action.ADMIN)
    events = _stream(select(Event), request.args.get("before", type=db_int))
    return render("audit.html", block="events", events=events, more=len(events) == PAGE_SIZE)

"""Meeting minutes: meetings with agendas, participants, minutes, decisions and action
items, followed up until done. Anchored on OpenProject's meetings module.

Region meetings live under ``/r/<region>/minutes/``, project-wide ones under
``/p/minutes/``. The minutes text of each meeting is a core Document, so revisions,
merge, comments and search come from the core.
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from workspace.api import (
    ExportFile,
    LinkTarget,
    MenuLink,
    Panel,
    PluginInfo,
    Region,
    SearchResult,
    db,
    folded_contains,
    hookimpl,
    utcnow,
)

# Each module with pages registers them on the blueprints when it is imported: all of
# them are, here, before PLUGIN hands the blueprints to the core (and notifications
# registers its scheduled job).
from . import (  # noqa: F401  (the *_views modules, views and trash: for their pages)
    agenda_views,
    calendar_feed,
    demo,
    export_views,
    exports,
    notifications,
    outcome_views,
    participant_views,
    programme,
    reporting,
    stakeholder_views,
    trash,
    views,
    webinar_views,
)
from .blueprints import meeting_url, project_bp, region_bp, visible_meetings_filter
from .models import Meeting, Outcome, OutcomeKind, Stakeholder

PLUGIN = PluginInfo(
    name="minutes",
    label=_l("Meeting minutes"),
    description=_l("Meetings with agendas, attendance, minutes, decisions and action items."),
    blueprints=(region_bp,),
    project_blueprints=(project_bp,),
    migrations=Path(__file__).with_name("migrations"),
    translations=Path(__file__).with_name("translations"),
)
REF_PREFIX = "minutes:meeting:"
MEMBER_PREFIX = "minutes:stakeholder:"


@hookimpl
def menu_links(region, user):
    if region is None:
        return [
            MenuLink(_("Meetings"), url_for("minutes_project.project_index")),
            MenuLink(_("Webinars"), url_for("minutes_project.webinars")),
        ]
    return [
        MenuLink(_("Meetings"), url_for("minutes.index", region=region.slug)),
        MenuLink(_("Action items"), url_for("minutes.actions", region=region.slug)),
        MenuLink(_("Stakeholder group"), url_for("minutes.stakeholders", region=region.slug)),
    ]


@hookimpl
def dashboard_panels(region, user):
    now = utcnow()
    where = visible_meetings_filter(user, region)
    meetings = db.session.scalars(
        select(Meeting)
        .where(where, Meeting.ends_at >= now)
        .options(joinedload(Meeting.region))
        .order_by(Meeting.starts_at)
        .limit(3)
    ).all()
    # One query each: many-to-one relations come joined, not as extra statements (the
    # meeting's region too: its address names it).
    actions = db.session.scalars(
        select(Outcome)
        .join(Outcome.meeting)
        .where(where, Outcome.kind == OutcomeKind.ACTION, Outcome.done_at.is_(None))
        .options(
            joinedload(Outcome.owner),
            contains_eager(Outcome.meeting).joinedload(Meeting.region),
        )
        .order_by(Outcome.due_date)
        .limit(5)
    ).all()
    return [
        Panel.rendered(
            _("Next meetings and open action items"),
            "minutes/_panel.html",
            region=region,
            meetings=meetings,
            actions=actions,
            today=now.date(),
        )
    ]


def _meetings(ids) -> list[Meeting]:
    """The meetings with these ids, newest first. Which of them a reader sees is the
    core's business: it drops those of regions where the minutes are off and those
    the reader may not read (each result says its region). Those in the trash are
    the minutes' own business: left out."""
    query = (
        select(Meeting)
        .where(Meeting.id.in_(ids), Meeting.not_trashed())
        .options(selectinload(Meeting.region))
    )
    return db.session.scalars(query.order_by(Meeting.starts_at.desc()).limit(50)).all()


def _matching(text: str, *columns) -> list[int]:
    """Ids of the meetings where one of ``columns`` contains ``text``, folded as core
    search folds ("lodz" finds "Łódź"): matched in Python, since no SQL of both
    engines folds that way; a project holds a few hundred."""
    rows = db.session.execute(select(Meeting.id, *columns))
    return [id_ for id_, *texts in rows if folded_contains(text, *texts)]


@hookimpl
def search(query, user):
    text = query.strip()
    if not text:
        return []
    return [
        SearchResult(
            m.title,
            meeting_url(m),
            f"{m.kind.label} · {m.local_start:%Y-%m-%d %H:%M} · {m.where}".rstrip(" ·"),
            kind=_("Meeting"),
            where=m.region.name if m.region else _("Whole project"),
            region=m.region,
        )
        for m in _meetings(_matching(text, Meeting.title, Meeting.place))
    ]


def _target(meeting: Meeting) -> LinkTarget:
    label = f"{meeting.title} ({meeting.local_start:%Y-%m-%d})"
    return LinkTarget(meeting.ref, label, meeting_url(meeting), _("Meeting"), meeting.region)


@hookimpl
def link_targets(query, user):
    text = query.strip()
    if not text:
        return []
    return [_target(m) for m in _meetings(_matching(text, Meeting.title))]


@hookimpl
def describe_refs(refs, user):
    ids, members = {}, []
    for ref in refs:
        number = ref.removeprefix(REF_PREFIX)
        if ref.startswith(REF_PREFIX) and number.isdigit():
            ids[int(number)] = ref
        member = ref.removeprefix(MEMBER_PREFIX)
        if ref.startswith(MEMBER_PREFIX) and member.isdigit() and len(member) < 10:
            members.append(int(member))
    found = {m.ref: _target(m) for m in _meetings(list(ids))} if ids else {}
    # A member of a stakeholder group (the register's changes on the activity pages);
    # the core keeps them from those who may not read the region.
    if members:
        query = select(Stakeholder).where(Stakeholder.id.in_(members))
        for member in db.session.scalars(query.options(selectinload(Stakeholder.region))):
            url = url_for("minutes.stakeholders", region=member.region.slug)
            label = f"{member.person} ({member.organisation})"
            kind = _("Stakeholder group member")
            found[member.ref] = LinkTarget(
                member.ref, label, f"{url}#member-{member.id}", kind, member.region
            )
    return found


@hookimpl
def notification_kinds():
    return notifications.KINDS


@hookimpl
def load_demo():
    demo.load()


@hookimpl
def calendar_entries(user, region):
    return calendar_feed.entries(user, region)


@hookimpl
def export_region(region: Region):
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.region_id == region.id, Meeting.not_trashed())
        .order_by(Meeting.starts_at)
    ).all()
    outcomes = [o for m in meetings for o in m.outcomes]
    return [
        ExportFile(
            "meetings.ics",
            exports.calendar(
                meetings, _("Meetings · %(region)s", region=region.name), meeting_url
            ).to_ical(),
        ),
        ExportFile("action-items.csv", exports.action_items_csv(outcomes)),
    ]


@hookimpl
def document_lock(document):
    meeting = db.session.scalar(select(Meeting).where(Meeting.minutes_document_id == document.id))
    return meeting.lock_message if meeting is not None else None


@hookimpl
def document_visible(document):
    """The minutes of a meeting in the trash are gone with it, until it is back."""
    return False if document.id in trash.trashed_documents() else None


@hookimpl
def report_items(partner, period, user):
    return reporting.items(partner, period, user)


@hookimpl
def indicator_values(scope, period, user):
    return programme.indicator_values(scope, period, user)


@hookimpl
def project_activities(period, user):
    return programme.activities(period, user)

"""Pages of the minutes plugin.

Meetings hosted by a region live under ``/r/<region>/minutes/`` (the core's region
gate in front); project-wide meetings under ``/p/minutes/``. Both blueprints carry the
same meeting views (``meeting_route``), so a meeting page works the same wherever it
lives; ``meeting_url`` picks the right address.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, g, redirect, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from workspace.api import (
    Action,
    Document,
    Event,
    Link,
    Partner,
    Region,
    User,
    can,
    create_document,
    db,
    enabled_in,
    error_response,
    links_of,
    merge3,
    record,
    render,
    require,
    utcnow,
    wants_fragment,
)

from . import exports
from .forms import (
    COUNTRY_ZONES,
    DEFAULT_ZONE,
    TIMEZONES,
    AgendaItemForm,
    ApprovalForm,
    CancelForm,
    MeetingForm,
    NotesForm,
    OutcomeEditForm,
    OutcomeForm,
    ParticipantForm,
    VersionForm,
)
from .models import (
    AgendaItem,
    Approval,
    ApprovalState,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Outcome,
    OutcomeKind,
    Participant,
)

PLUGIN_NAME = "minutes"

region_bp = Blueprint("minutes", __name__, template_folder="templates")
project_bp = Blueprint("minutes_project", __name__, template_folder="templates")

CLOSED_MESSAGE = (
    "This meeting is closed, so its agenda, participants and outcomes are read-only. "
    "A coordinator of the region can re-open it."
)
CANCELLED_MESSAGE = (
    "This meeting is cancelled, so it takes no changes. A coordinator of the region can restore it."
)
# The one step forward from each state, with the button that takes it.
NEXT_STEP = {
    MeetingStatus.DRAFT: (MeetingStatus.OPEN, "Publish the agenda"),
    MeetingStatus.OPEN: (MeetingStatus.IN_PROGRESS, "Start the meeting"),
    MeetingStatus.IN_PROGRESS: (MeetingStatus.CLOSED, "Close the meeting"),
}
MINUTES_TEMPLATE = "## Summary\n\n\n## Discussion\n\n\n## Next steps\n\n"


# ---------------------------------------------------------------- helpers


def meeting_route(rule: str, **options):
    """Register a meeting view on both blueprints: region meetings and project ones."""

    def decorator(view):
        for blueprint in (region_bp, project_bp):
            blueprint.add_url_rule(rule, view_func=view, **options)
        return view

    return decorator


@region_bp.app_template_global()
def meeting_url(meeting: Meeting, endpoint: str = "meeting", **values) -> str:
    """The address of one of a meeting's pages, in its region or in the project."""
    if meeting.region is not None:
        return url_for(
            f"minutes.{endpoint}", region=meeting.region.slug, meeting_id=meeting.id, **values
        )
    return url_for(f"minutes_project.{endpoint}", meeting_id=meeting.id, **values)


def in_project_scope() -> bool:
    return request.blueprint == "minutes_project"


def get_meeting(meeting_id: int, action: Action = Action.READ, trashed: bool = False) -> Meeting:
    """The meeting at this address, or 404; 403 unless the user may ``action`` there.

    A meeting in the trash is 404 on every page but the one that brings it back
    (``trashed=True``, which answers 404 for one that is not in the trash)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.in_trash != trashed:
        abort(404)
    if in_project_scope():
        if meeting.region_id is not None:
            abort(404)
    elif meeting.region_id != g.region.id:
        abort(404)
    require(action, meeting.region)
    return meeting


def closed_refusal(meeting: Meeting | None = None) -> Response:
    """409 for a change of a closed or cancelled meeting, saying which and why."""
    cancelled = meeting is not None and meeting.is_cancelled
    return error_response(409, CANCELLED_MESSAGE if cancelled else CLOSED_MESSAGE)


def visible_regions(user: User) -> list[Region]:
    """Regions where the plugin is on and the user may read."""
    regions = db.session.scalars(select(Region).order_by(Region.name))
    return [r for r in regions if PLUGIN_NAME in enabled_in(r) and can(user, Action.READ, r)]


def visible_meetings_filter(user: User, region: Region | None = None):
    """A WHERE clause for the meetings ``user`` may see (in ``region`` only, if given);
    those in the trash are left out."""
    if region is not None:
        return and_(Meeting.region_id == region.id, Meeting.not_trashed())
    region_ids = [r.id for r in visible_regions(user)]
    clause = Meeting.region_id.in_(region_ids)
    if can(user, Action.READ):
        clause = or_(clause, Meeting.region_id.is_(None))
    return and_(clause, Meeting.not_trashed())


def user_choices(region: Region | None) -> list[tuple[int, str]]:
    """The people a meeting in ``region`` (None: project-wide) may invite or make owner
    of an action item, as (id, "Name (organisation)"): active people who may read the
    region's meetings. An external stakeholder of another region is not offered: they
    could not open the meeting or the action item. Their coordinator adds them to this
    region first (as a stakeholder), and then they are offered.

    Read once per request and region: every agenda item's outcome form offers them."""
    cache = g.setdefault("_minutes_people", {})
    key = region.id if region is not None else None
    if key in cache:
        return cache[key]
    users = db.session.scalars(
        select(User)
        .where(User.active.is_(True))
        .options(selectinload(User.partner), selectinload(User.memberships))
    ).all()
    readers = sorted(
        (u for u in users if can(u, Action.READ, region)), key=lambda u: u.name.casefold()
    )
    cache[key] = [
        (u.id, f"{u.name} ({u.partner.short_name if u.partner else 'external'})") for u in readers
    ]
    return cache[key]


def pickers_hint(meeting: Meeting) -> str:
    """Why someone may be missing from the person and owner lists."""
    if meeting.region is None:
        return (
            "Staff of the partners are listed: external stakeholders do not read "
            "project-wide meetings."
        )
    return (
        f"Listed: partner staff and the stakeholders of {meeting.region.name}. A stakeholder "
        f"of another region is listed once a coordinator of {meeting.region.name} adds them "
        "as a member here."
    )


def _today() -> date:
    return utcnow().date()


def outcome_form(item: AgendaItem, formdata=None) -> OutcomeForm:
    form = OutcomeForm(formdata=formdata, prefix=f"item{item.id}")
    form.owner_id.choices = [(0, "Nobody yet"), *user_choices(item.meeting.region)]
    return form


def outcome_edit_form(
    meeting: Meeting, outcome: Outcome | None, outcome_id: int, formdata=None
) -> OutcomeEditForm:
    """The inline form that changes one outcome. Its owner picker offers whom the add
    form offers; an owner who is no longer among them (they left the region) stays
    selectable for their own action item, so editing its text keeps them as they are."""
    if formdata is None and outcome is not None:
        data = {
            "kind": outcome.kind.value,
            "text": outcome.text,
            "owner_id": outcome.owner_id or 0,
            "due_date": outcome.due_date,
            "version": outcome.version,
        }
        form = OutcomeEditForm(formdata=None, data=data, prefix=f"outcome{outcome_id}")
    else:
        form = OutcomeEditForm(formdata=formdata, prefix=f"outcome{outcome_id}")
    choices = [(0, "Nobody yet"), *user_choices(meeting.region)]
    if outcome is not None and outcome.owner_id and all(c[0] != outcome.owner_id for c in choices):
        name = outcome.owner.name if outcome.owner is not None else "A former member"
        choices.append((outcome.owner_id, f"{name} (cannot open this meeting now)"))
    form.owner_id.choices = choices
    return form


def participant_form(meeting: Meeting, formdata=None) -> ParticipantForm:
    form = ParticipantForm(formdata=formdata)
    form.user_id.choices = [(0, "Choose a person"), *user_choices(meeting.region)]
    partners = db.session.scalars(select(Partner).order_by(Partner.name)).all()
    form.partner_id.choices = [(0, "Choose an organisation")] + [(p.id, p.name) for p in partners]
    return form


def my_partner_approval(meeting: Meeting) -> Approval | None:
    for approval in meeting.approvals:
        if approval.partner_id == current_user.partner_id:
            return approval
    return None


def may_approve(meeting: Meeting) -> bool:
    """Staff of a participating partner speak for it once the meeting is closed."""
    return (
        meeting.is_closed
        and can(current_user, Action.READ, meeting.region)
        and current_user.partner_id is not None
        and any(p.id == current_user.partner_id for p in meeting.participating_partners())
    )


def may_settle(outcome: Outcome) -> bool:
    """Editors of the meeting's region, and the action item's owner, close it."""
    return can(current_user, Action.EDIT, outcome.meeting.region) or (
        outcome.owner_id is not None and outcome.owner_id == current_user.id
    )


def meeting_context(meeting: Meeting, **overrides) -> dict:
    """Everything the meeting page and its fragments need."""
    can_edit = can(current_user, Action.EDIT, meeting.region)
    context = {
        "meeting": meeting,
        "can_edit": can_edit,
        "can_change": can_edit and not meeting.is_locked,
        "can_manage": can(current_user, Action.MANAGE, meeting.region),
        "next_step": None if meeting.is_cancelled else NEXT_STEP.get(meeting.status),
        "cancel_form": None,
        "pickers_hint": pickers_hint(meeting),
        "owner_hint": "For action items: someone who can open this meeting.",
        "agenda_form": None,
        "outcome_forms": {},
        "edit_forms": {},
        "editing": None,
        "participant_form": None,
        "approval_form": None,
        "may_approve": may_approve(meeting),
        "my_approval": my_partner_approval(meeting),
        "may_settle": may_settle,
        "today": _today(),
        "timedelta": timedelta,
        "moved": None,
        "open_item": None,
        "links": related(meeting),
        "outcome_edit_forms": {},
        # The outcome whose edit form is open, and what is saved now after a stale edit.
        "editing_outcome": None,
        "outcome_saved_now": None,
        # Notes shown back instead of the saved ones: {item id: {text, version, base,
        # theirs}} (theirs: the notes saved meanwhile, after a conflict).
        "notes_kept": {},
        # A text whose agenda item or outcome was removed meanwhile: {message, text, at}.
        "kept_text": None,
    }
    if context["can_change"]:
        context["agenda_form"] = AgendaItemForm(formdata=None)
        context["outcome_forms"] = {item.id: outcome_form(item) for item in meeting.agenda}
        context["edit_forms"] = {
            item.id: AgendaItemForm(formdata=None, obj=item, prefix=f"edit{item.id}")
            for item in meeting.agenda
        }
        context["outcome_edit_forms"] = {
            o.id: outcome_edit_form(meeting, o, o.id) for o in meeting.outcomes
        }
        context["participant_form"] = participant_form(meeting)
        context["cancel_form"] = CancelForm(formdata=None, data={"version": meeting.version})
    if context["may_approve"]:
        mine = context["my_approval"]
        answer = {"state": mine.state.value, "comment": mine.comment} if mine else None
        context["approval_form"] = ApprovalForm(formdata=None, data=answer)
    context.update(overrides)
    return context


def fragment_or_page(
    meeting: Meeting, block: str, status: int = 200, also: tuple[str, ...] = (), **overrides
) -> Response:
    """After a change: the changed block for HTMX, or back to the meeting page.

    ``also`` names further blocks that depend on the change: they travel along in the
    same answer and htmx swaps them out-of-band (``hx-swap-oob``), by their id."""
    if wants_fragment() or status != 200:
        context = meeting_context(meeting, **overrides)
        response = render("minutes/meeting.html", block=block, status=status, **context)
        if wants_fragment():
            for other in also:
                extra = render_block("minutes/meeting.html", other, oob=True, **context)
                response.set_data(response.get_data(as_text=True) + extra)
        return response
    return redirect(meeting_url(meeting) + f"#{block}", code=303)


def changeable(meeting_id: int) -> tuple[Meeting, Response | None]:
    """The meeting for a change of its agenda, participants or outcomes: editors only,
    and never while it is closed or cancelled."""
    meeting = get_meeting(meeting_id, Action.EDIT)
    if meeting.is_locked:
        return meeting, closed_refusal(meeting)
    return meeting, None


def related(meeting: Meeting) -> list:
    """Documents and plugin records linked with the meeting, both ways (a practice
    presented there, an action it started), except its own minutes."""
    links = links_of(meeting.ref, current_user)
    own = meeting.minutes_document.ref if meeting.minutes_document else None
    return [row for row in links["linked"] + links["linked_from"] if row[1] != own]


def link_minutes(document: Document, meeting: Meeting) -> None:
    """The minutes document links to its meeting, so its page leads back here."""
    db.session.add(Link(source=document.ref, target=meeting.ref, kind="minutes"))


def commit_meeting(meeting: Meeting) -> bool:
    """Commit a change of the meeting row; False when someone saved it in between."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return False
    return True


# ---------------------------------------------------------------- lists


def meetings_page(region: Region | None) -> Response:
    when = "past" if request.args.get("when") == "past" else "upcoming"
    now = utcnow()
    query = (
        select(Meeting)
        .where(visible_meetings_filter(current_user, region))
        .options(selectinload(Meeting.region), selectinload(Meeting.agenda))
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


def actions_page(region: Region | None, mine: bool) -> Response:
    """The action items of a region's meetings (or of every meeting the user reads).

    "Mine" lists the items the user owns in every meeting they may read, whichever
    page it is asked from: an external stakeholder asks from their region's page,
    since project pages are for the partners' staff."""
    show = request.args.get("show", "open")
    query = (
        select(Outcome)
        .join(Outcome.meeting)
        .where(
            Outcome.kind == OutcomeKind.ACTION,
            visible_meetings_filter(current_user, None if mine else region),
        )
        .options(
            selectinload(Outcome.meeting).selectinload(Meeting.region),
            selectinload(Outcome.agenda_item),
            selectinload(Outcome.owner),
        )
        .order_by(Outcome.due_date, Outcome.id)
    )
    if mine:
        query = query.where(Outcome.owner_id == current_user.id)
    if show == "open":
        query = query.where(Outcome.done_at.is_(None))
    elif show == "done":
        query = query.where(Outcome.done_at.is_not(None))
    else:
        show = "all"
    items = db.session.scalars(query.limit(1000)).all()
    return render(
        "minutes/actions.html",
        region=region,
        list_region=region,
        items=items,
        mine=mine,
        show=show,
        today=_today(),
        may_settle=may_settle,
    )


@region_bp.get("/actions")
def actions() -> Response:
    return actions_page(g.region, mine=request.args.get("mine") == "1")


@project_bp.get("/actions")
def project_actions() -> Response:
    return actions_page(None, mine=request.args.get("mine") == "1")


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
            f"“{meeting.title}” is planned. Add the agenda and invite the participants.", "success"
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
    flash("The meeting is saved.", "success")
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
        "Someone else saved this meeting while you were editing it. Your changes are "
        "still in the form below and were not saved; compare them with the details saved "
        "now and save again."
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
            return error_response(409, "This meeting is not closed.")
        target = MeetingStatus.IN_PROGRESS
    else:
        step = NEXT_STEP.get(meeting.status)
        if meeting.is_closed:
            return closed_refusal()
        if step is None or form.to.data != step[0].value:
            return error_response(
                409, f"This meeting is {meeting.status.label.lower()} now; reload the page."
            )
        target = step[0]
    if form.version.data != meeting.version:
        return error_response(
            409,
            "Someone else changed this meeting in the meantime; nothing was changed. "
            "Reload the page to see its current state.",
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
    if not commit_meeting(meeting):
        return error_response(409, "Someone else changed this meeting in the meantime.")
    messages = {
        MeetingStatus.OPEN: "The agenda is published.",
        MeetingStatus.IN_PROGRESS: "The meeting is in progress: mark attendance and outcomes.",
        MeetingStatus.CLOSED: "The meeting is closed. The participating partners can now "
        "approve the minutes.",
    }
    if reopen:
        flash("The meeting is re-opened; the partners approve again after it closes.", "success")
    else:
        flash(messages[target], "success")
    return redirect(meeting_url(meeting), code=303)


def _stale_meeting() -> Response:
    return error_response(
        409,
        "Someone else changed this meeting in the meantime; nothing was changed. "
        "Reload the page to see its current state.",
    )


@meeting_route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
def cancel(meeting_id: int) -> Response:
    """Call the meeting off. It stays listed (marked cancelled), its calendar entry says
    so, and it takes no changes until a coordinator restores it. A closed meeting was
    held: it is not cancelled."""
    meeting = get_meeting(meeting_id, Action.EDIT)
    if meeting.is_cancelled:
        return error_response(409, "This meeting is cancelled already.")
    if meeting.is_closed:
        return error_response(
            409, "This meeting was held and closed; a meeting is cancelled before it ends."
        )
    form = CancelForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
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
        phrase="cancelled the meeting",
    )
    if not commit_meeting(meeting):
        return _stale_meeting()
    flash(
        f"“{meeting.title}” is cancelled. It stays in the list, marked cancelled, and "
        "calendars that subscribed to it show it as cancelled.",
        "success",
    )
    return redirect(meeting_url(meeting), code=303)


@meeting_route("/meetings/<int:meeting_id>/restore", methods=["POST"])
def restore(meeting_id: int) -> Response:
    """A coordinator takes a cancellation back: the meeting is as it was before."""
    meeting = get_meeting(meeting_id, Action.MANAGE)
    if not meeting.is_cancelled:
        return error_response(409, "This meeting is not cancelled.")
    form = VersionForm()
    if form.version.data != meeting.version:
        return _stale_meeting()
    meeting.cancelled_at, meeting.cancelled_by, meeting.cancel_reason = None, None, ""
    record(
        "meeting_restored",
        region=meeting.region,
        target=meeting.ref,
        title=meeting.title,
        phrase="restored the cancelled meeting",
    )
    if not commit_meeting(meeting):
        return _stale_meeting()
    flash(
        f"“{meeting.title}” is no longer cancelled: it is {meeting.status.label.lower()}.",
        "success",
    )
    return redirect(meeting_url(meeting), code=303)


# ---------------------------------------------------------------- agenda


def _agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


@meeting_route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
def add_agenda_item(meeting_id: int) -> Response:
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    form = AgendaItemForm()
    if not form.validate_on_submit():
        return fragment_or_page(meeting, "agenda", status=422, agenda_form=form)
    last = max((item.position for item in meeting.agenda), default=0)
    meeting.agenda.append(
        AgendaItem(
            section=form.section.data or "",
            title=form.title.data,
            duration_minutes=form.duration_minutes.data,
            presenter=form.presenter.data or "",
            position=last + 1,
        )
    )
    record("agenda_item_added", region=meeting.region, target=meeting.ref, title=form.title.data)
    db.session.commit()
    return fragment_or_page(meeting, "agenda")


@meeting_route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
def move_agenda_item(meeting_id: int, item_id: int) -> Response:
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    item = _agenda_item(meeting, item_id)
    items = list(meeting.agenda)
    index = items.index(item)
    other = index - 1 if request.form.get("direction") == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for position, each in enumerate(items, start=1):
            each.position = position
        db.session.commit()
        db.session.refresh(meeting)
    return fragment_or_page(meeting, "agenda", moved=item.id)


@meeting_route("/meetings/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["POST"])
def edit_agenda_item(meeting_id: int, item_id: int) -> Response:
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    item = _agenda_item(meeting, item_id)
    form = AgendaItemForm(prefix=f"edit{item.id}")
    if not form.validate_on_submit():
        forms = meeting_context(meeting)["edit_forms"]
        forms[item.id] = form
        return fragment_or_page(meeting, "agenda", status=422, edit_forms=forms, editing=item.id)
    item.section = form.section.data or ""
    item.title = form.title.data
    item.duration_minutes = form.duration_minutes.data
    item.presenter = form.presenter.data or ""
    db.session.commit()
    flash(f"“{item.title}” is saved.", "success")
    return fragment_or_page(meeting, "agenda")


def _same_text(a: str, b: str) -> bool:
    """Equal once line breaks are alike (a browser sends CR LF for what it was given)."""
    return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")


def _removal(meeting: Meeting, verb: str, key: str, value: int) -> Event | None:
    """The activity entry that removed one agenda item or outcome of the meeting."""
    events = db.session.scalars(
        select(Event)
        .where(Event.verb == verb, Event.target == meeting.ref)
        .order_by(Event.id.desc())
        .limit(100)
    )
    return next((e for e in events if (e.detail or {}).get(key) == value), None)


def removed_meanwhile(
    meeting: Meeting, event: Event | None, what: str, doing: str, text: str
) -> Response:
    """409 for a save whose agenda item or outcome was removed meanwhile: says who
    removed it and shows the user's text, unsaved, to copy."""
    if event is not None:
        who = event.actor.name if event.actor is not None else "Someone"
        title = event.detail.get("title") or event.detail.get("text")
        what = f"{what} “{title}”" if title else what
        message = f"{who} removed {what} while you were {doing}."
    else:
        message = f"{what[0].upper()}{what[1:]} was removed while you were {doing}."
    kept = {"message": message, "text": text, "at": event.created_at if event else None}
    return fragment_or_page(meeting, "agenda", status=409, kept_text=kept)


@meeting_route("/meetings/<int:meeting_id>/agenda/<int:item_id>/notes", methods=["POST"])
def agenda_notes(meeting_id: int, item_id: int) -> Response:
    """Save an agenda item's notes on the version they were written from.

    If someone saved other notes meanwhile, the two are merged three ways (the form
    carries the notes it started from): a clean merge is saved and says so; when both
    changed the same lines, 409 keeps the user's notes in the form beside the notes
    saved now. The write is a compare-and-swap on ``notes_version``, so a save that
    lands between this one's read and its write is merged (or shown) too."""
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    form = NotesForm()
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        event = _removal(meeting, "agenda_item_removed", "item", item_id)
        return removed_meanwhile(
            meeting, event, "the agenda item", "writing its notes", form.notes.data or ""
        )
    if not form.validate_on_submit():
        flash(" ".join([*form.form_errors, *form.notes.errors]), "error")
        # Shown back in the form so nothing typed is lost; never stored.
        intact = not (form.version.errors or form.base.errors) and form.version.data
        kept = {
            "text": form.notes.data or "",
            "version": form.version.data if intact else item.notes_version,
            "base": (form.base.data or "") if intact else item.notes,
            "theirs": None,
        }
        return fragment_or_page(meeting, "agenda", status=422, notes_kept={item.id: kept})
    mine, base, version = form.notes.data or "", form.base.data or "", form.version.data
    merged = False
    for _attempt in range(3):
        if version == item.notes_version or _same_text(item.notes, base):
            text = mine
        else:
            result = merge3(base, mine, item.notes)
            if not result.clean:
                return notes_conflict(meeting, item, mine)
            text, merged = result.text, not _same_text(result.text, mine)
        written = db.session.execute(
            update(AgendaItem)
            .where(AgendaItem.id == item.id, AgendaItem.notes_version == item.notes_version)
            .values(notes=text, notes_version=item.notes_version + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if written == 1:
            break
        # Saved (or removed) by someone between this save's read and its write.
        db.session.rollback()
        item = db.session.get(AgendaItem, item_id)
        if item is None:
            event = _removal(meeting, "agenda_item_removed", "item", item_id)
            return removed_meanwhile(meeting, event, "the agenda item", "writing its notes", mine)
    else:
        return notes_conflict(meeting, item, mine)
    title = item.title
    db.session.commit()
    if merged:
        flash(
            f"Notes on “{title}” are saved, merged with the notes someone else saved meanwhile.",
            "success",
        )
    else:
        flash(f"Notes on “{title}” are saved.", "success")
    return fragment_or_page(meeting, "agenda")


def notes_conflict(meeting: Meeting, item: AgendaItem, mine: str) -> Response:
    """409: someone else changed the same lines of the notes. The user's notes stay in
    the form, now based on the notes saved meanwhile, which are shown beside them."""
    kept = {"text": mine, "version": item.notes_version, "base": item.notes, "theirs": item.notes}
    return fragment_or_page(meeting, "agenda", status=409, notes_kept={item.id: kept})


@meeting_route("/meetings/<int:meeting_id>/agenda/<int:item_id>/delete", methods=["POST"])
def delete_agenda_item(meeting_id: int, item_id: int) -> Response:
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    item = _agenda_item(meeting, item_id)
    if item.outcomes:
        flash(f"“{item.title}” has outcomes; remove them before the agenda item.", "error")
        return fragment_or_page(meeting, "agenda", status=409)
    meeting.agenda.remove(item)
    record(
        "agenda_item_removed",
        region=meeting.region,
        target=meeting.ref,
        title=item.title,
        item=item.id,
    )
    db.session.commit()
    return fragment_or_page(meeting, "agenda")


# ---------------------------------------------------------------- outcomes


@meeting_route("/meetings/<int:meeting_id>/agenda/<int:item_id>/outcomes", methods=["POST"])
def add_outcome(meeting_id: int, item_id: int) -> Response:
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    item = _agenda_item(meeting, item_id)
    form = outcome_form(item, request.form)
    if not form.validate_on_submit():
        forms = meeting_context(meeting)["outcome_forms"]
        forms[item.id] = form
        return fragment_or_page(
            meeting, "agenda", status=422, outcome_forms=forms, open_item=item.id
        )
    action = form.kind.data == OutcomeKind.ACTION
    outcome = Outcome(
        meeting=meeting,
        agenda_item=item,
        kind=OutcomeKind(form.kind.data),
        text=form.text.data,
        owner_id=form.owner_id.data if action else None,
        due_date=form.due_date.data if action else None,
    )
    db.session.add(outcome)
    record("outcome_added", region=meeting.region, target=meeting.ref, kind=outcome.kind.value)
    db.session.commit()
    return fragment_or_page(meeting, "agenda")


@meeting_route("/meetings/<int:meeting_id>/outcomes/<int:outcome_id>/delete", methods=["POST"])
def delete_outcome(meeting_id: int, outcome_id: int) -> Response:
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None or outcome.meeting_id != meeting.id:
        abort(404)
    db.session.delete(outcome)
    record(
        "outcome_removed",
        region=meeting.region,
        target=meeting.ref,
        outcome=outcome.id,
        kind=outcome.kind.value,
        text=outcome.text[:80],
        phrase="removed an outcome from",
    )
    db.session.commit()
    db.session.refresh(meeting)
    return fragment_or_page(meeting, "agenda")


def _outcome(meeting: Meeting, outcome_id: int) -> Outcome | None:
    outcome = db.session.get(Outcome, outcome_id)
    return outcome if outcome is not None and outcome.meeting_id == meeting.id else None


OUTCOME_CHANGED = (
    "Someone else changed this outcome while you were editing it. Your changes are in "
    "the form, not saved; the outcome as saved now is shown above them. Save again to "
    "keep yours."
)


@meeting_route("/meetings/<int:meeting_id>/outcomes/<int:outcome_id>/edit", methods=["POST"])
def edit_outcome(meeting_id: int, outcome_id: int) -> Response:
    """Change an outcome's text, kind, owner or due date, on the version the page
    showed (a compare-and-swap): a stale edit answers 409 with the input kept beside
    what is saved now; one whose outcome was removed meanwhile shows the text to copy.
    Marking an action item done is not an edit and does not change its version."""
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    outcome = _outcome(meeting, outcome_id)
    form = outcome_edit_form(meeting, outcome, outcome_id, request.form)
    if outcome is None:
        event = _removal(meeting, "outcome_removed", "outcome", outcome_id)
        return removed_meanwhile(meeting, event, "the outcome", "editing it", form.text.data or "")
    if not form.validate_on_submit():
        return outcome_form_again(meeting, outcome, form, status=422)
    kind = OutcomeKind(form.kind.data)
    action = kind is OutcomeKind.ACTION
    values = {
        "kind": kind,
        "text": form.text.data,
        "owner_id": (form.owner_id.data or None) if action else None,
        "due_date": form.due_date.data if action else None,
    }
    if not action:
        values.update(done_at=None, done_by_id=None)
    written = db.session.execute(
        update(Outcome)
        .where(Outcome.id == outcome.id, Outcome.version == form.version.data)
        .values(version=Outcome.version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if written != 1:
        # Changed (or removed) since the page was shown, or between the read and now.
        db.session.rollback()
        outcome = _outcome(meeting, outcome_id)
        if outcome is None:
            event = _removal(meeting, "outcome_removed", "outcome", outcome_id)
            return removed_meanwhile(
                meeting, event, "the outcome", "editing it", form.text.data or ""
            )
        form.form_errors.append(OUTCOME_CHANGED)
        form.version.data = outcome.version
        return outcome_form_again(meeting, outcome, form, status=409, saved_now=outcome)
    record(
        "outcome_edited",
        region=meeting.region,
        target=meeting.ref,
        outcome=outcome.id,
        kind=kind.value,
        text=form.text.data[:80],
        phrase="edited an outcome of",
    )
    db.session.commit()
    db.session.refresh(meeting)
    flash("The outcome is saved.", "success")
    return fragment_or_page(meeting, "agenda")


def outcome_form_again(
    meeting: Meeting, outcome: Outcome, form: OutcomeEditForm, status: int, saved_now=None
) -> Response:
    """The agenda with this outcome's edit form open, holding what the user typed."""
    forms = {o.id: outcome_edit_form(meeting, o, o.id) for o in meeting.outcomes}
    forms[outcome.id] = form
    return fragment_or_page(
        meeting,
        "agenda",
        status=status,
        outcome_edit_forms=forms,
        editing_outcome=outcome.id,
        outcome_saved_now=saved_now,
    )


@meeting_route("/meetings/<int:meeting_id>/outcomes/<int:outcome_id>/settle", methods=["POST"])
def settle_outcome(meeting_id: int, outcome_id: int) -> Response:
    """Close an action item in one click (or re-open it). Allowed on closed meetings
    too: following up the actions is what happens after a meeting."""
    meeting = get_meeting(meeting_id)
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None or outcome.meeting_id != meeting.id or outcome.kind != OutcomeKind.ACTION:
        abort(404)
    if not may_settle(outcome):
        require(Action.EDIT, meeting.region)
    if meeting.is_cancelled:
        return closed_refusal(meeting)
    done = request.form.get("done", "1") == "1"
    if done and not outcome.is_done:
        outcome.done_at, outcome.done_by = utcnow(), current_user
        record("action_done", region=meeting.region, target=meeting.ref, text=outcome.text[:80])
    elif not done and outcome.is_done:
        outcome.done_at, outcome.done_by = None, None
        record("action_reopened", region=meeting.region, target=meeting.ref, text=outcome.text[:80])
    db.session.commit()
    if wants_fragment():
        if request.form.get("from") == "list":
            return render(
                "minutes/_action_row.html",
                o=outcome,
                today=_today(),
                may_settle=may_settle,
                list_region=g.get("region"),
            )
        return render("minutes/meeting.html", block="agenda", **meeting_context(meeting))
    return redirect(request.referrer or meeting_url(meeting), code=303)


# ---------------------------------------------------------------- participants


@meeting_route("/meetings/<int:meeting_id>/participants", methods=["POST"])
def add_participant(meeting_id: int) -> Response:
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    form = participant_form(meeting, request.form)
    if not form.validate_on_submit():
        return fragment_or_page(meeting, "participants", status=422, participant_form=form)
    participant = Participant(
        user_id=form.user_id.data or None,
        partner_id=form.partner_id.data or None,
        guest_name=form.guest_name.data or "",
        guest_organisation=(form.guest_organisation.data or "") if form.guest_name.data else "",
    )
    duplicate = any(
        (participant.user_id and p.user_id == participant.user_id)
        or (participant.partner_id and p.partner_id == participant.partner_id)
        for p in meeting.participants
    )
    if duplicate:
        form.form_errors.append("They are invited already.")
        return fragment_or_page(meeting, "participants", status=422, participant_form=form)
    meeting.participants.append(participant)
    db.session.commit()
    # The partners who approve the minutes follow the invitations: the approval box too.
    return fragment_or_page(meeting, "participants", also=("approvals",))


def _participant(meeting: Meeting, participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.meeting_id != meeting.id:
        abort(404)
    return participant


@meeting_route(
    "/meetings/<int:meeting_id>/participants/<int:participant_id>/attendance", methods=["POST"]
)
def attendance(meeting_id: int, participant_id: int) -> Response:
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    participant = _participant(meeting, participant_id)
    value = request.form.get("attended")
    participant.attended = {"yes": True, "no": False}.get(value)
    db.session.commit()
    return fragment_or_page(meeting, "participants")


@meeting_route(
    "/meetings/<int:meeting_id>/participants/<int:participant_id>/delete", methods=["POST"]
)
def remove_participant(meeting_id: int, participant_id: int) -> Response:
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    meeting.participants.remove(_participant(meeting, participant_id))
    db.session.commit()
    return fragment_or_page(meeting, "participants", also=("approvals",))


# ---------------------------------------------------------------- approvals


@meeting_route("/meetings/<int:meeting_id>/approval", methods=["POST"])
def approve(meeting_id: int) -> Response:
    meeting = get_meeting(meeting_id)
    if not meeting.is_closed:
        return error_response(
            409, "The minutes are approved after the meeting is closed; it is not closed yet."
        )
    if not may_approve(meeting):
        abort(403)
    form = ApprovalForm()
    if not form.validate_on_submit():
        return fragment_or_page(meeting, "approvals", status=422, approval_form=form)
    approval = my_partner_approval(meeting)
    if approval is None:
        approval = Approval(partner_id=current_user.partner_id)
        meeting.approvals.append(approval)
    approval.state = ApprovalState(form.state.data)
    approval.comment = form.comment.data or ""
    approval.by, approval.at = current_user, utcnow()
    record(
        f"minutes_{approval.state.value}",
        region=meeting.region,
        target=meeting.ref,
        partner=current_user.partner.short_name,
    )
    db.session.commit()
    flash(
        f"{current_user.partner.short_name} has {approval.state.label.lower()} the minutes.",
        "success",
    )
    return fragment_or_page(meeting, "approvals")


# ---------------------------------------------------------------- exports


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
        name=f"Meetings · {g.region.name}",
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

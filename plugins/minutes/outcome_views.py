"""Outcomes of a meeting's agenda items (decisions, information, action items):
adding, editing, removing them, settling an action item (done or open again), and the
action item lists of a region or of the project, "Mine" among them.
"""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from workspace.api import (
    N_,
    Action,
    Region,
    User,
    db,
    local_referrer,
    record,
    render,
    require,
    utcnow,
    wants_fragment,
)

from . import notifications
from .agenda_views import _agenda_item
from .blueprints import (
    _today,
    changeable,
    closed_refusal,
    get_meeting,
    may_settle,
    meeting_route,
    meeting_url,
    project_bp,
    region_bp,
    visible_meetings_filter,
)
from .forms import OutcomeEditForm
from .meeting_page import (
    _removal,
    fragment_or_page,
    meeting_context,
    outcome_edit_form,
    outcome_form,
    removed_meanwhile,
)
from .models import Meeting, Outcome, OutcomeKind

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
    owner = db.session.get(User, outcome.owner_id) if outcome.owner_id else None
    if owner is not None:
        notifications.action_assigned(outcome, owner)
    db.session.commit()
    # The form stays open for the next outcome, and htmx keeps the focus on its button.
    return fragment_or_page(meeting, "agenda", open_item=item.id)


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
        phrase=N_("removed an outcome from"),
    )
    db.session.commit()
    db.session.refresh(meeting)
    return fragment_or_page(meeting, "agenda")


def _outcome(meeting: Meeting, outcome_id: int) -> Outcome | None:
    outcome = db.session.get(Outcome, outcome_id)
    return outcome if outcome is not None and outcome.meeting_id == meeting.id else None


OUTCOME_CHANGED = _l(
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
        return removed_meanwhile(meeting, event, "outcome", form.text.data or "")
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
    owner_before = outcome.owner_id
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
            return removed_meanwhile(meeting, event, "outcome", form.text.data or "")
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
        phrase=N_("edited an outcome of"),
    )
    owner_id = values["owner_id"]
    if owner_id is not None and owner_id != owner_before:
        db.session.refresh(outcome)  # the text and due date as saved just now
        owner = db.session.get(User, owner_id)
        if owner is not None:
            notifications.action_assigned(outcome, owner)
    db.session.commit()
    db.session.refresh(meeting)
    flash(_("The outcome is saved."), "success")
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
    return redirect(local_referrer() or meeting_url(meeting), code=303)


# ---------------------------------------------------------------- action item lists


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

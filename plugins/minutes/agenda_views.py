"""The agenda of a meeting: adding, moving, editing and removing its items, and
writing each item's notes (saved on the version they were written from, merged three
ways with notes saved meanwhile).
"""

from __future__ import annotations

from flask import Response, abort, flash, request
from flask_babel import gettext as _
from sqlalchemy import update

from workspace.api import (
    db,
    merge3,
    record,
)

from . import notifications
from .blueprints import (
    changeable,
    meeting_route,
)
from .forms import AgendaItemForm, NotesForm
from .meeting_page import (
    _removal,
    fragment_or_page,
    meeting_context,
    removed_meanwhile,
)
from .models import AgendaItem, Meeting


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
    notifications.agenda_changed(meeting)
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
        notifications.agenda_changed(meeting)
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
    notifications.agenda_changed(meeting)
    db.session.commit()
    flash(_("“%(title)s” is saved.", title=item.title), "success")
    return fragment_or_page(meeting, "agenda")


def _same_text(a: str, b: str) -> bool:
    """Equal once line breaks are alike (a browser sends CR LF for what it was given)."""
    return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")


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
        return removed_meanwhile(meeting, event, "agenda_item", form.notes.data or "")
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in [*form.form_errors, *form.notes.errors]), "error")
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
            return removed_meanwhile(meeting, event, "agenda_item", mine)
    else:
        return notes_conflict(meeting, item, mine)
    title = item.title
    db.session.commit()
    if merged:
        flash(
            _(
                "Notes on “%(title)s” are saved, merged with the notes someone else saved "
                "meanwhile.",
                title=title,
            ),
            "success",
        )
    else:
        flash(_("Notes on “%(title)s” are saved.", title=title), "success")
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
        flash(
            _("“%(title)s” has outcomes; remove them before the agenda item.", title=item.title),
            "error",
        )
        return fragment_or_page(meeting, "agenda", status=409)
    meeting.agenda.remove(item)
    record(
        "agenda_item_removed",
        region=meeting.region,
        target=meeting.ref,
        title=item.title,
        item=item.id,
    )
    notifications.agenda_changed(meeting)
    db.session.commit()
    return fragment_or_page(meeting, "agenda")

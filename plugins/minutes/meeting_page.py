"""What the meeting page shows and how a change answers.

``meeting_context`` gathers everything the page and its fragments need: the meeting,
who may do what there, the forms it carries (agenda, outcomes, participants, approval)
and the people their pickers offer (``user_choices``). ``fragment_or_page`` answers a
change: the changed block for htmx, or back to the page. ``removed_meanwhile`` answers
a save whose agenda item or outcome someone removed in between.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, g, redirect
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import (
    Action,
    Event,
    Partner,
    Region,
    User,
    can,
    db,
    is_following,
    links_of,
    render,
    wants_fragment,
)

from .blueprints import (
    NEXT_STEP,
    _today,
    may_approve,
    may_settle,
    meeting_url,
    my_partner_approval,
)
from .forms import (
    AgendaItemForm,
    ApprovalForm,
    CancelForm,
    OutcomeEditForm,
    OutcomeForm,
    ParticipantForm,
    WebinarForm,
)
from .models import AgendaItem, Meeting, MeetingKind, Outcome, Stakeholder

# ---------------------------------------------------------------- forms and their people


def user_choices(region: Region | None) -> list[tuple[int, str]]:
    """The people a meeting in ``region`` (None: project-wide) may invite or make owner
    of an action item, as (id, "Name (organisation)"): active people who may read the
    region's meetings. An external stakeholder of another region is not offered: they
    could not open the meeting or the action item. Their coordinator adds them to this
    region first (as a stakeholder), and then they are offered.

    Read once per request and region: every agenda item's outcome form offers them."""
    cache = g.setdefault("_minutes_people", {})
    external = _("external")
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
        (u.id, f"{u.name} ({u.partner.short_name if u.partner else external})") for u in readers
    ]
    return cache[key]


def pickers_hint(meeting: Meeting) -> str:
    """Why someone may be missing from the person and owner lists."""
    if meeting.region is None:
        return _(
            "Staff of the partners are listed: external stakeholders do not read "
            "project-wide meetings."
        )
    return _(
        "Listed: partner staff and the stakeholders of %(region)s. A stakeholder "
        "of another region is listed once a coordinator of %(region)s adds them "
        "as a member here.",
        region=meeting.region.name,
    )


def outcome_form(item: AgendaItem, formdata=None) -> OutcomeForm:
    form = OutcomeForm(formdata=formdata, prefix=f"item{item.id}")
    form.owner_id.choices = [(0, _("Nobody yet")), *user_choices(item.meeting.region)]
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
    choices = [(0, _("Nobody yet")), *user_choices(meeting.region)]
    if outcome is not None and outcome.owner_id and all(c[0] != outcome.owner_id for c in choices):
        name = outcome.owner.name if outcome.owner is not None else _("A former member")
        choices.append((outcome.owner_id, _("%(name)s (cannot open this meeting now)", name=name)))
    form.owner_id.choices = choices
    return form


def current_members(region: Region) -> list[Stakeholder]:
    """The current members of the region's stakeholder group, by organisation."""
    return db.session.scalars(
        select(Stakeholder)
        .where(Stakeholder.region_id == region.id, Stakeholder.left_on.is_(None))
        .order_by(Stakeholder.organisation, Stakeholder.person)
    ).all()


def participant_form(meeting: Meeting, formdata=None) -> ParticipantForm:
    form = ParticipantForm(formdata=formdata)
    form.user_id.choices = [(0, _("Choose a person")), *user_choices(meeting.region)]
    members = current_members(meeting.region) if meeting.region is not None else []
    form.stakeholder_id.choices = [(0, _("Choose a member"))] + [
        (m.id, f"{m.person} ({m.organisation})") for m in members
    ]
    partners = db.session.scalars(select(Partner).order_by(Partner.name)).all()
    form.partner_id.choices = [(0, _("Choose an organisation"))] + [
        (p.id, p.name) for p in partners
    ]
    return form


# ---------------------------------------------------------------- the page


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
        "owner_hint": _("For action items: someone who can open this meeting."),
        # Following a meeting is following its minutes document: the core tells the
        # followers of a document of each comment on it.
        "following_minutes": meeting.minutes_document is not None
        and is_following(current_user, meeting.minutes_document.ref),
        "agenda_form": None,
        "outcome_forms": {},
        "edit_forms": {},
        "editing": None,
        "participant_form": None,
        "approval_form": None,
        "webinar_form": None,
        "webinar_saved_now": None,
        # Members of the region's stakeholder group not invited yet, for "invite the
        # whole group" (a stakeholder group meeting of a region only).
        "group_to_invite": 0,
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
        if meeting.kind is MeetingKind.STAKEHOLDER_GROUP and meeting.region is not None:
            invited = {p.stakeholder_id for p in meeting.participants}
            members = current_members(meeting.region)
            context["group_to_invite"] = sum(1 for m in members if m.id not in invited)
        context["cancel_form"] = CancelForm(formdata=None, data={"version": meeting.version})
    if meeting.is_webinar and can_edit and not meeting.is_cancelled:
        context["webinar_form"] = webinar_form(meeting)
    if context["may_approve"]:
        mine = context["my_approval"]
        answer = {"state": mine.state.value, "comment": mine.comment} if mine else None
        context["approval_form"] = ApprovalForm(formdata=None, data=answer)
    context.update(overrides)
    return context


def webinar_form(meeting: Meeting) -> WebinarForm:
    """The webinar's facts as saved, from the meeting's current version."""
    data = {
        "speakers": meeting.speakers,
        "attendee_count": meeting.attendee_count,
        "recording_url": meeting.recording_url,
        "version": meeting.version,
    }
    return WebinarForm(formdata=None, data=data)


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


def related(meeting: Meeting) -> list:
    """Documents and plugin records linked with the meeting, both ways (a practice
    presented there, an action it started), except its own minutes."""
    links = links_of(meeting.ref, current_user)
    own = meeting.minutes_document.ref if meeting.minutes_document else None
    return [row for row in links["linked"] + links["linked_from"] if row[1] != own]


# ---------------------------------------------------------------- removed meanwhile


def _removal(meeting: Meeting, verb: str, key: str, value: int) -> Event | None:
    """The activity entry that removed one agenda item or outcome of the meeting."""
    events = db.session.scalars(
        select(Event)
        .where(Event.verb == verb, Event.target == meeting.ref)
        .order_by(Event.id.desc())
        .limit(100)
    )
    return next((e for e in events if (e.detail or {}).get(key) == value), None)


def _removed_message(what: str, who: str | None, title: str | None) -> str:
    """The sentence saying ``what`` ("agenda_item" or "outcome") was removed meanwhile,
    by ``who`` (None: not known), with its ``title`` if known: whole sentences, so
    each language words them its own way."""
    if what == "agenda_item":
        if who is None:
            return _("The agenda item was removed while you were writing its notes.")
        if title:
            return _(
                "%(who)s removed the agenda item “%(title)s” while you were writing its notes.",
                who=who,
                title=title,
            )
        return _("%(who)s removed the agenda item while you were writing its notes.", who=who)
    if who is None:
        return _("The outcome was removed while you were editing it.")
    if title:
        return _(
            "%(who)s removed the outcome “%(title)s” while you were editing it.",
            who=who,
            title=title,
        )
    return _("%(who)s removed the outcome while you were editing it.", who=who)


def removed_meanwhile(meeting: Meeting, event: Event | None, what: str, text: str) -> Response:
    """409 for a save whose agenda item or outcome (``what``: "agenda_item" or
    "outcome") was removed meanwhile: says who removed it and shows the user's text,
    unsaved, to copy."""
    if event is not None:
        who = event.actor.name if event.actor is not None else _("Someone")
        title = event.detail.get("title") or event.detail.get("text")
        message = _removed_message(what, who, title)
    else:
        message = _removed_message(what, None, None)
    kept = {"message": message, "text": text, "at": event.created_at if event else None}
    return fragment_or_page(meeting, "agenda", status=409, kept_text=kept)

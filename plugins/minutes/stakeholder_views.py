"""A region's stakeholder group: the register of its members (organisations and people,
standing across meetings), their attendance at the group's meetings, and inviting the
whole group to a stakeholder group meeting.

The register lives at ``/r/<region>/minutes/stakeholders``. Whoever reads the region
reads it (e-mail addresses only for those who edit there); the region's editors (its
partners' staff) add members, change them and mark them as left. Nobody is deleted:
a former member stays listed, with the meetings they attended.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import N_, Action, Region, can, db, record, render, require, utcnow

from .blueprints import changeable, commit_meeting, region_bp
from .forms import LeaveForm, StakeholderForm
from .meeting_page import current_members, fragment_or_page, participant_form
from .models import Meeting, MeetingKind, Participant, Stakeholder, StakeholderKind

STALE_MEMBER = _l(
    "Someone else changed this member of the group while you were editing; nothing was "
    "saved. Your changes are still in the form: compare them with what is saved now and "
    "save again."
)


@dataclass
class Attendance:
    """A member's part in the group's meetings: each meeting held while they were a
    member, and whether they were there (None: not invited or not marked)."""

    rows: list[tuple[Meeting, bool | None]]

    @property
    def present(self) -> int:
        return sum(1 for _, attended in self.rows if attended)


def group_meetings(region: Region) -> list[Meeting]:
    """The region's stakeholder group meetings that took place or are to take place:
    not in the trash, not cancelled, oldest first."""
    return db.session.scalars(
        select(Meeting)
        .where(
            Meeting.region_id == region.id,
            Meeting.kind == MeetingKind.STAKEHOLDER_GROUP,
            Meeting.not_trashed(),
            Meeting.cancelled_at.is_(None),
        )
        .options(selectinload(Meeting.participants))
        .order_by(Meeting.starts_at)
    ).all()


def attendance(member: Stakeholder, meetings: list[Meeting]) -> Attendance:
    rows = []
    for meeting in meetings:
        if not meeting.is_held:
            continue
        day = meeting.local_start.date()
        mine = next((p for p in meeting.participants if p.stakeholder_id == member.id), None)
        was_member = member.joined_on <= day and (member.left_on is None or day <= member.left_on)
        if mine is None and not was_member:
            continue
        rows.append((meeting, mine.attended if mine else None))
    return Attendance(rows)


def _member(member_id: int) -> Stakeholder:
    member = db.session.get(Stakeholder, member_id)
    if member is None or member.region_id != g.region.id:
        abort(404)
    return member


def register_page(status: int = 200, **overrides) -> Response:
    region = g.region
    members = db.session.scalars(
        select(Stakeholder)
        .where(Stakeholder.region_id == region.id)
        .order_by(Stakeholder.organisation, Stakeholder.person)
    ).all()
    meetings = group_meetings(region)
    can_edit = can(current_user, Action.EDIT, region)
    today = utcnow().date()
    context = {
        "region": region,
        "current": [m for m in members if m.is_current],
        "former": [m for m in members if not m.is_current],
        "attendance": {m.id: attendance(m, meetings) for m in members},
        "held": [m for m in meetings if m.is_held],
        "can_edit": can_edit,
        "add_form": None,
        "leave_forms": {},
        "kinds": StakeholderKind,
    }
    if can_edit:
        context["add_form"] = StakeholderForm(formdata=None, data={"joined_on": today})
        context["leave_forms"] = {
            m.id: LeaveForm(
                formdata=None, prefix=f"leave{m.id}", data={"left_on": today, "version": m.version}
            )
            for m in members
            if m.is_current
        }
    # A refused leave form replaces that member's form only.
    overrides["leave_forms"] = {**context["leave_forms"], **overrides.get("leave_forms", {})}
    context.update(overrides)
    return render("minutes/stakeholders.html", status=status, **context)


@region_bp.get("/stakeholders")
def stakeholders() -> Response:
    return register_page()


@region_bp.post("/stakeholders")
def add_stakeholder() -> Response:
    require(Action.EDIT, g.region)
    form = StakeholderForm()
    if not form.validate_on_submit():
        return register_page(status=422, add_form=form, adding=True)
    member = Stakeholder(region_id=g.region.id, left_on=None)
    _fill(member, form)
    db.session.add(member)
    db.session.flush()
    record(
        "stakeholder_added",
        region=g.region,
        target=member.ref,
        title=f"{member.person} ({member.organisation})",
        phrase=N_("added a member to the stakeholder group"),
    )
    db.session.commit()
    flash(
        _(
            "%(person)s (%(organisation)s) joins the stakeholder group.",
            person=member.person,
            organisation=member.organisation,
        ),
        "success",
    )
    return redirect(url_for("minutes.stakeholders", region=g.region.slug), code=303)


def _fill(member: Stakeholder, form: StakeholderForm) -> None:
    member.person = form.person.data
    member.organisation = form.organisation.data
    member.kind = StakeholderKind(form.kind.data)
    member.position = form.position.data or ""
    member.email = form.email.data or ""
    member.joined_on = form.joined_on.data


@region_bp.route("/stakeholders/<int:member_id>/edit", methods=["GET", "POST"])
def edit_stakeholder(member_id: int) -> Response:
    require(Action.EDIT, g.region)
    member = _member(member_id)
    if request.method == "GET":
        form = StakeholderForm(formdata=None, obj=member)
        form.kind.data = member.kind.value
        form.version.data = member.version
        return render("minutes/stakeholder_form.html", region=g.region, member=member, form=form)
    form = StakeholderForm()
    if not form.validate_on_submit():
        return render(
            "minutes/stakeholder_form.html", status=422, region=g.region, member=member, form=form
        )
    if form.version.data != member.version:
        return _stale(member, form)
    _fill(member, form)
    member.left_on = form.left_on.data
    record(
        "stakeholder_edited",
        region=g.region,
        target=member.ref,
        title=f"{member.person} ({member.organisation})",
        phrase=N_("changed a member of the stakeholder group"),
    )
    if not commit_meeting(member):
        return _stale(db.session.get(Stakeholder, member_id), form)
    flash(_("%(person)s is saved.", person=member.person), "success")
    return redirect(url_for("minutes.stakeholders", region=g.region.slug), code=303)


def _stale(member: Stakeholder, form: StakeholderForm) -> Response:
    """Someone saved the member since this form was opened: keep the user's input, show
    what is saved now, and let them save again on top of it."""
    db.session.refresh(member)
    form.version.data, form.version.raw_data = member.version, [str(member.version)]
    form.form_errors.append(STALE_MEMBER)
    return render(
        "minutes/stakeholder_form.html",
        status=409,
        region=g.region,
        member=member,
        form=form,
        saved_now=member,
    )


@region_bp.post("/stakeholders/<int:member_id>/leave")
def leave_stakeholder(member_id: int) -> Response:
    require(Action.EDIT, g.region)
    member = _member(member_id)
    if not member.is_current:
        return register_page(
            status=409,
            notice=_("%(person)s has left the group already.", person=member.person),
        )
    form = LeaveForm(prefix=f"leave{member.id}")
    if form.validate_on_submit() and form.left_on.data < member.joined_on:
        form.left_on.errors = [
            _(
                "%(person)s joined on %(day)s: they leave after that.",
                person=member.person,
                day=member.joined_on.isoformat(),
            )
        ]
    if form.errors or not form.is_submitted():
        return register_page(status=422, leave_forms={member.id: form}, leaving=member.id)
    if form.version.data != member.version:
        return register_page(
            status=409,
            notice=_(
                "Someone else changed %(person)s meanwhile; nothing was changed. "
                "Check the register and try again.",
                person=member.person,
            ),
        )
    member.left_on = form.left_on.data
    record(
        "stakeholder_left",
        region=g.region,
        target=member.ref,
        title=f"{member.person} ({member.organisation})",
        phrase=N_("marked a member of the stakeholder group as left"),
    )
    if not commit_meeting(member):
        return register_page(
            status=409,
            notice=_("Someone else changed %(person)s meanwhile.", person=member.person),
        )
    flash(
        _(
            "%(person)s has left the stakeholder group; they stay listed as former.",
            person=member.person,
        ),
        "success",
    )
    return redirect(url_for("minutes.stakeholders", region=g.region.slug), code=303)


# ---------------------------------------------------------------- the group at a meeting


@region_bp.post("/meetings/<int:meeting_id>/participants/group")
def invite_group(meeting_id: int) -> Response:
    """Invite every current member of the region's stakeholder group not invited yet."""
    meeting, refusal = changeable(meeting_id)
    if refusal:
        return refusal
    form = participant_form(meeting)
    if meeting.kind is not MeetingKind.STAKEHOLDER_GROUP:
        form.form_errors.append(_("Only a stakeholder group meeting invites the whole group."))
        return fragment_or_page(meeting, "participants", status=409, participant_form=form)
    invited = {p.stakeholder_id for p in meeting.participants if p.stakeholder_id}
    new = [m for m in current_members(meeting.region) if m.id not in invited]
    if not new:
        form.form_errors.append(
            _("Every current member of the stakeholder group is invited already.")
            if invited
            else _("The stakeholder group has no members yet: add them in the register first.")
        )
        return fragment_or_page(meeting, "participants", status=422, participant_form=form)
    for member in new:
        meeting.participants.append(Participant(stakeholder=member))
    db.session.commit()
    flash(
        ngettext(
            "%(num)d member of the stakeholder group is invited.",
            "%(num)d members of the stakeholder group are invited.",
            len(new),
        ),
        "success",
    )
    return fragment_or_page(meeting, "participants")

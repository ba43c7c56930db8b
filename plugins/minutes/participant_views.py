"""Who takes part in a meeting: inviting people, partners or guests, marking their
attendance, removing them, and the participating partners' approval of the minutes
once the meeting is closed.
"""

from __future__ import annotations

from flask import Response, abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from workspace.api import (
    db,
    error_response,
    record,
    utcnow,
)

from .blueprints import (
    changeable,
    get_meeting,
    may_approve,
    meeting_route,
    my_partner_approval,
)
from .forms import ApprovalForm
from .meeting_page import fragment_or_page, participant_form
from .models import Approval, ApprovalState, Meeting, Participant

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
        stakeholder_id=form.stakeholder_id.data or None,
        partner_id=form.partner_id.data or None,
        guest_name=form.guest_name.data or "",
        guest_organisation=(form.guest_organisation.data or "") if form.guest_name.data else "",
    )
    duplicate = any(
        (participant.user_id and p.user_id == participant.user_id)
        or (participant.stakeholder_id and p.stakeholder_id == participant.stakeholder_id)
        or (participant.partner_id and p.partner_id == participant.partner_id)
        for p in meeting.participants
    )
    if duplicate:
        form.form_errors.append(_("They are invited already."))
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
            409, _("The minutes are approved after the meeting is closed; it is not closed yet.")
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
    partner = current_user.partner.short_name
    if approval.state is ApprovalState.APPROVED:
        said = _("%(partner)s has approved the minutes.", partner=partner)
    else:
        said = _("%(partner)s has commented the minutes.", partner=partner)
    flash(said, "success")
    return fragment_or_page(meeting, "approvals")

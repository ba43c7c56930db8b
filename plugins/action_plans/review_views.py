"""Region pages of a plan's way through review (/r/<region>/action_plans/<plan>/...):
sending it to review, endorsing it, re-opening it, and the Phase 2 monitoring of each
action of an endorsed plan.

The routes join the plugin's region blueprint (``views.bp``).
"""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from workspace.api import (
    N_,
    Action,
    db,
    db_int,
    record,
    render,
    require,
)

from . import monitoring, notices
from . import plans as rules
from .forms import MonitorForm
from .models import Progress, Status
from .views import _committed, _context, _me, bp, get_action, get_plan

# Stored with the event as written, translated where the activity is shown.
PHASE2_PHRASES = {
    Progress.NOT_STARTED: N_("recorded the %(period)s Phase 2 state (not started) of"),
    Progress.IN_PROGRESS: N_("recorded the %(period)s Phase 2 state (in progress) of"),
    Progress.IMPLEMENTED: N_("recorded the %(period)s Phase 2 state (implemented) of"),
    Progress.NOT_IMPLEMENTED: N_("recorded the %(period)s Phase 2 state (not implemented) of"),
}
MONITORING_CHANGED = _l(
    "Someone else updated this action meanwhile. Your text is still below; "
    "check the plan in another tab, then save again."
)


@bp.post("/<id:plan_id>/review")
def send_to_review(plan_id: int) -> Response:
    plan = get_plan(plan_id)
    require(Action.EDIT, plan.region)
    if plan.state is not Status.DRAFT:
        already = {
            Status.REVIEW: _("This plan is in review already."),
            Status.ENDORSED: _("This plan is endorsed already."),
        }
        flash(already[plan.state], "error")
        return render("action_plans/view.html", **_context(plan), status=409)
    missing = rules.missing_for_review(plan)
    if missing:
        flash(_("Before review, fill in: %(missing)s.", missing="; ".join(missing)), "error")
        return render("action_plans/view.html", **_context(plan), status=422)
    rules.set_status(plan, _me(), Status.REVIEW, N_("sent an action plan to review:"))
    notices.plan_review(plan)
    db.session.commit()
    flash(
        _("Sent to review: the advisory partner and coordinators can comment each text."),
        "success",
    )
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.post("/<id:plan_id>/endorse")
def endorse(plan_id: int) -> Response:
    plan = get_plan(plan_id)
    require(Action.MANAGE, plan.region)
    if plan.state is not Status.REVIEW:
        flash(
            _("Only a plan in review can be endorsed; this one is a draft.")
            if plan.state is Status.DRAFT
            else _("Only a plan in review can be endorsed; this one is endorsed."),
            "error",
        )
        return render("action_plans/view.html", **_context(plan), status=409)
    missing = rules.missing_for_review(plan)
    if missing:
        flash(_("The plan is incomplete: %(missing)s.", missing="; ".join(missing)), "error")
        return render("action_plans/view.html", **_context(plan), status=422)
    open_comments = rules.open_comments(plan)
    # The confirmation names the newest open comment it showed: one written since then
    # is shown too, and asked about again.
    try:
        seen = db_int(request.form.get("confirmed_comments", "0") or "0")
    except ValueError:
        seen = 0
    if open_comments and max(c.id for c in open_comments) > seen:
        count = len(open_comments)
        flash(
            ngettext(
                "%(num)d review comment is still open. Read them before endorsing, or "
                "endorse the plan with them open.",
                "%(num)d review comments are still open. Read them before endorsing, or "
                "endorse the plan with them open.",
                count,
            ),
            "error",
        )
        return render("action_plans/view.html", **_context(plan, confirm_endorse=True), status=409)
    rules.set_status(
        plan,
        _me(),
        Status.ENDORSED,
        N_("endorsed an action plan:"),
        open_comments=len(open_comments),
    )
    notices.plan_endorsed(plan)
    db.session.commit()
    flash(_("The plan is endorsed. Its texts are read-only until it is re-opened."), "success")
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.post("/<id:plan_id>/reopen")
def reopen(plan_id: int) -> Response:
    plan = get_plan(plan_id)
    require(Action.MANAGE, plan.region)
    if plan.state is Status.DRAFT:
        flash(_("This plan is a draft already."), "error")
        return render("action_plans/view.html", **_context(plan), status=409)
    plan.endorsed_at = None
    plan.endorsed_by_id = None
    plan.endorsed_partner_id = None
    rules.set_status(plan, _me(), Status.DRAFT, N_("re-opened an action plan:"))
    db.session.commit()
    flash(_("The plan is a draft again and can be changed."), "success")
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.route("/<id:plan_id>/actions/<id:action_id>/monitor", methods=["GET", "POST"])
def monitor(plan_id: int, action_id: int) -> Response:
    """An action's Phase 2 state for one reporting period (by default the one containing
    today; ``?period=N`` opens another offered one with what was recorded for it)."""
    plan = get_plan(plan_id)
    action = get_action(plan, action_id)
    require(Action.EDIT, plan.region)
    if plan.state is not Status.ENDORSED:
        flash(_("Phase 2 monitoring starts once the plan is endorsed."), "error")
        return render("action_plans/view.html", **_context(plan), status=409)
    offered = monitoring.offered_periods()
    if request.method == "GET":
        asked = request.args.get("period", type=db_int)
        period = next((p for p in offered if p.number == asked), monitoring.default_period(offered))
        form = MonitorForm(obj=monitoring.state_at(action, period.number) or action)
        form.offer(offered)
        form.period.data = period.number
        form.version.data = action.version
        return _monitor_form(plan, action, form)
    form = MonitorForm()
    form.offer(offered)
    if not request.form.get("period"):
        # A form opened before periods were asked for: today's period, as it said then.
        form.period.data = monitoring.default_period(offered).number
    if not form.validate_on_submit():
        return _monitor_form(plan, action, form, 422)
    if form.version.data != action.version:
        form.form_errors.append(str(MONITORING_CHANGED))
        form.version.data = action.version
        return _monitor_form(plan, action, form, 409)
    period = next(p for p in offered if p.number == form.period.data)
    monitoring.record_state(
        action,
        period,
        _me(),
        form.progress.data,
        form.reason.data or "",
        form.evidence.data or "",
        form.instrument_change.data or "",
    )
    action.version += 1
    record(
        "action_plan_monitored",
        region=plan.region,
        target=action.ref,
        progress=form.progress.data,
        period=period.label,
        phrase=PHASE2_PHRASES[Progress(form.progress.data)],
        phrase_args={"period": period.label},
    )
    if not _committed():
        form.form_errors.append(str(MONITORING_CHANGED))
        form.version.data = get_action(get_plan(plan_id), action_id).version
        return _monitor_form(plan, action, form, 409)
    flash(
        _(
            "Action %(position)s, %(period)s: %(state)s.",
            position=action.position,
            period=period.label,
            state=Progress(form.progress.data).label.lower(),
        ),
        "success",
    )
    return redirect(
        url_for("action_plans.view", plan_id=plan.id) + f"#action-{action.id}", code=303
    )


def _monitor_form(plan, action, form: MonitorForm, status: int = 200) -> Response:
    return render(
        "action_plans/monitor_form.html",
        form=form,
        plan=plan,
        action=action,
        history=list(reversed(action.history)),
        offered_numbers=[choice.value for choice in form.period.choices],
        status=status,
    )

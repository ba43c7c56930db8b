"""Region pages of the action plans (/r/<region>/action_plans/): the region's plans,
one plan laid out as the template, its actions, review, endorsement and monitoring.

The core's gate has already checked that the plugin is on here and that the user may
read the region; it put the region in ``g.region``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from workspace.api import (
    UNAVAILABLE,
    Action,
    Link,
    can,
    db,
    db_int,
    describe,
    enabled_anywhere,
    error_response,
    find_targets,
    input_value,
    record,
    render,
    render_markup,
    require,
)

from . import plans as rules
from .exports import country_name
from .forms import ActionForm, MonitorForm, NewActionForm, PlanForm
from .models import Plan, PlanAction, Progress, Status

bp = Blueprint("action_plans", __name__, template_folder="templates")

PLAN_FIELDS = ["instrument_name", "instrument_kind", "other_partners", "contact", "language"]
INSPIRED = rules.INSPIRED
SOURCES = ("portfolio:practice:", "minutes:meeting:")
PLAN_CHANGED = (
    "Someone else changed this plan while you were editing. Your text is still "
    "below; check the plan in another tab, then save again."
)
ACTION_CHANGED = (
    "Someone else changed this action while you were editing. Your values are "
    "still below; check the plan in another tab, then save again."
)
ENDORSED_MEANWHILE = (
    "This plan is endorsed: re-open it before changing it. Your values below were not "
    "saved; copy them to keep them."
)
MONITORING_CHANGED = (
    "Someone else updated this action meanwhile. Your text is still below; "
    "check the plan in another tab, then save again."
)


def _me():
    return current_user._get_current_object()


def _committed() -> bool:
    """Commit, or roll back and answer False when another save of the same plan or
    action got there first: each UPDATE checks the version it read (see models)."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return False
    return True


@bp.errorhandler(StaleDataError)
def changed_meanwhile(error: StaleDataError) -> Response:
    """A button (move, send to review, endorse...) raced another change: nothing was
    saved; the forms with text handle it themselves and keep the text."""
    db.session.rollback()
    return error_response(409)


def get_plan(plan_id: int, trashed: bool = False) -> Plan:
    """The plan of the current region, or 404. One in the trash is 404 on every page
    (its actions' too) but the one that brings it back (``trashed=True``)."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.region_id != g.region.id or plan.in_trash != trashed:
        abort(404)
    return plan


def get_action(plan: Plan, action_id: int) -> PlanAction:
    action = db.session.get(PlanAction, action_id)
    if action is None or action.plan_id != plan.id:
        abort(404)
    return action


def inspirations(action: PlanAction):
    return rules.inspired_by(action, _me())


def sources_available() -> list[str]:
    on = enabled_anywhere()
    return [name for name in ("portfolio", "minutes") if name in on]


def _context(plan: Plan, **extra) -> dict:
    user = _me()
    open_comments = rules.open_comments(plan) if plan.state is not Status.ENDORSED else []
    open_per_text: dict[int, int] = {}
    for comment in open_comments:
        open_per_text[comment.document_id] = open_per_text.get(comment.document_id, 0) + 1
    actions = []
    for action in plan.actions:
        texts = rules.action_texts(action)
        actions.append(
            {
                "action": action,
                "texts": {name: render_markup(text) for name, text in texts.items()},
                "inspired": inspirations(action),
            }
        )
    return {
        "plan": plan,
        "actions": actions,
        "context_html": render_markup(plan.context_document.body if plan.context_document else ""),
        "summary_html": render_markup(plan.summary_document.body if plan.summary_document else ""),
        "can_edit": rules.may_edit(user, plan),
        "can_review": plan.state is Status.DRAFT and can(user, Action.EDIT, plan.region),
        "can_endorse": plan.state is Status.REVIEW and rules.may_endorse(user, plan),
        "can_reopen": plan.state is not Status.DRAFT and rules.may_endorse(user, plan),
        "can_monitor": plan.state is Status.ENDORSED and can(user, Action.EDIT, plan.region),
        "missing": rules.missing_for_review(plan) if plan.state is not Status.ENDORSED else [],
        "new_action_form": extra.pop("new_action_form", None) or NewActionForm(formdata=None),
        "sources_on": sources_available(),
        "sources_label": " or ".join(
            "good practice" if name == "portfolio" else "meeting or thematic visit"
            for name in sources_available()
        ),
        "progress_states": list(Progress),
        "open_comments": open_comments,
        "open_per_text": open_per_text,
        "newest_open": max((c.id for c in open_comments), default=0),
        "confirm_endorse": False,
        "unavailable": UNAVAILABLE,
        "country": country_name(plan.region.country),
        **extra,
    }


@bp.get("/")
def index() -> Response:
    plans = db.session.scalars(
        select(Plan)
        .where(Plan.region_id == g.region.id, Plan.not_trashed())
        .order_by(Plan.created_at)
    ).all()
    can_create = can(_me(), Action.EDIT, g.region)
    return render(
        "action_plans/index.html",
        plans=plans,
        can_create=can_create,
        # The region's editors write draft plans, so they may find one in the trash.
        trash_url=url_for("action_plans.trash_list") if can_create else None,
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> Response:
    require(Action.EDIT, g.region)
    form = PlanForm()
    if form.validate_on_submit():
        plan = rules.new_plan(
            g.region, _me(), **{n: getattr(form, n).data or "" for n in PLAN_FIELDS}
        )
        db.session.commit()
        flash("The plan is started. Add its actions and write its texts.", "success")
        return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)
    if not form.is_submitted():
        form.language.data = "English"
    status = 422 if form.is_submitted() else 200
    return render("action_plans/plan_form.html", form=form, plan=None, status=status)


@bp.get("/<id:plan_id>")
def view(plan_id: int) -> Response:
    return render("action_plans/view.html", **_context(get_plan(plan_id)))


def _refuse_endorsed(plan: Plan):
    if plan.state is Status.ENDORSED:
        flash("This plan is endorsed: re-open it before changing it.", "error")
        return render("action_plans/view.html", **_context(plan), status=409)
    return None


@bp.route("/<id:plan_id>/edit", methods=["GET", "POST"])
def edit(plan_id: int) -> Response:
    plan = get_plan(plan_id)
    require(Action.EDIT, plan.region)
    if (refused := _refuse_endorsed(plan)) is not None:
        return refused
    if request.method == "GET":
        form = PlanForm(obj=plan)
        form.version.data = plan.version
        return render("action_plans/plan_form.html", form=form, plan=plan)
    form = PlanForm()
    if not form.validate_on_submit():
        return render("action_plans/plan_form.html", form=form, plan=plan, status=422)
    if form.version.data != plan.version:
        form.form_errors.append(PLAN_CHANGED)
        form.version.data = plan.version
        return render("action_plans/plan_form.html", form=form, plan=plan, status=409)
    for name in PLAN_FIELDS:
        setattr(plan, name, getattr(form, name).data or "")
    rules.touch(plan)
    if not _committed():
        form.form_errors.append(PLAN_CHANGED)
        form.version.data = get_plan(plan_id).version
        return render("action_plans/plan_form.html", form=form, plan=plan, status=409)
    flash("General information saved.", "success")
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.post("/<id:plan_id>/actions")
def add_action(plan_id: int) -> Response:
    plan = get_plan(plan_id)
    require(Action.EDIT, plan.region)
    if (refused := _refuse_endorsed(plan)) is not None:
        return refused
    form = NewActionForm()
    if not form.validate_on_submit():
        return render("action_plans/view.html", **_context(plan, new_action_form=form), status=422)
    action = rules.add_action(plan, _me(), form.title.data)
    db.session.commit()
    flash(
        f"Action {action.position} added: write its background, the action and players.", "success"
    )
    return redirect(
        url_for("action_plans.view", plan_id=plan.id) + f"#action-{action.id}", code=303
    )


@bp.route("/<id:plan_id>/actions/<id:action_id>/edit", methods=["GET", "POST"])
def edit_action(plan_id: int, action_id: int) -> Response:
    """An action's facts, saved on the action's own version: saves of different actions
    of one plan never refuse each other, and the plan's fields keep their version. A
    save whose action was removed meanwhile shows the values to copy, and offers to add
    the action back with them."""
    plan = get_plan(plan_id)
    require(Action.EDIT, plan.region)
    if request.method == "GET":
        action = get_action(plan, action_id)
        if (refused := _refuse_endorsed(plan)) is not None:
            return refused
        form = ActionForm(obj=action)
        form.costs.data = input_value(action.costs)
        form.version.data = action.version
        return render("action_plans/action_form.html", form=form, plan=plan, action=action)
    form = ActionForm()
    action = db.session.get(PlanAction, action_id)
    if action is None or action.plan_id != plan.id:
        return action_gone(plan, action_id, form)
    if plan.state is Status.ENDORSED:
        return _action_form(plan, action, form, 409, ENDORSED_MEANWHILE)
    if not form.validate_on_submit():
        return _action_form(plan, action, form, 422)
    if form.version.data != action.version:
        return _action_form(plan, action, form, 409, ACTION_CHANGED, saved_now=action)
    if not rules.action_saved(plan):
        db.session.rollback()
        return _action_form(plan, action, form, 409, ENDORSED_MEANWHILE)
    action.title = form.title.data
    action.start_month = form.start_month.data or ""
    action.end_month = form.end_month.data or ""
    action.costs = form.cost_value
    action.funding_sources = form.funding_sources.data or ""
    action.version += 1
    if not _committed():
        # Saved or removed by someone between this save's read and its write.
        action = db.session.get(PlanAction, action_id)
        if action is None:
            return action_gone(plan, action_id, form)
        return _action_form(plan, action, form, 409, ACTION_CHANGED, saved_now=action)
    flash(f"Action {action.position} saved.", "success")
    return redirect(
        url_for("action_plans.view", plan_id=plan.id) + f"#action-{action.id}", code=303
    )


def _action_form(
    plan: Plan,
    action: PlanAction,
    form: ActionForm,
    status: int,
    message: str | None = None,
    saved_now: PlanAction | None = None,
) -> Response:
    """The action's form again with what the user typed (and, after a conflict, the
    facts saved now beside it, the form now based on them)."""
    if message:
        form.form_errors.append(message)
    if saved_now is not None:
        form.version.data = saved_now.version
    return render(
        "action_plans/action_form.html",
        form=form,
        plan=plan,
        action=action,
        saved_now=saved_now,
        status=status,
    )


def action_gone(plan: Plan, action_id: int, form: ActionForm) -> Response:
    """409 for a save of an action removed meanwhile: who removed it and when, the
    user's values to copy, and a button that adds the action back with them (its texts
    too, while they are in the core's deleted documents)."""
    form.validate()  # the values are shown with their messages, never saved here
    event = rules.removal_of(plan, action_id)
    who = event.actor.name if event is not None and event.actor is not None else "Someone"
    title = (event.detail or {}).get("title") if event is not None else None
    form.form_errors.append(
        f"{who} removed the action “{title}” from the plan while you were editing it."
        if title
        else "This action was removed from the plan while you were editing it."
    )
    return render(
        "action_plans/action_form.html",
        form=form,
        plan=plan,
        action=None,
        gone={
            "id": action_id,
            "at": event.created_at if event is not None else None,
            "texts": rules.removed_texts(plan, action_id) is not None,
            "can_readd": rules.may_edit(_me(), plan),
        },
        status=409,
    )


@bp.post("/<id:plan_id>/actions/<id:action_id>/readd")
def readd_action(plan_id: int, action_id: int) -> Response:
    """Add an action removed meanwhile back to the plan, with the values someone was
    saving when it went (see ``action_gone``)."""
    plan = get_plan(plan_id)
    require(Action.EDIT, plan.region)
    form = ActionForm()
    if db.session.get(PlanAction, action_id) is not None:
        abort(404)  # not removed: there is nothing to add back
    if (back := rules.readded(plan, action_id)) is not None:
        flash(f"Action {back.position} is back in the plan already.", "info")
        return redirect(
            url_for("action_plans.view", plan_id=plan.id) + f"#action-{back.id}", code=303
        )
    if plan.state is Status.ENDORSED:
        form.form_errors.append(ENDORSED_MEANWHILE)
        return action_gone(plan, action_id, form)
    if not form.validate_on_submit():
        return action_gone(plan, action_id, form)
    action = rules.readd_action(
        plan,
        _me(),
        action_id,
        form.title.data,
        start_month=form.start_month.data or "",
        end_month=form.end_month.data or "",
        costs=form.cost_value,
        funding_sources=form.funding_sources.data or "",
    )
    db.session.commit()
    flash(f"“{action.title}” is back in the plan as action {action.position}.", "success")
    return redirect(
        url_for("action_plans.view", plan_id=plan.id) + f"#action-{action.id}", code=303
    )


@bp.post("/<id:plan_id>/actions/<id:action_id>/move")
def move_action(plan_id: int, action_id: int) -> Response:
    plan = get_plan(plan_id)
    action = get_action(plan, action_id)
    require(Action.EDIT, plan.region)
    if (refused := _refuse_endorsed(plan)) is not None:
        return refused
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    rules.move(plan, action, step)
    db.session.commit()
    if request.htmx:
        return render("action_plans/view.html", block="actions", **_context(plan))
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.post("/<id:plan_id>/actions/<id:action_id>/remove")
def remove_action(plan_id: int, action_id: int) -> Response:
    plan = get_plan(plan_id)
    action = get_action(plan, action_id)
    require(Action.EDIT, plan.region)
    if (refused := _refuse_endorsed(plan)) is not None:
        return refused
    title, ref, document_id = action.title, action.ref, action.document_id
    db.session.execute(
        Link.__table__.delete().where((Link.source == action.ref) | (Link.target == action.ref))
    )
    rules.remove_action(plan, action)
    record(
        rules.REMOVED,
        region=plan.region,
        target=plan.ref,
        title=title,
        # So that a save of this action that arrives later can say who removed it and
        # offer to add it back with its texts.
        action=ref,
        document=document_id,
        phrase="removed an action from an action plan:",
    )
    db.session.commit()
    flash(f"“{title}” is removed from the plan.", "success")
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.post("/<id:plan_id>/review")
def send_to_review(plan_id: int) -> Response:
    plan = get_plan(plan_id)
    require(Action.EDIT, plan.region)
    if plan.state is not Status.DRAFT:
        flash(f"This plan is {plan.state.label.lower()} already.", "error")
        return render("action_plans/view.html", **_context(plan), status=409)
    missing = rules.missing_for_review(plan)
    if missing:
        flash("Before review, fill in: " + "; ".join(missing) + ".", "error")
        return render("action_plans/view.html", **_context(plan), status=422)
    rules.set_status(plan, _me(), Status.REVIEW, "sent an action plan to review:")
    db.session.commit()
    flash("Sent to review: the advisory partner and coordinators can comment each text.", "success")
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.post("/<id:plan_id>/endorse")
def endorse(plan_id: int) -> Response:
    plan = get_plan(plan_id)
    require(Action.MANAGE, plan.region)
    if plan.state is not Status.REVIEW:
        flash(
            f"Only a plan in review can be endorsed; this one is {plan.state.label.lower()}.",
            "error",
        )
        return render("action_plans/view.html", **_context(plan), status=409)
    missing = rules.missing_for_review(plan)
    if missing:
        flash("The plan is incomplete: " + "; ".join(missing) + ".", "error")
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
            f"{count} review comment{'s are' if count != 1 else ' is'} still open. Read "
            "them before endorsing, or endorse the plan with them open.",
            "error",
        )
        return render("action_plans/view.html", **_context(plan, confirm_endorse=True), status=409)
    rules.set_status(
        plan, _me(), Status.ENDORSED, "endorsed an action plan:", open_comments=len(open_comments)
    )
    db.session.commit()
    flash("The plan is endorsed. Its texts are read-only until it is re-opened.", "success")
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.post("/<id:plan_id>/reopen")
def reopen(plan_id: int) -> Response:
    plan = get_plan(plan_id)
    require(Action.MANAGE, plan.region)
    if plan.state is Status.DRAFT:
        flash("This plan is a draft already.", "error")
        return render("action_plans/view.html", **_context(plan), status=409)
    plan.endorsed_at = None
    plan.endorsed_by_id = None
    plan.endorsed_partner_id = None
    rules.set_status(plan, _me(), Status.DRAFT, "re-opened an action plan:")
    db.session.commit()
    flash("The plan is a draft again and can be changed.", "success")
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.route("/<id:plan_id>/actions/<id:action_id>/monitor", methods=["GET", "POST"])
def monitor(plan_id: int, action_id: int) -> Response:
    plan = get_plan(plan_id)
    action = get_action(plan, action_id)
    require(Action.EDIT, plan.region)
    if plan.state is not Status.ENDORSED:
        flash("Phase 2 monitoring starts once the plan is endorsed.", "error")
        return render("action_plans/view.html", **_context(plan), status=409)
    if request.method == "GET":
        form = MonitorForm(obj=action)
        form.version.data = action.version
        return render("action_plans/monitor_form.html", form=form, plan=plan, action=action)
    form = MonitorForm()
    if not form.validate_on_submit():
        return render(
            "action_plans/monitor_form.html", form=form, plan=plan, action=action, status=422
        )
    if form.version.data != action.version:
        form.form_errors.append(MONITORING_CHANGED)
        form.version.data = action.version
        return render(
            "action_plans/monitor_form.html", form=form, plan=plan, action=action, status=409
        )
    from workspace.api import utcnow

    action.progress = form.progress.data
    action.reason = form.reason.data or "" if form.progress.data == "not_implemented" else ""
    action.evidence = form.evidence.data or ""
    action.monitored_at = utcnow()
    action.version += 1
    record(
        "action_plan_monitored",
        region=plan.region,
        target=action.ref,
        progress=action.progress,
        phrase=f"updated the Phase 2 state ({action.state.label.lower()}) of",
    )
    if not _committed():
        form.form_errors.append(MONITORING_CHANGED)
        form.version.data = get_action(get_plan(plan_id), action_id).version
        return render(
            "action_plans/monitor_form.html", form=form, plan=plan, action=action, status=409
        )
    flash(f"Action {action.position}: {action.state.label.lower()}.", "success")
    return redirect(
        url_for("action_plans.view", plan_id=plan.id) + f"#action-{action.id}", code=303
    )


@bp.get("/progress")
def progress() -> Response:
    from .progress import region_rows

    return render("action_plans/progress.html", rows=region_rows([g.region]), project=False)


# ---------------------------------------------------------------- traceability


def _inspired_panel(plan: Plan, action: PlanAction, status: int = 200, **extra) -> Response:
    context = _context(plan)
    item = next(i for i in context["actions"] if i["action"].id == action.id)
    return render(
        "action_plans/view.html", block="inspired", status=status, item=item, **context, **extra
    )


@bp.get("/<id:plan_id>/actions/<id:action_id>/sources")
def source_targets(plan_id: int, action_id: int) -> Response:
    """Good practices and meetings matching what the user typed."""
    plan = get_plan(plan_id)
    action = get_action(plan, action_id)
    require(Action.EDIT, plan.region)
    query = request.args.get("q", "").strip()[:100]
    found = []
    if query and sources_available():
        found = [
            t
            for t in find_targets(query, _me(), plugins=sources_available())
            if t.ref.startswith(SOURCES)
        ]
    return render(
        "action_plans/view.html",
        block="source_targets",
        **{**_context(plan), "targets": found[:10], "action": action},
    )


@bp.post("/<id:plan_id>/actions/<id:action_id>/sources")
def add_source(plan_id: int, action_id: int) -> Response:
    plan = get_plan(plan_id)
    action = get_action(plan, action_id)
    require(Action.EDIT, plan.region)
    if plan.state is Status.ENDORSED:
        flash("This plan is endorsed: re-open it before changing it.", "error")
        return _inspired_panel(plan, action, 409)
    target = request.form.get("target", "")[:120]
    if not target.startswith(SOURCES) or describe([target], _me()).get(target) is None:
        flash("Choose a good practice or meeting from the list.", "error")
        return _inspired_panel(plan, action, 422)
    exists = db.session.scalar(
        select(Link).where(Link.source == action.ref, Link.target == target, Link.kind == INSPIRED)
    )
    if exists is None:
        db.session.add(
            Link(source=action.ref, target=target, kind=INSPIRED, created_by_id=_me().id)
        )
        db.session.commit()
    if not request.htmx:
        return redirect(
            url_for("action_plans.view", plan_id=plan.id) + f"#action-{action.id}", code=303
        )
    return _inspired_panel(plan, action)


@bp.post("/<id:plan_id>/actions/<id:action_id>/sources/<id:link_id>/remove")
def remove_source(plan_id: int, action_id: int, link_id: int) -> Response:
    plan = get_plan(plan_id)
    action = get_action(plan, action_id)
    require(Action.EDIT, plan.region)
    if plan.state is Status.ENDORSED:
        flash("This plan is endorsed: re-open it before changing it.", "error")
        return _inspired_panel(plan, action, 409)
    link = db.session.get(Link, link_id)
    if link is None or link.source != action.ref or link.kind != INSPIRED:
        abort(404)
    db.session.delete(link)
    db.session.commit()
    if not request.htmx:
        return redirect(
            url_for("action_plans.view", plan_id=plan.id) + f"#action-{action.id}", code=303
        )
    return _inspired_panel(plan, action)


# ---------------------------------------------------------------- exports


@bp.get("/<id:plan_id>/plan.docx")
def docx(plan_id: int) -> Response:
    from .exports import plan_docx

    plan = get_plan(plan_id)
    return Response(
        plan_docx(plan),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="action-plan-{plan.id}.docx"'},
    )


@bp.get("/<id:plan_id>/plan.pdf")
def pdf(plan_id: int) -> Response:
    from .exports import plan_pdf

    plan = get_plan(plan_id)
    return Response(
        plan_pdf(plan),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="action-plan-{plan.id}.pdf"'},
    )

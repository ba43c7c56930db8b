"""Region pages of a plan's actions (/r/<region>/action_plans/<plan>/actions/...):
adding, editing, moving and removing an action, adding back one removed while someone
was saving it, and the good practices and meetings that inspired it (traceability).

The routes join the plugin's region blueprint (``views.bp``).
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workspace.api import (
    N_,
    Action,
    Link,
    db,
    describe,
    find_targets,
    input_value,
    record,
    render,
    require,
)

from . import plans as rules
from .forms import ActionForm, NewActionForm
from .models import Plan, PlanAction, Status
from .views import (
    _committed,
    _context,
    _me,
    _refuse_endorsed,
    bp,
    get_action,
    get_plan,
    sources_available,
)

INSPIRED = rules.INSPIRED
SOURCES = ("portfolio:practice:", "minutes:meeting:")
ACTION_CHANGED = _l(
    "Someone else changed this action while you were editing. Your values are "
    "still below; check the plan in another tab, then save again."
)
ENDORSED_MEANWHILE = _l(
    "This plan is endorsed: re-open it before changing it. Your values below were not "
    "saved; copy them to keep them."
)


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
        _(
            "Action %(position)s added: write its background, the action and players.",
            position=action.position,
        ),
        "success",
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
    flash(_("Action %(position)s saved.", position=action.position), "success")
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
        form.form_errors.append(str(message))
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
    who = event.actor.name if event is not None and event.actor is not None else None
    title = (event.detail or {}).get("title") if event is not None else None
    if title and who:
        said = _(
            "%(name)s removed the action “%(title)s” from the plan while you were editing it.",
            name=who,
            title=title,
        )
    elif title:
        said = _(
            "Someone removed the action “%(title)s” from the plan while you were editing it.",
            title=title,
        )
    else:
        said = _("This action was removed from the plan while you were editing it.")
    form.form_errors.append(said)
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
        flash(_("Action %(position)s is back in the plan already.", position=back.position), "info")
        return redirect(
            url_for("action_plans.view", plan_id=plan.id) + f"#action-{back.id}", code=303
        )
    if plan.state is Status.ENDORSED:
        form.form_errors.append(str(ENDORSED_MEANWHILE))
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
    flash(
        _(
            "“%(title)s” is back in the plan as action %(position)s.",
            title=action.title,
            position=action.position,
        ),
        "success",
    )
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
        phrase=N_("removed an action from an action plan:"),
    )
    db.session.commit()
    flash(_("“%(title)s” is removed from the plan.", title=title), "success")
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


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
        flash(_("This plan is endorsed: re-open it before changing it."), "error")
        return _inspired_panel(plan, action, 409)
    target = request.form.get("target", "")[:120]
    if not target.startswith(SOURCES) or describe([target], _me()).get(target) is None:
        flash(_("Choose a good practice or meeting from the list."), "error")
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
        flash(_("This plan is endorsed: re-open it before changing it."), "error")
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

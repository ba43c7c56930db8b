"""Region pages of the action plans (/r/<region>/action_plans/): the blueprint, the
region's plans, one plan laid out as the template, its general information, the
region's Phase 2 progress and the plan's Word and PDF files.

The blueprint's other pages are in their own modules, imported by the package before
it registers the blueprint: the actions and their sources (``action_views``), review,
endorsement and monitoring (``review_views``), the trash (``trash``). The helpers they
share (``get_plan``, ``_context``...) are here.

The core's gate has already checked that the plugin is on here and that the user may
read the region; it put the region in ``g.region``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from workspace.api import (
    UNAVAILABLE,
    Action,
    can,
    db,
    enabled_anywhere,
    error_response,
    is_following,
    render,
    render_markup,
    require,
)

from . import plans as rules
from .exports import country_name
from .forms import NewActionForm, PlanForm
from .models import Plan, PlanAction, Progress, Status

bp = Blueprint("action_plans", __name__, template_folder="templates")

PLAN_FIELDS = ["instrument_name", "instrument_kind", "other_partners", "contact", "language"]
PLAN_CHANGED = _l(
    "Someone else changed this plan while you were editing. Your text is still "
    "below; check the plan in another tab, then save again."
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
    if plan is None or plan.region_id != g.region.id:
        abort(404)
    plan.check_trash(trashed)
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


def _sources_label(sources: list[str]) -> str:
    """What an action can be inspired by, of the modules on: the label of the search
    field ("Inspired by a good practice or meeting or thematic visit")."""
    if sources == ["portfolio"]:
        return _("Inspired by a good practice")
    if sources == ["minutes"]:
        return _("Inspired by a meeting or thematic visit")
    return _("Inspired by a good practice or meeting or thematic visit")


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
        "sources_label": _sources_label(sources_available()),
        "progress_states": list(Progress),
        "open_comments": open_comments,
        "open_per_text": open_per_text,
        "newest_open": max((c.id for c in open_comments), default=0),
        "confirm_endorse": False,
        "following": is_following(user, plan.ref),
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
        flash(_("The plan is started. Add its actions and write its texts."), "success")
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
        flash(_("This plan is endorsed: re-open it before changing it."), "error")
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
        form.form_errors.append(str(PLAN_CHANGED))
        form.version.data = plan.version
        return render("action_plans/plan_form.html", form=form, plan=plan, status=409)
    for name in PLAN_FIELDS:
        setattr(plan, name, getattr(form, name).data or "")
    rules.touch(plan)
    if not _committed():
        form.form_errors.append(str(PLAN_CHANGED))
        form.version.data = get_plan(plan_id).version
        return render("action_plans/plan_form.html", form=form, plan=plan, status=409)
    flash(_("General information saved."), "success")
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.get("/progress")
def progress() -> Response:
    from .progress import region_rows

    return render("action_plans/progress.html", rows=region_rows([g.region]), project=False)


@bp.get("/phase2")
def by_period() -> Response:
    from .project_views import period_page

    return period_page([g.region], project=False)


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

"""Pages of the policy papers.

``region_bp`` (``/r/<region>/policy/``): a region's situation report and
recommendations, behind the core's region gate. ``project_bp`` (``/p/policy/``): every
region's papers in a grid, and the project's recommendations for the next programming
period, for partner staff. A paper's page and its steps are the same views on both
blueprints: a region's paper lives under its region, the project's under ``/p/``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import (
    Action,
    Link,
    Region,
    admits,
    can,
    db,
    describe,
    enabled_anywhere,
    find_targets,
    links_of,
    record,
    render,
    render_markup,
    require,
)

from . import papers
from .forms import EndorseForm, NewPaperForm, StepForm
from .models import REGION_KINDS, Kind, Paper, State

NAME = "policy"
region_bp = Blueprint(NAME, __name__, template_folder="templates")
project_bp = Blueprint(f"{NAME}_project", __name__, template_folder="templates")

PLANS = "action_plans:"


def _me():
    return current_user._get_current_object()


@project_bp.before_request
def consortium_only() -> None:
    """The project's papers and the grid of every region's are for partner staff."""
    require(Action.READ)


def paper_url(paper: Paper, endpoint: str = "paper", **values) -> str:
    if paper.region is not None:
        return url_for(f"{NAME}.{endpoint}", region=paper.region.slug, paper_id=paper.id, **values)
    return url_for(f"{NAME}_project.{endpoint}", paper_id=paper.id, **values)


def _here() -> Region | None:
    """The region of the page (None on the project's pages)."""
    return g.region if request.blueprint == NAME else None


def get_paper(paper_id: int) -> Paper:
    """The paper of this page's region (or the project's), or 404."""
    paper = db.session.get(Paper, paper_id)
    region = _here()
    if paper is None or paper.region_id != (region.id if region is not None else None):
        abort(404)
    return paper


# ---------------------------------------------------------------- a region's papers


@region_bp.get("/")
def index() -> Response:
    found = {
        p.type: p
        for p in db.session.scalars(
            select(Paper).options(selectinload(Paper.steps)).where(Paper.region_id == g.region.id)
        )
    }
    return render(
        "policy/index.html",
        kinds=REGION_KINDS,
        found=found,
        can_create=can(_me(), Action.EDIT, g.region),
        forms={kind: _new_form(kind, g.region) for kind in REGION_KINDS},
        paper_url=paper_url,
    )


def _new_form(kind: Kind, region: Region | None) -> NewPaperForm:
    form = NewPaperForm(formdata=None)
    form.kind.data = kind.value
    form.title.data = papers.default_title(kind, region)
    return form


@region_bp.post("/new")
def new() -> Response:
    require(Action.EDIT, g.region)
    return _create(g.region)


@project_bp.post("/new")
def new_project_paper() -> Response:
    require(Action.EDIT)
    return _create(None)


def _create(region: Region | None) -> Response:
    form = NewPaperForm()
    wanted = REGION_KINDS if region is not None else (Kind.NEXT_PERIOD,)
    kind = next((k for k in wanted if k.value == form.kind.data), None)
    if kind is None:
        abort(400)
    if form.validate_on_submit():
        try:
            paper = papers.new_paper(region, kind, form.title.data, _me())
        except papers.Refused as refusal:
            db.session.rollback()
            flash(refusal.message, "error")  # its form is gone: the paper is listed instead
            return _index_again(region, kind, form, refusal.status)
        db.session.commit()
        flash(
            _(
                "“%(title)s” is begun from the template: write it together, then send "
                "it to the advisory partner for review.",
                title=paper.title,
            ),
            "success",
        )
        return redirect(paper_url(paper), code=303)
    return _index_again(region, kind, form, 422)


def _index_again(region: Region | None, kind: Kind, form: NewPaperForm, status: int) -> Response:
    """The list again, with the refused form where it was and what was typed kept."""
    if region is None:
        return render("policy/project.html", status=status, **_project_context(form))
    found = {
        p.type: p for p in db.session.scalars(select(Paper).where(Paper.region_id == region.id))
    }
    forms = {k: _new_form(k, region) for k in REGION_KINDS} | {kind: form}
    return render(
        "policy/index.html",
        status=status,
        kinds=REGION_KINDS,
        found=found,
        can_create=True,
        forms=forms,
        paper_url=paper_url,
    )


# ---------------------------------------------------------------- the project


def _project_context(form: NewPaperForm | None = None) -> dict:
    user = _me()
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    shown = [r for r in regions if admits(NAME, r, user)]
    all_papers = db.session.scalars(select(Paper)).all()
    grid = {(p.region_id, p.type): p for p in all_papers}
    project_paper = next((p for p in all_papers if p.region_id is None), None)
    if form is None:
        form = _new_form(Kind.NEXT_PERIOD, None)
    return {
        "regions": shown,
        "kinds": REGION_KINDS,
        "grid": grid,
        "project_paper": project_paper,
        "can_create": can(user, Action.EDIT, None),
        "form": form,
        "awaiting": [
            p
            for p in all_papers
            if p.status is State.REVIEW and (p.region_id is None or p.region in shown)
        ]
        if papers.may_review(user)
        else [],
        "paper_url": paper_url,
    }


@project_bp.get("/")
def project_index() -> Response:
    return render("policy/project.html", **_project_context())


def gathered(user) -> list[tuple[Paper, object]]:
    """Each region's recommendations for the next programming period, from its
    recommendations paper's current text: (paper, rendered section), for the regions
    where the module is on and the reader may read."""
    found = db.session.scalars(
        select(Paper)
        .options(selectinload(Paper.region), selectinload(Paper.document))
        .where(Paper.kind == Kind.RECOMMENDATIONS.value)
    ).all()
    rows = []
    for paper in sorted(found, key=lambda p: p.region.name):
        if not admits(NAME, paper.region, user):
            continue
        document = paper.document
        body = document.body if document is not None and document.deleted_at is None else ""
        text = papers.section(body, papers.NEXT_PERIOD_SECTION)
        rows.append((paper, render_markup(text) if text else None))
    return rows


# ---------------------------------------------------------------- a paper


def _context(paper: Paper, step_form=None, endorse_form=None) -> dict:
    user = _me()
    document = paper.document
    alive = document is not None and document.deleted_at is None
    if step_form is None:
        step_form = StepForm(formdata=None)
    if endorse_form is None:
        endorse_form = EndorseForm(formdata=None)
    step_form.version.data = endorse_form.version.data = paper.version
    return {
        "paper": paper,
        "document": document if alive else None,
        "text": render_markup(document.body) if alive else None,
        "steps": papers.allowed_steps(user, paper),
        "lock": str(LOCKS[paper.status]) if paper.status in LOCKS else None,
        "step_form": step_form,
        "endorse_form": endorse_form,
        "plans": linked_plans(paper),
        "can_link": papers.may_write(user, paper) and alive,
        "plans_on": "action_plans" in enabled_anywhere(),
        "gathered": gathered(user) if paper.type is Kind.NEXT_PERIOD else None,
        "paper_url": paper_url,
    }


def show(paper: Paper, status: int = 200, **forms) -> Response:
    return render("policy/paper.html", status=status, **_context(paper, **forms))


def paper(paper_id: int) -> Response:
    return show(get_paper(paper_id))


def linked_plans(paper: Paper) -> list:
    """The action plans the paper feeds: the core's links from its text to references
    of the action plans module, with what the reader may open of them."""
    if paper.document is None:
        return []
    linked = links_of(paper.document.ref, _me())["linked"]
    return [(link, target) for link, ref, target in linked if ref.startswith(PLANS)]


def _version(form) -> int:
    if form.version.data is None:
        abort(400)
    return form.version.data


def _taken(paper: Paper, message: str) -> Response:
    db.session.commit()
    flash(message, "success")
    return redirect(paper_url(paper), code=303)


def _refused(paper: Paper, refusal: papers.Refused, **forms) -> Response:
    db.session.rollback()
    paper = db.session.get(Paper, paper.id)
    if refusal.status == 409:  # about the paper, not a field: in the page's messages
        flash(refusal.message, "error")
    return show(paper, refusal.status, **forms)


def _allowed(paper: Paper, step: str) -> None:
    """403 (recorded in the audit trail) unless the reader may take ``step`` on this
    paper; a step that does not fit the paper's state is answered by the step (409)."""
    if not papers.may_take(_me(), paper, step):
        record("permission_refused", region=paper.region, target=paper.ref)
        db.session.commit()
        abort(403)


def send(paper_id: int) -> Response:
    paper = get_paper(paper_id)
    _allowed(paper, "send")
    form = StepForm()
    if not form.validate_on_submit():
        return show(paper, 422, step_form=form)
    try:
        papers.send(paper, _version(form), _me())
    except papers.Refused as refusal:
        return _refused(paper, refusal)
    return _taken(
        paper, _("Sent to the advisory partner for review: its text is read-only until returned.")
    )


def review(paper_id: int) -> Response:
    paper = get_paper(paper_id)
    _allowed(paper, "review")
    form = StepForm()
    if not form.validate_on_submit():
        return show(paper, 422, step_form=form)
    try:
        papers.review(paper, _version(form), _me(), form.remarks.data or "")
    except papers.Refused as refusal:
        return _refused(paper, refusal, step_form=form)
    return _taken(paper, _("Reviewed: the region's coordinators record its endorsement."))


def give_back(paper_id: int) -> Response:
    paper = get_paper(paper_id)
    _allowed(paper, "return")
    form = StepForm()
    if not form.validate_on_submit():
        return show(paper, 422, step_form=form)
    try:
        papers.give_back(paper, _version(form), _me(), form.remarks.data or "")
    except papers.Refused as refusal:
        if refusal.status == 422:
            form.remarks.errors = [refusal.message]
        return _refused(paper, refusal, step_form=form)
    return _taken(paper, _("Returned to draft with your remarks: its text can change again."))


def endorse(paper_id: int) -> Response:
    paper = get_paper(paper_id)
    _allowed(paper, "endorse")
    form = EndorseForm()
    if not form.validate_on_submit():
        return show(paper, 422, endorse_form=form)
    try:
        papers.endorse(paper, _version(form), _me(), form.endorsed_by.data, form.endorsed_on.data)
    except papers.Refused as refusal:
        return _refused(paper, refusal, endorse_form=form)
    return _taken(paper, _("The endorsement by %(who)s is recorded.", who=form.endorsed_by.data))


# ---------------------------------------------------------------- the plans it feeds


def plan_targets(paper_id: int) -> Response:
    """Action plans (and their actions) matching what the person typed."""
    paper = get_paper(paper_id)
    _require_link(paper)
    query = request.args.get("q", "").strip()[:100]
    found = []
    if query and "action_plans" in enabled_anywhere():
        found = [
            t
            for t in find_targets(query, _me(), plugins=["action_plans"])
            if t.ref.startswith(PLANS)
        ]
    return render(
        "policy/paper.html", block="plan_targets", **{**_context(paper), "targets": found[:10]}
    )


def _require_link(paper: Paper) -> None:
    if not papers.may_write(_me(), paper):
        record("permission_refused", region=paper.region, target=paper.ref)
        db.session.commit()
        abort(403)
    if paper.document is None or paper.document.deleted_at is not None:
        abort(404)


def _plans_panel(paper: Paper, status: int = 200) -> Response:
    if not request.htmx and status < 400:
        return redirect(paper_url(paper) + "#plans", code=303)
    return render("policy/paper.html", block="plans", status=status, **_context(paper))


def add_plan(paper_id: int) -> Response:
    paper = get_paper(paper_id)
    _require_link(paper)
    target = request.form.get("target", "")[:120]
    if not target.startswith(PLANS) or describe([target], _me()).get(target) is None:
        flash(_("Choose an action plan from the list."), "error")
        return _plans_panel(paper, 422)
    source = paper.document.ref
    exists = db.session.scalar(
        select(Link.id).where(Link.source == source, Link.target == target, Link.kind == "related")
    )
    if exists is None:
        db.session.add(Link(source=source, target=target, created_by_id=_me().id))
        record("link_added", region=paper.region, target=source, to=target)
        db.session.commit()
    return _plans_panel(paper)


def remove_plan(paper_id: int, link_id: int) -> Response:
    paper = get_paper(paper_id)
    _require_link(paper)
    link = db.session.get(Link, link_id)
    if link is None or link.source != paper.document.ref or not link.target.startswith(PLANS):
        abort(404)
    db.session.delete(link)
    record("link_removed", region=paper.region, target=link.source, to=link.target)
    db.session.commit()
    return _plans_panel(paper)


PAPER = "/<id:paper_id>"
for _bp in (region_bp, project_bp):
    _bp.add_url_rule(PAPER, "paper", paper, methods=["GET"])
    _bp.add_url_rule(f"{PAPER}/send", "send", send, methods=["POST"])
    _bp.add_url_rule(f"{PAPER}/review", "review", review, methods=["POST"])
    _bp.add_url_rule(f"{PAPER}/return", "give_back", give_back, methods=["POST"])
    _bp.add_url_rule(f"{PAPER}/endorse", "endorse", endorse, methods=["POST"])
    _bp.add_url_rule(f"{PAPER}/plans", "plan_targets", plan_targets, methods=["GET"])
    _bp.add_url_rule(f"{PAPER}/plans", "add_plan", add_plan, methods=["POST"])
    _bp.add_url_rule(
        f"{PAPER}/plans/<id:link_id>/remove", "remove_plan", remove_plan, methods=["POST"]
    )


LOCKS = {
    State.REVIEW: _l(
        "This paper is in review with the advisory partner, so its text is "
        "read-only until it is returned to draft."
    ),
    State.REVIEWED: _l(
        "This paper is reviewed by the advisory partner, so its text is "
        "read-only until it is returned to draft."
    ),
    State.ENDORSED: _l(
        "This paper is endorsed by the stakeholder group, so its text is "
        "read-only until it is returned to draft."
    ),
}

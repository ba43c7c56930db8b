"""Project pages of the portfolio (/p/portfolio/): every practice and portfolio
analyses; the transfer matrix's pages join this blueprint from matrix_views.py.

Served by the core while the plugin is on somewhere, to consortium staff. Only
practices of regions where the plugin is on, and that the user may read, appear.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from workspace.api import (
    N_,
    Action,
    Region,
    can,
    create_document,
    db,
    db_int,
    enabled_in,
    index_document,
    record,
    render,
    require,
)

from . import practices as rules
from .exports import analysis_pdf, conclusions_of
from .forms import AnalysisForm
from .matrix import matrix_rows
from .models import TOPICS, Analysis, Practice, Status, score_labels, topic_choices

bp = Blueprint("portfolio_project", __name__, template_folder="templates")


def conclusions_template() -> str:
    """The text an analysis' conclusions begin with, headed in its author's language."""
    return f"## {_('Conclusions')}\n\n\n## {_('Practices to transfer')}\n\n"


def conclusions_title(title: str) -> str:
    return _("Conclusions: %(title)s", title=title)


def _me():
    return current_user._get_current_object()


def portfolio_regions() -> list[Region]:
    """Regions where the portfolio is on and that the current user may read."""
    user = _me()
    regions = db.session.scalars(select(Region).order_by(Region.name))
    return [
        region
        for region in regions
        if "portfolio" in enabled_in(region) and can(user, Action.READ, region)
    ]


def _search(query, text: str):
    return query.where(
        or_(
            Practice.title.icontains(text, autoescape=True),
            Practice.keywords.icontains(text, autoescape=True),
            Practice.summary.icontains(text, autoescape=True),
            Practice.institution.icontains(text, autoescape=True),
        )
    )


# ---------------------------------------------------------------- browse


@bp.get("/")
def index() -> Response:
    regions = portfolio_regions()
    filters = {
        "region": request.args.get("region", ""),
        "topic": request.args.get("topic", ""),
        "status": request.args.get("status", ""),
        "q": request.args.get("q", "").strip()[:100],
    }
    user = _me()
    # Drafts only for those who may edit in their region (as the practice page).
    editable = [r.id for r in regions if can(user, Action.EDIT, r)]
    query = (
        select(Practice)
        .where(
            Practice.region_id.in_([r.id for r in regions]),
            Practice.not_trashed(),
            or_(Practice.status != Status.DRAFT.value, Practice.region_id.in_(editable)),
        )
        .order_by(Practice.title, Practice.id)
    )
    chosen = next((r for r in regions if r.slug == filters["region"]), None)
    if chosen is not None:
        query = query.where(Practice.region_id == chosen.id)
    if filters["topic"] in TOPICS:
        query = query.where(Practice.topic == filters["topic"])
    if filters["status"] in {s.value for s in Status}:
        query = query.where(Practice.status == filters["status"])
    if filters["q"]:
        query = _search(query, filters["q"])
    approved = rules.approved_counts()
    # The page's cards only are loaded (each practice's region is among ``regions``).
    shown, paging = page_of(query, BROWSE_PAGE)
    return render(
        "portfolio/browse.html",
        block="results",
        practices=shown,
        paging=paging,
        rating_counts=rules.rating_counts(shown),
        regions=regions,
        topics=topic_choices(),
        statuses=list(Status),
        filters=filters,
        approved_total=sum(approved.get(r.id, 0) for r in regions),
        approved=approved,
    )


# ---------------------------------------------------------------- paging


BROWSE_PAGE = 24  # cards per page of the portfolio (rows of 2, 3 or 4 fill up)


def _page_number(pages: int) -> int:
    return min(max(request.args.get("page", 1, type=db_int) or 1, 1), pages)


def page_of(query, size: int) -> tuple[list, dict]:
    """As ``one_page``, for the rows of a query: counted, then only the page read."""
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
    pages = max(-(-total // size), 1)
    first = (_page_number(pages) - 1) * size
    shown = db.session.scalars(query.offset(first).limit(size)).all()
    paging = {"page": first // size + 1, "pages": pages, "first": first + 1, "total": total}
    return shown, {**paging, "shown": len(shown)}


def one_page(items: list, size: int) -> tuple[list, dict]:
    """The page of ``items`` the address asks for (``?page=``; out of range: the
    nearest), and what the pager shows (``portfolio/_paging.html``)."""
    pages = max(-(-len(items) // size), 1)
    page = _page_number(pages)
    first = (page - 1) * size
    shown = items[first : first + size]
    paging = {"page": page, "pages": pages, "first": first + 1, "total": len(items)}
    return shown, {**paging, "shown": len(shown)}


# ---------------------------------------------------------------- analyses


@bp.get("/analyses/")
def analyses() -> Response:
    items = db.session.scalars(
        select(Analysis)
        .options(selectinload(Analysis.practices))
        .where(Analysis.not_trashed())
        .order_by(Analysis.visit_on.desc())
    ).all()
    can_create = can(_me(), Action.EDIT)
    return render(
        "portfolio/analyses.html",
        analyses=items,
        can_create=can_create,
        # Whoever writes analyses may have one of theirs in the trash.
        trash_url=url_for("portfolio_project.analysis_trash_list") if can_create else None,
    )


@bp.route("/analyses/new", methods=["GET", "POST"])
def new_analysis() -> Response:
    require(Action.EDIT)
    regions = portfolio_regions()
    form = AnalysisForm()
    form.region_id.choices = [(0, _("No visit (the whole portfolio)"))] + [
        (r.id, r.name) for r in regions
    ]
    candidates = matrix_rows(regions)
    form.practices.choices = [(row.practice.id, row.practice.title) for row in candidates]
    if form.validate_on_submit():
        region = next((r for r in regions if r.id == form.region_id.data), None)
        chosen = db.session.scalars(
            select(Practice).where(
                Practice.id.in_({row.practice.id for row in candidates} & set(form.practices.data))
            )
        ).all()
        # The conclusions are project-wide, like the analysis: whoever may create an
        # analysis (an editor in any region) may write them, whichever region was visited.
        document = create_document(
            conclusions_title(form.title.data),
            conclusions_template(),
            None,
            _me(),
            plugin="portfolio",
        )
        analysis = Analysis(
            title=form.title.data,
            region=region,
            visit_on=form.visit_on.data,
            document=document,
            created_by_id=_me().id,
            practices=chosen,
        )
        db.session.add(analysis)
        db.session.flush()
        rules.link_texts(document, analysis.ref)
        db.session.commit()
        flash(_("The analysis is created: write its conclusions."), "success")
        return redirect(url_for("portfolio_project.analysis", analysis_id=analysis.id), code=303)
    status = 422 if form.is_submitted() else 200
    return render("portfolio/analysis_form.html", form=form, status=status)


def get_analysis(analysis_id: int, trashed: bool = False) -> Analysis:
    """The analysis, or 404. One in the trash is 404 on every page but the one that
    brings it back (``trashed=True``)."""
    analysis = db.session.get(Analysis, analysis_id)
    if analysis is None:
        abort(404)
    analysis.check_trash(trashed)
    return analysis


def _analysis_context(analysis_id: int) -> dict:
    analysis = get_analysis(analysis_id)
    regions = portfolio_regions()
    ids = {p.id for p in analysis.practices}
    rows = [row for row in matrix_rows(regions) if row.practice.id in ids]
    return {
        "analysis": analysis,
        "regions": regions,
        "rows": rows,
        "scores": score_labels(),
        "can_write": can(_me(), Action.EDIT),
        "can_trash": rules.may_trash_analysis(_me(), analysis),
        "conclusions": conclusions_of(analysis),
    }


@bp.get("/analyses/<id:analysis_id>")
def analysis(analysis_id: int) -> Response:
    return render("portfolio/analysis.html", **_analysis_context(analysis_id))


@bp.post("/analyses/<id:analysis_id>/conclusions")
def write_conclusions(analysis_id: int) -> Response:
    """To the editor of the conclusions, for everyone who may create an analysis.

    Analyses made before the conclusions were project-wide kept them in the visited
    region, where only that region's editors could write: such a text is made
    project-wide here (once, recorded), so the analysis' other authors can too."""
    require(Action.EDIT)
    analysis = get_analysis(analysis_id)
    document = analysis.document
    if document is None or document.deleted_at is not None:
        document = create_document(
            conclusions_title(analysis.title),
            conclusions_template(),
            None,
            _me(),
            plugin="portfolio",
        )
        analysis.document = document
        db.session.flush()
        rules.link_texts(document, analysis.ref)
    elif document.region_id is not None:
        record(
            "analysis_conclusions_shared",
            region=document.region,
            target=document.ref,
            analysis=analysis.ref,
            phrase=N_("made project-wide the conclusions of a portfolio analysis:"),
        )
        document.region = None
        index_document(document)
    db.session.commit()
    return redirect(url_for("documents.edit", document_id=document.id), code=303)


@bp.get("/analyses/<id:analysis_id>.pdf")
def analysis_export(analysis_id: int) -> Response:
    context = _analysis_context(analysis_id)
    response = Response(analysis_pdf(context), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="portfolio-analysis-{analysis_id}.pdf"'
    )
    return response

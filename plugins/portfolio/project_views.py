"""Project pages of the portfolio (/p/portfolio/): every practice, the transfer
matrix where each region rates every practice, and portfolio analyses.

Served by the core while the plugin is on somewhere, to consortium staff. Only
practices of regions where the plugin is on, and that the user may read, appear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from workspace.api import (
    MAX_ID,
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
from .exports import analysis_pdf, conclusions_of, matrix_csv
from .forms import SCORE_OPTIONS, AnalysisForm, RatingForm
from .models import SCORES, TOPICS, Analysis, Practice, Rating, Status

bp = Blueprint("portfolio_project", __name__, template_folder="templates")

# Practices that are in the portfolio: submitted ones are shown as awaiting validation.
IN_PORTFOLIO = (Status.SUBMITTED.value, Status.APPROVED.value)
CONCLUSIONS_TEMPLATE = "## Conclusions\n\n\n## Practices to transfer\n\n"


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
    query = (
        select(Practice)
        .options(selectinload(Practice.region))
        .where(Practice.region_id.in_([r.id for r in regions]), Practice.not_trashed())
        .order_by(Practice.title)
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
    user = _me()
    practices = [
        p
        for p in db.session.scalars(query)
        if p.state is not Status.DRAFT or can(user, Action.EDIT, p.region)
    ]
    approved = rules.approved_counts()
    shown, paging = one_page(practices, BROWSE_PAGE)
    return render(
        "portfolio/browse.html",
        block="results",
        practices=shown,
        paging=paging,
        rating_counts=rules.rating_counts(shown),
        regions=regions,
        topics=TOPICS,
        statuses=list(Status),
        filters=filters,
        approved_total=sum(approved.get(r.id, 0) for r in regions),
        approved=approved,
    )


# ---------------------------------------------------------------- transfer matrix


@dataclass
class Row:
    practice: Practice
    scores: dict[int, object]  # region id -> Score (or the Rating just saved)

    @property
    def average(self) -> float | None:
        values = [rating.score for rating in self.scores.values()]
        return sum(values) / len(values) if values else None


class Score(NamedTuple):
    """A region's rating of a practice, as the matrix shows it."""

    score: int
    note: str


def matrix_rows(regions: list[Region], topic: str = "", sort: str = "title", minimum: int = 0):
    region_ids = [r.id for r in regions]
    query = (
        select(Practice)
        .options(selectinload(Practice.region))
        .where(
            Practice.region_id.in_(region_ids),
            Practice.status.in_(IN_PORTFOLIO),
            Practice.not_trashed(),
        )
        .order_by(Practice.title)
    )
    if topic:
        query = query.where(Practice.topic == topic)
    practices = db.session.scalars(query).all()
    # The ratings as plain rows, read in one query: the matrix has hundreds of cells,
    # and ORM objects for them cost the page more than the rest of it.
    scores: dict[int, dict[int, Score]] = {p.id: {} for p in practices}
    ratings = select(Rating.practice_id, Rating.region_id, Rating.score, Rating.note).where(
        Rating.region_id.in_(region_ids), Rating.practice_id.in_(list(scores))
    )
    for practice_id, region_id, score, note in db.session.execute(ratings):
        scores[practice_id][region_id] = Score(score, note or "")
    rows = [Row(p, scores[p.id]) for p in practices]
    if minimum:
        rows = [row for row in rows if (row.average or 0) >= minimum]
    if sort == "interest":
        rows.sort(key=lambda row: -(row.average or -1))
    elif sort == "region":
        rows.sort(key=lambda row: (row.practice.region.name, row.practice.title.casefold()))
    return rows


def rating_addresses(regions: list[Region]) -> Callable[[int, int], str]:
    """Where the matrix's cell for a practice and a region posts its rating, as
    ``(practice id, region id) -> URL``: ``url_for`` once per region, the practice's
    id then put in place of a stand-in. The matrix has a form in each of its hundreds
    of cells, and building each address anew was a third of the page's time."""
    stand_in = f"/{MAX_ID}/"  # an id segment; the region's slug, after it, has no "/"
    parts = {}
    for region in regions:
        url = url_for("portfolio_project.rate", practice_id=MAX_ID, region=region.slug)
        before, found, after = url.rpartition(stand_in)
        assert found, url
        parts[region.id] = (f"{before}/", f"/{after}")

    def address(practice_id: int, region_id: int) -> str:
        before, after = parts[region_id]
        return f"{before}{practice_id}{after}"

    return address


MATRIX_PAGE = 25  # practices per page of the matrix
BROWSE_PAGE = 24  # cards per page of the portfolio (rows of 2, 3 or 4 fill up)


def one_page(items: list, size: int) -> tuple[list, dict]:
    """The page of ``items`` the address asks for (``?page=``; out of range: the
    nearest), and what the pager shows (``portfolio/_paging.html``)."""
    pages = max(-(-len(items) // size), 1)
    page = min(max(request.args.get("page", 1, type=db_int) or 1, 1), pages)
    first = (page - 1) * size
    shown = items[first : first + size]
    paging = {"page": page, "pages": pages, "first": first + 1, "total": len(items)}
    return shown, {**paging, "shown": len(shown)}


def _matrix_filters() -> dict:
    sort = request.args.get("sort", "title")
    minimum = request.args.get("minimum", 0, type=db_int)
    return {
        "topic": request.args.get("topic", "") if request.args.get("topic") in TOPICS else "",
        "sort": sort if sort in ("title", "interest", "region") else "title",
        "minimum": minimum if minimum in (1, 2, 3) else 0,
    }


@bp.get("/matrix")
def matrix() -> Response:
    regions = portfolio_regions()
    filters = _matrix_filters()
    # A page of rows at a time: each row is a form per region, and a consortium's
    # hundred practices in one page took a phone, and the server, long to build.
    rows, paging = one_page(matrix_rows(regions, **filters), MATRIX_PAGE)
    return render(
        "portfolio/matrix.html",
        block="matrix",
        regions=regions,
        rows=rows,
        paging=paging,
        filters=filters,
        topics=TOPICS,
        editable=rules.rating_regions(_me(), regions),
        score_options=SCORE_OPTIONS,
        rating_url=rating_addresses(regions),
        scores=SCORES,
    )


@bp.get("/matrix.csv")
def matrix_export() -> Response:
    regions = portfolio_regions()
    rows = matrix_rows(regions, **_matrix_filters())
    response = Response(matrix_csv(regions, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="portfolio-matrix.csv"'
    return response


@bp.post("/matrix/<id:practice_id>/<slug:region>")
def rate(practice_id: int, region: str) -> Response:
    regions = portfolio_regions()
    the_region = next((r for r in regions if r.slug == region), None)
    practice = db.session.get(Practice, practice_id)
    if (
        the_region is None
        or practice is None
        or practice.in_trash
        or practice.region_id not in {r.id for r in regions}
    ):
        abort(404)
    require(Action.EDIT, the_region)
    if practice.status not in IN_PORTFOLIO or practice.region_id == the_region.id:
        abort(409)  # drafts are not rated, nor a region's own practice
    form = RatingForm()
    status = 200
    if form.validate_on_submit():
        try:
            rules.rate(practice, the_region, _me(), form.score.data, form.note.data or "")
            db.session.commit()
        except IntegrityError:
            # Someone gave this region's first rating at the same moment: update theirs.
            db.session.rollback()
            rules.rate(practice, the_region, _me(), form.score.data, form.note.data or "")
            db.session.commit()
    else:
        status = 422
    if not request.htmx:
        if status == 422:
            flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("portfolio_project.matrix"), code=303)
    db.session.expire(practice)
    row = Row(
        practice,
        {r.region_id: r for r in practice.ratings if r.region_id in {x.id for x in regions}},
    )
    return render(
        "portfolio/matrix.html",
        block="row",
        status=status,
        row=row,
        regions=regions,
        editable=rules.rating_regions(_me(), regions),
        score_options=SCORE_OPTIONS,
        rating_url=rating_addresses(regions),
        scores=SCORES,
        form_errors={(practice.id, the_region.id): form.errors} if status == 422 else {},
    )


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
    form.region_id.choices = [(0, "No visit (the whole portfolio)")] + [
        (r.id, r.name) for r in regions
    ]
    candidates = matrix_rows(regions)
    form.practices.choices = [(row.practice.id, row.practice.title) for row in candidates]
    if form.validate_on_submit():
        region = next((r for r in regions if r.id == form.region_id.data), None)
        chosen = [row.practice for row in candidates if row.practice.id in set(form.practices.data)]
        # The conclusions are project-wide, like the analysis: whoever may create an
        # analysis (an editor in any region) may write them, whichever region was visited.
        document = create_document(
            f"Conclusions: {form.title.data}", CONCLUSIONS_TEMPLATE, None, _me(), plugin="portfolio"
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
        flash("The analysis is created: write its conclusions.", "success")
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
        "scores": SCORES,
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
            f"Conclusions: {analysis.title}", CONCLUSIONS_TEMPLATE, None, _me(), plugin="portfolio"
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
            phrase="made project-wide the conclusions of a portfolio analysis:",
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

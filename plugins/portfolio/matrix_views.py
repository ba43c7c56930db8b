"""The transfer matrix's pages (/p/portfolio/matrix): the matrix a page at a time, its
CSV, and a region's rating of a practice, saved from one cell."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import IntegrityError

from workspace.api import Action, db, db_int, render, require

from . import practices as rules
from .exports import matrix_csv
from .forms import RatingForm
from .matrix import MATRIX_PAGE, Cells, Row, matrix_rows
from .models import IN_PORTFOLIO, TOPICS, Practice, score_labels, topic_choices
from .project_views import _me, bp, one_page, portfolio_regions


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
        topics=topic_choices(),
        cells=Cells(regions, rules.rating_regions(_me(), regions), generate_csrf()),
        scores=score_labels(),
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
        cells=Cells(
            regions,
            rules.rating_regions(_me(), regions),
            generate_csrf(),
            {(practice.id, the_region.id): form.errors} if status == 422 else None,
        ),
        scores=score_labels(),
    )

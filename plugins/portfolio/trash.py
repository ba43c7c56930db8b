"""Good practices and portfolio analyses in the trash (``workspace.trash``): moving
one there, bringing it back, and the trash pages (``/r/<region>/portfolio/trash``
for a region's practices, ``/p/portfolio/analyses/trash`` for the analyses).

Who may (``practices.may_trash``, ``may_trash_analysis``): a draft or returned
practice by its region's editors; a submitted, approved or declined one by the
region's coordinators and the admins. An analysis by its author or an admin.

While in the trash a practice is 404 by id, out of the region's list and count,
the browse page, the transfer matrix and its CSV, the analyses, the panels, search,
link targets and the region export; an analysis is 404 and out of the analyses
list. Their texts are hidden through ``document_visible`` until they are back.
"""

from __future__ import annotations

from flask import Response, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, union_all
from sqlalchemy.orm import selectinload

from workspace.api import (
    N_,
    Action,
    TrashRow,
    bring_back,
    db,
    documents_in_trash,
    format_day,
    require,
    say_restored,
    say_trashed,
    send_to_trash,
    trash_page,
)

from . import practices as rules
from .models import Analysis, Practice
from .project_views import bp as project_bp
from .project_views import get_analysis
from .views import bp as region_bp
from .views import get_practice


def _me():
    return current_user._get_current_object()


# Built once: ``document_visible`` asks for it on every practice text a page lists.
_TRASHED_DOCUMENTS = union_all(
    select(Practice.document_id).where(Practice.trashed()),
    select(Analysis.document_id).where(Analysis.trashed()),
)


def trashed_documents() -> frozenset[int]:
    """The texts of the practices and analyses in the trash (read once per request, in
    one query: a dashboard asks on every view)."""
    return documents_in_trash("portfolio", _TRASHED_DOCUMENTS)


# ---------------------------------------------------------------- practices


def _require_practice_right(practice: Practice) -> None:
    if not rules.may_trash(_me(), practice):
        require(Action.MANAGE, practice.region)  # a 403, in the audit trail


@region_bp.post("/<id:practice_id>/trash")
def trash(practice_id: int) -> Response:
    practice = get_practice(practice_id)
    _require_practice_right(practice)
    title = practice.title
    send_to_trash(
        practice, kind="practice", what=N_("a good practice"), title=title, region=practice.region
    )
    rules.touch(practice)  # open forms of it are stale now
    db.session.commit()
    say_trashed(title)
    return redirect(url_for("portfolio.index"), code=303)


@region_bp.post("/<id:practice_id>/untrash")
def untrash(practice_id: int) -> Response:
    practice = get_practice(practice_id, trashed=True)
    _require_practice_right(practice)
    title = practice.title
    bring_back(
        practice, kind="practice", what=N_("a good practice"), title=title, region=practice.region
    )
    rules.touch(practice)
    db.session.commit()
    say_restored(title)
    return redirect(url_for("portfolio.view", practice_id=practice.id), code=303)


@region_bp.get("/trash")
def trash_list() -> Response:
    require(Action.EDIT, g.region)
    practices = db.session.scalars(
        select(Practice)
        .where(Practice.region_id == g.region.id, Practice.trashed())
        .options(selectinload(Practice.deleted_by))
    ).all()
    user = _me()
    rows = [
        TrashRow.of(
            p,
            p.title,
            url_for("portfolio.untrash", practice_id=p.id) if rules.may_trash(user, p) else None,
            p.state.label + (f" · {p.topic_label}" if p.topic else ""),
        )
        for p in practices
    ]
    return trash_page(
        rows,
        back_url=url_for("portfolio.index"),
        back_label=_("the good practices"),
        eyebrow=_("%(region)s · Good practices", region=g.region.name),
        intro=_(
            "Good practices moved to the trash: gone from the portfolio, the matrix, "
            "counts and search until they are restored, with their texts and ratings."
        ),
        empty=_("No good practice is in the trash."),
        cannot=_("A coordinator can restore it."),
    )


# ---------------------------------------------------------------- analyses


def _require_analysis_right(analysis: Analysis) -> None:
    if not rules.may_trash_analysis(_me(), analysis):
        require(Action.ADMIN)  # a 403, in the audit trail


@project_bp.post("/analyses/<id:analysis_id>/trash")
def trash_analysis(analysis_id: int) -> Response:
    analysis = get_analysis(analysis_id)
    _require_analysis_right(analysis)
    title = analysis.title
    send_to_trash(
        analysis, kind="analysis", what=N_("a portfolio analysis"), title=title, region=None
    )
    db.session.commit()
    say_trashed(title)
    return redirect(url_for("portfolio_project.analyses"), code=303)


@project_bp.post("/analyses/<id:analysis_id>/untrash")
def untrash_analysis(analysis_id: int) -> Response:
    analysis = get_analysis(analysis_id, trashed=True)
    _require_analysis_right(analysis)
    title = analysis.title
    bring_back(analysis, kind="analysis", what=N_("a portfolio analysis"), title=title, region=None)
    db.session.commit()
    say_restored(title)
    return redirect(url_for("portfolio_project.analysis", analysis_id=analysis.id), code=303)


@project_bp.get("/analyses/trash")
def analysis_trash_list() -> Response:
    require(Action.EDIT)
    analyses = db.session.scalars(
        select(Analysis)
        .where(Analysis.trashed())
        .options(selectinload(Analysis.region), selectinload(Analysis.deleted_by))
    ).all()
    user = _me()
    rows = [
        TrashRow.of(
            a,
            a.title,
            url_for("portfolio_project.untrash_analysis", analysis_id=a.id)
            if rules.may_trash_analysis(user, a)
            else None,
            (a.region.name if a.region else _("Whole portfolio"))
            + (" · " + _("visit of %(day)s", day=format_day(a.visit_on)) if a.visit_on else ""),
        )
        for a in analyses
    ]
    return trash_page(
        rows,
        back_url=url_for("portfolio_project.analyses"),
        back_label=_("the analyses"),
        eyebrow=_("Good-practice portfolio · Analyses"),
        intro=_(
            "Portfolio analyses moved to the trash, with their conclusions, until they "
            "are restored."
        ),
        empty=_("No analysis is in the trash."),
        cannot=_("Its author or an admin can restore it."),
    )

"""Region pages of the portfolio (/r/<region>/portfolio/): a region's practices, and
one practice's page, form and validation steps.

The core's gate has already checked that the plugin is on here and that the user may
read the region; it put the region in ``g.region``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from workspace.api import (
    N_,
    Action,
    Link,
    LinkTarget,
    can,
    db,
    describe,
    enabled_anywhere,
    find_targets,
    is_following,
    record,
    render,
    render_markup,
    require,
    utcnow,
)

from . import notices
from . import practices as rules
from .forms import DecisionForm, PracticeForm
from .models import Practice, Rating, Status, score_labels

bp = Blueprint("portfolio", __name__, template_folder="templates")

FIELDS = [
    "title", "institution", "country", "nuts", "city", "linked_project", "summary",
    "starts_on", "ends_on", "website", "contact", "topic", "keywords",
]  # fmt: skip


DATES = {"starts_on", "ends_on"}


def _values(form: PracticeForm) -> dict:
    """The form's fields for the model: a text left out of the request is empty."""
    return {
        name: getattr(form, name).data if name in DATES else (getattr(form, name).data or "")
        for name in FIELDS
    }


def _me():
    return current_user._get_current_object()


def get_practice(practice_id: int, trashed: bool = False) -> Practice:
    """The practice of the current region, or 404. One in the trash is 404 on every
    page but the one that brings it back (``trashed=True``)."""
    practice = db.session.get(Practice, practice_id)
    if practice is None or practice.region_id != g.region.id:
        abort(404)
    if practice.state is Status.DRAFT and not can(_me(), Action.EDIT, practice.region):
        abort(404)  # a draft is the region's own work in progress, as in every list
    practice.check_trash(trashed)
    return practice


@bp.get("/")
def index() -> Response:
    practices = db.session.scalars(
        select(Practice)
        .where(Practice.region_id == g.region.id, Practice.not_trashed())
        .order_by(Practice.title)
    ).all()
    user = _me()
    visible = [
        p for p in practices if p.state is not Status.DRAFT or can(user, Action.EDIT, g.region)
    ]
    return render(
        "portfolio/index.html",
        practices=visible,
        rating_counts=rules.rating_counts(visible),
        can_create=can(user, Action.EDIT, g.region),
        approved=sum(1 for p in practices if p.state is Status.APPROVED),
        # The region's editors write drafts, so they may find one in the trash.
        trash_url=url_for("portfolio.trash_list") if can(user, Action.EDIT, g.region) else None,
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> Response:
    require(Action.EDIT, g.region)
    form = PracticeForm()
    if form.validate_on_submit():
        practice = rules.new_practice(g.region, _me(), **_values(form))
        db.session.commit()
        flash(
            _(
                "“%(title)s” is saved as a draft. Write its description below, "
                "then submit it for validation.",
                title=practice.title,
            ),
            "success",
        )
        return redirect(url_for("portfolio.view", practice_id=practice.id), code=303)
    if not form.is_submitted():
        form.country.data = g.region.country
        form.nuts.data = g.region.nuts2
    status = 422 if form.is_submitted() else 200
    return render("portfolio/form.html", form=form, practice=None, status=status)


@bp.get("/<id:practice_id>")
def view(practice_id: int) -> Response:
    practice = get_practice(practice_id)
    return render("portfolio/view.html", **_view_context(practice))


def _view_context(practice: Practice, decision_form: DecisionForm | None = None) -> dict:
    user = _me()
    ratings = db.session.scalars(
        select(Rating)
        .options(selectinload(Rating.region), selectinload(Rating.rated_by))
        .where(Rating.practice_id == practice.id)
    ).all()
    body = practice.document.body if practice.document else ""
    return {
        "practice": practice,
        "sections": {
            rules.section_label(name): render_markup(text)
            for name, text in rules.sections_of(body).items()
        },
        "ratings": sorted(ratings, key=lambda r: r.region.name),
        "scores": score_labels(),
        "can_edit": rules.may_edit(user, practice),
        "can_submit": practice.state.editable and can(user, Action.EDIT, practice.region),
        "can_validate": rules.may_validate(user) and practice.state is Status.SUBMITTED,
        "can_return_to_draft": rules.may_return_to_draft(user, practice),
        "missing": rules.missing_for_submission(practice) if practice.state.editable else [],
        # Following a practice is following its text, where its comments are.
        "following_practice": practice.document is not None
        and is_following(user, practice.document.ref),
        "decision_form": decision_form or DecisionForm(formdata=None),
        "presented": presentations(practice),
        "inspired": inspired(practice),
        "minutes_on": minutes_available(),
        "can_link": can(user, Action.EDIT, practice.region),
        "can_trash": rules.may_trash(user, practice),
    }


@bp.route("/<id:practice_id>/edit", methods=["GET", "POST"])
def edit(practice_id: int) -> Response:
    practice = get_practice(practice_id)
    require(Action.EDIT, practice.region)
    if not practice.state.editable:
        flash(_no_longer_changed(practice), "error")
        return redirect(url_for("portfolio.view", practice_id=practice.id), code=303)
    if request.method == "GET":
        form = PracticeForm(obj=practice)
        form.version.data = practice.version
        return render("portfolio/form.html", form=form, practice=practice)
    form = PracticeForm()
    if not form.validate_on_submit():
        return render("portfolio/form.html", form=form, practice=practice, status=422)
    sent = form.version.data  # a bounded whole number, or None when none was sent
    # A compare-and-swap on the version: of two saves from the same version, only
    # the first is stored, even when both arrive at the same moment.
    saved = (
        sent is not None
        and db.session.execute(
            update(Practice)
            .where(
                Practice.id == practice.id,
                Practice.version == sent,
                Practice.status.in_([s.value for s in Status if s.editable]),
            )
            .values(**_values(form), version=Practice.version + 1, updated_at=utcnow()),
            execution_options={"synchronize_session": False},
        ).rowcount
        == 1
    )
    if not saved:
        db.session.rollback()
        form.form_errors.append(
            _(
                "Someone else changed this practice while you were editing. Your text is "
                "still below; the fields now hold your version. Check the practice page in "
                "another tab, then save again."
            )
        )
        form.version.data = db.session.get(Practice, practice.id).version
        return render("portfolio/form.html", form=form, practice=practice, status=409)
    db.session.commit()
    flash(_("The practice is saved."), "success")
    return redirect(url_for("portfolio.view", practice_id=practice.id), code=303)


@bp.post("/<id:practice_id>/submit")
def submit(practice_id: int) -> Response:
    practice = get_practice(practice_id)
    require(Action.EDIT, practice.region)
    if not practice.state.editable:
        flash(_already(practice), "error")
        return _back(practice, 409)
    missing = rules.missing_for_submission(practice)
    if missing:
        flash(_("Before submitting, fill in: %(fields)s.", fields=", ".join(missing)), "error")
        return _back(practice, 422)
    rules.submit(practice, _me())
    notices.practice_submitted(practice)
    db.session.commit()
    flash(_("Submitted: the lead partner's coordinators will validate it."), "success")
    return _back(practice)


@bp.post("/<id:practice_id>/decision")
def decide(practice_id: int) -> Response:
    practice = get_practice(practice_id)
    require(Action.ADMIN)
    form = DecisionForm()
    wanted = {"approve": Status.APPROVED, "return": Status.RETURNED, "decline": Status.DECLINED}
    status = wanted.get(request.form.get("decision", ""))
    if status is None:
        abort(400)
    if practice.state is not Status.SUBMITTED:
        flash(
            _(
                "Only a submitted practice can be validated; this one is %(state)s.",
                state=_state_in_sentence(practice.state),
            ),
            "error",
        )
        return _back(practice, 409)
    if not form.validate_on_submit():
        return render("portfolio/view.html", **_view_context(practice, form), status=422)
    note = (form.note.data or "").strip()
    if status is not Status.APPROVED and not note:
        form.note.errors = [_("Tell the region why: write a message.")]
        return render("portfolio/view.html", **_view_context(practice, form), status=422)
    rules.decide(practice, _me(), status, note)
    notices.practice_decided(practice)
    db.session.commit()
    flash(_decided(practice), "success")
    return _back(practice)


@bp.post("/<id:practice_id>/draft")
def return_to_draft(practice_id: int) -> Response:
    """An admin sends an approved or declined practice back to draft, so that its
    locked texts can change; it is then submitted and validated again."""
    practice = get_practice(practice_id)
    require(Action.ADMIN)
    form = DecisionForm()
    if practice.state not in rules.REOPENABLE:
        flash(
            _(
                "Only an approved or declined practice goes back to draft; this one is %(state)s.",
                state=_state_in_sentence(practice.state),
            ),
            "error",
        )
        return _back(practice, 409)
    if not form.validate_on_submit():
        return render("portfolio/view.html", **_view_context(practice, form), status=422)
    rules.return_to_draft(practice, _me(), (form.note.data or "").strip())
    db.session.commit()
    flash(
        _(
            "“%(title)s” is a draft again: its region can change it and submit it anew.",
            title=practice.title,
        ),
        "success",
    )
    return _back(practice)


def _state_in_sentence(state: Status) -> str:
    """The state as it reads after "this one is" (lower case in English)."""
    return {
        Status.DRAFT: _("draft"),
        Status.SUBMITTED: _("awaiting validation"),
        Status.RETURNED: _("returned for changes"),
        Status.APPROVED: _("approved"),
        Status.DECLINED: _("declined"),
    }[state]


def _no_longer_changed(practice: Practice) -> str:
    """For a practice that is no longer editable (submitted, approved or declined)."""
    return {
        Status.SUBMITTED: _("This practice is awaiting validation: it can no longer be changed."),
        Status.APPROVED: _("This practice is approved: it can no longer be changed."),
        Status.DECLINED: _("This practice is declined: it can no longer be changed."),
    }[practice.state]


def _already(practice: Practice) -> str:
    """For a practice that is no longer editable (submitted, approved or declined)."""
    return {
        Status.SUBMITTED: _("This practice is awaiting validation already."),
        Status.APPROVED: _("This practice is approved already."),
        Status.DECLINED: _("This practice is declined already."),
    }[practice.state]


def _decided(practice: Practice) -> str:
    title = practice.title
    if practice.state is Status.APPROVED:
        return _("“%(title)s” is approved.", title=title)
    if practice.state is Status.RETURNED:
        return _("“%(title)s” is returned to the region.", title=title)
    return _("“%(title)s” is declined.", title=title)


def _back(practice: Practice, status: int = 303) -> Response:
    if status == 303:
        return redirect(url_for("portfolio.view", practice_id=practice.id), code=303)
    return render("portfolio/view.html", **_view_context(practice), status=status)


# ---------------------------------------------------------------- where presented

MEETING = "minutes:meeting:"
PRESENTED = "presented_at"


def presentations(practice: Practice) -> list[tuple[Link, LinkTarget | None]]:
    """The meetings and visits where the practice was presented (core links to the
    minutes plugin's meetings); None for one the reader cannot open."""
    links = db.session.scalars(
        select(Link)
        .where(Link.source == practice.ref, Link.kind == PRESENTED)
        .order_by(Link.created_at)
    ).all()
    described = describe([link.target for link in links], _me()) if links else {}
    return [(link, described.get(link.target)) for link in links]


def inspired(practice: Practice) -> list[LinkTarget]:
    """What other modules say the practice inspired (core links of kind
    "inspired_by" to it, e.g. actions of an action plan) that the reader may open."""
    sources = db.session.scalars(
        select(Link.source)
        .where(Link.target == practice.ref, Link.kind == "inspired_by")
        .order_by(Link.created_at)
    ).all()
    described = describe(list(sources), _me()) if sources else {}
    return [target for target in described.values() if target is not None]


def minutes_available() -> bool:
    return "minutes" in enabled_anywhere()


def _presented_panel(practice: Practice, status: int = 200) -> Response:
    return render(
        "portfolio/view.html",
        block="presented",
        status=status,
        **_view_context(practice),
    )


@bp.get("/<id:practice_id>/meetings")
def meeting_targets(practice_id: int) -> Response:
    """Meetings matching what the user typed, for the "presented at" picker."""
    practice = get_practice(practice_id)
    require(Action.EDIT, practice.region)
    query = request.args.get("q", "").strip()[:100]
    found = []
    if query and minutes_available():
        found = [
            target
            for target in find_targets(query, _me(), plugins=["minutes"])
            if target.ref.startswith(MEETING)
        ]
    return render(
        "portfolio/view.html",
        block="meeting_targets",
        **{**_view_context(practice), "targets": found[:10]},
    )


@bp.post("/<id:practice_id>/presented")
def add_presentation(practice_id: int) -> Response:
    practice = get_practice(practice_id)
    require(Action.EDIT, practice.region)
    target = request.form.get("target", "")[:120]
    if not target.startswith(MEETING) or describe([target], _me()).get(target) is None:
        flash(_("Choose a meeting from the list."), "error")
        return _presented_panel(practice, 422)
    exists = db.session.scalar(
        select(Link).where(
            Link.source == practice.ref, Link.target == target, Link.kind == PRESENTED
        )
    )
    if exists is None:
        db.session.add(
            Link(source=practice.ref, target=target, kind=PRESENTED, created_by_id=_me().id)
        )
        record(
            "practice_presented",
            region=practice.region,
            target=practice.ref,
            meeting=target,
            phrase=N_("recorded where a good practice was presented:"),
        )
        db.session.commit()
    if not request.htmx:
        return redirect(url_for("portfolio.view", practice_id=practice.id), code=303)
    return _presented_panel(practice)


@bp.post("/<id:practice_id>/presented/<id:link_id>/remove")
def remove_presentation(practice_id: int, link_id: int) -> Response:
    practice = get_practice(practice_id)
    require(Action.EDIT, practice.region)
    link = db.session.get(Link, link_id)
    if link is None or link.source != practice.ref or link.kind != PRESENTED:
        abort(404)
    db.session.delete(link)
    db.session.commit()
    if not request.htmx:
        return redirect(url_for("portfolio.view", practice_id=practice.id), code=303)
    return _presented_panel(practice)

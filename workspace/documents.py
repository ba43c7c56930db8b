"""Shared Markdown documents: list, create, read, edit with merge, history, diff,
restore, delete and undelete."""

from __future__ import annotations

import difflib
import secrets
from datetime import timedelta
from types import SimpleNamespace

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload

from .access import document_for_save, get_document, lock_reason
from .activity import record
from .converters import db_int
from .document_page import view_context
from .extensions import db
from .forms import EditForm, NewDocumentForm, options
from .markdown import to_html
from .models import Document, Region, Revision, User, utcnow
from .permissions import Action, can, readable_regions, require
from .rendering import error_response, render, wants_fragment
from .revisions import DocumentGone, SaveOutcome, create, revision, save
from .search import index_document
from .visibility import allowed_by_plugins, switched_on_clause

bp = Blueprint("documents", __name__, url_prefix="/docs")

UPDATED = {"7": timedelta(days=7), "30": timedelta(days=30), "365": timedelta(days=365)}


def _where_choices() -> list:
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    pairs = [(0, _("Whole project"))] if can(current_user, Action.EDIT) else []
    pairs += [(r.id, r.name) for r in regions if can(current_user, Action.EDIT, r)]
    return options(pairs)


# ---------------------------------------------------------------- list


@bp.get("/")
def index() -> Response:
    regions = readable_regions(
        current_user, list(db.session.scalars(select(Region).order_by(Region.name)))
    )
    region_slug = request.args.get("region", "")
    author_id = request.args.get("author", type=db_int)
    updated = request.args.get("updated", "")
    trash = request.args.get("trash") == "1"
    query = (
        select(Document)
        .options(selectinload(Document.region), selectinload(Document.updated_by))
        .order_by(Document.updated_at.desc())
        .limit(200)
    )
    visible = [r.id for r in regions]
    if can(current_user, Action.READ):
        query = query.where(Document.region_id.in_(visible) | Document.region_id.is_(None))
    else:
        query = query.where(Document.region_id.in_(visible))
    region = next((r for r in regions if r.slug == region_slug), None)
    if region_slug == "project":
        query = query.where(Document.region_id.is_(None))
    elif region is not None:
        query = query.where(Document.region_id == region.id)
        g.region = region
    if author_id:
        query = query.where(
            Document.id.in_(select(Revision.document_id).where(Revision.author_id == author_id))
        )
    if updated in UPDATED:
        query = query.where(Document.updated_at >= utcnow() - UPDATED[updated])
    query = query.where(
        Document.deleted_at.is_not(None) if trash else Document.deleted_at.is_(None),
        # The texts of a plugin switched off where they live stay out of the list.
        switched_on_clause(),
    )
    documents = allowed_by_plugins(db.session.scalars(query), current_user._get_current_object())
    # Everyone who may write, not "everyone who wrote": that would read every revision.
    authors = db.session.scalars(
        select(User).where(User.active.is_(True)).order_by(User.name)
    ).all()
    return render(
        "documents/index.html",
        block="results",
        documents=documents,
        regions=regions,
        authors=authors,
        filters={"region": region_slug, "author": author_id, "updated": updated, "trash": trash},
        can_create=bool(_where_choices()),
    )


# ---------------------------------------------------------------- create and read


@bp.route("/new", methods=["GET", "POST"])
def new() -> Response:
    form = NewDocumentForm()
    form.region_id.choices = _where_choices()
    if not form.region_id.choices:
        require(Action.EDIT)  # nowhere to write: refused and recorded
    if request.method == "GET":
        wanted = db.session.scalar(select(Region).where(Region.slug == request.args.get("region")))
        if wanted is not None:
            form.region_id.data = wanted.id
    if form.validate_on_submit():
        region = db.session.get(Region, form.region_id.data) if form.region_id.data else None
        require(Action.EDIT, region)
        document = create(form.title.data, form.body.data or "", region, current_user)
        flash(_("“%(title)s” is created.", title=document.title), "success")
        return redirect(url_for("documents.view", document_id=document.id), code=303)
    status = 422 if form.is_submitted() else 200
    return render("documents/new.html", form=form, status=status)


@bp.get("/<id:document_id>")
def view(document_id: int) -> Response:
    document = get_document(document_id)
    return render("documents/view.html", **view_context(document))


@bp.post("/preview")
def preview() -> Response:
    """The rendered Markdown of the editor's text, for the live preview."""
    body = request.form.get("body", "")[:500_000]
    return Response(to_html(body), mimetype="text/html")


# ---------------------------------------------------------------- edit


@bp.route("/<id:document_id>/edit", methods=["GET", "POST"])
def edit(document_id: int) -> Response:
    if request.method == "POST":
        # A save for a document gone meanwhile still answers with the user's text.
        document, gone = document_for_save(document_id)
        if gone:
            return _gone_from_view(document)
    else:
        document = get_document(document_id, Action.EDIT)
    locked = lock_reason(document)
    if request.method == "GET":
        if locked:
            flash(locked, "info")
            return redirect(url_for("documents.view", document_id=document.id))
        form = EditForm(obj=document)
        form.base.data = document.head
        form.save_token.data = secrets.token_urlsafe(24)
        return render("documents/edit.html", document=document, form=form)
    form = EditForm()
    if not form.validate_on_submit():
        return render("documents/edit.html", document=document, form=form, status=422)
    if locked:
        form.form_errors.append(f"{locked} {_('Your text is below: copy it to keep it.')}")
        return render("documents/edit.html", document=document, form=form, status=409)
    if document.deleted_at is not None:
        form.form_errors.append(
            _(
                "This document was deleted while you were editing. Your text is below: copy "
                "it, or restore the document from the trash and save again."
            )
        )
        return render("documents/edit.html", document=document, form=form, status=409)
    try:
        result = save(
            document.id,
            form.base.data,
            form.title.data,
            form.body.data or "",
            current_user._get_current_object(),
            form.save_token.data or None,
        )
    except DocumentGone:
        form.form_errors.append(
            _("This document was deleted while you were editing. Copy your text to keep it.")
        )
        return render("documents/edit.html", document=document, form=form, status=409)
    names = ", ".join(user.name for user in result.others) or _("another editor")
    if result.outcome is SaveOutcome.CONFLICT:
        # Keep the user's text in the form; resolving it is a save on the new head.
        form = EditForm(
            formdata=None,
            title=form.title.data,
            body=form.body.data,
            base=result.head,
            save_token=secrets.token_urlsafe(24),
        )
        return render(
            "documents/edit.html",
            document=result.document,
            form=form,
            conflict=result,
            conflict_names=names,
            status=409,
        )
    messages = {
        SaveOutcome.SAVED: (
            _("Saved as revision %(number)s.", number=result.document.head),
            "success",
        ),
        SaveOutcome.MERGED: (
            _(
                "Saved as revision %(number)s, merged with the changes of %(names)s.",
                number=result.document.head,
                names=names,
            ),
            "success",
        ),
        SaveOutcome.UNCHANGED: (_("Nothing changed, so no new revision was made."), "info"),
        SaveOutcome.DUPLICATE: (_("This was saved already."), "info"),
    }
    flash(*messages[result.outcome])
    return redirect(url_for("documents.view", document_id=document.id), code=303)


def _gone_from_view(document: Document) -> Response:
    """409 with the person's text, naming nothing they may no longer see: the title
    shown is the one they typed."""
    form = EditForm()
    form.form_errors.append(
        _(
            "This text is no longer open: what it belongs to was moved to the trash, or its "
            "module was switched off here, while you were writing. Nothing was saved. Your "
            "text is below: copy it to keep it."
        )
    )
    shown = SimpleNamespace(id=document.id, title=form.title.data or _("Untitled"))
    return render("documents/edit.html", document=shown, form=form, status=409)


# ---------------------------------------------------------------- history


@bp.get("/<id:document_id>/history")
def history(document_id: int) -> Response:
    document = get_document(document_id, deleted=True)
    # What the table shows, not each revision's whole text.
    revisions = db.session.scalars(
        select(Revision)
        .options(
            load_only(Revision.number, Revision.kind, Revision.created_at, Revision.author_id),
            selectinload(Revision.author),
        )
        .where(Revision.document_id == document.id)
        .order_by(Revision.number.desc())
    ).all()
    return render(
        "documents/history.html",
        document=document,
        revisions=revisions,
        can_edit=can(current_user, Action.EDIT, document.region)
        and not document.deleted_at
        and not lock_reason(document),
    )


@bp.get("/<id:document_id>/diff")
def diff(document_id: int) -> Response:
    document = get_document(document_id, deleted=True)
    older = revision(document.id, _revision_number("from", max(document.head - 1, 1)))
    newer = revision(document.id, _revision_number("to", document.head))
    if older is None or newer is None:
        abort(404)
    layout = "side" if request.args.get("layout") == "side" else "inline"
    rows = _diff_rows(older.body, newer.body)
    return render(
        "documents/diff.html",
        block="diff",
        document=document,
        older=older,
        newer=newer,
        rows=rows,
        layout=layout,
    )


def _revision_number(name: str, default: int) -> int:
    """A revision number from the query string; one that cannot exist (2**63, -1, "1e3",
    "١٢") names no revision: 404, like a revision number in the path."""
    sent = request.args.get(name, "")
    try:
        return (db_int(sent) if sent else 0) or default
    except ValueError:
        abort(404)


def _diff_rows(old: str, new: str) -> list[tuple[str, str, str]]:
    """(kind, old line, new line) rows: kind is same, changed, added or removed."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    rows: list[tuple[str, str, str]] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [("same", line, line) for line in old_lines[i1:i2]]
            continue
        removed, added = old_lines[i1:i2], new_lines[j1:j2]
        for index in range(max(len(removed), len(added))):
            left = removed[index] if index < len(removed) else None
            right = added[index] if index < len(added) else None
            kind = (
                "changed"
                if left is not None and right is not None
                else ("removed" if right is None else "added")
            )
            rows.append((kind, left or "", right or ""))
    return rows


@bp.post("/<id:document_id>/revisions/<id:number>/restore")
def restore_revision(document_id: int, number: int) -> Response:
    document = get_document(document_id, Action.EDIT)
    old = revision(document.id, number)
    if old is None:
        abort(404)
    _refuse_if_locked(document)
    result = save(
        document.id,
        document.head,
        old.title,
        old.body,
        current_user._get_current_object(),
        kind="restore",
    )
    if result.outcome is SaveOutcome.UNCHANGED:
        flash(_("Revision %(number)s is the current text already.", number=number), "info")
    else:
        flash(
            _(
                "Revision %(number)s is restored as revision %(head)s.",
                number=number,
                head=result.document.head,
            ),
            "success",
        )
    return redirect(url_for("documents.view", document_id=document.id), code=303)


# ---------------------------------------------------------------- delete


def _refuse_if_locked(document: Document) -> None:
    locked = lock_reason(document)
    if locked:
        abort(error_response(409, locked))


@bp.post("/<id:document_id>/delete")
def delete(document_id: int) -> Response:
    document = get_document(document_id, Action.EDIT)
    _refuse_if_locked(document)
    document.deleted_at = utcnow()
    record("doc_deleted", region=document.region, target=document.ref)
    index_document(document)
    db.session.commit()
    flash(
        _(
            "“%(title)s” is moved to the trash. It can be restored from there.",
            title=document.title,
        ),
        "success",
    )
    target = url_for("documents.index", region=document.region.slug if document.region else "")
    if wants_fragment():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, code=303)


@bp.post("/<id:document_id>/undelete")
def undelete(document_id: int) -> Response:
    document = get_document(document_id, Action.EDIT, deleted=True)
    _refuse_if_locked(document)  # as for moving it there: a lock holds both ways
    if document.deleted_at is not None:
        document.deleted_at = None
        record("doc_restored", region=document.region, target=document.ref)
        index_document(document)
        db.session.commit()
        flash(_("“%(title)s” is back.", title=document.title), "success")
    return redirect(url_for("documents.view", document_id=document.id), code=303)

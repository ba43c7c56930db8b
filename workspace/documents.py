"""Shared Markdown documents: list, create, read, edit with merge, history, diff,
restore, delete and undelete."""

from __future__ import annotations

import difflib
import secrets
from datetime import timedelta

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
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from .activity import record
from .converters import db_int
from .extensions import db
from .forms import CommentForm, EditForm, NewDocumentForm, options
from .markdown import render as render_markdown
from .models import Document, Region, Revision, User, utcnow
from .permissions import Action, can, readable_regions, require
from .plugins import host
from .rendering import error_response, render, wants_fragment
from .revisions import DocumentGone, Outcome, create, revision, save
from .search import index_document
from .visibility import allowed_by_plugins, plugin_allows, switched_on_clause

bp = Blueprint("documents", __name__, url_prefix="/docs")

UPDATED = {"7": timedelta(days=7), "30": timedelta(days=30), "365": timedelta(days=365)}


# Built once (cheaper than session.get with options): every document page runs it.
_DOCUMENT_BY_ID = (
    select(Document)
    .options(joinedload(Document.region), joinedload(Document.updated_by))
    .where(Document.id == bindparam("id"))
)


def get_document(document_id: int, action: Action = Action.READ, deleted: bool = False):
    """The document, or 404; 403 unless the current user may ``action`` in its region.

    Every page of a document (view, edit, history, diff, comments, files, links,
    activity) comes through here, so the core's visibility rule holds for all: a
    document of a plugin switched off where it lives is 404 for everyone, and one its
    plugin hides from the user (``document_visible``) is 404 for them.
    Deleted documents are 404 unless ``deleted`` is asked for (trash and undelete).
    """
    document = db.session.scalar(_DOCUMENT_BY_ID, {"id": document_id})
    if document is None or (document.deleted_at is not None and not deleted):
        abort(404)
    if not host().shows(document.plugin, document.region_id):
        abort(404)
    # Who may not see it gets 404 whatever they asked to do: nothing tells it exists.
    require(Action.READ, document.region)
    if not plugin_allows(document, current_user._get_current_object()):
        abort(404)
    if action is not Action.READ:
        require(action, document.region)
    if document.region is not None:
        g.region = document.region
    return document


def lock_reason(document: Document) -> str | None:
    """Why the document's plugin keeps its text and files from being changed now, or
    by the current user, if it does."""
    if not document.plugin or document.plugin not in host().infos:
        return None
    user = current_user._get_current_object()
    for _, reason in host().call_each(
        "document_lock", [document.plugin], document=document, user=user
    ):
        if reason:
            return reason
    return None


def _where_choices() -> list:
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    pairs = [(0, "Whole project")] if can(current_user, Action.EDIT) else []
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
        flash(f"“{document.title}” is created.", "success")
        return redirect(url_for("documents.view", document_id=document.id), code=303)
    status = 422 if form.is_submitted() else 200
    return render("documents/new.html", form=form, status=status)


@bp.get("/<id:document_id>")
def view(document_id: int) -> Response:
    document = get_document(document_id)
    return render("documents/view.html", **view_context(document))


def view_context(document: Document, comment_form: CommentForm | None = None) -> dict:
    """What the document page shows; ``comment_form`` only when a comment was refused."""
    from .attachments import attachments_of
    from .comments import can_settle, comments_of
    from .links import UNAVAILABLE, links_of

    user = current_user._get_current_object()
    return {
        "links": links_of(document.ref, user),
        "unavailable": UNAVAILABLE,
        "attachments": attachments_of(document),
        "document": document,
        "locked": (locked := lock_reason(document)),
        "can_edit": can(user, Action.EDIT, document.region) and not locked,
        "can_comment": can(user, Action.COMMENT, document.region),
        "comments": comments_of(document),
        "comment_form": comment_form,
        "can_settle": lambda comment: can_settle(comment, document),
    }


@bp.post("/preview")
def preview() -> Response:
    """The rendered Markdown of the editor's text, for the live preview."""
    body = request.form.get("body", "")[:500_000]
    return Response(render_markdown(body), mimetype="text/html")


# ---------------------------------------------------------------- edit


@bp.route("/<id:document_id>/edit", methods=["GET", "POST"])
def edit(document_id: int) -> Response:
    # A save for a document deleted meanwhile still answers with the user's text.
    document = get_document(document_id, Action.EDIT, deleted=request.method == "POST")
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
        form.form_errors.append(f"{locked} Your text is below: copy it to keep it.")
        return render("documents/edit.html", document=document, form=form, status=409)
    if document.deleted_at is not None:
        form.form_errors.append(
            "This document was deleted while you were editing. Your text is below: copy it, "
            "or restore the document from the trash and save again."
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
            "This document was deleted while you were editing. Copy your text to keep it."
        )
        return render("documents/edit.html", document=document, form=form, status=409)
    names = ", ".join(user.name for user in result.others) or "another editor"
    if result.outcome is Outcome.CONFLICT:
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
        Outcome.SAVED: (f"Saved as revision {result.document.head}.", "success"),
        Outcome.MERGED: (
            f"Saved as revision {result.document.head}, merged with the changes of {names}.",
            "success",
        ),
        Outcome.UNCHANGED: ("Nothing changed, so no new revision was made.", "info"),
        Outcome.DUPLICATE: ("This was saved already.", "info"),
    }
    flash(*messages[result.outcome])
    return redirect(url_for("documents.view", document_id=document.id), code=303)


# ---------------------------------------------------------------- history


@bp.get("/<id:document_id>/history")
def history(document_id: int) -> Response:
    document = get_document(document_id, deleted=True)
    revisions = db.session.scalars(
        select(Revision)
        .options(selectinload(Revision.author))
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
    if result.outcome is Outcome.UNCHANGED:
        flash(f"Revision {number} is the current text already.", "info")
    else:
        flash(f"Revision {number} is restored as revision {result.document.head}.", "success")
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
    flash(f"“{document.title}” is moved to the trash. It can be restored from there.", "success")
    target = url_for("documents.index", region=document.region.slug if document.region else "")
    if wants_fragment():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, code=303)


@bp.post("/<id:document_id>/undelete")
def undelete(document_id: int) -> Response:
    document = get_document(document_id, Action.EDIT, deleted=True)
    if document.deleted_at is not None:
        document.deleted_at = None
        record("doc_restored", region=document.region, target=document.ref)
        index_document(document)
        db.session.commit()
        flash(f"“{document.title}” is back.", "success")
    return redirect(url_for("documents.view", document_id=document.id), code=303)

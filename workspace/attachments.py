"""Files attached to documents: uploaded with a size limit, stored under generated
names with their sha256, and always downloaded, never shown inline."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from pathlib import Path, PureWindowsPath

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select

from .access import get_document, lock_reason
from .activity import record
from .extensions import db
from .models import Attachment, Document
from .permissions import Action

bp = Blueprint("attachments", __name__, url_prefix="/docs")

CHUNK = 1024 * 1024


def upload_folder() -> Path:
    """Where uploaded files live: the ``STORAGE_PATH`` setting (every host shares it)."""
    folder = Path(current_app.config["STORAGE_PATH"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def safe_filename(name: str) -> str:
    """The file name without any path a browser or a user put in front of it, and
    without control characters; never empty."""
    name = PureWindowsPath(name.replace("/", "\\")).name
    name = "".join(c for c in unicodedata.normalize("NFC", name) if c.isprintable()).strip()
    name = name.lstrip(".").strip()
    return name[:255] or "file"


# Built once: every document page runs it.
_ATTACHMENTS_OF = (
    select(Attachment)
    .where(Attachment.document_id == bindparam("document_id"))
    .order_by(Attachment.created_at)
)


def attachments_of(document: Document) -> list[Attachment]:
    return list(db.session.scalars(_ATTACHMENTS_OF, {"document_id": document.id}))


@bp.post("/<id:document_id>/attachments")
def upload(document_id: int) -> Response:
    document = get_document(document_id, Action.EDIT)
    upload = request.files.get("file")
    target = url_for("documents.view", document_id=document.id) + "#attachments"
    if locked := lock_reason(document):
        flash(f"{locked} {_('The file is not attached.')}", "error")
        return redirect(target, code=303)
    if upload is None or not upload.filename:
        flash(_("Choose a file to attach."), "error")
        return redirect(target, code=303)
    stored_name = secrets.token_hex(16)
    path = upload_folder() / stored_name
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        while chunk := upload.stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    attachment = Attachment(
        document_id=document.id,
        filename=safe_filename(upload.filename),
        stored_name=stored_name,
        sha256=digest.hexdigest(),
        size=size,
        uploaded_by_id=current_user.id,
    )
    db.session.add(attachment)
    db.session.flush()
    record("upload", region=document.region, target=document.ref, file=attachment.filename)
    db.session.commit()
    flash(_("“%(name)s” is attached.", name=attachment.filename), "success")
    return redirect(target, code=303)


@bp.get("/<id:document_id>/attachments/<id:attachment_id>")
def download(document_id: int, attachment_id: int) -> Response:
    document = get_document(document_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.document_id != document.id:
        abort(404)
    return send_attachment(attachment)


def send_attachment(attachment: Attachment) -> Response:
    """The file of ``attachment`` as a download (404 when its file is gone); the caller
    has checked that the reader may have it."""
    path = upload_folder() / attachment.stored_name
    if not path.is_file():
        abort(404)
    # Always a download, and never a type the browser would render (HTML, SVG...).
    response = send_file(
        path,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/<id:document_id>/attachments/<id:attachment_id>/delete")
def delete(document_id: int, attachment_id: int) -> Response:
    document = get_document(document_id, Action.EDIT)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.document_id != document.id:
        abort(404)
    if locked := lock_reason(document):
        flash(f"{locked} {_('The file stays.')}", "error")
        return redirect(
            url_for("documents.view", document_id=document.id) + "#attachments", code=303
        )
    name = attachment.filename
    db.session.delete(attachment)
    record("attachment_deleted", region=document.region, target=document.ref, file=name)
    db.session.commit()
    # The file goes after the commit: a failed commit must not lose it.
    (upload_folder() / attachment.stored_name).unlink(missing_ok=True)
    flash(_("“%(name)s” is removed.", name=name), "success")
    return redirect(url_for("documents.view", document_id=document.id) + "#attachments", code=303)

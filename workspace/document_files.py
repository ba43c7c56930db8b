"""One document as files, laid out the same in every archive the workspace writes (a
region's export, the project's archive), so a reader finds a text the same way in each:

    <id>-<slug>/document.md          the current text, after a header of its facts
                                     (YAML front matter, values JSON-quoted; people
                                     as "Name <email>")
    <id>-<slug>/revisions/0001.md    every revision's text exactly as saved, numbered
                                     as on the history page
    <id>-<slug>/revisions.json       each revision's number, title, kind, author, time
    <id>-<slug>/comments.json        the comments: author, time, text, resolved or not
    <id>-<slug>/attachments/<name>   the files under the names they were uploaded with
                                     (made unique: "scan (2).pdf")
    <id>-<slug>/attachments.json     which file is which attachment (size, sha256, who)

This is the per-document layout of the project archive (``workspace.archive``) too,
which also names its other files with ``slug``, ``file_name`` and ``unique_name``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select

from .attachments import upload_folder
from .extensions import db
from .folding import fold
from .models import Attachment, Comment, Document, Revision, User


class DocumentFile(NamedTuple):
    """One file of a document's folder."""

    path: str  # under document_folder(document)
    content: bytes
    # An attachment's file in the storage folder (Attachment.stored_name), else None.
    stored_name: str | None = None


def slug(value: str, fallback: str) -> str:
    """Lower-case ASCII words joined by hyphens, for a folder or file name."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(value)).strip("-")[:60].strip("-")
    return words or fallback


def file_name(name: str) -> str:
    """A name every file system accepts, keeping the uploaded name where it can: no
    folder, no character Windows refuses, no leading or trailing dot or space."""
    name = unicodedata.normalize("NFC", name)
    name = "".join("_" if c in '<>:"/\\|?*' or not c.isprintable() else c for c in name)
    return name.strip(" .")[:200] or "file"


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``stem (2).ext`` and so on when a file of that name (in any case:
    some file systems ignore it) is in ``taken`` already; adds the one it returns."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number}){'.' + suffix if suffix else ''}"
    taken.add(candidate.casefold())
    return candidate


def person(user: User | None) -> str | None:
    """A person as the archives name them: "Name <email>"; None for nobody."""
    return f"{user.name} <{user.email}>" if user is not None else None


def document_folder(document: Document) -> str:
    """The document's folder: its id and a slug of its title ("12-situation-report")."""
    return f"{document.id}-{slug(document.title, 'document')}"


def document_entries(document: Document) -> Iterator[DocumentFile]:
    """Each file of ``document``, paths under ``document_folder``. Whether the reader
    may see the document is the caller's question."""
    folder = document_folder(document)
    header = {
        "title": document.title,
        "region": document.region.slug if document.region else None,
        "module": document.plugin,
        "reference": document.ref,
        "created": _when(document.created_at),
        "created_by": person(document.created_by),
        "updated": _when(document.updated_at),
        "updated_by": person(document.updated_by),
        "head_revision": document.head,
    }
    if document.deleted_at is not None:  # the project archive holds the trash too
        header["in_trash_since"] = _when(document.deleted_at)
    yield DocumentFile(f"{folder}/document.md", _markdown(header, document.body))

    listed = []
    revisions = db.session.scalars(
        select(Revision).where(Revision.document_id == document.id).order_by(Revision.number)
    )
    for revision in revisions:
        name = f"revisions/{revision.number:04d}.md"
        body = revision.body.encode()
        yield DocumentFile(f"{folder}/{name}", body)
        listed.append(
            {
                "number": revision.number,
                "file": name,
                "title": revision.title,
                "kind": revision.kind,
                "based_on": revision.base_number,
                "author": person(revision.author),
                "saved_at": _when(revision.created_at),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        )
    yield DocumentFile(f"{folder}/revisions.json", _json(listed))

    comments = db.session.scalars(
        select(Comment).where(Comment.document_id == document.id).order_by(Comment.id)
    )
    yield DocumentFile(
        f"{folder}/comments.json",
        _json(
            [
                {
                    "author": person(c.author),
                    "written_at": _when(c.created_at),
                    "text": c.body,
                    "resolved_at": _when(c.resolved_at),
                    "resolved_by": person(c.resolved_by),
                }
                for c in comments
            ]
        ),
    )

    attachments = db.session.scalars(
        select(Attachment).where(Attachment.document_id == document.id).order_by(Attachment.id)
    ).all()
    if not attachments:
        return
    storage = upload_folder()
    listed, taken = [], set()
    for attachment in attachments:
        name = unique_name(file_name(attachment.filename), taken)
        stored = storage / attachment.stored_name
        present = stored.is_file()  # a missing file is listed, with its digest, as missing
        if present:
            yield DocumentFile(
                f"{folder}/attachments/{name}", stored.read_bytes(), attachment.stored_name
            )
        listed.append(
            {
                "file": f"attachments/{name}" if present else None,
                "filename": attachment.filename,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "uploaded_by": person(attachment.uploaded_by),
                "uploaded_at": _when(attachment.created_at),
            }
        )
    yield DocumentFile(f"{folder}/attachments.json", _json(listed))


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False).encode()


def _markdown(facts: dict[str, Any], body: str) -> bytes:
    lines = ["---"]
    for key, value in facts.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return ("\n".join([*lines, "---", "", body])).encode()


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None

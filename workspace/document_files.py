"""One document as files, laid out the same in every archive the workspace writes (a
region's export, the project's archive), so a reader finds a text the same way in each:

    <id>-<slug>/document.md          the current text, after a header of its facts
                                     (YAML front matter, values JSON-quoted)
    <id>-<slug>/revisions/0001.md    every revision's text exactly as saved, numbered
                                     as on the history page
    <id>-<slug>/revisions.json       each revision's number, title, kind, author, time
    <id>-<slug>/comments.json        the comments: author, time, text, resolved or not
    <id>-<slug>/attachments/<name>   the files under the names they were uploaded with
                                     (made unique: "scan (2).pdf")
    <id>-<slug>/attachments.json     which file is which attachment (size, sha256, who)

This is the per-document layout of the project archive (``workspace.archive``) too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select

from .attachments import upload_folder
from .extensions import db
from .folding import fold
from .models import Attachment, Comment, Document, Revision


def document_folder(document: Document) -> str:
    """The document's folder: its id and a slug of its title ("12-situation-report")."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(document.title)).strip("-")[:60].strip("-")
    return f"{document.id}-{slug or 'document'}"


def document_entries(document: Document) -> Iterator[tuple[str, bytes]]:
    """(path, content) of each file of ``document``, paths under ``document_folder``.
    Whether the reader may see the document is the caller's question."""
    folder = document_folder(document)
    header = {
        "title": document.title,
        "region": document.region.slug if document.region else None,
        "module": document.plugin,
        "reference": document.ref,
        "created": _when(document.created_at),
        "created_by": _name(document.created_by),
        "updated": _when(document.updated_at),
        "updated_by": _name(document.updated_by),
        "head_revision": document.head,
    }
    yield f"{folder}/document.md", _markdown(header, document.body)

    listed = []
    revisions = db.session.scalars(
        select(Revision).where(Revision.document_id == document.id).order_by(Revision.number)
    )
    for revision in revisions:
        name = f"revisions/{revision.number:04d}.md"
        body = revision.body.encode()
        yield f"{folder}/{name}", body
        listed.append(
            {
                "number": revision.number,
                "file": name,
                "title": revision.title,
                "kind": revision.kind,
                "based_on": revision.base_number,
                "author": _name(revision.author),
                "saved_at": _when(revision.created_at),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        )
    yield f"{folder}/revisions.json", _json(listed)

    comments = db.session.scalars(
        select(Comment).where(Comment.document_id == document.id).order_by(Comment.id)
    )
    yield (
        f"{folder}/comments.json",
        _json(
            [
                {
                    "author": _name(c.author),
                    "written_at": _when(c.created_at),
                    "text": c.body,
                    "resolved_at": _when(c.resolved_at),
                    "resolved_by": _name(c.resolved_by),
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
    listed = []
    for name, attachment in zip(
        _unique_names([a.filename for a in attachments]), attachments, strict=True
    ):
        stored = storage / attachment.stored_name
        present = stored.is_file()  # a missing file is listed, with its digest, as missing
        if present:
            yield f"{folder}/attachments/{name}", stored.read_bytes()
        listed.append(
            {
                "file": f"attachments/{name}" if present else None,
                "filename": attachment.filename,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "uploaded_by": _name(attachment.uploaded_by),
                "uploaded_at": _when(attachment.created_at),
            }
        )
    yield f"{folder}/attachments.json", _json(listed)


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False).encode()


def _markdown(facts: dict[str, Any], body: str) -> bytes:
    lines = ["---"]
    for key, value in facts.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return ("\n".join([*lines, "---", "", body])).encode()


def _unique_names(names: list[str]) -> list[str]:
    """The names with any that repeat numbered, "scan.pdf", "scan (2).pdf"; never a
    path: a name is one file in the attachments folder."""
    taken: set[str] = set()
    unique = []
    for name in names:
        name = re.sub(r"[/\\]", "_", name).lstrip(".") or "file"
        candidate, n = name, 1
        while candidate.casefold() in taken:
            n += 1
            path = PurePosixPath(name)
            candidate = f"{path.stem} ({n}){path.suffix}"
        taken.add(candidate.casefold())
        unique.append(candidate)
    return unique


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _name(user) -> str | None:
    return user.name if user is not None else None

"""The project archive: one ZIP that holds the whole project, for people and for a
new instance.

For people: every document as Markdown with all its revisions (the exact bodies),
comments and attachments under the names they were uploaded with, the audit trail as
CSV, and each plugin's files from its ``export_region`` hook, for every region where
it is on. For ``archive import``: every table as JSON Lines (``data/``) and the
uploaded files listed with their sha256 (``files.json``). README_TEXT below is the
map written into the archive.

Browser sessions, login throttling, set-password links and the worker cache number
stay out: they are worth nothing elsewhere, and a live session or link must never
travel. The search index stays out too: the import rebuilds it from the documents.

The admin download is ``archive_views``; the reading side is ``archive_import``.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import click
from flask import current_app
from flask.cli import AppGroup
from flask_login import login_user
from sqlalchemy import Table, select, text
from sqlalchemy.exc import SQLAlchemyError

from .activity import record
from .attachments import upload_folder
from .extensions import db
from .models import (
    Attachment,
    Comment,
    Document,
    Event,
    Membership,
    Partner,
    Region,
    RegionPlugin,
    Revision,
    User,
)
from .plugins import host
from .spreadsheets import to_csv

# Tables that never travel, and why (README.txt of the archive says so too).
LEFT_OUT = {
    "browser_session": "signed-in browsers: a session must not work on another instance",
    "login_throttle": "counts of failed sign-ins, which only matter where they happened",
    "set_password_token": "one-time set-password links: a link must not outlive its instance",
    "cache_version": "the number that tells workers to reload; each instance has its own",
    "search_entry": "the search index, rebuilt from the documents on import",
}
ALEMBIC_TABLE = "alembic_version"
# Document folders and revision files are named for people; these say which is which.
PROJECT_FOLDER = "project"
CHUNK = 1024 * 1024

README_TEXT = """\
Project archive of {project}, written {when} UTC.

documents/<region or "project">/<id>-<title>/
    document.md        the current text, after a short header (title, region, owning
                       module, who created and last changed it, and when)
    revisions/0001.md  every revision's text exactly as saved, oldest first
    revisions.json     each revision's number, title, author, time and kind
    comments.json      the comments, with author, time and whether resolved
    attachments/       the attached files, under the names they were uploaded with
                       (a second file of the same name gets " (2)")
    attachments.json   which file is which attachment (name, size, sha256, uploader)
audit/events.csv       the audit trail: every recorded action, oldest first
plugins/<module>/<region>/
                       each module's files for the regions where it is on (CSV,
                       calendars, PDF, DOCX), as in a region's export
project.json           partners, regions, members, accounts, modules and settings

For importing into a new, empty instance (flask --app workspace archive import FILE):
data/<table>.jsonl     every table, one JSON array per row after a header line
data/alembic_version.jsonl  the database schema revisions the data belongs to
files.json             each stored file: its place in this archive, size and sha256

The archive holds the accounts with their password hashes and two-factor secrets, so
that people sign in on the new instance as before: keep it as safe as a backup. Left
out: {left_out}.
"""


class ArchiveError(Exception):
    """An archive that cannot be written or read, said in words for the operator."""


# ---------------------------------------------------------------- values


def encode_value(value: Any) -> Any:
    """A column value as JSON, losslessly: Decimals, dates and times as text (read
    back by the column's type), bytes as base64, enums as their value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot write {type(value).__name__} to an archive")


def travelling_tables() -> list[Table]:
    """The tables an archive carries, parents before children (foreign-key order)."""
    return [table for table in db.metadata.sorted_tables if table.name not in LEFT_OUT]


def schema_revisions() -> list[str]:
    """The Alembic revisions the database is at (the core's and each plugin branch's)."""
    try:
        return sorted(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:
        db.session.rollback()
        return []


# ---------------------------------------------------------------- names


def slugify(value: str, fallback: str) -> str:
    """Lower-case ASCII words joined by hyphens: for folder and file names."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or fallback


def _file_name(name: str) -> str:
    """A name every file system accepts, keeping the uploaded name where it can."""
    name = unicodedata.normalize("NFC", name)
    name = "".join("_" if c in '<>:"/\\|?*' or not c.isprintable() else c for c in name)
    return name.strip(" .")[:200] or "file"


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``stem (2).ext`` and so on when a file of that name (in any case:
    some file systems ignore it) is in the folder already."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number}){'.' + suffix if suffix else ''}"
    taken.add(candidate.casefold())
    return candidate


def archive_file_name(when: datetime | None = None) -> str:
    """``<project>-archive-<date>.zip``, the name of a download or of the CLI's file."""
    when = when or datetime.now(UTC)
    project = slugify(current_app.config["PROJECT_NAME"], "project")
    return f"{project}-archive-{when:%Y-%m-%d}.zip"


# ---------------------------------------------------------------- writing


def write_archive(out: IO[bytes], user: User | None) -> dict[str, int]:
    """Write the archive to ``out``. Plugins' files are made as ``user`` (an admin)
    would download them. Returns how many rows of each table it holds."""
    now = datetime.now(UTC)
    people = {u.id: u for u in db.session.scalars(select(User))}
    regions = {r.id: r for r in db.session.scalars(select(Region))}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        left_out = "; ".join(f"{table} ({why})" for table, why in LEFT_OUT.items())
        readme = README_TEXT.format(
            project=current_app.config["PROJECT_NAME"],
            when=f"{now:%Y-%m-%d %H:%M}",
            left_out=left_out,
        )
        archive.writestr("README.txt", readme)
        archive.writestr("project.json", _json(_project(regions)))
        files = _documents(archive, people, regions)
        archive.writestr("files.json", _json(files))
        archive.writestr("audit/events.csv", _events_csv(people, regions))
        _plugin_files(archive, list(regions.values()), user)
        counts = {table.name: _dump_table(archive, table) for table in travelling_tables()}
        _write_lines(
            archive,
            f"data/{ALEMBIC_TABLE}.jsonl",
            ["version_num"],
            ([revision] for revision in schema_revisions()),
        )
    return counts


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=encode_value) + "\n"


def _person(people: dict[int, User], user_id: int | None) -> str | None:
    user = people.get(user_id) if user_id is not None else None
    return f"{user.name} <{user.email}>" if user else None


def _project(regions: dict[int, Region]) -> dict[str, Any]:
    plugin_host = host()
    members = db.session.scalars(select(Membership)).all()
    switches = db.session.scalars(select(RegionPlugin).order_by(RegionPlugin.plugin)).all()
    return {
        "project": current_app.config["PROJECT_NAME"],
        "partners": [
            {
                "name": p.name,
                "short_name": p.short_name,
                "country": p.country,
                "legal_status": p.legal_status.value,
                "role": p.role.value,
                "region": p.region.slug if p.region else None,
            }
            for p in db.session.scalars(select(Partner).order_by(Partner.name))
        ],
        "regions": [
            {
                "slug": r.slug,
                "name": r.name,
                "country": r.country,
                "nuts2": r.nuts2,
                "members": sorted(
                    (
                        {"email": m.user.email, "name": m.user.name, "role": m.role.value}
                        for m in members
                        if m.region_id == r.id
                    ),
                    key=lambda member: member["email"],
                ),
                "plugins": {
                    switch.plugin: {"on": switch.enabled, "settings": switch.settings}
                    for switch in switches
                    if switch.region_id == r.id
                },
            }
            for r in sorted(regions.values(), key=lambda region: region.slug)
        ],
        "accounts": [
            {
                "email": u.email,
                "name": u.name,
                "partner": u.partner.short_name if u.partner else None,
                "admin": u.is_admin,
                "active": u.active,
            }
            for u in db.session.scalars(select(User).order_by(User.email))
        ],
        "plugins": {
            name: {"label": info.label, "description": info.description}
            for name, info in sorted(plugin_host.infos.items())
        },
    }


def _documents(
    archive: zipfile.ZipFile, people: dict[int, User], regions: dict[int, Region]
) -> dict[str, dict[str, Any]]:
    """Write each document's folder; return files.json: stored name -> where the file
    is in the archive, its size and sha256 (path None: the file was missing)."""
    files: dict[str, dict[str, Any]] = {}
    storage = upload_folder()
    for document in db.session.scalars(select(Document).order_by(Document.id)):
        region = regions.get(document.region_id) if document.region_id else None
        folder = (
            f"documents/{region.slug if region else PROJECT_FOLDER}/"
            f"{document.id}-{slugify(document.title, 'document')}"
        )
        archive.writestr(f"{folder}/document.md", _document_md(document, region, people))
        revisions = []
        for revision in document_revisions(document):
            name = f"revisions/{revision.number:04d}.md"
            body = revision.body.encode("utf-8")
            archive.writestr(f"{folder}/{name}", body)
            revisions.append(
                {
                    "number": revision.number,
                    "file": name,
                    "title": revision.title,
                    "kind": revision.kind,
                    "based_on": revision.base_number,
                    "author": _person(people, revision.author_id),
                    "saved_at": revision.created_at,
                    "sha256": hashlib.sha256(body).hexdigest(),
                }
            )
        archive.writestr(f"{folder}/revisions.json", _json(revisions))
        comments = db.session.scalars(
            select(Comment).where(Comment.document_id == document.id).order_by(Comment.id)
        )
        archive.writestr(
            f"{folder}/comments.json",
            _json(
                [
                    {
                        "author": _person(people, c.author_id),
                        "written_at": c.created_at,
                        "text": c.body,
                        "resolved_at": c.resolved_at,
                        "resolved_by": _person(people, c.resolved_by_id),
                    }
                    for c in comments
                ]
            ),
        )
        attachments = db.session.scalars(
            select(Attachment).where(Attachment.document_id == document.id).order_by(Attachment.id)
        ).all()
        if attachments:
            listed, taken = [], set()
            for attachment in attachments:
                path = f"{folder}/attachments/{_unique(_file_name(attachment.filename), taken)}"
                files[attachment.stored_name] = _add_file(
                    archive, storage / attachment.stored_name, path
                )
                listed.append(
                    {
                        "file": path.removeprefix(f"{folder}/")
                        if files[attachment.stored_name]["path"]
                        else None,
                        "filename": attachment.filename,
                        "size": attachment.size,
                        "sha256": attachment.sha256,
                        "uploaded_by": _person(people, attachment.uploaded_by_id),
                        "uploaded_at": attachment.created_at,
                    }
                )
            archive.writestr(f"{folder}/attachments.json", _json(listed))
    return files


def document_revisions(document: Document) -> list[Revision]:
    """The document's revisions, oldest first."""
    return list(
        db.session.scalars(
            select(Revision).where(Revision.document_id == document.id).order_by(Revision.number)
        )
    )


def _document_md(document: Document, region: Region | None, people: dict[int, User]) -> str:
    creator = _person(people, document.created_by_id)
    updater = _person(people, document.updated_by_id)
    header = {
        "title": document.title,
        "region": f"{region.name} ({region.slug})" if region else "project-wide",
        "module": document.plugin or "none (a plain document)",
        "reference": document.ref,
        "created": f"{document.created_at.isoformat()} by {creator}",
        "updated": f"{document.updated_at.isoformat()} by {updater}",
        "head revision": document.head,
    }
    if document.deleted_at is not None:
        header["in the trash since"] = document.deleted_at.isoformat()
    lines = [f"{key}: {value}" for key, value in header.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + document.body


def _add_file(archive: zipfile.ZipFile, source: Path, path: str) -> dict[str, Any]:
    if not source.is_file():
        return {"path": None, "size": 0, "sha256": None}
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    archive.write(source, path)
    return {"path": path, "size": size, "sha256": digest.hexdigest()}


def _events_csv(people: dict[int, User], regions: dict[int, Region]) -> str:
    events = db.session.execute(select(Event.__table__).order_by(Event.id))
    return to_csv(
        ["id", "when (UTC)", "who", "verb", "target", "region", "detail"],
        (
            [
                event.id,
                event.created_at.isoformat(),
                _person(people, event.actor_id) or "",
                event.verb,
                event.target,
                regions[event.region_id].slug if event.region_id in regions else "",
                json.dumps(event.detail or {}, ensure_ascii=False, default=encode_value),
            ]
            for event in events
        ),
    )


def _plugin_files(archive: zipfile.ZipFile, regions: list[Region], user: User | None) -> None:
    """Each plugin's ``export_region`` files, for every region where it is on."""
    plugin_host = host()
    for region in sorted(regions, key=lambda r: r.slug):
        enabled = plugin_host.enabled_in(region)
        for plugin, export_files in plugin_host.call_each(
            "export_region", enabled, region=region, user=user
        ):
            taken: set[str] = set()
            for export_file in export_files or ():
                parts = [_file_name(part) for part in export_file.filename.split("/") if part]
                name = _unique("/".join(parts) or "file", taken)
                archive.writestr(f"plugins/{plugin}/{region.slug}/{name}", export_file.content)


def _dump_table(archive: zipfile.ZipFile, table: Table) -> int:
    columns = [column.name for column in table.columns]
    rows = db.session.execute(select(table).order_by(*table.primary_key.columns))
    return _write_lines(archive, f"data/{table.name}.jsonl", columns, rows)


def _write_lines(
    archive: zipfile.ZipFile, name: str, columns: list[str], rows: Iterable[Any]
) -> int:
    """A table as JSON Lines: a header naming the table and its columns, then one
    array per row. Streamed, so a large table is never held whole in memory."""
    count = 0
    with archive.open(name, "w", force_zip64=True) as out:
        header = {"table": name.removeprefix("data/").removesuffix(".jsonl"), "columns": columns}
        out.write((json.dumps(header) + "\n").encode("utf-8"))
        for row in rows:
            line = json.dumps(list(row), ensure_ascii=False, default=encode_value)
            out.write((line + "\n").encode("utf-8"))
            count += 1
    return count


# ---------------------------------------------------------------- command line

archive_cli = AppGroup("archive", help="Export the whole project as one ZIP, or import one.")


@archive_cli.command("export")
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: <project>-archive-<date>.zip here).",
)
def export_command(target: Path | None) -> None:
    """Write the project archive: documents, files, audit trail and every table."""
    target = target or Path(archive_file_name())
    admin = db.session.scalar(
        select(User).where(User.is_admin.is_(True), User.active.is_(True)).order_by(User.id)
    )
    partial = target.with_name(f".{target.name}.partial")
    try:
        # Plugins make their files as in a request (links, the reader's rights): as
        # the first administrator, who may read everything.
        with current_app.test_request_context("/"), partial.open("wb") as out:
            if admin is not None:
                login_user(admin)
            counts = write_archive(out, admin)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {target}: {error.strerror}") from None
    record("archive_exported", target="project", via="cli", file=target.name)
    db.session.commit()
    click.echo(
        f"Wrote {target}: {counts.get('document', 0)} documents, "
        f"{counts.get('attachment', 0)} attachments, {counts.get('event', 0)} audit events."
    )


@archive_cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace everything in a database that has data.")
def import_command(source: Path, force: bool) -> None:
    """Load a project archive into this instance, which should be empty. Applies
    the migrations first."""
    from flask_migrate import upgrade

    from .archive_import import import_archive

    upgrade(revision="heads")
    try:
        report = import_archive(source, force=force)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Imported {source.name}: {report.rows.get('document', 0)} documents, "
        f"{report.rows.get('user_account', 0)} accounts, {report.files} files."
    )
    if report.missing_files:
        click.echo(
            f"{report.missing_files} attachment(s) had no file in the archive "
            "(missing on the instance that wrote it); their downloads answer 404."
        )

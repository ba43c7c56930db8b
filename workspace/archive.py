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

Each document's folder is laid out by ``document_files``, as in a region's export. The
admin download is ``archive_views``, the commands ``archive_cli``; the reading side is
``archive_import``.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import zipfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any

from flask import current_app
from sqlalchemy import Table, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from .document_files import document_entries, file_name, person, slug, unique_name
from .extensions import db
from .models import Attachment, Document, Event, Partner, Region, RegionPlugin, User
from .plugins import host
from .region_facts import partner_facts, region_facts
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
# The folder of the documents of no region.
PROJECT_FOLDER = "project"

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


def present_tables() -> list[Table]:
    """The models' tables this database has, parents before children (foreign-key
    order): not every model imported into this process (a plugin package may be
    importable without being loaded here)."""
    present = set(inspect(db.session.connection()).get_table_names())
    return [table for table in db.metadata.sorted_tables if table.name in present]


def travelling_tables() -> list[Table]:
    """The tables an archive carries, in foreign-key order."""
    return [table for table in present_tables() if table.name not in LEFT_OUT]


def schema_revisions() -> list[str]:
    """The Alembic revisions the database is at (the core's and each plugin branch's)."""
    try:
        return sorted(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:
        db.session.rollback()
        return []


# ---------------------------------------------------------------- names


def archive_file_name(when: datetime | None = None) -> str:
    """``<project>-archive-<date>.zip``, the name of a download or of the CLI's file."""
    when = when or datetime.now(UTC)
    project = slug(current_app.config["PROJECT_NAME"], "project")
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
        files = _documents(archive)
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


def _project(regions: dict[int, Region]) -> dict[str, Any]:
    plugin_host = host()
    switches = db.session.scalars(select(RegionPlugin).order_by(RegionPlugin.plugin)).all()
    return {
        "project": current_app.config["PROJECT_NAME"],
        "partners": [
            {**partner_facts(p), "region": p.region.slug if p.region else None}
            for p in db.session.scalars(select(Partner).order_by(Partner.name))
        ],
        "regions": [
            {
                **region_facts(r),
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
            name: {"label": str(info.label), "description": str(info.description)}
            for name, info in sorted(plugin_host.infos.items())
        },
    }


def _documents(archive: zipfile.ZipFile) -> dict[str, dict[str, Any]]:
    """Write each document's folder, trash included; return files.json: stored name ->
    where the file is in the archive, its size and sha256 (path None: the file was
    missing from the storage folder)."""
    files: dict[str, dict[str, Any]] = {}
    for document in db.session.scalars(select(Document).order_by(Document.id)):
        prefix = f"documents/{document.region.slug if document.region else PROJECT_FOLDER}/"
        for entry in document_entries(document):
            archive.writestr(prefix + entry.path, entry.content)
            if entry.stored_name is not None:
                files[entry.stored_name] = {
                    "path": prefix + entry.path,
                    "size": len(entry.content),
                    "sha256": hashlib.sha256(entry.content).hexdigest(),
                }
    for stored_name in db.session.scalars(select(Attachment.stored_name)):
        files.setdefault(stored_name, {"path": None, "size": 0, "sha256": None})
    return files


def _events_csv(people: dict[int, User], regions: dict[int, Region]) -> str:
    events = db.session.execute(select(Event.__table__).order_by(Event.id))
    return to_csv(
        ["id", "when (UTC)", "who", "verb", "target", "region", "detail"],
        (
            [
                event.id,
                event.created_at.isoformat(),
                person(people.get(event.actor_id)) or "",
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
                parts = [file_name(part) for part in export_file.filename.split("/") if part]
                name = unique_name("/".join(parts) or "file", taken)
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

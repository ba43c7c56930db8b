"""Loading a project archive (``workspace.archive``) into an empty instance.

The archive is untrusted input, whoever hands it over:

- no name inside it is used as a path without a check: a member named ``../x`` or
  ``/etc/x`` refuses the whole archive, and files are written only under their
  stored names (checked against a pattern) in ``STORAGE_PATH``;
- sizes are capped while reading (``MAX_DATA_BYTES`` for the tables; for a file, the
  size ``files.json`` declares, which must also fit on the disk), so a small ZIP
  that inflates to terabytes stops at the cap;
- each file's sha256 is checked before it is kept;
- the HTML the workspace caches (documents, comments) is never trusted from the
  archive: ``revisions.refresh_stored_html`` renders it again from the Markdown
  before the import commits, so a tampered archive cannot plant a script.

The data must belong to the schema this code builds: an archive from newer code (or
naming a plugin that is not installed here) is refused, and so is one from older
code. Restore such an archive into the version that wrote it, upgrade that instance
(``db upgrade heads``) and export again.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import json
import os
import re
import shutil
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import Column, Table, delete, func, insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import TypeDecorator

from .activity import record
from .archive import (
    ALEMBIC_TABLE,
    ArchiveError,
    present_tables,
    schema_revisions,
    travelling_tables,
)
from .attachments import CHUNK, upload_folder
from .extensions import db
from .models import Attachment, Document
from .revisions import refresh_stored_html
from .search import index_document

# The tables' JSON, all together, read into memory: far above a project's size
# (10,000 documents with 100,000 revisions take about 200 MB).
MAX_DATA_BYTES = 4 * 1024**3
# What Attachment.stored_name looks like (secrets.token_hex): nothing that walks out
# of the storage folder.
STORED_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
BATCH = 1000


@dataclass
class ImportReport:
    """What an import brought: rows per table, files copied and files missing."""

    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    missing_files: int = 0


def import_archive(source: Path, force: bool = False) -> ImportReport:
    """Load the archive at ``source`` into the database (migrated to heads) and the
    storage folder. Refuses a database holding data unless ``force``, which first
    deletes everything in it."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"{source.name} is not a readable ZIP file ({error})") from None
    written: list[Path] = []
    try:
        with archive:
            _check_names(archive)
            _check_schema(_read_table(archive, ALEMBIC_TABLE, _Budget())[1])
            _check_empty(force)
            files = _files_listed(archive)
            report = _load(archive)
            report.files, report.missing_files = _copy_files(archive, files, written)
            _reindex()
            record("archive_imported", target="project", via="cli", file=source.name)
            db.session.commit()
    except Exception as error:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(error, zipfile.BadZipFile | zlib.error | EOFError):
            raise ArchiveError(f"{source.name} is damaged ({error})") from None
        raise
    return report


# ---------------------------------------------------------------- checks


def _check_names(archive: zipfile.ZipFile) -> None:
    seen = set()
    for name in archive.namelist():
        parts = PurePosixPath(name).parts
        if (
            not name
            or name.startswith("/")
            or "\\" in name
            or re.match(r"[A-Za-z]:", name)
            or ".." in parts
            or any(not c.isprintable() for c in name)
        ):
            raise ArchiveError(f"the archive holds a file named {name!r}, outside its folders")
        if name in seen:
            raise ArchiveError(f"the archive holds {name!r} twice")
        seen.add(name)


def _check_schema(rows: list[list[Any]]) -> None:
    revisions = sorted(str(row[0]) for row in rows if row)
    if not revisions:
        raise ArchiveError("the archive names no schema revision (data/alembic_version.jsonl)")
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    unknown = []
    for revision in revisions:
        try:
            if script.get_revision(revision) is None:
                unknown.append(revision)
        except CommandError:
            unknown.append(revision)
    if unknown:
        raise ArchiveError(
            f"the archive was written by a newer version of the workspace, or with a "
            f"module not installed here (schema {', '.join(unknown)}): install that "
            "version and its modules, then import"
        )
    ours = set(schema_revisions())
    if older := [revision for revision in revisions if revision not in ours]:
        raise ArchiveError(
            f"the archive was written by an older version of the workspace (schema "
            f"{', '.join(older)}; this one is at {', '.join(sorted(ours))}): import it into "
            "that version, run `flask --app workspace db upgrade heads` there and export "
            "a new archive"
        )


def _check_empty(force: bool) -> None:
    holding = {
        table.name: count
        for table in present_tables()
        if table.name != "cache_version"
        and (count := db.session.scalar(select(func.count()).select_from(table)))
    }
    if not holding:
        return
    if not force:
        summary = ", ".join(f"{table} ({count})" for table, count in sorted(holding.items()))
        raise ArchiveError(
            f"this instance holds data already: {summary}. Import into an empty database, "
            "or pass --force to delete everything in it first"
        )
    for table in reversed(present_tables()):
        if table.name != "cache_version":
            db.session.execute(delete(table))
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("DELETE FROM search_fts"))


# ---------------------------------------------------------------- reading


class _Budget:
    """The bytes left to read from the archive's tables (``MAX_DATA_BYTES``)."""

    def __init__(self, left: int = MAX_DATA_BYTES) -> None:
        self.left = left

    def read(self, archive: zipfile.ZipFile, name: str) -> bytes:
        with archive.open(name) as member:
            data = member.read(self.left + 1)
        if len(data) > self.left:
            raise ArchiveError(f"the archive's tables are larger than {MAX_DATA_BYTES} bytes")
        self.left -= len(data)
        return data


def _read_table(archive: zipfile.ZipFile, table: str, budget: _Budget) -> tuple[list, list]:
    """The columns and rows of ``data/<table>.jsonl``; ([], []) when it is absent."""
    name = f"data/{table}.jsonl"
    if name not in archive.namelist():
        return [], []
    try:
        lines = budget.read(archive, name).decode("utf-8").splitlines()
        header = json.loads(lines[0])
        rows = [json.loads(line) for line in lines[1:] if line]
    except (UnicodeDecodeError, ValueError, IndexError):
        raise ArchiveError(f"{name} is not JSON Lines as an archive writes them") from None
    columns = header.get("columns") if isinstance(header, dict) else None
    if not isinstance(columns, list) or any(
        not isinstance(row, list) or len(row) != len(columns) for row in rows
    ):
        raise ArchiveError(f"{name}: each row must have a value for each column of the header")
    return columns, rows


def _decode(table: Table, column: Column, value: Any) -> Any:
    """A JSON value as the column's Python value (``archive.encode_value`` reversed)."""
    if value is None:
        return None
    column_type = column.type
    while isinstance(column_type, TypeDecorator):  # UTCDateTime: a DateTime underneath
        column_type = column_type.impl_instance
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return value
    try:
        if python_type is datetime:
            return datetime.fromisoformat(value)
        if python_type is date:
            return date.fromisoformat(value)
        if python_type is Decimal:
            return Decimal(value)
        if python_type is bytes:
            return base64.b64decode(value, validate=True)
        if issubclass(python_type, enum.Enum):
            return python_type(value)
    except (TypeError, ValueError, InvalidOperation, binascii.Error):
        raise ArchiveError(f"{table.name}.{column.name}: {value!r} is not a valid value") from None
    return value


def _load(archive: zipfile.ZipFile) -> ImportReport:
    report = ImportReport()
    budget = _Budget()
    tables = travelling_tables()
    known = {table.name for table in tables} | {ALEMBIC_TABLE}
    for name in archive.namelist():
        stem = name.removeprefix("data/").removesuffix(".jsonl")
        if name.startswith("data/") and name.endswith(".jsonl") and stem not in known:
            raise ArchiveError(f"the archive holds a table this instance does not have: {stem}")
    for table in tables:
        columns, rows = _read_table(archive, table.name, budget)
        if unknown := [name for name in columns if name not in table.columns]:
            raise ArchiveError(f"table {table.name} has no column {', '.join(unknown)} here")
        records = []
        for row in rows:
            values = {
                name: _decode(table, table.columns[name], value)
                for name, value in zip(columns, row, strict=True)
            }
            records.append(values)
        try:
            for start in range(0, len(records), BATCH):
                db.session.execute(insert(table), records[start : start + BATCH])
        except SQLAlchemyError as error:
            raise ArchiveError(
                f"the rows of {table.name} could not be stored: {getattr(error, 'orig', error)}"
            ) from None
        report.rows[table.name] = len(records)
    _reset_sequences(tables)
    refresh_stored_html()
    return report


def _reset_sequences(tables: list[Table]) -> None:
    """PostgreSQL hands out ids from sequences, which inserting ids does not move."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        column = table.autoincrement_column
        if column is not None:
            db.session.execute(
                select(
                    func.setval(
                        func.pg_get_serial_sequence(table.name, column.name),
                        func.coalesce(func.max(column), 1),
                        func.max(column).is_not(None),
                    )
                ).select_from(table)
            )


# ---------------------------------------------------------------- files


def _files_listed(archive: zipfile.ZipFile) -> dict[str, dict[str, Any]]:
    try:
        files = json.loads(_Budget().read(archive, "files.json"))
    except KeyError:
        raise ArchiveError("the archive has no files.json") from None
    except (UnicodeDecodeError, ValueError):
        raise ArchiveError("files.json is not JSON") from None
    members = set(archive.namelist())
    total = 0
    if not isinstance(files, dict):
        raise ArchiveError("files.json must map stored names to files")
    for stored_name, entry in files.items():
        if not STORED_NAME.fullmatch(stored_name):
            raise ArchiveError(f"files.json names a stored file {stored_name!r}: not a file name")
        if not isinstance(entry, dict):
            raise ArchiveError(f"files.json: the entry of {stored_name} is not an object")
        path, size, sha256 = entry.get("path"), entry.get("size"), entry.get("sha256")
        if path is None:
            continue
        if path not in members or not isinstance(size, int) or size < 0 or not sha256:
            raise ArchiveError(f"files.json: the entry of {stored_name} is incomplete")
        total += size
    free = shutil.disk_usage(upload_folder()).free
    if total > free:
        raise ArchiveError(f"the files need {total} bytes; the storage folder has {free} free")
    return files


def _copy_files(
    archive: zipfile.ZipFile, files: dict[str, dict[str, Any]], written: list[Path]
) -> tuple[int, int]:
    """Copy each listed file into the storage folder under its stored name, once its
    size and sha256 are those files.json gives. Returns (copied, missing)."""
    folder = upload_folder()
    stored = set(db.session.scalars(select(Attachment.stored_name)))
    if unlisted := stored - set(files):
        raise ArchiveError(f"files.json does not list the files {', '.join(sorted(unlisted))}")
    copied = missing = 0
    for stored_name, entry in files.items():
        if entry["path"] is None:
            missing += 1
            continue
        target = folder / stored_name
        partial = folder / f".{stored_name}.{os.getpid()}.partial"
        digest, size = hashlib.sha256(), 0
        try:
            with archive.open(entry["path"]) as member, partial.open("wb") as out:
                while chunk := member.read(min(CHUNK, entry["size"] - size + 1)):
                    size += len(chunk)
                    if size > entry["size"]:
                        break
                    digest.update(chunk)
                    out.write(chunk)
            if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                raise ArchiveError(
                    f"{entry['path']} is not the file files.json describes (size or sha256)"
                )
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        written.append(target)
        copied += 1
    return copied, missing


def _reindex() -> None:
    """Search entries are not taken from the archive: they are made from the text."""
    for document in db.session.scalars(select(Document).order_by(Document.id)):
        index_document(document)

"""``flask --app workspace backup`` and ``restore``: the whole instance in one archive.

An archive is an uncompressed tar holding

- ``database.sqlite.gz`` (a copy made with SQLite's online backup API, gzipped) or
  ``database.pgdump`` (``pg_dump --format=custom``, compressed by pg_dump itself);
- ``uploads/...``: every file of the storage folder (``STORAGE_PATH``);
- ``manifest.json``: format version, when and by which version it was made, the
  database's kind, its schema revisions (the ``alembic_version`` rows: the core's and
  one per plugin branch) and each part's path, size and sha256.

The database is copied first, the files after. An attachment's file is written before
its row is committed, so every attachment of the copy has its file in the archive;
files of uploads still under way are copied as they are and stay unreferenced, which
is harmless. Nothing counts as a backup until the archive has been read back and
every part matched its manifest: it is written under a hidden temporary name and
only then linked to ``workspace-<UTC time>.tar``.

Restore checks the whole archive before it touches anything, puts the files back
before the database (a file without a row is harmless, a row without its file is a
broken download), replaces a SQLite file in one rename, restores PostgreSQL in one
transaction, and migrates when the archive's schema is older than the code.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import IO, Any

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, text

from . import pg_client
from .activity import record
from .extensions import db
from .models import User
from .revisions import refresh_stored_html

FORMAT = "interventures-workspace-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite.gz"
POSTGRES_PART = "database.pgdump"
DATABASE_PARTS = {"sqlite": SQLITE_PART, "postgresql": POSTGRES_PART}
UPLOADS = "uploads/"
# The archives this command makes, and the only files ``--keep`` ever removes. Two
# backups in the same second get -1, -2... after the time.
ARCHIVE_NAME = re.compile(r"workspace-(\d{8}T\d{6}Z)(?:-(\d+))?\.tar")
CHUNK = 1024 * 1024


@dataclass
class DatabaseCopy:
    """The database part of an archive and what the copy says about itself."""

    path: Path
    revisions: list[str]
    # (stored name, sha256, document id, file name) of every attachment in the copy.
    attachments: list[tuple[str, str, int, str]] = field(default_factory=list)
    server_version: str = ""


class _Hashing:
    """A file reader that keeps the sha256 of what it has read."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


# ---------------------------------------------------------------- backup


@click.command("backup")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the archives (default: backups/ in the instance folder).",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    help="Keep only the newest N archives this command made in that folder.",
)
@with_appcontext
def backup_command(folder: Path | None, keep: int | None) -> None:
    """Write the database and every upload into one checked archive."""
    folder = (folder or Path(current_app.instance_path) / "backups").resolve()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise click.ClickException(f"cannot create {folder}: {error.strerror}") from None
    stamp = datetime.now(UTC)
    work = Path(tempfile.mkdtemp(prefix=".workspace-backup-", dir=folder))
    partial = folder / f".workspace-{stamp:%Y%m%dT%H%M%SZ}.{os.getpid()}.partial"
    try:
        if db.engine.dialect.name == "sqlite":
            copy = _copy_sqlite(Path(db.engine.url.database or ""), work)
        else:
            copy = _dump_postgres(work)
        if not copy.revisions:
            raise click.ClickException(
                "the database has no schema revision: apply the migrations first "
                "(flask --app workspace db upgrade heads)"
            )
        manifest = _write_archive(partial, copy, stamp, folder)
        verify_archive(partial)
        archive = _link_in_place(partial, folder, stamp)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        partial.unlink(missing_ok=True)
    size = archive.stat().st_size
    # Recorded after the copy, so the archive never holds its own event.
    record("backup_created", target="cli", archive=archive.name, size=size)
    db.session.commit()
    uploads = [part for part in manifest["parts"] if part["path"].startswith(UPLOADS)]
    click.echo(
        f"Backup written: {archive} ({_megabytes(size)}): the "
        f"{manifest['database']['dialect']} database (checked), {_count(len(uploads), 'file')} "
        "uploaded, schema "
        f"{', '.join(manifest['schema_revisions'])}."
    )
    for problem in manifest["attachments"]["missing"] + manifest["attachments"]["differing"]:
        click.echo(f"Warning: {problem}", err=True)
    if keep:
        for old in _archives(folder)[:-keep]:
            old.unlink()
            click.echo(f"Removed the older backup {old.name}.")


def _megabytes(size: int) -> str:
    return f"{max(size / 1e6, 0.1):.1f} MB"


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _copy_sqlite(path: Path, work: Path) -> DatabaseCopy:
    """A consistent copy of the live SQLite file, checked, then gzipped."""
    if not path.is_file():
        raise click.ClickException(f"there is no database at {path}")
    plain = work / "database.sqlite"
    source = sqlite3.connect(path, timeout=30)
    target = sqlite3.connect(plain)
    try:
        # In one step: the copy is the database as of one moment, committed WAL frames
        # included, while other connections go on writing.
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        verdict = [row[0] for row in target.execute("PRAGMA integrity_check")]
        if verdict != ["ok"]:
            raise click.ClickException(
                "the copy of the database fails SQLite's integrity check: " + "; ".join(verdict[:5])
            )
        revisions = _sqlite_rows(target, "SELECT version_num FROM alembic_version")
        attachments = _sqlite_rows(
            target, "SELECT stored_name, sha256, document_id, filename FROM attachment"
        )
    finally:
        source.close()
        target.close()
    packed = work / SQLITE_PART
    with plain.open("rb") as data, gzip.open(packed, "wb", compresslevel=6) as out:
        shutil.copyfileobj(data, out, CHUNK)
    plain.unlink()
    return DatabaseCopy(
        packed, sorted(r[0] for r in revisions), attachments, sqlite3.sqlite_version
    )


def _sqlite_rows(connection: sqlite3.Connection, query: str) -> list[tuple]:
    try:
        return connection.execute(query).fetchall()
    except sqlite3.OperationalError:  # no such table: a database without migrations
        return []


def _dump_postgres(work: Path) -> DatabaseCopy:
    """``pg_dump`` of the database, taken in the snapshot the manifest's facts are read in."""
    address, env = pg_client.libpq_target(current_app.config["SQLALCHEMY_DATABASE_URI"])
    dump = work / POSTGRES_PART
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        major = pg_client.server_major(connection)
        pg_dump = pg_client.find_tool("pg_dump", major)
        pg_restore = pg_client.find_tool("pg_restore", major)
        server_version = connection.execute(text("SHOW server_version")).scalar_one()
        # pg_dump reads the very snapshot this transaction sees, so the revisions and
        # attachments below are exactly those of the dump.
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        tables = set(inspect(connection).get_table_names())
        revisions, attachments = [], []
        if "alembic_version" in tables:
            revisions = list(connection.scalars(text("SELECT version_num FROM alembic_version")))
        if "attachment" in tables:
            attachments = [
                tuple(row)
                for row in connection.execute(
                    text("SELECT stored_name, sha256, document_id, filename FROM attachment")
                )
            ]
        pg_client.run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(dump),
             "--dbname", address],
            env, "pg_dump",
        )  # fmt: skip
        connection.rollback()
    # The dump must read back: pg_restore lists its contents or says what is wrong.
    pg_client.run([pg_restore, "--list", str(dump)], env, "checking the dump with pg_restore")
    return DatabaseCopy(dump, sorted(revisions), attachments, server_version)


def _write_archive(partial: Path, copy: DatabaseCopy, stamp: datetime, folder: Path) -> dict:
    """Write the archive to ``partial`` (owner-only: it holds password hashes)."""
    storage = Path(current_app.config["STORAGE_PATH"])
    handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    with handle, tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:
        with copy.path.open("rb") as data:
            parts = [_add(tar, data, copy.path.name)]
        for path in _stored_files(storage, skip=folder):
            try:
                data = path.open("rb")
            except FileNotFoundError:  # deleted since the listing: its row is gone too
                continue
            with data:
                parts.append(_add(tar, data, UPLOADS + path.relative_to(storage).as_posix()))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": stamp.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "app_version": _app_version(),
            "database": {
                "dialect": db.engine.dialect.name,
                "part": copy.path.name,
                "server_version": copy.server_version,
            },
            "schema_revisions": copy.revisions,
            "attachments": _attachment_check(copy, parts),
            "parts": parts,
        }
        data = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
        tar.addfile(info, io.BytesIO(data))
    return manifest


def _add(tar: tarfile.TarFile, data: IO[bytes], name: str) -> dict[str, Any]:
    """Add an open file as ``name``, as long as it was when opened (an upload still
    being written is taken as far as it got), and describe it for the manifest."""
    size = os.fstat(data.fileno()).st_size
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o600
    reader = _Hashing(data)
    tar.addfile(info, reader)
    return {"path": name, "size": size, "sha256": reader.digest.hexdigest()}


def _stored_files(storage: Path, skip: Path | None = None) -> list[Path]:
    """Every file of the storage folder, leaving out the backups folder if it lies inside."""
    if not storage.is_dir():
        return []
    return sorted(
        path
        for path in storage.rglob("*")
        if path.is_file() and not path.is_symlink() and (skip is None or skip not in path.parents)
    )


def _attachment_check(copy: DatabaseCopy, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether every attachment of the database copy has its file, as uploaded."""
    digests = {part["path"]: part["sha256"] for part in parts}
    missing, differing = [], []
    for stored_name, sha256, document_id, filename in copy.attachments:
        found = digests.get(UPLOADS + stored_name)
        where = f"the file of “{filename}” (document {document_id}, stored as {stored_name})"
        if found is None:
            missing.append(f"{where} is not in the storage folder")
        elif found != sha256:
            differing.append(f"{where} differs from the file that was uploaded")
    return {"count": len(copy.attachments), "missing": missing, "differing": differing}


def _app_version() -> str | None:
    try:
        return version("interventures-workspace")
    except PackageNotFoundError:
        return None


def _link_in_place(partial: Path, folder: Path, stamp: datetime) -> Path:
    """Give the checked archive its name; a link never replaces an existing backup."""
    for counter in range(1000):
        suffix = f"-{counter}" if counter else ""
        archive = folder / f"workspace-{stamp:%Y%m%dT%H%M%SZ}{suffix}.tar"
        try:
            os.link(partial, archive)
        except FileExistsError:
            continue
        return archive
    raise click.ClickException(
        f"too many backups named workspace-{stamp:%Y%m%dT%H%M%SZ} in {folder}"
    )


def _archives(folder: Path) -> list[Path]:
    """The archives this command made in ``folder``, oldest first."""
    found = []
    for path in folder.iterdir():
        name = ARCHIVE_NAME.fullmatch(path.name)
        if name and path.is_file():
            found.append(((name.group(1), int(name.group(2) or 0)), path))
    return [path for _, path in sorted(found)]


# ---------------------------------------------------------------- checking an archive


def verify_archive(path: Path) -> dict[str, Any]:
    """The manifest of the archive at ``path``, once every part matched it."""
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115  (closed by the with below)
    except (tarfile.TarError, OSError) as error:
        raise click.ClickException(f"{path} is not a workspace backup archive ({error})") from None
    with tar:
        try:
            members = tar.getmembers()
        except tarfile.TarError as error:
            raise click.ClickException(f"{path} is a damaged archive ({error})") from None
        by_name = {member.name: member for member in members}
        if len(by_name) < len(members):
            raise click.ClickException(f"{path} holds a file twice: not a workspace backup")
        manifest = _read_manifest(tar, by_name, path)
        listed = {part["path"] for part in manifest["parts"]}
        if extra := sorted(set(by_name) - listed - {MANIFEST}):
            raise click.ClickException(
                f"{path} holds files its manifest does not list: {', '.join(extra[:5])}"
            )
        for part in manifest["parts"]:
            member = by_name.get(part["path"])
            if member is None or not member.isreg():
                raise click.ClickException(
                    f"the part {part['path']} listed in the manifest is missing from {path}"
                )
            digest = hashlib.sha256()
            with tar.extractfile(member) as data:
                while chunk := data.read(CHUNK):
                    digest.update(chunk)
            if member.size != part["size"] or digest.hexdigest() != part["sha256"]:
                raise click.ClickException(
                    f"the part {part['path']} of {path} is damaged: its sha256 differs from "
                    "the manifest's"
                )
    return manifest


def _read_manifest(tar: tarfile.TarFile, by_name: dict, path: Path) -> dict[str, Any]:
    if MANIFEST not in by_name:
        raise click.ClickException(f"{path} has no {MANIFEST}: not a workspace backup")
    try:
        with tar.extractfile(by_name[MANIFEST]) as data:
            manifest = json.loads(data.read())
        if manifest.get("format") != FORMAT:
            raise ValueError("not a workspace backup")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"format version {manifest.get('format_version')} (this workspace reads "
                f"{FORMAT_VERSION}): restore it with the version that made it"
            )
        dialect = manifest["database"]["dialect"]
        paths = [part["path"] for part in manifest["parts"]]
        if not all(isinstance(p["size"], int) and p["sha256"] for p in manifest["parts"]):
            raise ValueError("a part lacks its size or sha256")
        if DATABASE_PARTS.get(dialect) not in paths:
            raise ValueError("no database part")
        for name in paths:
            if name not in DATABASE_PARTS.values():
                _upload_path(Path("."), name)
        if not all(isinstance(r, str) for r in manifest["schema_revisions"]):
            raise ValueError("schema revisions are not names")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise click.ClickException(f"the manifest of {path} is not usable: {error}") from None
    return manifest


def _upload_path(storage: Path, name: str) -> Path:
    """Where the archive's ``uploads/...`` part goes: inside the storage folder only."""
    relative = PurePosixPath(name.removeprefix(UPLOADS))
    if (
        not name.startswith(UPLOADS)
        or relative.is_absolute()
        or any(piece in ("", ".", "..") or "\\" in piece for piece in relative.parts)
    ):
        raise ValueError(f"the part name {name!r} is not allowed")
    return storage.joinpath(*relative.parts)


# ---------------------------------------------------------------- restore


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data of an instance that is not empty.")
@with_appcontext
def restore_command(archive: Path, force: bool) -> None:
    """Restore an archive made by `flask backup` into an empty instance."""
    manifest = verify_archive(archive)
    dialect = db.engine.dialect.name
    kept = manifest["database"]["dialect"]
    if kept != dialect:
        raise click.ClickException(
            f"the archive holds a {kept} database and this instance uses {dialect}: "
            "restore it into an instance with the same kind of database"
        )
    scripts = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    known = {script.revision for script in scripts.walk_revisions()}
    if unknown := [r for r in manifest["schema_revisions"] if r not in known]:
        raise click.ClickException(
            f"this workspace does not know the archive's schema revision {', '.join(unknown)}: "
            "the archive was made by a newer version or with a plugin not installed here; "
            "install that version or plugin first"
        )
    storage = Path(current_app.config["STORAGE_PATH"])
    if (holdings := _holdings(storage)) and not force:
        raise click.ClickException(
            f"this instance is not empty: {'; '.join(holdings)}. Restore into an empty "
            "instance, or pass --force to replace its data."
        )
    with tarfile.open(archive, "r:") as tar:
        files = _restore_uploads(tar, manifest, storage)
        if dialect == "sqlite":
            _restore_sqlite(tar, manifest)
        else:
            _restore_postgres(tar)
    db.session.remove()
    db.engine.dispose()
    with db.engine.connect() as connection:
        restored = sorted(MigrationContext.configure(connection).get_current_heads())
    if restored != sorted(manifest["schema_revisions"]):
        raise click.ClickException(
            f"the restored database reports schema {', '.join(restored) or 'none'}, "
            f"not the archive's {', '.join(manifest['schema_revisions'])}"
        )
    click.echo(
        f"Restored {archive.name} (made {manifest['created_at']}): the database and "
        f"{_count(files, 'uploaded file')}."
    )
    if set(restored) != stored_heads(scripts):
        upgrade(revision="heads")
        click.echo(
            f"The archive's schema ({', '.join(restored)}) was older than this code: "
            "migrated to the current one."
        )
    # The archive is checked against its manifest, not signed: the pages' trusted HTML
    # is rendered here from the Markdown rather than taken from the copy.
    refreshed = refresh_stored_html()
    if refreshed:
        click.echo(f"Rendered {_count(refreshed, 'stored text')} again with today's sanitiser.")
    record("backup_restored", target="cli", archive=archive.name, made=manifest["created_at"])
    db.session.commit()


def stored_heads(scripts: ScriptDirectory) -> set[str]:
    """The revisions ``alembic_version`` holds once the database is at every head. A
    head that another branch depends on (the core's, which a plugin's migration needs)
    is not written there, since the other head implies it."""
    heads = scripts.get_heads()
    implied = {
        revision.revision
        for head in heads
        for revision in scripts.iterate_revisions(head, "base")
        if revision.revision != head
    }
    return set(heads) - implied


def _holdings(storage: Path) -> list[str]:
    """What the instance holds already: nothing, for an empty one."""
    found = []
    sqlite_file = db.engine.url.database if db.engine.dialect.name == "sqlite" else None
    # A SQLite file that does not exist yet is empty; connecting would create it.
    if sqlite_file is None or Path(sqlite_file).is_file():
        with db.engine.connect() as connection:
            if inspect(connection).has_table(User.__tablename__):
                accounts = connection.scalar(select(func.count()).select_from(User))
                if accounts:
                    found.append(f"the database holds {_count(accounts, 'account')}")
    if files := len(_stored_files(storage)):
        found.append(f"the storage folder {storage} holds {_count(files, 'file')}")
    return found


def _restore_uploads(tar: tarfile.TarFile, manifest: dict[str, Any], storage: Path) -> int:
    """Put every uploaded file back, each under a temporary name first."""
    count = 0
    for part in manifest["parts"]:
        if not part["path"].startswith(UPLOADS):
            continue
        target = _upload_path(storage, part["path"])
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.restoring")
        with tar.extractfile(part["path"]) as data, temporary.open("wb") as out:
            shutil.copyfileobj(data, out, CHUNK)
        os.replace(temporary, target)
        count += 1
    return count


def _restore_sqlite(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    """Unpack and check the copy beside the database file, then rename it into place:
    the file is the old database or the restored one, never half of each."""
    target = Path(db.engine.url.database or "").resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    try:
        with (
            tar.extractfile(SQLITE_PART) as packed,
            gzip.open(packed) as data,
            temporary.open("wb") as out,
        ):
            shutil.copyfileobj(data, out, CHUNK)
        check = sqlite3.connect(temporary)
        try:
            verdict = [row[0] for row in check.execute("PRAGMA integrity_check")]
        finally:
            check.close()
        if verdict != ["ok"]:
            raise click.ClickException("the archive's database fails SQLite's integrity check")
        db.session.remove()
        db.engine.dispose()
        # The old database's write-ahead log would be replayed onto the new file.
        for leftover in (f"{target}-wal", f"{target}-shm", f"{target}-journal"):
            Path(leftover).unlink(missing_ok=True)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _restore_postgres(tar: tarfile.TarFile) -> None:
    """``pg_restore`` the dump in one transaction: all of it, or nothing on error."""
    with db.engine.connect() as connection:
        major = pg_client.server_major(connection)
    pg_restore = pg_client.find_tool("pg_restore", major)
    address, env = pg_client.libpq_target(current_app.config["SQLALCHEMY_DATABASE_URI"])
    _drop_tables()
    with tempfile.TemporaryDirectory(prefix="workspace-restore-") as work:
        dump = Path(work) / POSTGRES_PART
        with tar.extractfile(POSTGRES_PART) as data, dump.open("wb") as out:
            shutil.copyfileobj(data, out, CHUNK)
        pg_client.run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--dbname", address, str(dump)],
            env, "pg_restore",
        )  # fmt: skip


def _drop_tables() -> None:
    """Empty the database first, as a SQLite restore replaces the whole file: tables the
    archive does not have (a newer plugin's, made by an earlier ``db upgrade``) would
    otherwise stay and break the migrations after it."""
    db.session.remove()
    with db.engine.begin() as connection:
        quote = connection.dialect.identifier_preparer.quote
        for table in inspect(connection).get_table_names():
            connection.execute(text(f"DROP TABLE IF EXISTS {quote(table)} CASCADE"))


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

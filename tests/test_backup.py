"""Backups and restores (``flask --app workspace backup`` / ``restore``), on SQLite and,
with WORKSPACE_TEST_DATABASE_URL, on PostgreSQL: a backup taken while twenty browser
tabs save restores to a workspace where nothing is torn; restore refuses what it must."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import tarfile
import threading
import time
from pathlib import Path

import click
import pytest
from alembic.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, text

from tests.conftest import POSTGRES_URL, Factory, World, bare_app
from workspace import pg_client
from workspace.extensions import db
from workspace.models import Attachment, Document, Event, Region, Revision
from workspace.testing import new_document, sign_in

SAVERS = 20
UPLOADERS = 4  # of the savers, these attach a file after each save
PAUSE = 0.05  # seconds between one person's saves
OLD_CORE_REVISION = "0013_browser_sessions"


def instance(tmp_path: Path, name: str, revision: str | None = "heads") -> Flask:
    """A workspace of its own (instance folder, storage folder, database), migrated to
    ``revision``; None leaves the database untouched (a SQLite file not created yet)."""
    folder = tmp_path / name
    folder.mkdir()
    app = bare_app(folder, name, WTF_CSRF_ENABLED=False)
    if revision:
        with app.app_context():
            upgrade(revision=revision)
    return app


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def take_backup(app: Flask, folder: Path, *options: str) -> Path:
    result = run(app, "backup", "--to", str(folder), *options)
    assert result.exit_code == 0, result.output
    return Path(result.output.split("Backup written: ", 1)[1].split(" (", 1)[0])


def schema_of(app: Flask) -> set[str]:
    with app.app_context(), db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def code_heads(tmp_path: Path) -> set[str]:
    """The schema revisions of a database built by this code: an empty one upgraded to
    every head (a head another branch depends on is implied, not stored)."""
    return schema_of(instance(tmp_path, "fresh"))


@pytest.fixture
def source(tmp_path) -> Flask:
    return instance(tmp_path, "source")


@pytest.fixture
def people(source) -> World:
    return World(Factory(source))


def tabs(app: Flask, emails: list[str], count: int) -> list[FlaskClient]:
    """``count`` browser tabs, shared in turn by the people of ``emails``, each signed in
    once (a sign-in costs a deliberately slow password hash)."""
    signed_in = [sign_in(app, email) for email in emails]
    name = app.config["SESSION_COOKIE_NAME"]
    clients = []
    for index in range(count):
        client = app.test_client()
        client.set_cookie(name, signed_in[index % len(emails)].get_cookie(name).value)
        clients.append(client)
    return clients


def test_a_backup_taken_while_twenty_tabs_save_restores_whole(tmp_path, source, people):
    editors = [people.editor.email, people.coordinator.email, people.admin.email]
    clients = tabs(source, editors, SAVERS)
    documents = [new_document(clients[0], f"Notes {n}", "line 0\n") for n in range(SAVERS)]
    uploaded: dict[str, bytes] = {}
    saved = [1] * SAVERS  # revisions of each document
    saving: list[tuple[float, float]] = []  # when each save began and ended
    errors: list[str] = []
    warmed_up = threading.Barrier(SAVERS + 1)
    stop = threading.Event()

    def saver(index: int) -> None:
        client, document = clients[index], documents[index]
        try:
            while True:
                body = "".join(f"line {n}\n" for n in range(saved[index] + 1))
                form = {"title": f"Notes {index}", "body": body, "base": saved[index],
                        "save_token": f"{index}-{saved[index]}"}  # fmt: skip
                began = time.monotonic()
                response = client.post(f"/docs/{document}/edit", data=form)
                saving.append((began, time.monotonic()))
                assert response.status_code == 303, response.text
                saved[index] += 1
                if index < UPLOADERS:
                    content = os.urandom(2000 + saved[index])
                    name = f"evidence-{index}-{saved[index]}.bin"
                    uploaded[name] = content
                    attached = client.post(
                        f"/docs/{document}/attachments",
                        data={"file": (io.BytesIO(content), name)},
                        content_type="multipart/form-data",
                    )
                    assert attached.status_code == 303
                if saved[index] == 2:
                    warmed_up.wait(timeout=60)
                if stop.is_set() and saved[index] > 2:
                    return
                # People pause between saves, each for their own time; savers that never
                # paused would starve the backup of Python's interpreter lock.
                time.sleep(random.uniform(0, PAUSE))
        except Exception as error:  # reported below, with the saver's number
            errors.append(f"saver {index}: {error!r}")
            warmed_up.abort()

    threads = [threading.Thread(target=saver, args=(i,)) for i in range(SAVERS)]
    for thread in threads:
        thread.start()
    try:
        warmed_up.wait(timeout=60)
        began = time.monotonic()
        archive = take_backup(source, tmp_path / "backups")
        ended = time.monotonic()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors  # a saver's failure explains a broken barrier
    assert any(start < ended and end > began for start, end in saving), "no save met the backup"

    target = instance(tmp_path, "target", revision=None)
    result = run(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and "was older" not in result.output
    assert schema_of(target) == code_heads(tmp_path)
    with target.app_context():
        for index, document_id in enumerate(documents):
            document = db.session.get(Document, document_id)
            revisions = db.session.scalars(
                select(Revision)
                .where(Revision.document_id == document_id)
                .order_by(Revision.number)
            ).all()
            assert [r.number for r in revisions] == list(range(1, len(revisions) + 1))
            assert document.head == revisions[-1].number
            assert document.body == revisions[-1].body
            # At least every save made before the backup started is there.
            assert document.head >= 2, index
        attachments = db.session.scalars(select(Attachment)).all()
        assert db.session.scalar(select(func.count()).where(Event.verb == "backup_restored"))
    assert len(attachments) >= UPLOADERS
    reader = sign_in(target, people.editor.email)
    for attachment in attachments:
        download = reader.get(f"/docs/{attachment.document_id}/attachments/{attachment.id}")
        assert download.status_code == 200
        assert download.data == uploaded[attachment.filename]
        download.close()
    assert reader.get("/healthz").status_code == 200
    assert reader.get(f"/docs/{documents[0]}").status_code == 200


@pytest.fixture
def archive(tmp_path, source, people) -> Path:
    """A backup of a workspace with one document and one attachment."""
    client = sign_in(source, people.editor.email)
    document = new_document(client, "Evidence", "text\n")
    client.post(
        f"/docs/{document}/attachments",
        data={"file": (io.BytesIO(b"%PDF the evidence"), "evidence.pdf")},
        content_type="multipart/form-data",
    )
    return take_backup(source, tmp_path / "backups")


def test_restore_refuses_a_workspace_that_is_not_empty_unless_forced(source, archive):
    with source.app_context():
        db.session.add(Region(slug="after", name="Made after", country="ES", nuts2="ES41"))
        db.session.commit()
    refused = run(source, "restore", str(archive))
    assert refused.exit_code == 1
    assert "not empty" in refused.output and "6 accounts" in refused.output
    assert "--force" in refused.output
    with source.app_context():
        assert db.session.scalar(select(Region).where(Region.slug == "after"))

    forced = run(source, "restore", "--force", str(archive))
    assert forced.exit_code == 0, forced.output
    with source.app_context():
        assert db.session.scalar(select(Region).where(Region.slug == "after")) is None
        assert db.session.scalar(select(Document).where(Document.title == "Evidence"))


def test_a_restore_renders_the_pages_html_again_from_the_markdown(tmp_path, source, people):
    # A backup is checked against its manifest, not signed: HTML written into the
    # database behind the app's back must not reach the page after a restore.
    client = sign_in(source, people.editor.email)
    document = new_document(client, "Planted", "Plain **text**.\n")
    client.post(f"/docs/{document}/comments", data={"body": "A remark."})
    planted = '<script>alert("planted")</script>'
    with source.app_context():
        db.session.execute(text("UPDATE document SET html = :html"), {"html": planted})
        db.session.execute(text("UPDATE comment SET html = :html"), {"html": planted})
        db.session.commit()
    archive = take_backup(source, tmp_path / "backups")
    target = instance(tmp_path, "target", revision=None)

    restored = run(target, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "Rendered 2 stored texts again" in restored.output
    page = sign_in(target, people.editor.email).get(f"/docs/{document}").text
    assert "<strong>text</strong>" in page and "A remark." in page
    assert "planted" not in page


def damage(archive: Path, part: str) -> None:
    """Change one byte in the middle of a part's content."""
    with tarfile.open(archive) as tar:
        member = tar.getmember(part)
    with archive.open("r+b") as handle:
        handle.seek(member.offset_data + member.size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("which", ["database", "upload"])
def test_a_damaged_archive_is_refused_naming_the_part(tmp_path, archive, which):
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    part = next(n for n in names if n.startswith("database" if which == "database" else "uploads/"))
    damage(archive, part)
    target = instance(tmp_path, "target", revision=None)
    result = run(target, "restore", str(archive))
    assert result.exit_code == 1
    assert f"the part {part} of {archive} is damaged" in result.output
    # Nothing was touched.
    assert not list(Path(target.config["STORAGE_PATH"]).glob("*"))
    with target.app_context():
        assert inspect(db.engine).get_table_names() == []


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    notes = tmp_path / "notes.tar"
    notes.write_text("not an archive")
    target = instance(tmp_path, "target", revision=None)
    result = run(target, "restore", str(notes))
    assert result.exit_code == 1
    assert "is not a workspace backup archive" in result.output
    assert "Traceback" not in result.output


def test_an_archive_from_a_newer_schema_is_refused(tmp_path, archive):
    with tarfile.open(archive) as tar:
        parts = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(parts["manifest.json"])
    manifest["schema_revisions"].append("9999_from_the_future")
    parts["manifest.json"] = json.dumps(manifest).encode()
    newer = tmp_path / "newer.tar"
    with tarfile.open(newer, "w") as tar:
        for name, data in parts.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    target = instance(tmp_path, "target", revision=None)
    result = run(target, "restore", str(newer))
    assert result.exit_code == 1
    assert "does not know the archive's schema revision 9999_from_the_future" in result.output


def test_keep_leaves_the_newest_archives_and_nothing_else_is_removed(tmp_path, source):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("the operator's own file")
    (folder / "workspace-manual.tar").write_bytes(b"not ours")
    made = [take_backup(source, folder, "--keep", "2") for _ in range(3)]
    assert len(set(made)) == 3
    assert sorted(p.name for p in folder.glob("workspace-2*.tar")) == sorted(
        p.name for p in made[1:]
    )
    assert (folder / "notes.txt").exists() and (folder / "workspace-manual.tar").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no half-written archive


def test_an_archive_of_an_older_schema_is_migrated_on_restore(tmp_path):
    old = instance(tmp_path, "old", revision=OLD_CORE_REVISION)
    with old.app_context():
        db.session.execute(
            text(
                "INSERT INTO region (slug, name, country, nuts2) "
                "VALUES ('burgos', 'B', 'ES', 'ES41')"
            )
        )
        db.session.commit()
    archive = take_backup(old, tmp_path / "backups")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["schema_revisions"] == [OLD_CORE_REVISION]

    # Migrated already, with no account: empty, yet with every table of this code.
    target = instance(tmp_path, "target")
    result = run(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "was older than this code: migrated" in result.output
    assert schema_of(target) == code_heads(tmp_path)
    with target.app_context():
        assert db.session.scalar(select(Region.name).where(Region.slug == "burgos")) == "B"
    assert target.test_client().get("/healthz").status_code == 200


def test_the_manifest_describes_every_part(archive):
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        for part in manifest["parts"]:
            data = tar.extractfile(part["path"]).read()
            assert (len(data), hashlib.sha256(data).hexdigest()) == (part["size"], part["sha256"])
        assert set(tar.getnames()) == {p["path"] for p in manifest["parts"]} | {"manifest.json"}
    assert manifest["database"]["dialect"] == ("postgresql" if POSTGRES_URL else "sqlite")
    assert manifest["attachments"] == {"count": 1, "missing": [], "differing": []}
    assert len([p for p in manifest["parts"] if p["path"].startswith("uploads/")]) == 1


@pytest.fixture
def fake_tools(tmp_path, monkeypatch) -> Path:
    """No PostgreSQL client in Debian's versioned folder, and PATH holding only ``bin``."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setattr(pg_client, "VERSIONED_BIN", str(tmp_path / "versioned-{major}"))
    monkeypatch.setenv("PATH", str(folder))
    return folder


def fake_pg_dump(folder: Path, major: int) -> None:
    tool = folder / "pg_dump"
    tool.write_text(f"#!/bin/sh\necho 'pg_dump (PostgreSQL) {major}.4'\n")
    tool.chmod(0o755)


def test_a_missing_pg_dump_says_what_to_install(fake_tools):
    with pytest.raises(click.ClickException) as refused:
        pg_client.find_tool("pg_dump", 15)
    assert refused.value.message == (
        "pg_dump is not installed; the database server is PostgreSQL 15, so pg_dump 15 is "
        "needed (install it with: apt-get install postgresql-client-15)."
    )


def test_a_pg_dump_of_another_version_says_which_is_needed(fake_tools):
    fake_pg_dump(fake_tools, 13)
    with pytest.raises(click.ClickException) as refused:
        pg_client.find_tool("pg_dump", 15)
    message = refused.value.message
    assert "pg_dump 15 is needed" in message
    assert f"{fake_tools / 'pg_dump'} is version 13" in message
    assert "apt-get install postgresql-client-15" in message
    fake_pg_dump(fake_tools, 15)
    assert pg_client.find_tool("pg_dump", 15) == str(fake_tools / "pg_dump")


@pytest.mark.skipif(not POSTGRES_URL, reason="pg_dump backs up PostgreSQL only")
def test_backup_without_a_fitting_pg_dump_writes_no_archive(tmp_path, source, fake_tools):
    fake_pg_dump(fake_tools, 9)
    result = run(source, "backup", "--to", str(tmp_path / "backups"))
    assert result.exit_code == 1
    assert "pg_dump" in result.output and "postgresql-client-" in result.output
    assert "Traceback" not in result.output
    assert list((tmp_path / "backups").iterdir()) == []

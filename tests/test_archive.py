"""The project archive (issue 15): an admin's download and ``archive export``, read by
people, and ``archive import`` reproducing the project on an empty instance.

One source instance (the demo, migrated as in production, plus documents with several
revisions, comments and two attachments of the same name) is exported once for the
module; each test imports into instances of its own (another database, another
storage folder).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from tests.conftest import bare_app
from workspace.archive import travelling_tables
from workspace.extensions import db
from workspace.models import Attachment, Document, Event, Revision
from workspace.testing import DEMO_PASSWORD, load_demo, new_document, sign_in, write_document

ADMIN = "admin@pannon.example"
EDITOR = "editor@ceei.example"
REPORT_V1 = b"%PDF-1.4 first report\n"
REPORT_V2 = b"%PDF-1.4 the second report, another file of the same name\n"


def instance(tmp_path: Path, name: str) -> Flask:
    """An instance of its own: database, storage folder; tables not yet created."""
    return bare_app(
        tmp_path, name, STORAGE_PATH=str(tmp_path / f"{name}-files"), WTF_CSRF_ENABLED=False
    )


def rows_of(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table an archive carries, in key order."""
    with app.app_context():
        return {
            table.name: [
                tuple(row)
                for row in db.session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in travelling_tables()
        }


def contents(app: Flask) -> tuple[dict[tuple[int, int], str], dict[int, str]]:
    """sha256 of every revision body and of every attachment's stored file."""
    with app.app_context():
        revisions = {
            (r.document_id, r.number): hashlib.sha256(r.body.encode()).hexdigest()
            for r in db.session.scalars(select(Revision))
        }
        folder = Path(app.config["STORAGE_PATH"])
        files = {
            a.id: hashlib.sha256((folder / a.stored_name).read_bytes()).hexdigest()
            for a in db.session.scalars(select(Attachment))
        }
    return revisions, files


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The demo with a few documents, and its archive written by the command line."""
    tmp_path = tmp_path_factory.mktemp("source")
    app = instance(tmp_path, "source")
    with app.app_context():
        upgrade(revision="heads")
    load_demo(app)
    editor = sign_in(app, EDITOR, DEMO_PASSWORD)
    plan = new_document(editor, "Burgos: Plan / v2?", "# Plan\n\nfirst draft\r\nline 2\n")
    write_document(app, plan, "# Plan\n\nsecond draft\n")
    write_document(app, plan, "# Plan\n\nthird draft with **Łódź**\n")
    for content in (REPORT_V1, REPORT_V2):
        response = editor.post(
            f"/docs/{plan}/attachments",
            data={"file": (io.BytesIO(content), "report.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 303
    editor.post(f"/docs/{plan}/comments", data={"body": "Please add the *budget*."})
    note = new_document(editor, "Project note", "Shared across the project.\n", region="none")
    editor.post(f"/docs/{note}/comments", data={"body": "Agreed."})
    before = rows_of(app)
    archive = tmp_path / "project.zip"
    result = app.test_cli_runner().invoke(args=["archive", "export", "--to", str(archive)])
    assert result.exit_code == 0, result.output
    yield {"app": app, "archive": archive, "rows": before, "plan": plan, "note": note}
    # Used past the first test, whose end closes only the apps made during it.
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def imported(tmp_path: Path, archive: Path, name: str = "target", *extra: str):
    """A fresh instance and the result of importing ``archive`` into it."""
    app = instance(tmp_path, name)
    result = app.test_cli_runner().invoke(args=["archive", "import", str(archive), *extra])
    return app, result


def rewritten(archive: Path, target: Path, changes: dict) -> Path:
    """A copy of ``archive`` with members replaced (bytes, or a function of the old
    bytes) or added."""
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            change = changes.get(info.filename, data)
            new.writestr(info.filename, change(data) if callable(change) else change)
        for name, data in changes.items():
            if name not in old.namelist():
                new.writestr(name, data)
    return target


# ---------------------------------------------------------------- the download


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("coordinator@ceei.example", 403),
        (EDITOR, 403),
        ("stakeholder@burgos.example", 403),
    ],
)
def test_only_admins_download_the_archive(source, email, status):
    client = sign_in(source["app"], email, DEMO_PASSWORD)
    assert client.get("/admin/archive.zip").status_code == status


def test_anonymous_is_sent_to_sign_in(source):
    response = source["app"].test_client().get("/admin/archive.zip")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_admin_downloads_the_archive_and_the_audit_trail_says_so(source):
    client = sign_in(source["app"], ADMIN, DEMO_PASSWORD)
    assert "/admin/archive.zip" in client.get("/").text  # the admin menu links it
    response = client.get("/admin/archive.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert f"interventures-archive-{today}.zip" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "README.txt" in archive.namelist()
        assert f"data/{Document.__tablename__}.jsonl" in archive.namelist()
    response.close()  # as the server does: the spooled file goes
    with source["app"].app_context():
        last = db.session.scalars(select(Event).order_by(Event.id.desc())).first()
        assert (last.verb, last.actor.email) == ("archive_exported", ADMIN)


# ---------------------------------------------------------------- what people read


def test_people_find_each_document_its_revisions_and_files(source):
    with zipfile.ZipFile(source["archive"]) as archive:
        names = archive.namelist()
        folder = f"documents/burgos/{source['plan']}-burgos-plan-v2"
        document = archive.read(f"{folder}/document.md").decode()
        # A header of YAML front matter, each value JSON (so YAML reads it too).
        front = document.split("---\n")[1]
        header = {k: json.loads(v) for k, v in (line.split(": ", 1) for line in front.splitlines())}
        assert header["title"] == "Burgos: Plan / v2?"
        assert header["created_by"].endswith(f"<{EDITOR}>")
        assert header["head_revision"] == 3
        assert document.endswith("third draft with **Łódź**\n")
        # Revision bodies byte for byte, the Windows line end of the first included.
        assert archive.read(f"{folder}/revisions/0001.md") == b"# Plan\n\nfirst draft\r\nline 2\n"
        revisions = json.loads(archive.read(f"{folder}/revisions.json"))
        assert [r["number"] for r in revisions] == [1, 2, 3]
        assert revisions[0]["author"].endswith(f"<{EDITOR}>")
        # Two files named alike both arrive, under their own name and a numbered one.
        assert archive.read(f"{folder}/attachments/report.pdf") == REPORT_V1
        assert archive.read(f"{folder}/attachments/report (2).pdf") == REPORT_V2
        listed = json.loads(archive.read(f"{folder}/attachments.json"))
        assert [a["filename"] for a in listed] == ["report.pdf", "report.pdf"]
        comments = json.loads(archive.read(f"{folder}/comments.json"))
        assert comments[0]["text"] == "Please add the *budget*."
        assert any(n.startswith(f"documents/project/{source['note']}-project-note/") for n in names)
        events = archive.read("audit/events.csv").decode("utf-8-sig")
        assert "doc_created" in events and "upload" in events
        # Each module's files, per region where it is on, as in a region export.
        assert "plugins/portfolio/burgos/practices.csv" in names
        assert "plugins/minutes/burgos/meetings.ics" in names
        project = json.loads(archive.read("project.json"))
        assert {r["slug"] for r in project["regions"]} >= {"burgos", "pannon"}
        readme = archive.read("README.txt").decode()
        assert "password hashes" in readme and "browser_session" in readme
        # Sessions and one-time links never travel.
        assert "data/browser_session.jsonl" not in names
        assert "data/set_password_token.jsonl" not in names


# ---------------------------------------------------------------- importing


def test_import_reproduces_the_project(source, tmp_path):
    target, result = imported(tmp_path, source["archive"])
    assert result.exit_code == 0, result.output
    assert "Imported project.zip" in result.output

    assert contents(target) == contents(source["app"])
    after = rows_of(target)
    expected = source["rows"]
    # The import itself is recorded, after everything the archive brought.
    assert [e[4] for e in after["event"][len(expected["event"]) :]] == ["archive_imported"]
    after["event"] = after["event"][: len(expected["event"])]
    for table, rows in expected.items():
        assert after[table] == rows, table

    # The people sign in as before and find their work, search included.
    editor = sign_in(target, EDITOR, DEMO_PASSWORD)
    page = editor.get(f"/docs/{source['plan']}")
    assert page.status_code == 200 and "third draft with" in page.text
    assert editor.get("/r/burgos/portfolio/").status_code == 200
    assert "Burgos: Plan" in editor.get("/search?q=third draft").text
    # New rows get new ids (PostgreSQL's sequences follow the imported ones).
    assert new_document(editor, "After the move") > source["note"]


def test_an_instance_with_data_is_not_overwritten_unless_forced(source, tmp_path):
    target, _ = imported(tmp_path, source["archive"])
    again = target.test_cli_runner().invoke(args=["archive", "import", str(source["archive"])])
    assert again.exit_code == 1
    assert "holds data already" in again.output and "--force" in again.output

    forced = target.test_cli_runner().invoke(
        args=["archive", "import", str(source["archive"]), "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert contents(target) == contents(source["app"])


def test_a_tampered_archive_plants_no_script(source, tmp_path):
    planted = '<script>alert("planted")</script>'

    def plant(data: bytes) -> bytes:
        header, *rows = data.decode().splitlines()
        columns = json.loads(header)["columns"]
        lines = [header]
        for row in map(json.loads, rows):
            row[columns.index("html")] = planted
            if "head" in columns:
                row[columns.index("body")] += f"\n\n{planted}\n"
            lines.append(json.dumps(row))
        return ("\n".join(lines) + "\n").encode()

    archive = rewritten(
        source["archive"],
        tmp_path / "tampered.zip",
        {"data/document.jsonl": plant, "data/comment.jsonl": plant},
    )
    target, result = imported(tmp_path, archive)
    assert result.exit_code == 0, result.output
    page = sign_in(target, EDITOR, DEMO_PASSWORD).get(f"/docs/{source['plan']}")
    assert page.status_code == 200
    assert "third draft with" in page.text
    assert "planted" not in page.text


LATER_SCHEMA = b'{"columns": ["version_num"]}\n["9999_later"]\n'
ESCAPING_FILE = b'{"../../escape": {"path": "README.txt", "size": 1, "sha256": "0"}}'


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"../outside.txt": b"x"}, "outside its folders"),
        ({"/etc/cron.d/x": b"x"}, "outside its folders"),
        ({"data/alembic_version.jsonl": LATER_SCHEMA}, "newer version"),
        ({"files.json": ESCAPING_FILE}, "not a file name"),
    ],
    ids=["parent folder", "absolute path", "newer schema", "stored name"],
)
def test_hostile_archives_are_refused(source, tmp_path, changes, message):
    archive = rewritten(source["archive"], tmp_path / "hostile.zip", changes)
    target, result = imported(tmp_path, archive)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "outside.txt").exists()
    with target.app_context():
        assert db.session.scalar(select(Document.id)) is None


def test_a_file_that_is_not_what_files_json_says_is_refused(source, tmp_path):
    """A file larger than declared (as a ZIP bomb's) or altered stops the import, and
    nothing of it stays behind."""
    with zipfile.ZipFile(source["archive"]) as archive:
        files = json.loads(archive.read("files.json"))
    path = next(entry["path"] for entry in files.values() if entry["path"])
    bigger = rewritten(source["archive"], tmp_path / "bigger.zip", {path: b"\0" * 10_000_000})
    target, result = imported(tmp_path, bigger)
    assert result.exit_code == 1
    assert "not the file files.json describes" in result.output
    with target.app_context():
        assert db.session.scalar(select(Document.id)) is None
    assert not any(Path(target.config["STORAGE_PATH"]).iterdir())


def test_an_archive_that_is_not_a_zip_is_refused(tmp_path):
    bogus = tmp_path / "notes.zip"
    bogus.write_text("hello")
    _, result = imported(tmp_path, bogus)
    assert result.exit_code == 1
    assert "not a readable ZIP file" in result.output

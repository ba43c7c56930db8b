"""Attachments: size limit, generated names, always downloaded, never inline."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from workspace.extensions import db
from workspace.models import Attachment
from workspace.testing import new_document


@pytest.fixture
def doc(client, auth, world):
    auth.login(world.editor.email)
    return new_document(client, "Good practice evidence", "text")


def upload(client, doc, name, content: bytes):
    return client.post(
        f"/docs/{doc}/attachments",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def stored(app) -> list[Attachment]:
    with app.app_context():
        return db.session.scalars(select(Attachment)).all()


def test_upload_and_download(app, client, doc):
    content = b"%PDF-1.4 evidence"
    response = upload(client, doc, "Evidence 2020.pdf", content)
    assert response.status_code == 303
    page = client.get(f"/docs/{doc}").text
    assert "Evidence 2020.pdf" in page and "is attached" in page
    (attachment,) = stored(app)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    path = Path(app.instance_path) / "uploads" / attachment.stored_name
    assert path.read_bytes() == content
    assert "Evidence" not in attachment.stored_name
    download = client.get(f"/docs/{doc}/attachments/{attachment.id}")
    assert download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()


@pytest.mark.parametrize("name", ["page.html", "drawing.svg", "x.htm", "script.js", "a.xhtml"])
def test_html_and_svg_are_never_served_inline(app, client, doc, name):
    upload(client, doc, name, b"<script>alert(1)</script><svg onload=alert(1)>")
    (attachment,) = stored(app)
    response = client.get(f"/docs/{doc}/attachments/{attachment.id}")
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:/Users/ana/report.docx", "report.docx"),
        ("/abs/path/minutes.pdf", "minutes.pdf"),
        ("..", "file"),
        (".hidden", "hidden"),
    ],
)
def test_a_path_in_the_file_name_is_ignored(app, client, doc, given, kept):
    upload(client, doc, given, b"x")
    (attachment,) = stored(app)
    assert attachment.filename == kept
    assert list((Path(app.instance_path) / "uploads").iterdir())[0].name == attachment.stored_name


def test_too_large_upload_is_a_clear_413_and_saves_nothing(app, client, doc):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = upload(client, doc, "big.bin", b"x" * 4096)
    assert response.status_code == 413
    assert "Files up to 25 MB can be attached" in response.text
    assert stored(app) == []


def test_missing_file_is_a_message(app, client, doc):
    response = client.post(f"/docs/{doc}/attachments", data={}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert "Choose a file to attach." in client.get(response.headers["Location"]).text


def test_who_may_upload_and_download(app, client, auth, world, doc):
    upload(client, doc, "a.txt", b"a")
    (attachment,) = stored(app)
    url = f"/docs/{doc}/attachments/{attachment.id}"
    for who, can_upload, can_download in [
        ("stakeholder", False, True),
        ("other", False, True),
        ("outsider", False, False),
        ("coordinator", True, True),
    ]:
        auth.logout()
        auth.login(getattr(world, who).email)
        assert (upload(client, doc, "b.txt", b"b").status_code == 303) is can_upload, who
        response = client.get(url)
        assert (response.status_code == 200) is can_download, who
        response.close()
    auth.logout()
    assert client.get(url).status_code == 302  # anonymous: to the login page


def test_attachment_of_another_document_is_404(app, client, doc):
    other = new_document(client, "Other", "x")
    upload(client, other, "a.txt", b"a")
    (attachment,) = stored(app)
    assert client.get(f"/docs/{doc}/attachments/{attachment.id}").status_code == 404


def test_editor_removes_an_attachment_and_its_file(app, client, auth, world, doc):
    upload(client, doc, "old.pdf", b"old")
    (attachment,) = stored(app)
    path = Path(app.instance_path) / "uploads" / attachment.stored_name
    url = f"/docs/{doc}/attachments/{attachment.id}/delete"
    auth.logout()
    auth.login(world.stakeholder.email)
    assert client.post(url).status_code == 403
    assert path.exists()
    auth.logout()
    auth.login(world.editor.email)
    response = client.post(url)
    assert response.status_code == 303
    assert "“old.pdf” is removed." in client.get(response.headers["Location"]).text
    assert stored(app) == [] and not path.exists()
    assert client.get(f"/docs/{doc}/attachments/{attachment.id}").status_code == 404

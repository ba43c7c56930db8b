"""`gunicorn wsgi:app` gets a working app configured from WORKSPACE_* variables."""

from __future__ import annotations

import runpy
from pathlib import Path

from workspace.extensions import db

WSGI = Path(__file__).resolve().parent.parent / "wsgi.py"


def test_wsgi_app_reads_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSPACE_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("WORKSPACE_DATABASE_URL", f"sqlite:///{tmp_path / 'wsgi.db'}")
    monkeypatch.setenv("WORKSPACE_SECURE_COOKIES", "true")
    app = runpy.run_path(str(WSGI))["app"]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'wsgi.db'}"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert (tmp_path / "instance" / "secret_key").exists()
    assert app.test_client().get("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_links_use_the_public_address_behind_a_proxy(tmp_path, monkeypatch):
    from tests.conftest import Factory, World, make_app

    app = make_app(tmp_path, PROXY_COUNT=1)
    world = World(Factory(app))
    client = app.test_client()
    client.post("/login", data={"email": world.admin.email, "password": "correct horse battery"})
    response = client.post(
        f"/admin/users/{world.editor.id}/link",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "workspace.example.eu"},
    )
    assert "https://workspace.example.eu/set-password/" in response.text

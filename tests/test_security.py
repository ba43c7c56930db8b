"""Headers, cookies, CSRF, escaping and error pages that hold on every response."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import HTMX, PASSWORD, make_app, with_panels
from workspace.extensions import db
from workspace.models import Region


def test_security_headers_on_every_response(client, auth, world):
    auth.login(world.admin.email)
    for path in ["/login", "/", "/r/burgos/", "/admin/users", "/nowhere", "/healthz"]:
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_pages_vary_on_hx_request(client):
    assert "HX-Request" in client.get("/login").headers["Vary"]


def test_templates_have_no_inline_scripts_or_handlers(client, auth, world):
    auth.login(world.admin.email)
    for path in [
        "/login",
        "/",
        "/r/burgos/",
        "/r/burgos/members",
        "/admin/users",
        "/admin/partners",
        "/admin/regions",
        "/admin/users/new",
    ]:
        html = client.get(path).text
        for script in re.findall(r"<script[^>]*>", html):
            assert "src=" in script, (path, script)
        assert not re.search(r"\son[a-z]+=", html), path
        assert "javascript:" not in html


def test_session_cookie_flags(tmp_path):
    app = make_app(tmp_path, SECURE_COOKIES=True)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    response = client.get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_change_without_csrf_token_is_refused(tmp_path, make):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        db.session.add(Region(slug="burgos", name="Burgos", country="ES", nuts2="ES41"))
        db.session.commit()
    # Even the login form needs its token.
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "The form expired" in response.text
    # With the token from the page it proceeds to check the password.
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": "a@example.org", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 422


def test_htmx_change_sends_the_token_in_a_header(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    from tests.conftest import Factory, World

    world = World(Factory(app))
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": world.admin.email, "password": PASSWORD, "csrf_token": token}
    )
    home = client.get("/r/burgos/").text
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', home).group(1)
    refused = client.post("/r/burgos/plugins/fixture", data={"enabled": "1"}, headers=HTMX)
    assert refused.status_code == 400
    assert "Fixture panel" not in with_panels(client, "/r/burgos/")
    accepted = client.post(
        "/r/burgos/plugins/fixture",
        data={"enabled": "1"},
        headers={**HTMX, "X-CSRFToken": header_token},
    )
    assert accepted.status_code == 200
    assert "Fixture panel" in with_panels(client, "/r/burgos/")


def test_names_are_escaped_everywhere(app, client, auth, world, make):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    make.user("hostile@example.org", name=hostile, memberships={})
    with app.app_context():
        region = db.session.get(Region, world.burgos.id)
        region.name = hostile
        db.session.commit()
    auth.login(world.admin.email)
    for path in ["/", "/r/burgos/", "/r/burgos/members", "/admin/users", "/admin/regions"]:
        html = client.get(path).text
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path


def test_unknown_pages_and_methods_are_clean_errors(client, auth, world):
    auth.login(world.admin.email)
    assert client.get("/no/such/page").status_code == 404
    response = client.delete("/r/burgos/")
    assert response.status_code == 405
    assert "Not allowed" in response.text


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_healthz_reports_a_broken_database(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def fail(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is gone"))

    monkeypatch.setattr(db.session, "execute", fail)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "database unavailable"}


def test_secret_key_is_generated_once_into_the_instance(tmp_path):
    from workspace import create_app

    instance = tmp_path / "inst"
    config = {
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
    }
    first = create_app(dict(config)).config["SECRET_KEY"]
    second = create_app(dict(config)).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "path",
    [
        "/r/%00/",
        "/r/a%00/fixture/",
        "/admin/users/99999999999999999999",
        "/admin/partners/0",
        "/r/burgos/members/99999999999999999999/role",
        "/r/Burgos/",
    ],
)
def test_impossible_addresses_are_404_on_every_database(client, auth, world, path):
    auth.login(world.admin.email)
    method = "POST" if path.endswith("/role") else "GET"
    assert client.open(path, method=method).status_code == 404


def test_nul_in_an_admin_field_is_a_field_message(app, client, auth, world):
    auth.login(world.admin.email)
    response = client.post(
        "/admin/regions/new",
        data={"slug": "new", "name": "Bad\x00name", "country": "IT", "nuts2": "ITC4"},
    )
    assert response.status_code == 422
    assert "Remove the invisible control characters" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Region)) == 2


def test_a_server_error_still_gets_the_page_and_its_headers(tmp_path):
    app = make_app(tmp_path)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/broken")
    def broken():
        from sqlalchemy import text

        db.session.execute(text("SELECT * FROM no_such_table"))

    from tests.conftest import Factory, World

    world = World(Factory(app))
    client = app.test_client()
    client.post("/login", data={"email": world.admin.email, "password": PASSWORD})
    response = client.get("/broken")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_private_pages_are_not_cached(client, auth, world):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    auth.login(world.editor.email)
    assert client.get("/r/burgos/").headers["Cache-Control"] == "no-store"


def test_history_restore_gets_the_whole_page(client, auth, world):
    auth.login(world.coordinator.email)
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    page = client.get("/r/burgos/members", headers=headers).text
    assert "<html" in page and 'id="members"' in page
    fragment = client.get("/r/burgos/members", headers=HTMX).text
    assert "<html" not in fragment and 'id="members"' in fragment


def test_sqlite_connections_use_the_designed_pragmas(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite pragmas; this run uses PostgreSQL")
    from sqlalchemy import text

    with app.app_context(), db.engine.connect() as connection:
        pragma = {
            name: connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
        }
    assert pragma == {
        "journal_mode": "wal",
        "busy_timeout": 5000,
        "foreign_keys": 1,
        "synchronous": 1,
    }


def test_a_session_keeps_one_form_token_and_another_session_gets_its_own(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    from tests.conftest import Factory, World

    world = World(Factory(app))

    def signed_in():
        client = app.test_client()
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/login", data={"email": world.admin.email, "password": PASSWORD, "csrf_token": token}
        )
        return client

    def header_token(client, path):
        page = client.get(path).text
        return re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)

    first, second = signed_in(), signed_in()
    token = header_token(first, "/r/burgos/")
    assert header_token(first, "/docs/") == token  # kept by the worker, not signed again
    assert header_token(second, "/docs/") != token
    # The kept token works, and one session's token does not work for the other.
    refused = second.post(
        "/r/burgos/plugins/fixture",
        data={"enabled": "1"},
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert refused.status_code == 400
    accepted = first.post(
        "/r/burgos/plugins/fixture",
        data={"enabled": "1"},
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert accepted.status_code == 200

"""Pytest fixtures for testing the workspace and its plugins, shipped with the workspace.

Installed as a pytest plugin (the ``pytest11`` entry point ``workspace``): a plugin's
tests, in its own repository, get these fixtures with no conftest of their own:

- ``app``: the workspace on a fresh database of its own, CSRF off, every installed
  plugin (or those ``workspace_config`` names), tables created;
- ``client``, ``runner``: Flask's test client and CLI runner for ``app``;
- ``make``: small factories (``make.region``, ``make.partner``, ``make.user``);
- ``world``: two regions (burgos, pannon) and one person for every role;
- ``auth``: ``auth.login(email)`` / ``auth.logout()`` (every test user's password is
  ``PASSWORD``);
- ``htmx``: the headers of an HTMX request; ``with_panels(client, path)`` loads a
  dashboard with its lazily loaded panels, as the browser does.

Helpers to import: ``switch_on``, ``sign_in`` (another client, signed in),
``new_document`` and ``write_document`` (a core document written as in the editor),
``form_inputs`` (what a form sends back), ``load_demo`` (the InterVentures demo, every
login's password ``DEMO_PASSWORD``), and the hostile inputs ``CORPUS`` with their
check ``offending`` (``workspace.testing_hostile``), and for notifications ``inbox``,
``queued_mails`` and ``run_worker`` (``workspace.testing_inbox``).

Override ``workspace_config`` to change settings; its ``PLUGINS`` entry is the
allow-list of installed plugins the app loads (a plugin's tests name their own
plugin, so another broken package in the environment cannot break them)::

    @pytest.fixture
    def workspace_config():
        return {"PLUGINS": ["webinars"]}

Every test gets its own database: a temporary SQLite file or, when the environment
variable ``WORKSPACE_TEST_DATABASE_URL`` names a PostgreSQL server
(``postgresql+psycopg://postgres@127.0.0.1:5433/postgres``), a new database there,
dropped when the run ends. After the tables exist, switch your plugin on with
``switch_on(app, "burgos", "webinars")``.
"""

from __future__ import annotations

import html
import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from . import create_app
from . import demo as _demo
from .extensions import db
from .models import (
    Document,
    LegalStatus,
    Membership,
    MembershipRole,
    Partner,
    PartnerRole,
    Region,
    User,
)
from .passwords import hash_password
from .plugins import host
from .revisions import save
from .testing_clients import PASSWORD, sign_in
from .testing_hostile import CORPUS, FORBIDDEN, offending
from .testing_inbox import inbox, queued_mails, run_worker

# What a test imports; the fixtures (app, client, runner, make, world, auth, htmx,
# workspace_config) come with the pytest plugin and need no import.
__all__ = [
    "CORPUS",
    "DEMO_PASSWORD",
    "FORBIDDEN",
    "HTMX",
    "PASSWORD",
    "PASSWORD_HASH",
    "POSTGRES_URL",
    "AuthActions",
    "Factory",
    "World",
    "bare_app",
    "database_url",
    "form_inputs",
    "inbox",
    "load_demo",
    "make_app",
    "new_document",
    "offending",
    "queued_mails",
    "run_worker",
    "sign_in",
    "switch_on",
    "with_panels",
    "write_document",
]

# scrypt is slow on purpose: hash the shared test password once.
PASSWORD_HASH = hash_password(PASSWORD)
POSTGRES_URL = os.environ.get("WORKSPACE_TEST_DATABASE_URL", "")
HTMX = {"HX-Request": "true"}
# The password of every account ``load_demo`` creates (public, for tests only).
DEMO_PASSWORD = "demo-pass-for-tests"  # noqa: S105
_created_databases: list[str] = []
_open_apps: list[Flask] = []


def database_url(tmp_path, name: str = "test") -> str:
    """A new empty database for one test or one server."""
    if not POSTGRES_URL:
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    database = f"ws_{name}_{uuid.uuid4().hex[:12]}"
    _postgres_admin(f'CREATE DATABASE "{database}"')
    _created_databases.append(database)
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


def _postgres_admin(*statements: str) -> None:
    """Run statements outside a transaction on the test server's maintenance database."""
    import psycopg

    conninfo = make_url(POSTGRES_URL).set(drivername="postgresql")
    with psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """Remove the PostgreSQL databases this run created, once it is over."""
    yield
    if _created_databases:
        _postgres_admin(
            *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in _created_databases)
        )
        _created_databases.clear()


def _settings(tmp_path, name: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path, name),
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }


def bare_app(tmp_path, name: str = "bare", **config) -> Flask:
    """The app on a new, empty database without tables: for migrations and ``init``."""
    app = create_app({**_settings(tmp_path, name), **config})
    _open_apps.append(app)
    return app


def make_app(tmp_path, **config) -> Flask:
    """The app on a new database with every table created, CSRF off; ``config``
    overrides settings (``PLUGINS``, ``EXTRA_PLUGINS``, ``WTF_CSRF_ENABLED``...)."""
    app = create_app({**_settings(tmp_path, "test"), "WTF_CSRF_ENABLED": False, **config})
    with app.app_context():
        db.create_all()
    _open_apps.append(app)
    return app


def switch_on(app: Flask, region_slug: str, plugin: str, enabled: bool = True) -> None:
    """Switch ``plugin`` on (or off) for a region, as a coordinator would."""
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == region_slug))
        host().set_enabled(region, plugin, enabled, None)
        db.session.commit()


def outliving_the_test(app: Flask) -> Flask:
    """Take ``app`` out of the per-test cleanup, for a server that serves several tests:
    disposing its engine after the first test would strand the connections of requests
    still running, and their garbage collection warns in some later test. Whoever keeps
    the app disposes of its engine when done."""
    if app in _open_apps:
        _open_apps.remove(app)
    return app


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    """Close the database connections of every app a test made."""
    yield
    while _open_apps:
        with _open_apps.pop().app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def workspace_config() -> dict[str, Any]:
    """Settings for the ``app`` fixture; override it in a conftest."""
    return {}


@pytest.fixture
def app(tmp_path, workspace_config: dict[str, Any]) -> Flask:
    return make_app(tmp_path, **workspace_config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def htmx() -> dict[str, str]:
    """Headers of a request htmx makes: ``client.post(url, data=..., headers=htmx)``."""
    return dict(HTMX)


def _detached(obj):
    """Load an object's columns and free it from the session, for use after the context."""
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


class Factory:
    """Small builders for the objects tests need; every one commits and returns a
    detached object whose columns (id, slug, email...) stay readable."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def region(self, slug: str = "burgos", name: str | None = None) -> Region:
        with self.app.app_context():
            region = Region(slug=slug, name=name or slug.title(), country="ES", nuts2="ES41")
            db.session.add(region)
            db.session.commit()
            return _detached(region)

    def partner(self, short_name: str = "CEEI", region: Region | None = None, **kw) -> Partner:
        with self.app.app_context():
            partner = Partner(
                name=kw.pop("name", f"{short_name} organisation"),
                short_name=short_name,
                country=kw.pop("country", "ES"),
                legal_status=kw.pop("legal_status", LegalStatus.PUBLIC),
                role=kw.pop("role", PartnerRole.PARTNER),
                region_id=region.id if region else None,
                **kw,
            )
            db.session.add(partner)
            db.session.commit()
            return _detached(partner)

    def user(
        self,
        email: str,
        *,
        partner: Partner | None = None,
        admin: bool = False,
        memberships: dict[Region, MembershipRole] | None = None,
        active: bool = True,
        name: str | None = None,
    ) -> User:
        with self.app.app_context():
            user = User(
                email=email,
                name=name or email.split("@")[0].title(),
                password_hash=PASSWORD_HASH,
                is_admin=admin,
                partner_id=partner.id if partner else None,
                active=active,
            )
            db.session.add(user)
            db.session.flush()
            for region, role in (memberships or {}).items():
                db.session.add(Membership(user_id=user.id, region_id=region.id, role=role))
            db.session.commit()
            return _detached(user)


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory(app)


class World:
    """Two regions and one person for every role, as most route tests need."""

    def __init__(self, make: Factory) -> None:
        self.burgos = make.region("burgos", "Castilla y León")
        self.pannon = make.region("pannon", "Dél-Dunántúl")
        lead = make.partner("Pannon EGTC", self.pannon, role=PartnerRole.LEAD)
        ceei = make.partner("CEEI-Burgos", self.burgos)
        self.admin = make.user("admin@example.org", partner=lead, admin=True)
        self.coordinator = make.user(
            "coord@example.org",
            partner=ceei,
            memberships={self.burgos: MembershipRole.COORDINATOR},
        )
        self.editor = make.user(
            "editor@example.org", partner=ceei, memberships={self.burgos: MembershipRole.EDITOR}
        )
        self.stakeholder = make.user(
            "stake@example.org", memberships={self.burgos: MembershipRole.STAKEHOLDER}
        )
        # Staff of a partner in another region: reads Burgos, changes nothing there.
        self.other = make.user(
            "other@example.org", partner=lead, memberships={self.pannon: MembershipRole.EDITOR}
        )
        # An external stakeholder of Pannon only: must not see Burgos at all.
        self.outsider = make.user(
            "outsider@example.org", memberships={self.pannon: MembershipRole.STAKEHOLDER}
        )


@pytest.fixture
def world(make: Factory) -> World:
    return World(make)


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


_PANEL_SLOT = re.compile(r'<article class="panel" hx-get="([^"]+)" hx-trigger="load"')


def with_panels(client: FlaskClient, path: str) -> str:
    """A dashboard as the browser shows it: the page, then each module's panels, loaded
    from their own addresses as htmx does once the page is shown."""
    page = client.get(path).text
    for url in _PANEL_SLOT.findall(page):
        page += client.get(html.unescape(url), headers=HTMX).text
    return page


_INPUT = re.compile(r"<input\b[^>]*>")


def form_inputs(page: str) -> dict[str, str]:
    """Every named input of ``page`` with the value it shows, as a browser would send
    it back (file inputs and check boxes left out): post it unchanged to check that
    what a form shows is what it reads."""
    found = {}
    for tag in _INPUT.findall(page):
        name = re.search(r'\bname="([^"]+)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        if name and 'type="file"' not in tag and 'type="checkbox"' not in tag:
            found[html.unescape(name.group(1))] = html.unescape(value.group(1) if value else "")
    return found


def new_document(
    client: FlaskClient,
    title: str = "Situation report",
    body: str = "line 1\n",
    region: str = "burgos",
) -> int:
    """A plain document written through the core's "new document" form by the user
    signed in on ``client``, in ``region`` (a slug; "none": project-wide). Returns its id."""
    with client.application.app_context():
        region_id = db.session.scalar(select(Region.id).where(Region.slug == region)) or 0
    response = client.post("/docs/new", data={"title": title, "body": body, "region_id": region_id})
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def write_document(app: Flask, document_id: int, body: str) -> None:
    """Save ``body`` as the document's new text, as its author would in the core's
    editor: a new revision, recorded, indexed, and the ``document_saved`` hook called.
    For the documents a plugin owns (a record's long texts)."""
    with app.app_context():
        document = db.session.get(Document, document_id)
        save(document.id, document.head, document.title, body, document.created_by, None)


def load_demo(app: Flask, password: str = DEMO_PASSWORD) -> None:
    """Load the InterVentures demo (regions, partners, one login per role, then each
    loaded plugin's ``load_demo``), as ``flask demo`` does; loading twice adds nothing.
    Every new demo account's password is ``password``."""
    with app.app_context():
        _demo.load(password)

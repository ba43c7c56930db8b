"""InterVentures Workspace: the application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    account,
    activity_views,
    admin,
    archive_views,
    attachments,
    auth,
    calendar_feeds,
    cli,
    comment_views,
    controller_views,
    converters,
    documents,
    follows,
    i18n,
    links,
    mention_picker,
    notification_digest,  # noqa: F401  (its scheduled job)
    notification_views,
    notifications,
    outbox_views,  # noqa: F401  (its pages join admin.bp)
    password_reset,
    plugin_pages,
    plugin_settings,  # noqa: F401  (its page joins regions.bp)
    project_calendar_views,
    purge,
    region_export,  # noqa: F401  (its page joins regions.bp)
    region_members,  # noqa: F401  (its pages join regions.bp)
    regions,
    rendering,
    request_log,
    retention,
    search,
    sessions,
    trash,
    worker,
    worker_cache,
)
from .extensions import csrf, db, htmx, migrate
from .models import Region, RegionPlugin
from .plugins import EXTENSION_KEY as PLUGINS_KEY

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# What every page shows and rarely changes (the regions, the plugin switches and
# settings): kept per worker, see worker_cache.
worker_cache.watch(Region, RegionPlugin)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "WORKSPACE_INSTANCE_PATH", str(ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object("workspace.config")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("WORKSPACE")
    else:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _finish_config(app)
    if proxies := int(app.config["PROXY_COUNT"]):
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    request_log.init_app(app)  # first: its clock starts before every other hook
    db.init_app(app)
    sessions.init_app(app)
    worker_cache.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    htmx.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _set_sqlite_pragmas)

    converters.init_app(app)
    rendering.init_app(app)
    trash.init_app(app)
    auth.init_app(app)
    app.register_blueprint(password_reset.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(regions.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(comment_views.bp)
    app.register_blueprint(attachments.bp)
    app.register_blueprint(activity_views.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(links.bp)
    app.register_blueprint(mention_picker.bp)
    app.register_blueprint(archive_views.bp)
    app.register_blueprint(purge.bp)
    app.register_blueprint(retention.bp)
    app.register_blueprint(project_calendar_views.bp)
    app.register_blueprint(controller_views.bp)
    with app.app_context():
        plugin_pages.init_app(app)
    i18n.init_app(app, app.extensions[PLUGINS_KEY].translation_folders)
    app.before_request(plugin_pages.gate_plugin_pages)
    with app.app_context():
        notifications.init_app(app)  # after the plugins: it asks them for their kinds
    app.register_blueprint(notification_views.bp)
    app.register_blueprint(follows.bp)
    app.register_blueprint(calendar_feeds.bp)
    app.context_processor(regions.navigation)
    cli.init_app(app)
    worker.init_app(app)

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, str], int]:
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            return {"status": "database unavailable"}, 503
        return {"status": "ok"}, 200

    return app


def _finish_config(app: Flask) -> None:
    config = app.config
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"] or (
            f"sqlite:///{Path(app.instance_path) / 'workspace.db'}"
        )
    if not config.get("SQLALCHEMY_DATABASE_URI").startswith("sqlite"):
        # A database server may restart under us; a SQLite file cannot go away.
        config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {}).setdefault("pool_pre_ping", True)
    if not config.get("SECRET_KEY"):
        key_file = Path(app.instance_path) / "secret_key"
        config["SECRET_KEY"] = _instance_secret(key_file)
        if not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            # A database server may be shared by several hosts, each with its own
            # instance folder and so its own key: their forms and cookies would not agree.
            app.logger.warning(
                "SECRET_KEY is not set: this host signs forms and cookies with the key "
                "generated in %s. Every host serving this database needs the same key: "
                "set WORKSPACE_SECRET_KEY to one value on all of them.",
                key_file,
            )
    config["STORAGE_PATH"] = str(
        Path(config["STORAGE_PATH"] or Path(app.instance_path) / "uploads").resolve()
    )
    config["MAX_CONTENT_LENGTH"] = int(float(config["MAX_UPLOAD_MB"]) * 1024 * 1024)
    if isinstance(config["TRUSTED_HOSTS"], str):  # WORKSPACE_TRUSTED_HOSTS=a.example,b.example
        config["TRUSTED_HOSTS"] = [
            h.strip() for h in config["TRUSTED_HOSTS"].split(",") if h.strip()
        ]
    secure = bool(config["SECURE_COOKIES"])
    config["SESSION_COOKIE_SECURE"] = secure
    try:
        ZoneInfo(config["TIME_ZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise RuntimeError(
            f"TIME_ZONE {config['TIME_ZONE']!r} is not an IANA time zone, like Europe/Brussels"
        ) from None
    if isinstance(config["PLUGINS"], str):
        # WORKSPACE_PLUGINS=minutes,budget; set but empty reads as unset: every plugin.
        names = [name.strip() for name in config["PLUGINS"].split(",") if name.strip()]
        config["PLUGINS"] = names or None
    if isinstance(config["EXTRA_PLUGINS"], str):
        config["EXTRA_PLUGINS"] = [n.strip() for n in config["EXTRA_PLUGINS"].split(",") if n]


def _instance_secret(path: Path) -> str:
    """Read the instance's secret key, creating it (owner-only) on first start.

    Written to a temporary file and linked into place, so that workers starting
    together never read a half-written key.
    """
    if not path.exists():
        temporary = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()


def _set_sqlite_pragmas(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Read pages through a memory map and keep more of them per connection: pages
    # come without a system call each, which matters once the file outgrows the cache.
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA cache_size=-32000")
    cursor.close()

"""The plugins in the Flask app: their blueprints mounted behind the region gate,
their static files, their migration folders, and the gate itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, current_app, g, request, send_from_directory
from flask_login import current_user
from sqlalchemy import select

from .controllers import controlled_partner_ids
from .extensions import db, migrate
from .models import Region
from .permissions import Action, require
from .plugins import EXTENSION_KEY, PluginError, PluginHost, host


@migrate.configure
def _add_plugin_migrations(config):
    """Alembic reads the plugins' migration folders beside the core's own."""
    folders = current_app.extensions[EXTENSION_KEY].migration_folders
    if folders:
        core = str(Path(config.get_main_option("script_location")) / "versions")
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join([core, *folders]))
    return config


# ---------------------------------------------------------------- wiring into Flask


def init_app(app: Flask) -> None:
    plugin_host = PluginHost()
    plugin_host.load(app.config["EXTRA_PLUGINS"], app.config["PLUGINS"])
    app.extensions[EXTENSION_KEY] = plugin_host

    for name in plugin_host.order:
        info = plugin_host.infos[name]
        for blueprint in info.blueprints:
            _mount(app, plugin_host, name, blueprint, "region", f"/r/<slug:region>/{name}")
        for blueprint in info.project_blueprints:
            _mount(app, plugin_host, name, blueprint, "project", f"/p/{name}")
        for blueprint in info.control_blueprints:
            _mount(app, plugin_host, name, blueprint, "control", f"/p/{name}")
    plugin_host.pm.hook.register_commands(cli=app.cli)
    _serve_static_files(app, plugin_host)
    plugin_host.migration_folders = [
        str(Path(info.migrations).resolve())
        for info in map(plugin_host.infos.get, plugin_host.order)
        if info.migrations
    ]
    plugin_host.translation_folders = [
        Path(info.translations).resolve()
        for info in map(plugin_host.infos.get, plugin_host.order)
        if info.translations
    ]

    @app.url_value_preprocessor
    def take_region_slug(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if _plugin_scope(plugin_host) == "region" and values is not None:
            g.plugin_region_slug = values.pop("region", None)

    @app.url_defaults
    def add_region_slug(endpoint: str, values: dict[str, Any]) -> None:
        # Runs for every URL a page builds: the cheap test first.
        owner = plugin_host.blueprint_owner.get(endpoint.partition(".")[0])
        if owner is None or owner[1] != "region" or "region" in values:
            return
        region = g.get("region")
        if region is not None:
            values["region"] = region.slug


def _serve_static_files(app: Flask, plugin_host: PluginHost) -> None:
    """Each plugin's ``static/`` folder, at ``/static/plugins/<plugin>/``: public like
    the core's own static files (style sheets and scripts, never data), and outside
    the region gate, so a page of any region can use them.
    ``url_for("plugin_static", plugin="minutes", filename="minutes.css")``."""
    folders = {}
    for name in plugin_host.infos:
        module_file = getattr(plugin_host.pm.get_plugin(name), "__file__", None)
        if module_file and (Path(module_file).parent / "static").is_dir():
            folders[name] = Path(module_file).parent / "static"

    def plugin_static(plugin: str, filename: str) -> Response:
        if plugin not in folders:
            abort(404)
        return send_from_directory(folders[plugin], filename, max_age=3600)

    app.add_url_rule("/static/plugins/<plugin>/<path:filename>", "plugin_static", plugin_static)


def gate_plugin_pages() -> None:
    """Before-request check, run after the login gate: a plugin page is served only
    where its plugin is switched on and the user may read."""
    plugin_host = host()
    scope = _plugin_scope(plugin_host)
    if scope is None:
        return
    plugin_name = plugin_host.blueprint_owner[request.blueprints[-1]][0]
    if scope == "project":
        if plugin_name not in plugin_host.enabled_anywhere():
            abort(404)
        require(Action.READ)
        return
    if scope == "control":
        if plugin_name not in plugin_host.enabled_anywhere():
            abort(404)
        if not controlled_partner_ids(current_user):
            require(Action.READ)
        return
    region = db.session.scalar(select(Region).where(Region.slug == g.get("plugin_region_slug")))
    if region is None or plugin_name not in plugin_host.enabled_in(region):
        abort(404)
    require(Action.READ, region)
    g.region = region


def _plugin_scope(plugin_host: PluginHost) -> str | None:
    if not request.blueprints:
        return None
    owner = plugin_host.blueprint_owner.get(request.blueprints[-1])
    return owner[1] if owner else None


def _mount(app: Flask, plugin_host: PluginHost, plugin: str, blueprint, scope: str, prefix: str):
    if blueprint.name != plugin and not blueprint.name.startswith(f"{plugin}_"):
        raise PluginError(
            f"blueprint {blueprint.name!r} of plugin {plugin!r} must be named {plugin!r} "
            f"or start with '{plugin}_'"
        )
    app.register_blueprint(blueprint, url_prefix=prefix + (blueprint.url_prefix or ""))
    plugin_host.blueprint_owner[blueprint.name] = (plugin, scope)

"""The plugin host: discovery, calling hooks in order, and per-region switches.

Its place in the Flask app (blueprints, static files, migrations, the gate in front
of plugin pages) is ``plugin_pages``.

Plugins come from the ``workspace.plugins`` entry-point group (built-in ones are
declared in pyproject.toml like any other) and from the ``EXTRA_PLUGINS`` setting.
The host lives in ``app.extensions["workspace.plugins"]``; ``host()`` returns it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from flask import (
    current_app,
)
from sqlalchemy import select

from . import hookspecs
from .activity import record
from .extensions import db
from .hookspecs import PluginInfo
from .models import Region, RegionPlugin, User
from .permissions import Action, can
from .setting_rules import SettingError, check_settings
from .worker_cache import forget_for_this_request, per_worker

ENTRY_POINT_GROUP = "workspace.plugins"
# Names the core uses under /r/<region>/ itself; a plugin cannot take them.
RESERVED_NAMES = {"activity", "members", "plugins", "panels", "docs", "export"}
# The first parts of the core's own references ("doc:12", "plugin:minutes"): a plugin
# named so would be taken for the core in links and in the activity stream.
CORE_REF_PREFIXES = {"doc", "comment", "user", "partner", "region", "plugin", "email", "cli"}
EXTENSION_KEY = "workspace.plugins"
# Hooks whose answers carry a region: the host drops those of regions where the
# plugin is switched off and those the user may not read (see ``PluginHost.admits``).
SCREENED_HOOKS = {
    "search",
    "link_targets",
    "describe_refs",
    "calendar_entries",
    "indicator_values",
    "project_activities",
}


# Hooks of the first plugin contract that became static facts of ``PluginInfo``.
MOVED_HOOKS = {
    "register_blueprints": "blueprints",
    "register_project_blueprints": "project_blueprints",
    "migrations_folder": "migrations",
}


class PluginError(RuntimeError):
    """A plugin cannot be loaded: fix the plugin, the app does not start half-wired."""


# Built once: nearly every page asks which plugins are on.
_SWITCHED_ON = select(RegionPlugin.region_id, RegionPlugin.plugin).where(
    RegionPlugin.enabled.is_(True)
)


class PluginHost:
    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("workspace")
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        # Root blueprint name -> (plugin name, "region" or "project").
        self.blueprint_owner: dict[str, tuple[str, str]] = {}
        # Folders of the plugins' Alembic migrations (``PluginInfo.migrations``).
        self.migration_folders: list[str] = []
        # Folders of the plugins' catalogs (``PluginInfo.translations``).
        self.translation_folders: list[Path] = []
        # Hook name -> its implementations in the host's order; read on every call of
        # a hook (a list page asks ``document_visible`` once per row), so kept, and
        # forgotten whenever a plugin is registered or the order changes.
        self._impls: dict[str, list[pluggy.HookImpl]] = {}
        self._order: list[str] = []

    @property
    def order(self) -> list[str]:
        """Plugin names in the order hooks are called (``PluginInfo.after``, then name)."""
        return self._order

    @order.setter
    def order(self, names: list[str]) -> None:
        self._order = names
        self._impls.clear()

    # ------------------------------------------------------------ loading

    def load(self, module_names: Iterable[str], allowed: Iterable[str] | None = None) -> None:
        """Load the installed plugins (only those named in ``allowed``, when given),
        then the modules ``module_names``."""
        installed = entry_points(group=ENTRY_POINT_GROUP)
        if allowed is not None:
            allowed = set(allowed)
            unknown = allowed - {ep.name for ep in installed}
            if unknown:
                raise PluginError(
                    f"PLUGINS names plugins that are not installed: {', '.join(sorted(unknown))}"
                )
            installed = [ep for ep in installed if ep.name in allowed]
        modules = [ep.load() for ep in installed]
        modules += [importlib.import_module(name) for name in module_names]
        for module in modules:
            self.register(module)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as error:
            raise PluginError(str(error)) from error
        self.order = self._ordered()

    def _ordered(self) -> list[str]:
        """Plugin names, each after those its ``PluginInfo.after`` names (when
        installed), otherwise by name: the order every hook is called in."""
        waits_for = {
            name: {before for before in info.after if before in self.infos and before != name}
            for name, info in self.infos.items()
        }
        ready = sorted(name for name, before in waits_for.items() if not before)
        ordered: list[str] = []
        while ready:
            name = ready.pop(0)
            ordered.append(name)
            for other, before in waits_for.items():
                if name in before:
                    before.discard(name)
                    if not before:
                        ready = sorted([*ready, other])
        if len(ordered) < len(self.infos):
            stuck = sorted(set(self.infos) - set(ordered))
            raise PluginError(f"plugins wait for each other: {', '.join(stuck)}")
        return ordered

    def register(self, module: ModuleType) -> None:
        for hook, field in MOVED_HOOKS.items():
            if hasattr(getattr(module, hook, None), "workspace_impl"):
                raise PluginError(
                    f"{module.__name__}: the {hook} hook is gone; "
                    f"say it in PLUGIN = PluginInfo(..., {field}=...) instead"
                )
        info = getattr(module, "PLUGIN", None)
        if not isinstance(info, PluginInfo):
            raise PluginError(f"{module.__name__} has no PLUGIN = PluginInfo(...)")
        if not info.name.isidentifier():
            raise PluginError(f"plugin name {info.name!r} is not a Python identifier")
        if info.name in RESERVED_NAMES:
            raise PluginError(f"plugin name {info.name!r} is used by the core's own pages")
        if info.name in CORE_REF_PREFIXES:
            raise PluginError(f"plugin name {info.name!r} starts the core's own references")
        if info.name in self.infos:
            if self.pm.get_plugin(info.name) is module:
                return
            raise PluginError(f"two plugins are named {info.name!r}")
        for before in info.after:
            if not isinstance(before, str) or not before.isidentifier():
                raise PluginError(f"plugin {info.name!r}: after={info.after!r} must name plugins")
        try:
            check_settings(info)
        except SettingError as error:
            raise PluginError(str(error)) from error
        self.pm.register(module, name=info.name)
        self._impls.clear()
        self.infos[info.name] = info
        self.order = sorted(self.infos)

    @property
    def names(self) -> list[str]:
        return sorted(self.infos)

    # ------------------------------------------------------------ calling hooks

    def call_each(
        self, hook_name: str, only: Iterable[str] | None = None, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Call a hook plugin by plugin, in the host's order (``PluginInfo.after``,
        then name), returning (plugin, result) pairs.

        Unlike ``pm.hook.<name>(...)`` this keeps who returned what, and with ``only``
        skips plugins that are switched off. The answers of ``SCREENED_HOOKS`` come
        screened: what lies in a region where its plugin is off, or that ``user``
        may not read, is dropped, whoever asks (the core's search and links, or a
        plugin's own picker).
        """
        wanted = None if only is None else set(only)
        results = []
        for impl in self._hook_impls(hook_name):
            if wanted is not None and impl.plugin_name not in wanted:
                continue
            args = {name: kwargs[name] for name in impl.argnames}
            result = impl.function(**args)
            if hook_name in SCREENED_HOOKS and result:
                result = self._screen(impl.plugin_name, result, kwargs.get("user"))
            results.append((impl.plugin_name, result))
        return results

    def _screen(self, plugin: str, result: Any, user: User | None) -> Any:
        """A search, link_targets or describe_refs answer without what ``user`` may not
        see: items of a region where ``plugin`` is off or that the user may not read,
        and references that are not the plugin's own."""
        readable: dict[int | None, bool] = {}

        def shown(item: Any) -> bool:
            ref = getattr(item, "ref", None)
            if ref is not None and not ref.startswith(f"{plugin}:"):
                return False
            return self.admits(plugin, getattr(item, "region", None), user, readable)

        if isinstance(result, dict):
            return {
                ref: item
                for ref, item in result.items()
                if item is not None and item.ref == ref and shown(item)
            }
        return [item for item in result if item is not None and shown(item)]

    def admits(
        self,
        plugin: str,
        region: Region | int | None,
        user: User | None,
        _readable: dict[int | None, bool] | None = None,
    ) -> bool:
        """Whether ``user`` may see something of ``plugin`` that lives in ``region``
        (a ``Region``, its id, or None for project-wide): the plugin is installed and
        switched on there (project-wide things: on somewhere), and ``user`` may read
        there. The one rule for plugins' search results, link targets and panels."""
        region_id = getattr(region, "id", region)
        if plugin not in self.infos:
            return False
        if region_id is None:
            if plugin not in self.enabled_anywhere():
                return False
        elif plugin not in self._switched_on().get(region_id, ()):
            return False
        readable = {} if _readable is None else _readable
        if region_id not in readable:
            if region_id is not None and not isinstance(region, Region):
                region = db.session.get(Region, region_id)
                if region is None:
                    readable[region_id] = False
                    return False
            readable[region_id] = can(user, Action.READ, region)
        return readable[region_id]

    def _hook_impls(self, hook_name: str) -> list[pluggy.HookImpl]:
        impls = self._impls.get(hook_name)
        if impls is None:
            rank = {name: index for index, name in enumerate(self.order)}
            impls = self._impls[hook_name] = sorted(
                getattr(self.pm.hook, hook_name).get_hookimpls(),
                key=lambda impl: (rank.get(impl.plugin_name, len(rank)), impl.plugin_name),
            )
        return impls

    def implementing(self, hook_name: str) -> set[str]:
        """The installed plugins that implement ``hook_name``."""
        return {impl.plugin_name for impl in self._hook_impls(hook_name)}

    def collect(self, hook_name: str, only: Iterable[str] | None = None, **kwargs: Any) -> list:
        """Flatten the lists a hook returns, skipping plugins that returned None."""
        return [
            item for _, items in self.call_each(hook_name, only, **kwargs) for item in items or ()
        ]

    # ------------------------------------------------------------ switches

    def _switched_on(self) -> dict[int, frozenset[str]]:
        """Region id -> installed plugins switched on there. Menus, panels, search and
        the gate all ask; each worker keeps the answer until a switch changes."""
        return per_worker("plugin_switches", self._load_switches)

    def _load_switches(self) -> dict[int, frozenset[str]]:
        switched_on: dict[int, set[str]] = {}
        for region_id, name in db.session.execute(_SWITCHED_ON):
            if name in self.infos:
                switched_on.setdefault(region_id, set()).add(name)
        return {region_id: frozenset(names) for region_id, names in switched_on.items()}

    def _regions_on(self) -> dict[str, frozenset[int]]:
        """Plugin -> ids of the regions where it is switched on (every installed plugin)."""

        def load() -> dict[str, frozenset[int]]:
            regions: dict[str, set[int]] = {name: set() for name in self.infos}
            for region_id, names in self._switched_on().items():
                for name in names:
                    regions[name].add(region_id)
            return {name: frozenset(ids) for name, ids in regions.items()}

        return per_worker("plugin_regions", load)

    def regions_on(self, plugin: str) -> frozenset[int]:
        """Ids of the regions where ``plugin`` is switched on."""
        return self._regions_on().get(plugin, frozenset())

    def enabled_in(self, region: Region) -> set[str]:
        return set(self._switched_on().get(region.id, ()))

    def enabled_anywhere(self) -> set[str]:
        return set().union(*self._switched_on().values())

    def shows_document(self, plugin: str | None, region_id: int | None) -> bool:
        """Whether a document owned by ``plugin`` (None: the core) in a region (None:
        project-wide) is shown at all: a plain document always; a plugin's one while
        the plugin is installed and, for a region's document, switched on there.

        A switch changes what a region shows, never the project's record: a
        project-wide document stays while its plugin is installed, wherever it is on.
        A plugin that is not installed shows nothing (its rules cannot run)."""
        if plugin is None:
            return True
        if plugin not in self.infos:
            return False
        if region_id is None:
            return True
        return plugin in self._switched_on().get(region_id, ())

    def enabled_for(self, region: Region | None) -> set[str]:
        return self.enabled_anywhere() if region is None else self.enabled_in(region)

    def set_enabled(self, region: Region, name: str, enabled: bool, user: User | None) -> bool:
        """Switch a plugin on or off for a region; returns whether anything changed.

        The caller commits. Switching off never deletes the plugin's data.
        """
        if name not in self.infos:
            raise KeyError(name)
        row = db.session.scalar(
            select(RegionPlugin).where(
                RegionPlugin.region_id == region.id, RegionPlugin.plugin == name
            )
        )
        if row is None:
            row = RegionPlugin(region_id=region.id, plugin=name, enabled=False, settings={})
            db.session.add(row)
        if row.enabled == enabled:
            return False
        row.enabled = enabled
        forget_for_this_request()
        record(
            "plugin_enabled" if enabled else "plugin_disabled",
            region=region,
            target=f"plugin:{name}",
            actor=user,
        )
        hook = self.pm.hook.plugin_enabled if enabled else self.pm.hook.plugin_disabled
        hook(region=region, plugin=name, user=user)
        return True


def host() -> PluginHost:
    return current_app.extensions[EXTENSION_KEY]

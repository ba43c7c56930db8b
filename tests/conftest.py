"""The core's tests use the fixtures the workspace ships (``workspace.testing``: app,
client, runner, make, world, auth, htmx), with the built-in plugins and the fixture
plugin that implements every hook.

Only the plugins named here are loaded (the ``PLUGINS`` allow-list), so another
package installed in the same environment cannot change what the core's tests see.
"""

from __future__ import annotations

import pytest
from flask import Flask

from workspace import testing
from workspace.testing import (  # noqa: F401  (re-exported for the test modules)
    HTMX,
    PASSWORD,
    PASSWORD_HASH,
    POSTGRES_URL,
    AuthActions,
    Factory,
    World,
    database_url,
    with_panels,
)

FIXTURE_PLUGIN = "tests.plugins.fixture_plugin"
BUILT_IN = ["action_plans", "budget", "minutes", "policy", "portfolio", "reports"]
CORE_CONFIG = {"PLUGINS": BUILT_IN, "EXTRA_PLUGINS": [FIXTURE_PLUGIN]}


def make_app(tmp_path, **config) -> Flask:
    """The app with tables, the built-in plugins and the fixture plugin."""
    return testing.make_app(tmp_path, **{**CORE_CONFIG, **config})


def bare_app(tmp_path, name: str = "bare", **config) -> Flask:
    """The app on an empty database without tables, the built-in plugins only."""
    return testing.bare_app(tmp_path, name, **{"PLUGINS": BUILT_IN, **config})


@pytest.fixture
def workspace_config() -> dict:
    return dict(CORE_CONFIG)

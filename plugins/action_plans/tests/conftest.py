"""These tests use only the fixtures the workspace ships (``workspace.testing``), as
a plugin's tests outside the repository would, and load only the plugins named here."""

from __future__ import annotations

import pytest


@pytest.fixture
def workspace_config() -> dict:
    # The portfolio and the minutes too: an action is inspired by good practices and
    # meetings, and the demo's plans link to theirs.
    return {"PLUGINS": ["action_plans", "portfolio", "minutes"]}

"""These tests use only the fixtures the workspace ships (``workspace.testing``), as a
plugin's tests outside the repository would. The action plans are loaded beside the
papers (a paper names the plans it feeds), with the portfolio and the minutes they
follow; the clock is fixed in Phase 2 (1 March 2022)."""

from __future__ import annotations

import pytest


@pytest.fixture
def workspace_config() -> dict:
    return {
        "PLUGINS": ["policy", "action_plans", "portfolio", "minutes"],
        "NOW": "2022-03-01T09:00:00+00:00",
    }

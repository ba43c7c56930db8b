"""These tests use only the fixtures the workspace ships (``workspace.testing``), as
a plugin's tests outside the repository would, and load only the plugins named here."""

from __future__ import annotations

import pytest


@pytest.fixture
def workspace_config() -> dict:
    return {"PLUGINS": ["budget"]}

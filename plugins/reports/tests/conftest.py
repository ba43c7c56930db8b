"""The reports plugin's tests load the budget beside it (its expenditure is what a
report declares) and fix the clock after P1 (1 Aug 2019 – 31 Jan 2020, due 14 Feb)."""

from __future__ import annotations

import pytest


@pytest.fixture
def workspace_config() -> dict:
    return {"PLUGINS": ["budget", "reports"], "NOW": "2020-03-01T09:00:00+00:00"}

"""The dev stack planned once for the safety tests (on a copy of the program, as the blast
radius tests plan their changes)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.safety.blast_radius import plan_changes


@pytest.fixture(scope="session")
def dev_document() -> dict[str, Any]:
    return plan_changes("dev", {"dev": None})["dev"]

"""The platform stacks as app teams see them: preflight's JSON of each, run once per session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def preflight_json(*args: str | Path) -> tuple[int, dict[str, Any] | None, str]:
    """``python -m preflight ... --json`` as a user runs it: (exit status, document, stderr)."""
    completed = subprocess.run(
        [sys.executable, "-m", "preflight", *map(str, args), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    document = json.loads(completed.stdout) if completed.stdout else None
    return completed.returncode, document, completed.stderr


@pytest.fixture(scope="session")
def platform_document() -> Any:
    """The platform stack's preflight document for a stack name, computed once per stack."""
    documents: dict[str, dict[str, Any]] = {}

    def get(stack: str) -> dict[str, Any]:
        if stack not in documents:
            status, document, stderr = preflight_json("--stack", stack, "--policy-pack", "none")
            assert status == 0, stderr
            assert document is not None
            documents[stack] = document
        return documents[stack]

    return get

"""The project's own stacks pass every mandatory policy, with their CI policy config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_has_no_mandatory_violation(stack):
    if not (REPO / f"Pulumi.{stack}.yaml").is_file():
        pytest.skip(f"Pulumi.{stack}.yaml is not in the repository")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "--stack",
            stack,
            "--policy-pack",
            str(REPO / "policies"),
            "--policy-config",
            str(REPO / "policies" / "config" / f"{stack}.json"),
            "--json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    report = json.loads(completed.stdout)
    mandatory = [
        (v["policy"], v["urn"], v["message"])
        for v in report["violations"]
        if v["enforcementLevel"] == "mandatory"
    ]
    assert mandatory == []
    assert completed.returncode == 0

"""The project's own stacks pass every mandatory policy, with their CI policy config."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_harness import run_preflight

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_has_no_mandatory_violation(stack):
    if not (REPO / f"Pulumi.{stack}.yaml").is_file():
        pytest.skip(f"Pulumi.{stack}.yaml is not in the repository")
    status, report = run_preflight(
        "--stack", stack, "--policy-config", str(REPO / "policies" / "config" / f"{stack}.json")
    )
    mandatory = [
        (v["policy"], v["urn"], v["message"])
        for v in report["violations"]
        if v["enforcementLevel"] == "mandatory"
    ]
    assert mandatory == []
    assert status == 0

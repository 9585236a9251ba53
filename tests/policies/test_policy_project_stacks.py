"""The project's own stacks pass every mandatory policy, with their CI policy config."""

from __future__ import annotations

import pytest

from tests.harness import POLICY_PACK, REPO
from tests.policies.policy_harness import preflight_with_pack


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_has_no_mandatory_violation(stack):
    if not (REPO / f"Pulumi.{stack}.yaml").is_file():
        pytest.skip(f"Pulumi.{stack}.yaml is not in the repository")
    status, report = preflight_with_pack(
        "--stack", stack, "--policy-config", POLICY_PACK / "config" / f"{stack}.json"
    )
    mandatory = [
        (v["policy"], v["urn"], v["message"])
        for v in report["violations"]
        if v["enforcementLevel"] == "mandatory"
    ]
    assert mandatory == []
    assert status == 0

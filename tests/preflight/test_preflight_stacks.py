"""preflight on the project's own stacks, with the alb-guardrails pack, as CI runs it."""

from __future__ import annotations

from typing import Any

import pytest

from preflight.aws_model import ALB_HOSTED_ZONE_IDS
from tests.harness import REPO, assert_outputs_contract, assert_spec_document, run_preflight

STACKS = ("dev", "prod")


@pytest.fixture(scope="module", params=STACKS)
def stack_document(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    stack = request.param
    if not (REPO / f"Pulumi.{stack}.yaml").is_file():
        pytest.skip(f"the project has no Pulumi.{stack}.yaml yet")
    run = run_preflight("--stack", stack, "--json")
    assert run.returncode == 0, run.stderr
    return stack, run.document


def test_the_document_has_the_spec_shape(stack_document: tuple[str, dict[str, Any]]) -> None:
    stack, document = stack_document
    assert_spec_document(document)
    assert (document["project"], document["stack"]) == ("alb", stack)
    assert document["summary"]["mandatory"] == 0
    assert [pack["name"] for pack in document["policyPacks"]] == ["alb-guardrails"]


def test_the_program_sees_the_stack_name(stack_document: tuple[str, dict[str, Any]]) -> None:
    stack, document = stack_document
    root = document["resources"][0]
    # The SDK names the root stack resource f"{pulumi.get_project()}-{pulumi.get_stack()}".
    assert (root["type"], root["name"]) == ("pulumi:pulumi:Stack", f"alb-{stack}")
    assert all(r["urn"].startswith(f"urn:pulumi:{stack}::alb::") for r in document["resources"])


def test_outputs_are_the_app_teams_contract(stack_document: tuple[str, dict[str, Any]]) -> None:
    _, document = stack_document
    outputs = document["outputs"]
    assert_outputs_contract(outputs)
    # Both stacks run in ap-northeast-2 (SPEC §2): its ALB hosted zone.
    assert outputs["albZoneId"] == ALB_HOSTED_ZONE_IDS["ap-northeast-2"]
    assert outputs["albArn"].endswith(outputs["albArnSuffix"])
    assert document["warnings"] == []


def test_make_preflight_prints_the_plan() -> None:
    run = run_preflight("--stack", "dev")
    assert run.returncode == 0, run.stderr
    assert "  pulumi:pulumi:Stack  alb-dev" in run.stdout
    assert run.stdout.splitlines()[-1].startswith("OK: ")
    assert "(checked by alb-guardrails" in run.stdout

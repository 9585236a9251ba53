"""``--compare`` lists the stack outputs a change breaks for the programs that read them: a key
that disappears, a target group ARN that a replacement renews, a value that changes. It is
advice: the exit status stays 0."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from preflight.compare import diff_documents
from tests.harness import run_preflight
from tests.safety.blast_radius import changed_program


def remove_admin_and_move_api(config: dict[str, Any]) -> None:
    del config["alb:services"]["admin"]
    config["alb:services"]["api"]["port"] = 8082


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The dev stack's plan, compared after removing admin and moving api to port 8082, as
    JSON and as text."""
    parent = tmp_path_factory.mktemp("outputs")
    before = parent / "before.json"
    run = run_preflight("--stack", "dev", "--policy-pack", "none", "--json")
    assert run.returncode == 0, run.stderr
    before.write_text(run.stdout, encoding="utf-8")
    program = changed_program(parent, "dev", remove_admin_and_move_api)
    common = ("--program", program, "--stack", "dev", "--policy-pack", "none")
    as_json = run_preflight(*common, "--compare", before, "--json")
    as_text = run_preflight(*common, "--compare", before)
    return {"before": json.loads(run.stdout), "json": as_json, "text": as_text, "file": before}


def test_the_document_lists_each_output_change(compared: dict[str, Any]) -> None:
    run = compared["json"]
    assert run.returncode == 0, run.stderr
    changes = run.document["diff"]["outputChanges"]
    assert [(c["output"], c["kind"]) for c in changes] == [
        ("targetGroups.admin", "removed"),
        ("targetGroups.api.arn", "replaced"),
        ("targetGroups.api.arnSuffix", "replaced"),
        ("targetGroups.api.port", "changed"),
    ]
    assert changes[0]["message"] == (
        "targetGroups.admin is no longer exported: a program that reads it fails at its next "
        "update (StackReference.require_output), and whatever still uses the value it read (an "
        "ECS service registering tasks into a target group) is left pointing at it"
    )
    assert changes[1]["message"] == (
        "targetGroups.api.arn changes: alb-dev-api is replaced (port: 8080 → 8082), so the "
        "value is new once the update runs; consumers that use the old one (targets registered "
        "into a target group, an ECS service's loadBalancers) must be updated after it"
    )
    assert changes[3]["message"] == "targetGroups.api.port changes: 8080 → 8082"


def test_the_text_report_has_a_section_before_the_summary(compared: dict[str, Any]) -> None:
    run = compared["text"]
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    start = lines.index("Output changes (4): programs that read these outputs are affected")
    assert lines[start + 1 : start + 2] == ["  [removed] targetGroups.admin"]
    assert lines[-1].startswith("Blast radius: ")


def test_an_unchanged_stack_has_no_output_change(compared: dict[str, Any]) -> None:
    before = compared["before"]
    assert diff_documents(before, copy.deepcopy(before)).output_changes == []


def test_new_keys_and_secrets_are_not_changes(compared: dict[str, Any]) -> None:
    before = compared["before"]
    after = copy.deepcopy(before)
    after["outputs"]["targetGroups"]["billing"] = after["outputs"]["targetGroups"]["api"]
    after["outputs"]["token"] = "[secret]"
    before = copy.deepcopy(before)
    before["outputs"]["token"] = "[secret]"
    assert diff_documents(before, after).output_changes == []


def test_a_whole_output_that_disappears_is_removed(compared: dict[str, Any]) -> None:
    before = compared["before"]
    after = copy.deepcopy(before)
    del after["outputs"]["webAclArn"]
    [change] = diff_documents(before, after).output_changes
    assert (change.output, change.kind) == ("webAclArn", "removed")


def test_a_stack_exports_identities_are_translated(compared: dict[str, Any]) -> None:
    """Against a state export, the real ARNs of resources that stay are the plan's: an output
    that holds one is no change."""
    before = compared["before"]
    real = (
        "arn:aws:elasticloadbalancing:ap-northeast-2:999999999999:targetgroup/"
        "alb-dev-api-1234567/0123456789abcdef"
    )
    planned = before["outputs"]["targetGroups"]["api"]["arn"]
    exported = json.loads(json.dumps(before).replace(planned, real))
    assert diff_documents(exported, before).output_changes == []

"""The README's teardown recipe keeps the logs: set `alb:protect: false`, `pulumi up`, then
`pulumi destroy`.

The recipe's `up` is planned from a copy of the prod stack and compared with prod as it is,
through `python -m preflight --compare`, the command a reviewer runs: the update may lift
`protect`, and nothing else that keeps the logs. What `pulumi destroy` then leaves behind is
what is `retainOnDelete` in that plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.harness import run_preflight
from tests.safety.blast_radius import changed_program, plan

BUCKET = "aws:s3/bucket:Bucket"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
# The bucket's settings, kept with it so the bucket left behind is still private and TLS-only.
BUCKET_SETTINGS = {
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
}
KEPT = {BUCKET, LOG_GROUP, *BUCKET_SETTINGS}


def unprotect(config: dict[str, Any]) -> None:
    config["alb:protect"] = False


def by_type(document: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [r for r in document["resources"] if r["type"] == type_]


@pytest.fixture(scope="module")
def recipe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`preflight --compare --json` of the recipe's `up` against prod as deployed."""
    parent = tmp_path_factory.mktemp("teardown")
    baseline = parent / "prod.json"
    baseline.write_text(json.dumps(plan(changed_program(parent, "prod"), "prod")))
    program = changed_program(parent, "prod", unprotect)
    run = run_preflight(
        "--program", program, "--stack", "prod", "--policy-pack", "none", "--json",
        "--compare", baseline,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return run.document


def test_the_recipe_up_keeps_the_log_bucket_retained_and_never_emptied(
    recipe: dict[str, Any],
) -> None:
    [bucket] = by_type(recipe, BUCKET)
    assert (bucket["protect"], bucket["retainOnDelete"]) == (False, True)
    assert bucket["inputs"]["forceDestroy"] is False
    [change] = [c for c in recipe["diff"]["changed"] if c["urn"] == bucket["urn"]]
    # Only `protect` is lifted: no input change (forceDestroy stays off), no replacement.
    assert change["changes"] == []
    assert change["options"] == [{"option": "protect", "before": True, "after": False}]
    assert change["replace"] is False


def test_the_recipe_up_keeps_the_waf_logs_and_the_bucket_settings(
    recipe: dict[str, Any],
) -> None:
    kept = {r["type"] for r in recipe["resources"] if r["retainOnDelete"]}
    assert kept == KEPT
    diff = recipe["diff"]
    assert not diff["removed"] and not diff["added"] and not diff["replacements"]
    touched_options = {
        option["option"] for change in diff["changed"] for option in change["options"]
    }
    assert touched_options == {"protect"}
    assert recipe["updateHazards"] == []


def test_the_recipe_destroy_leaves_the_logs_and_deletes_the_rest(recipe: dict[str, Any]) -> None:
    # `pulumi destroy` deletes what is not retainOnDelete, and protect is off everywhere.
    assert not any(r["protect"] for r in recipe["resources"])
    left = {r["type"] for r in recipe["resources"] if r["retainOnDelete"]}
    assert BUCKET in left and LOG_GROUP in left
    deleted = {r["type"] for r in recipe["resources"] if not r["retainOnDelete"]}
    assert "aws:lb/loadBalancer:LoadBalancer" in deleted
    assert "aws:wafv2/webAcl:WebAcl" in deleted


def test_a_stack_can_choose_to_delete_its_logs(tmp_path: Path) -> None:
    def delete_logs(config: dict[str, Any]) -> None:
        unprotect(config)
        config["alb:accessLogs"]["keepOnDestroy"] = False
        config["alb:waf"]["keepLogsOnDestroy"] = False

    document = plan(changed_program(tmp_path, "prod", delete_logs), "prod")
    [bucket] = by_type(document, BUCKET)
    assert (bucket["retainOnDelete"], bucket["inputs"]["forceDestroy"]) == (False, True)
    assert not any(r["retainOnDelete"] for r in document["resources"])


def test_a_protected_stack_cannot_turn_keeping_its_logs_off(tmp_path: Path) -> None:
    def drop_logs(config: dict[str, Any]) -> None:
        config["alb:accessLogs"]["keepOnDestroy"] = False
        config["alb:waf"]["keepLogsOnDestroy"] = False

    program = changed_program(tmp_path, "prod", drop_logs)
    run = run_preflight("--program", program, "--stack", "prod", "--policy-pack", "none")
    assert run.returncode == 2
    assert run.stdout == ""
    assert (
        "  alb:accessLogs.keepOnDestroy: a protected stack keeps its logs when it is destroyed; "
        "set alb:protect false before turning this off\n"
        "  alb:waf.keepLogsOnDestroy: a protected stack keeps its logs when it is destroyed; "
        "set alb:protect false before turning this off\n"
    ) in run.stderr
    assert "Traceback" not in run.stderr

"""``--compare FILE`` and ``python -m preflight diff``: what a reviewer of a change sees."""

from __future__ import annotations

import copy
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from preflight.compare import FORCE_NEW, diff_documents, render_text
from tests.harness import POLICY_PACK, PROGRAMS, Run, run_preflight

STACK_URN = "urn:pulumi:dev::alb::"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"


def resource(
    type_: str,
    name: str,
    inputs: dict[str, Any],
    outputs: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "urn": f"{STACK_URN}{type_}::{name}",
        "type": type_,
        "name": name,
        "custom": True,
        "inputs": inputs,
        "outputs": {**inputs, **(outputs or {})},
        "dependencies": [],
        "protect": False,
        **fields,
    }


def document(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"project": "alb", "stack": "dev", "resources": list(resources)}


def alb_stack(internal: bool = False, *, protect: bool = False) -> dict[str, Any]:
    lb_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1"
    listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/2"
    lb = resource(LB, "web", {"internal": internal, "name": "web-1"}, {"arn": lb_arn})
    lb["protect"] = protect
    listener = resource(
        LISTENER, "web-https", {"loadBalancerArn": lb_arn, "port": 443}, {"arn": listener_arn}
    )
    listener["dependencies"] = [lb["urn"]]
    rule = resource(RULE, "api", {"listenerArn": listener_arn, "priority": 10})
    rule["dependencies"] = [listener["urn"]]
    return document(lb, listener, rule)


# --- the diff ------------------------------------------------------------------------------


def test_force_new_table_names_its_source_for_every_type() -> None:
    for type_, (properties, source) in FORCE_NEW.items():
        assert properties and source.startswith("terraform-provider-aws internal/service/")
        assert all(p[0].islower() and "_" not in p for p in properties), type_


def test_an_in_place_update_is_not_a_replacement() -> None:
    before = alb_stack()
    after = copy.deepcopy(before)
    after["resources"][2]["inputs"]["priority"] = 20
    diff = diff_documents(before, after)
    (changed,) = diff.changed
    assert (changed.type, changed.replace) == (RULE, False)
    assert [(c.path, c.before, c.after) for c in changed.changes] == [("priority", 10, 20)]
    assert diff.unchanged == 2


def test_a_replaced_load_balancer_replaces_its_listeners_and_their_rules() -> None:
    """As the engine previews it: the new ALB's ARN is unknown, and loadBalancerArn and
    listenerArn are force-new, so the replacement ripples down."""
    diff = diff_documents(alb_stack(internal=False), alb_stack(internal=True))
    assert [r.type for r in diff.replaced] == [LB, LISTENER, RULE]
    listener = next(r for r in diff.changed if r.type == LISTENER)
    assert [(c.path, c.after, c.forces_replacement) for c in listener.changes] == [
        ("loadBalancerArn", "[unknown]", True)
    ]
    assert "REPLACE" in render_text(diff)


def test_replacing_or_deleting_a_protected_resource_is_flagged() -> None:
    before = alb_stack(protect=True)
    replaced = diff_documents(before, alb_stack(internal=True, protect=True))
    assert replaced.blocked == [before["resources"][0]["urn"]]
    removed = diff_documents(before, document(*before["resources"][1:]))
    assert removed.blocked == [before["resources"][0]["urn"]]
    assert "protected" in render_text(removed)


def test_an_alias_makes_a_rename_a_change_not_a_replacement() -> None:
    before = document(resource(TARGET_GROUP, "api", {"port": 80}))
    renamed = resource(TARGET_GROUP, "api-v2", {"port": 80})
    renamed["aliases"] = [before["resources"][0]["urn"]]
    diff = diff_documents(before, document(renamed))
    assert (diff.added, diff.removed) == ([], [])
    (changed,) = diff.changed
    assert changed.renamed_from == before["resources"][0]["urn"] and not changed.replace


def test_secrets_stay_masked_and_options_are_reported() -> None:
    before = document(resource(TARGET_GROUP, "api", {"port": 80, "token": "[secret]"}))
    after = copy.deepcopy(before)
    after["resources"][0]["inputs"]["token"] = "[secret]"
    after["resources"][0]["protect"] = True
    (changed,) = diff_documents(before, after).changed
    assert changed.changes == ()
    assert [(o.path, o.before, o.after) for o in changed.options] == [("protect", False, True)]


# --- the CLI -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def edited_baseline(tmp_path_factory: pytest.TempPathFactory, dev_document: dict[str, Any]) -> Path:
    """The dev plan as it would have been with api on port 8081 and one more target group."""
    baseline = copy.deepcopy(dev_document)
    api = next(
        r for r in baseline["resources"] if r["type"] == TARGET_GROUP and r["name"] == "alb-dev-api"
    )
    api["inputs"]["port"] = 8081
    gone = copy.deepcopy(api)
    gone["urn"] = gone["urn"].replace("::alb-dev-api", "::alb-dev-legacy")
    baseline["resources"].append(gone)
    path = tmp_path_factory.mktemp("compare") / "baseline.json"
    path.write_text(json.dumps(baseline), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def compared(edited_baseline: Path) -> dict[str, Run]:
    common = ("--stack", "dev", "--policy-pack", "none", "--compare", edited_baseline)
    with ThreadPoolExecutor(max_workers=2) as pool:
        as_json = pool.submit(run_preflight, *common, "--json")
        as_text = pool.submit(run_preflight, *common)
        return {"json": as_json.result(), "text": as_text.result()}


def test_compare_adds_a_diff_section_to_the_document(
    compared: dict[str, Run],
) -> None:
    run = compared["json"]
    assert run.returncode == 0, run.stderr
    diff = json.loads(run.stdout)["diff"]
    assert diff["summary"]["replaced"] == 1 and diff["summary"]["removed"] == 1
    assert [r["urn"].rsplit("::", 1)[1] for r in diff["removed"]] == ["alb-dev-legacy"]
    group = next(r for r in diff["changed"] if r["type"] == TARGET_GROUP)
    assert group["replace"] and group["changes"][0] == {
        "path": "port",
        "before": 8081,
        "after": 8080,
        "forcesReplacement": True,
    }
    assert group["urn"] in diff["replacements"]


def test_compare_prints_a_readable_summary(compared: dict[str, Run], edited_baseline: Path) -> None:
    run = compared["text"]
    assert run.returncode == 0, run.stderr
    assert f"Changes against {edited_baseline}:" in run.stdout
    assert "port: 8081 → 8080  (forces replacement)" in run.stdout
    assert "- aws:lb/targetGroup:TargetGroup  alb-dev-legacy" in run.stdout
    assert run.stdout.rstrip().splitlines()[-1].startswith("Blast radius: 0 to add,")


def test_diff_compares_two_documents(edited_baseline: Path, tmp_path: Path) -> None:
    before = json.loads(edited_baseline.read_text(encoding="utf-8"))
    web = [r["urn"] for r in before["resources"] if r["name"] == "alb-dev-web"]
    after = {**before, "resources": [r for r in before["resources"] if r["urn"] not in web]}
    new = tmp_path / "new.json"
    new.write_text(json.dumps(after), encoding="utf-8")
    run = run_preflight("diff", edited_baseline, new, "--json")
    assert run.returncode == 0, run.stderr
    diff = json.loads(run.stdout)
    assert [r["urn"] for r in diff["removed"]] == web
    assert (diff["added"], diff["changed"]) == ([], [])
    text = run_preflight("diff", edited_baseline, new)
    assert text.returncode == 0 and f"{len(web)} to delete" in text.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", ":1: not JSON"),
        ('{"outputs": {}}', "has no 'resources' list"),
    ],
)
@pytest.mark.parametrize("mode", ["--compare", "diff"])
def test_a_bad_document_is_one_clear_message(
    tmp_path: Path, content: str | None, message: str, mode: str
) -> None:
    path = tmp_path / "old.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    if mode == "diff":
        run = run_preflight("diff", path, path)
    else:
        run = run_preflight("--program", PROGRAMS / "minimal", "--policy-pack", "none", mode, path)
    assert run.returncode == 2 and run.stdout == "", run.stderr
    assert message in run.stderr and str(path) in run.stderr
    assert "Traceback" not in run.stderr


def test_a_plan_of_another_stack_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prod.json"
    path.write_text('{"project": "minimal", "stack": "prod", "resources": []}', encoding="utf-8")
    run = run_preflight(
        "--program", PROGRAMS / "minimal", "--policy-pack", "none", "--compare", path
    )
    assert run.returncode == 2 and run.stdout == "", run.stderr
    assert run.stderr == (
        f"preflight: error: --compare {path} is a plan of project 'minimal', stack 'prod'; "
        "this plan is of project 'minimal', stack 'dev'\n"
    )


def test_compare_keeps_the_exit_status_of_the_violations(tmp_path: Path) -> None:
    """A plan with mandatory violations still exits 1 with --compare (an empty earlier plan:
    everything is added)."""
    empty = tmp_path / "empty.json"
    empty.write_text('{"project": "ecs-default-vpc", "stack": "dev", "resources": []}')
    run = run_preflight(
        "--program", PROGRAMS / "ecs_default_vpc", "--policy-pack", POLICY_PACK,
        "--compare", empty, "--json",
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    document = json.loads(run.stdout)
    assert document["summary"]["mandatory"] > 0
    assert document["diff"]["summary"]["added"] == len(document["resources"])

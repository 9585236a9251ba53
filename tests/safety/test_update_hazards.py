"""Update hazards (``preflight.hazards``): what AWS or the engine would refuse while an update
runs, in the engine's step order. Pairs of plans built by hand, one rule each, then the same
through the CLI on a small program (tests/fixtures/programs/update_hazards), with a plan and with
a ``pulumi stack export`` file as the old state."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight.compare import diff_documents, from_stack_export
from preflight.hazards import UNIQUE_NAMES, Hazard, update_hazards
from tests.harness import PROGRAMS, REPO, assert_one_clear_failure, run_preflight

STACK = "urn:pulumi:dev::web::"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LISTENER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/2"
OTHER_LISTENER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/3"
GROUP_ID = "sg-0123456789abcdef0"
EXPORT = REPO / "tests" / "fixtures" / "update_hazards" / "stack-export.json"


def urn(type_: str, name: str) -> str:
    return f"{STACK}{type_}::{name}"


def resource(type_: str, name: str, inputs: dict[str, Any], **fields: Any) -> dict[str, Any]:
    computed = fields.pop("outputs", {})
    return {
        "urn": urn(type_, name),
        "type": type_,
        "name": name,
        "custom": True,
        "inputs": inputs,
        "outputs": {**inputs, **computed},
        "dependencies": fields.pop("dependencies", []),
        "protect": False,
        **fields,
    }


def listener(name: str = "https", arn: str = LISTENER_ARN, **inputs: Any) -> dict[str, Any]:
    return resource(LISTENER, name, {"port": 443, **inputs}, outputs={"arn": arn}, id=arn)


def rule(name: str, priority: int, *, after: str = "", arn: str = LISTENER_ARN) -> dict[str, Any]:
    listener_urn = urn(LISTENER, "https")
    dependencies = [listener_urn] + ([urn(RULE, after)] if after else [])
    return resource(
        RULE,
        name,
        {"listenerArn": arn, "priority": priority, "conditions": [{"pathPattern": name}]},
        dependencies=dependencies,
        propertyDependencies={"listenerArn": [listener_urn], "priority": []},
    )


def plan(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"project": "web", "stack": "dev", "resources": list(resources)}


def hazards(old: dict[str, Any], new: dict[str, Any]) -> list[Hazard]:
    return update_hazards(old, new, diff_documents(old, new))


def names(found: list[Hazard]) -> list[tuple[str, list[str]]]:
    return [(hazard.kind, [u.rsplit("::", 1)[1] for u in hazard.urns]) for hazard in found]


# --- priority-in-use ---------------------------------------------------------------------


def test_a_swap_of_two_priorities_is_one_hazard() -> None:
    old = plan(listener(), rule("api", 10), rule("web", 20))
    new = plan(listener(), rule("api", 20), rule("web", 10))
    [hazard] = hazards(old, new)
    assert names([hazard]) == [("priority-in-use", ["web", "api"])]
    assert hazard.message == (
        "ListenerRule 'web' is updated to priority 10 on listener https while ListenerRule "
        "'api' may still hold it: it moves off it in an update that nothing orders before this "
        "one (no dependency between them), and the engine runs the two in either order or at "
        "once; AWS refuses it with PriorityInUse, and every rerun of the update fails the same "
        "way. To avoid it: give ListenerRule 'web' a priority no rule held before the update, "
        "or make it depend on ListenerRule 'api' (dependsOn) so that the engine moves that one "
        "off first; a swap of two priorities takes two updates, through a free priority"
    )


def test_a_swap_is_a_hazard_even_when_one_rule_waits_for_the_other() -> None:
    old = plan(listener(), rule("api", 10), rule("web", 20))
    new = plan(listener(), rule("api", 20), rule("web", 10, after="api"))
    assert names(hazards(old, new)) == [("priority-in-use", ["api", "web"])]


def test_a_priority_freed_by_an_update_the_new_rule_waits_for_is_safe() -> None:
    """The engine starts a step only once the steps of its dependencies are done."""
    old = plan(listener(), rule("api", 10))
    ordered = plan(listener(), rule("api", 30), rule("web", 10, after="api"))
    assert hazards(old, ordered) == []
    unordered = plan(listener(), rule("api", 30), rule("web", 10))
    assert names(hazards(old, unordered)) == [("priority-in-use", ["web", "api"])]


def test_taking_the_priority_of_a_rule_deleted_later_is_a_hazard() -> None:
    """A rename without an alias deletes the old rule last, after the new one is created."""
    old = plan(listener(), rule("api", 10))
    new = plan(listener(), rule("api-v2", 10, after=""))
    [hazard] = hazards(old, new)
    assert names([hazard]) == [("priority-in-use", ["api-v2", "api"])]
    assert "ListenerRule 'api' still holds it: it is deleted only after every create and " in (
        hazard.message
    )
    renamed = rule("api-v2", 10)
    renamed["aliases"] = [urn(RULE, "api")]
    assert hazards(old, plan(listener(), renamed)) == []


def test_a_new_rule_on_a_priority_another_keeps_is_a_hazard() -> None:
    old = plan(listener(), rule("api", 10))
    new = plan(listener(), rule("api", 10), rule("web", 10))
    assert names(hazards(old, new)) == [("priority-in-use", ["web", "api"])]


def test_rules_of_other_listeners_and_of_a_replaced_listener_do_not_collide() -> None:
    old = plan(listener(), rule("api", 10))
    other = listener("http", OTHER_LISTENER_ARN, port=80)
    web = rule("web", 10, arn=OTHER_LISTENER_ARN)
    web["propertyDependencies"] = {"listenerArn": [other["urn"]]}
    assert hazards(old, plan(listener(), other, rule("api", 10), web)) == []
    # A replaced listener is a new one: its rules (replaced with it) hold nothing yet.
    replaced = plan(
        listener(loadBalancerArn="arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/x/2"),
        rule("api", 10),
    )
    old_with_lb = plan(
        listener(loadBalancerArn="arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/x/1"),
        rule("api", 10),
    )
    assert hazards(old_with_lb, replaced) == []


def test_a_listener_outside_the_stack_is_compared_by_its_arn_and_alb_tokens_count() -> None:
    shared = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/9/9"
    api = resource(
        "aws:alb/listenerRule:ListenerRule", "api", {"listenerArn": shared, "priority": 5}
    )
    web = resource(
        "aws:alb/listenerRule:ListenerRule", "web", {"listenerArn": shared, "priority": 5}
    )
    assert names(hazards(plan(api), plan(web))) == [("priority-in-use", ["web", "api"])]
    elsewhere = copy.deepcopy(web)
    elsewhere["inputs"]["listenerArn"] = OTHER_LISTENER_ARN
    assert hazards(plan(api), plan(elsewhere)) == []


# --- duplicate-security-group-rule --------------------------------------------------------


def group(**inputs: Any) -> dict[str, Any]:
    return resource(
        GROUP,
        "web",
        {"name": "web-1a2b3c4", **inputs},
        id=GROUP_ID,
        outputs={"arn": "arn:aws:ec2:eu-west-1:123456789012:security-group/" + GROUP_ID},
    )


def ingress(name: str, **inputs: Any) -> dict[str, Any]:
    spec = {"securityGroupId": GROUP_ID, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443}
    return resource(INGRESS, name, {**spec, **inputs}, dependencies=[urn(GROUP, "web")])


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"cidrIpv4": "0.0.0.0/0"}, {"cidrIpv4": "0.0.0.0/0"}),
        ({"cidrIpv6": "::/0"}, {"cidrIpv6": "0::0/0"}),
        ({"cidrIpv4": "10.0.0.0/8", "ipProtocol": "6"}, {"cidrIpv4": "10.0.0.0/8"}),
        (
            {"ipProtocol": "-1", "cidrIpv4": "10.0.0.0/8"},
            {"ipProtocol": "all", "cidrIpv4": "10.0.0.0/8", "fromPort": 0},
        ),
    ],
)
def test_a_rule_recreated_under_a_new_name_duplicates_the_old_one(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    old = plan(group(), ingress("https", **before))
    new = plan(group(), ingress("https-public", **after))
    [hazard] = hazards(old, new)
    assert names([hazard]) == [("duplicate-security-group-rule", ["https-public", "https"])]
    assert "AWS refuses it with InvalidPermission.Duplicate" in hazard.message


def test_other_families_ports_and_groups_are_different_permissions() -> None:
    old = plan(group(), ingress("https", cidrIpv4="0.0.0.0/0"))
    for other in (
        ingress("v6", cidrIpv6="::/0"),
        ingress("http", cidrIpv4="0.0.0.0/0", fromPort=80, toPort=80),
        ingress("udp", cidrIpv4="0.0.0.0/0", ipProtocol="udp"),
    ):
        assert hazards(old, plan(group(), other)) == [], other["name"]


def test_a_legacy_rule_that_gains_a_cidr_is_replaced_onto_its_own_permission() -> None:
    """aws.ec2.SecurityGroupRule cannot update its CIDRs: the new rule is created first."""

    def legacy(cidrs: list[str], **options: Any) -> dict[str, Any]:
        return resource(
            LEGACY_RULE,
            "office",
            {"type": "ingress", "securityGroupId": GROUP_ID, "protocol": "tcp",
             "fromPort": 22, "toPort": 22, "cidrBlocks": cidrs},
            **options,
        )  # fmt: skip

    old = plan(group(), legacy(["10.1.0.0/16"]))
    [hazard] = hazards(old, plan(group(), legacy(["10.1.0.0/16", "10.2.0.0/16"])))
    assert names([hazard]) == [("duplicate-security-group-rule", ["office"])]
    assert hazard.message.startswith(
        "SecurityGroupRule 'office' is replaced (the new one created first) with ingress tcp "
        "22-22 from 10.1.0.0/16 on security group web while the resource it replaces still "
        "holds it"
    )
    first = plan(group(), legacy(["10.1.0.0/16", "10.2.0.0/16"], deleteBeforeReplace=True))
    assert hazards(old, first) == []


def test_inline_rules_moved_to_rule_resources() -> None:
    inline = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]
    old = plan(group(ingress=inline))
    # `ingress: []` revokes the inline rule in the group's update, which the new rule waits for.
    assert hazards(old, plan(group(ingress=[]), ingress("https", cidrIpv4="0.0.0.0/0"))) == []
    # Leaving `ingress` out keeps the inline rule in AWS.
    kept = hazards(old, plan(group(), ingress("https", cidrIpv4="0.0.0.0/0")))
    assert names(kept) == [("duplicate-security-group-rule", ["https", "web"])]


# --- name-in-use ---------------------------------------------------------------------------


def target_group(
    name: str | None, port: int = 8080, logical: str = "api", **options: Any
) -> dict[str, Any]:
    inputs = {"port": port, "protocol": "HTTP", "name": name or f"{logical}-7adc217"}
    return resource(TARGET_GROUP, logical, inputs, **options)


def test_an_explicitly_named_target_group_replaced_collides_with_itself() -> None:
    [hazard] = hazards(plan(target_group("web-api")), plan(target_group("web-api", port=8081)))
    assert names([hazard]) == [("name-in-use", ["api"])]
    assert hazard.message == (
        "TargetGroup 'api' is replaced (the new one created first) with the target group name "
        "'web-api' while the resource it replaces still holds it: the old one is deleted only "
        "after every create and update; AWS refuses it with DuplicateTargetGroupName. To avoid "
        "it: leave out the name so that Pulumi autonames the resource (a replacement then gets "
        "a fresh name), or set deleteBeforeReplace on it"
    )
    dbr = plan(target_group("web-api", port=8081, deleteBeforeReplace=True))
    assert hazards(plan(target_group("web-api")), dbr) == []
    # Autonamed: the replacement gets a fresh name.
    assert hazards(plan(target_group(None)), plan(target_group(None, port=8081))) == []


def test_a_name_taken_over_by_another_resource() -> None:
    def alarm(logical: str, name: str, **options: Any) -> dict[str, Any]:
        return resource(ALARM, logical, {"name": name, "threshold": 5}, **options)

    [hazard] = hazards(plan(alarm("latency", "api-p99")), plan(alarm("api-latency", "api-p99")))
    assert names([hazard]) == [("name-in-use", ["api-latency", "latency"])]
    assert "AWS overwrites the existing one of that name, and deleting the old resource " in (
        hazard.message
    )
    moved = alarm("api-latency", "api-p99", aliases=[urn(ALARM, "latency")])
    assert hazards(plan(alarm("latency", "api-p99")), plan(moved)) == []


def test_every_unique_name_names_its_source() -> None:
    for type_, rule_ in UNIQUE_NAMES.items():
        assert rule_.source and rule_.refusal and rule_.scope in {
            "region", "account", "global", "vpc", "waf"
        }, type_  # fmt: skip


# --- protected resources -------------------------------------------------------------------


def test_protected_resources_replaced_or_deleted() -> None:
    old = plan(target_group(None, protect=True))
    old["resources"][0]["protect"] = True
    new = plan(target_group(None, port=9090))
    [replaced] = hazards(old, new)
    assert replaced.kind == "protected-replace" and replaced.urns == (urn(TARGET_GROUP, "api"),)
    assert replaced.message.startswith(
        "TargetGroup 'api' is protected and the update would replace it (forced by port); the "
        "engine refuses to replace a protected resource"
    )
    [deleted] = hazards(old, plan())
    assert deleted.kind == "protected-delete"
    unprotected = plan(target_group(None))
    assert hazards(unprotected, new) == []


# --- a state export as the old side ---------------------------------------------------------


def test_a_stack_export_reads_as_a_plan() -> None:
    export = json.loads(EXPORT.read_text(encoding="utf-8"))
    document = from_stack_export(export, str(EXPORT))
    assert (document["project"], document["stack"]) == ("update-hazards", "dev")
    by_type = {r["type"]: r for r in document["resources"]}
    assert by_type["pulumi:providers:aws"]["inputs"]["accessKey"] == "[secret]"
    assert by_type[GROUP]["defaulted"] == ["name", "revokeRulesOnDelete"]
    assert by_type[GROUP]["inputs"]["vpcId"] == "vpc-0c3f5e2a9d8b71e46"
    assert not any(key.startswith("__") for r in document["resources"] for key in r["inputs"])
    with pytest.raises(Exception, match="version 2; preflight reads version 3"):
        from_stack_export({**export, "version": 2}, "old.json")


# --- through the CLI ------------------------------------------------------------------------

PROGRAM = PROGRAMS / "update_hazards"


def program_with(tmp_path: Path, edit: Any) -> Path:
    """A copy of the fixture program whose stack config ``edit`` changed."""
    directory = tmp_path / "program"
    directory.mkdir()
    for name in ("__main__.py", "Pulumi.yaml"):
        (directory / name).write_text((PROGRAM / name).read_text(encoding="utf-8"))
    config = yaml.safe_load((PROGRAM / "Pulumi.dev.yaml").read_text(encoding="utf-8"))
    edit(config["config"])
    (directory / "Pulumi.dev.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return directory


def swap_priorities(config: dict[str, Any]) -> None:
    config["web:rules"]["api"]["priority"] = 20
    config["web:rules"]["admin"]["priority"] = 10


def test_against_a_stack_export_the_unchanged_program_has_no_hazard() -> None:
    """The export's real ARNs and autonames are the plan's own: nothing is replaced."""
    run = run_preflight(
        "--program", PROGRAM, "--policy-pack", "none", "--compare", EXPORT, "--json"
    )
    assert run.returncode == 0, run.stderr
    document = run.document
    assert document["updateHazards"] == []
    assert document["diff"]["replacements"] == []
    assert [r["type"] for r in document["diff"]["changed"]] == ["pulumi:providers:aws"]


def test_against_a_stack_export_a_swap_fails_with_the_hazard(tmp_path: Path) -> None:
    program = program_with(tmp_path, swap_priorities)
    run = run_preflight("--program", program, "--policy-pack", "none", "--compare", EXPORT)
    assert run.returncode == 1, run.stderr
    text = run.stdout
    assert "Update hazards (1): the update would fail on AWS or in the engine" in text
    assert "  [priority-in-use]" in text
    assert "ListenerRule 'admin' is updated to priority 10 on listener http while" in " ".join(
        text.split()
    )
    assert text.rstrip().splitlines()[-1] == (
        "Blast radius: 0 to add, 3 to change (0 replaced), 0 to delete, 8 unchanged; "
        "1 update hazard(s): FAIL"
    )


def test_each_kind_through_the_cli_with_a_plan_as_the_old_state(tmp_path: Path) -> None:
    old = run_preflight("--program", PROGRAM, "--policy-pack", "none", "--json")
    assert old.returncode == 0, old.stderr
    baseline = tmp_path / "old.json"
    baseline.write_text(old.stdout, encoding="utf-8")

    def edit(config: dict[str, Any]) -> None:
        swap_priorities(config)
        config["web:apiPort"] = 9090  # replaces the explicitly named target group
        config["web:ingress"]["https-anywhere"] = config["web:ingress"].pop("http-ipv4")

    program = program_with(tmp_path, edit)
    run = run_preflight(
        "--program", program, "--policy-pack", "none", "--compare", baseline, "--json"
    )
    assert run.returncode == 1, run.stderr
    found = run.document["updateHazards"]
    assert sorted((h["kind"], sorted(u.rsplit("::", 1)[1] for u in h["urns"])) for h in found) == [
        ("duplicate-security-group-rule", ["http-ipv4", "https-anywhere"]),
        ("name-in-use", ["api"]),
        ("priority-in-use", ["admin", "api"]),
    ]
    assert all(set(h) == {"kind", "urns", "message"} for h in found)
    # `preflight diff` gives the same hazards and exit status.
    new = tmp_path / "new.json"
    new.write_text(json.dumps({k: v for k, v in run.document.items() if k != "diff"}))
    diff = run_preflight("diff", baseline, new, "--json")
    assert diff.returncode == 1, diff.stderr
    assert diff.document["updateHazards"] == found


def test_a_protected_load_balancer_replaced_through_the_cli(tmp_path: Path) -> None:
    def protect(config: dict[str, Any]) -> None:
        config["web:protect"] = True

    old = run_preflight(
        "--program", program_with(tmp_path, protect), "--policy-pack", "none", "--json"
    )
    baseline = tmp_path / "old.json"
    document = old.document
    # The stack as it was with an internal load balancer: the plan replaces it.
    for item in document["resources"]:
        if item["type"] == "aws:lb/loadBalancer:LoadBalancer":
            item["inputs"]["internal"] = True
    baseline.write_text(json.dumps(document), encoding="utf-8")
    run = run_preflight("--program", PROGRAM, "--policy-pack", "none", "--compare", baseline)
    assert run.returncode == 1, run.stderr
    assert "  [protected-replace]" in run.stdout
    assert (
        "LoadBalancer 'web' is protected and the update would replace it (forced by internal)"
        in (" ".join(run.stdout.split()))
    )


def test_a_duplicate_urn_stops_the_program_as_the_engine_does() -> None:
    run = run_preflight("--program", PROGRAMS / "duplicate_urn", "--policy-pack", "none")
    assert_one_clear_failure(run)
    assert run.stderr == (
        "preflight: error: the program failed: Duplicate resource URN "
        "'urn:pulumi:dev::duplicate-urn::aws:sns/topic:Topic::alerts'; try giving it a unique "
        "name (registered at __main__.py:6 and __main__.py:7)\n"
    )


def test_ci_checks_a_pull_request_against_its_base_branch() -> None:
    """CI plans the base branch with this branch's preflight and fails on an update hazard."""
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    job = workflow["jobs"]["preflight"]
    steps = job["steps"]
    [base] = [s for s in steps if s.get("with", {}).get("path") == "out/base"]
    assert base["uses"].startswith("actions/checkout@")
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    [check] = [s for s in steps if s.get("id") == "update-check"]
    assert base["if"] == check["if"] == "${{ github.event_name == 'pull_request' }}"
    gate = next(i for i, s in enumerate(steps) if s.get("id") == "gate")
    assert gate < steps.index(base) < steps.index(check)
    script = " ".join(check["run"].split())
    assert (
        'venv/bin/python -m preflight --program out/base --stack "$STACK" --policy-pack none '
        '--json > "$BASE_REPORT"'
    ) in script.replace("\\ ", "")
    assert script.endswith(
        'venv/bin/python -m preflight --stack "$STACK" --policy-pack none \\ --compare '
        '"$BASE_REPORT"'
    )
    assert job["env"]["BASE_REPORT"] == "out/preflight-${{ matrix.stack }}-base.json"

"""examples/consumer, an app team's program, runs offline against the platform's dev outputs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.harness import POLICY_PACK, REPO, Run, assert_one_clear_failure, run_preflight
from tests.program.program_harness import run_in_process, stack_values, with_config

CONSUMER = REPO / "examples" / "consumer"
PLATFORM_STACK = "acme/alb/dev"


@pytest.fixture(scope="module")
def platform_outputs_file(
    platform_document: Callable[[str], dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("platform") / "dev.json"
    path.write_text(json.dumps(platform_document("dev")), encoding="utf-8")
    return path


def consumer_copy(directory: Path) -> Path:
    """The example in ``directory``, with the project's virtualenv as its own: preflight, like
    the Pulumi CLI, would otherwise create examples/consumer/venv and install into it."""
    directory.mkdir()
    for name in ("__main__.py", "Pulumi.yaml", "Pulumi.dev.yaml", "requirements.txt"):
        shutil.copy(CONSUMER / name, directory / name)
    (directory / "venv").symlink_to(REPO / "venv")
    return directory


def run_consumer(program: Path, outputs_file: Path, policy_pack: Path | str) -> Run:
    """`python -m preflight` on a consumer program, its StackReference answered by
    ``outputs_file``."""
    return run_preflight(
        "--program",
        program,
        "--stack",
        "dev",
        "--stack-outputs",
        f"{PLATFORM_STACK}={outputs_file}",
        "--policy-pack",
        policy_pack,
        "--json",
    )


@pytest.fixture(scope="module")
def consumer(
    platform_outputs_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    program = consumer_copy(tmp_path_factory.mktemp("consumer") / "consumer")
    run = run_consumer(program, platform_outputs_file, POLICY_PACK)
    assert run.returncode == 0, run.stderr
    return run.document


def one(document: dict[str, Any], type_: str) -> dict[str, Any]:
    found = [r for r in document["resources"] if r["type"] == type_]
    assert len(found) == 1, [r["name"] for r in found]
    return found[0]


def test_the_stack_reference_names_the_configured_platform_stack(consumer: dict[str, Any]) -> None:
    reference = one(consumer, "pulumi:pulumi:StackReference")
    assert reference["name"] == PLATFORM_STACK
    assert consumer["project"] == "consumer"


def test_no_mandatory_violation_from_the_consumer(consumer: dict[str, Any]) -> None:
    assert consumer["summary"]["mandatory"] == 0
    assert [v for v in consumer["violations"] if v["enforcementLevel"] == "mandatory"] == []
    assert [pack["name"] for pack in consumer["policyPacks"]] == ["alb-guardrails"]
    assert consumer["warnings"] == []


def test_the_ecs_service_registers_into_the_api_target_group(
    consumer: dict[str, Any], platform_document: Callable[[str], dict[str, Any]]
) -> None:
    api = platform_document("dev")["outputs"]["targetGroups"]["api"]
    service = one(consumer, "aws:ecs/service:Service")["inputs"]
    assert service["launchType"] == "FARGATE"
    assert service["loadBalancers"] == [
        {"targetGroupArn": api["arn"], "containerName": "api", "containerPort": api["port"]}
    ]
    task = one(consumer, "aws:ecs/taskDefinition:TaskDefinition")["inputs"]
    assert task["networkMode"] == "awsvpc"
    (container,) = json.loads(task["containerDefinitions"])
    assert container["name"] == "api"
    assert container["portMappings"] == [{"containerPort": api["port"], "protocol": "tcp"}]


def test_tasks_accept_traffic_only_from_the_platform_load_balancer(
    consumer: dict[str, Any], platform_document: Callable[[str], dict[str, Any]]
) -> None:
    outputs = platform_document("dev")["outputs"]
    group = one(consumer, "aws:ec2/securityGroup:SecurityGroup")
    assert not group["inputs"].get("ingress")
    service = one(consumer, "aws:ecs/service:Service")["inputs"]
    assert service["networkConfiguration"]["securityGroups"] == [group["id"]]
    ingress = one(consumer, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")["inputs"]
    assert ingress["securityGroupId"] == group["id"]
    assert ingress["referencedSecurityGroupId"] == outputs["securityGroupId"]
    port = outputs["targetGroups"]["api"]["port"]
    assert (ingress["ipProtocol"], ingress["fromPort"], ingress["toPort"]) == ("tcp", port, port)
    assert "cidrIpv4" not in ingress and "cidrIpv6" not in ingress


def test_a_missing_platform_service_is_one_clear_message(
    platform_outputs_file: Path, tmp_path: Path
) -> None:
    program = consumer_copy(tmp_path / "consumer")
    (program / "Pulumi.dev.yaml").write_text(
        (CONSUMER / "Pulumi.dev.yaml")
        .read_text(encoding="utf-8")
        .replace("consumer:service: api", "consumer:service: billing"),
        encoding="utf-8",
    )
    run = run_consumer(program, platform_outputs_file, "none")
    assert_one_clear_failure(
        run,
        "consumer:service: the platform has no service 'billing'",
        "targetGroups: admin, api, web",
    )


def test_an_ecs_blue_green_service_wires_to_an_external_deployment(tmp_path: Path) -> None:
    """The platform's api deploys `external` with a test listener; the consumer's ECS service
    (consumer:blueGreen) takes both groups and both rules from the outputs, with no policy
    violation."""
    prod_values = stack_values("prod")
    services = json.loads(prod_values["alb:services"])
    services["api"]["deployment"] = {
        "strategy": "external",
        "testListenerPort": 8443,
        "testCidrs": ["81.2.69.0/24"],
    }
    platform = run_in_process(with_config(prod_values, services=services), "prod")
    assert platform.error is None, platform.error
    outputs_file = tmp_path / "platform.json"
    outputs_file.write_text(json.dumps({"outputs": platform.outputs}), encoding="utf-8")
    program = consumer_copy(tmp_path / "consumer")
    (program / "Pulumi.dev.yaml").write_text(
        (CONSUMER / "Pulumi.dev.yaml").read_text(encoding="utf-8")
        + "  consumer:blueGreen: true\n  consumer:vpcId: vpc-0f1e2d3c4b5a69788\n",
        encoding="utf-8",
    )
    run = run_consumer(program, outputs_file, POLICY_PACK)
    assert run.returncode == 0, run.stderr
    document = run.document
    assert document["violations"] == []
    api = platform.outputs["targetGroups"]["api"]
    ecs = one(document, "aws:ecs/service:Service")["inputs"]
    assert ecs["deploymentController"] == {"type": "ECS"}
    assert ecs["deploymentConfiguration"] == {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "5"}
    (balancer,) = ecs["loadBalancers"]
    advanced = balancer.pop("advancedConfiguration")
    assert balancer == {"targetGroupArn": api["arn"], "containerName": "api", "containerPort": 8080}
    roles = {r["name"]: r for r in document["resources"] if r["type"] == "aws:iam/role:Role"}
    assert advanced == {
        "alternateTargetGroupArn": api["alternate"]["arn"],
        "productionListenerRule": api["listenerRuleArn"],
        "testListenerRule": api["testListenerRuleArn"],
        "roleArn": roles["api-ecs-load-balancers"]["outputs"]["arn"],
    }

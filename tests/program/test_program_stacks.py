"""The dev and prod stacks as the engine would receive them: structure, outputs, data safety."""

from __future__ import annotations

import re
from typing import Any

import pytest

from preflight.aws_model import ALB_HOSTED_ZONE_IDS
from preflight.records import ResourceRecord
from tests.harness import assert_outputs_contract
from tests.program.program_harness import Plan, config_of

ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
RULE = "aws:lb/listenerRule:ListenerRule"
BUCKET = "aws:s3/bucket:Bucket"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
# The bucket's companions: the settings ALB log delivery and the log-bucket policy rely on.
BUCKET_COMPANIONS = {
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
}
# Pulumi autonaming: the logical name, a hyphen and seven random hex characters.
AUTONAME = r"{name}-[0-9a-f]{{7}}"


@pytest.fixture(params=["dev", "prod"])
def stack(request: pytest.FixtureRequest) -> tuple[Plan, dict[str, str]]:
    plan = request.getfixturevalue(f"{request.param}_plan")
    values = request.getfixturevalue(f"{request.param}_values")
    return plan, values


def _component_of(plan: Plan, record: ResourceRecord) -> ResourceRecord:
    return plan.by_urn(record.parent)


def test_one_load_balancer_with_one_https_and_one_http_listener(
    stack: tuple[Plan, dict[str, str]],
) -> None:
    plan, _ = stack
    alb = plan.one(ALB)
    listeners = plan.of_type(LISTENER)
    assert sorted(listener.inputs["protocol"] for listener in listeners) == ["HTTP", "HTTPS"]
    assert all(alb.urn in listener.dependencies for listener in listeners)
    assert alb.inputs["loadBalancerType"] == "application"


def test_one_target_group_per_service_and_one_rule_per_routed_service(
    stack: tuple[Plan, dict[str, str]],
) -> None:
    plan, values = stack
    services = config_of(values, "services")
    default = config_of(values, "defaultService")
    groups = {_component_of(plan, tg).name.rsplit("-", 1)[-1] for tg in plan.of_type(TARGET_GROUP)}
    assert groups == set(services)
    assert len(plan.of_type(TARGET_GROUP)) == len(services)
    service_of = {
        tg.outputs["arn"]: _component_of(plan, tg).name.rsplit("-", 1)[-1]
        for tg in plan.of_type(TARGET_GROUP)
    }
    ruled = [
        service_of[action["targetGroupArn"]]
        for rule in plan.of_type(RULE)
        for action in rule.inputs["actions"]
        if action["type"] == "forward"
    ]
    assert sorted(ruled) == sorted(set(services) - {default})
    priorities = [rule.inputs["priority"] for rule in plan.of_type(RULE)]
    assert len(set(priorities)) == len(priorities)
    # Each rule is keyed by its priority (components/routing.py: wedge-proof updates).
    assert {rule.name for rule in plan.of_type(RULE)} == {
        f"alb-{plan.stack}-rules-{priority}" for priority in priorities
    }
    https = next(r for r in plan.of_type(LISTENER) if r.inputs["protocol"] == "HTTPS")
    default_group = next(
        tg for tg in plan.of_type(TARGET_GROUP) if _component_of(plan, tg).name.endswith(default)
    )
    assert https.inputs["defaultActions"] == [
        {"type": "forward", "targetGroupArn": default_group.outputs["arn"]}
    ]


def test_web_acl_is_associated_and_logged(stack: tuple[Plan, dict[str, str]]) -> None:
    plan, _ = stack
    acl = plan.one(WEB_ACL)
    alb = plan.one(ALB)
    association = plan.one("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert association.inputs == {
        "resourceArn": alb.outputs["arn"],
        "webAclArn": acl.outputs["arn"],
    }
    logging = plan.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    log_group = plan.one("aws:cloudwatch/logGroup:LogGroup")
    assert logging.inputs["resourceArn"] == acl.outputs["arn"]
    assert logging.inputs["logDestinationConfigs"] == [log_group.outputs["arn"]]
    assert log_group.inputs["namePrefix"].startswith("aws-waf-logs-")


def test_log_bucket_has_its_five_companions(stack: tuple[Plan, dict[str, str]]) -> None:
    plan, _ = stack
    bucket = plan.one(BUCKET)
    siblings = plan.children(_component_of(plan, bucket))
    assert {r.type for r in siblings} == BUCKET_COMPANIONS | {BUCKET}
    assert len(siblings) == 6
    for companion in siblings:
        if companion.type != BUCKET:
            assert companion.inputs["bucket"] == bucket.id, companion.type
            assert bucket.urn in companion.dependencies
    alb = plan.one(ALB)
    assert alb.inputs["accessLogs"]["bucket"] == bucket.outputs["bucket"]
    policy = plan.one("aws:s3/bucketPolicy:BucketPolicy")
    # AWS checks the bucket policy when logging is turned on: the ALB waits for it.
    assert policy.urn in alb.dependencies


def test_every_aws_resource_is_inside_a_component(stack: tuple[Plan, dict[str, str]]) -> None:
    plan, _ = stack
    platform = plan.one("alb:index:Platform")
    for record in plan.registered:
        if record.type.startswith("pulumi:providers:") or record.type == "alb:index:Platform":
            continue
        parent = plan.by_urn(record.parent)
        assert parent.type.startswith("alb:index:"), record.urn
        if not record.custom:
            assert parent.urn == platform.urn, record.urn
        else:
            assert parent.type != "alb:index:Platform", record.urn


def test_outputs_are_the_app_teams_contract(stack: tuple[Plan, dict[str, str]]) -> None:
    plan, values = stack
    outputs: dict[str, Any] = plan.outputs
    assert_outputs_contract(outputs)
    for key in outputs.keys() - {"targetGroups"}:
        assert isinstance(outputs[key], str) and outputs[key], key
    alb = plan.one(ALB)
    assert outputs["albArn"] == alb.outputs["arn"]
    assert outputs["albArn"].endswith(outputs["albArnSuffix"])
    assert outputs["albZoneId"] == ALB_HOSTED_ZONE_IDS[values["aws:region"]]
    assert outputs["securityGroupId"] == plan.one("aws:ec2/securityGroup:SecurityGroup").id
    assert outputs["webAclArn"] == plan.one(WEB_ACL).outputs["arn"]
    assert outputs["logBucketName"] == plan.one(BUCKET).outputs["bucket"]
    domain = config_of(values, "domain") if "alb:domain" in values else None
    expected_url = f"https://{domain['name']}" if domain else f"https://{outputs['albDnsName']}"
    assert outputs["url"] == expected_url
    services = config_of(values, "services")
    assert outputs["targetGroups"].keys() == services.keys()
    for name, group in outputs["targetGroups"].items():
        assert group["port"] == services[name]["port"]
        assert group["protocol"] == services[name].get("protocol", "HTTP")
        assert group["healthCheckPath"] == services[name]["healthCheck"]["path"]
        assert group["arn"].endswith(group["arnSuffix"])


# --- replacement and data safety (issue 5 part 4) ------------------------------------------


def test_load_balancer_and_target_groups_are_autonamed(stack: tuple[Plan, dict[str, str]]) -> None:
    plan, _ = stack
    for record in [plan.one(ALB), *plan.of_type(TARGET_GROUP)]:
        # The name is the engine's autoname (logical name + random suffix), not one the
        # program chose, so a replacement can exist beside the old resource.
        assert re.fullmatch(AUTONAME.format(name=re.escape(record.name)), record.inputs["name"])
        assert "namePrefix" not in record.inputs
        assert not record.delete_before_replace, record.urn


def test_dev_can_be_torn_down(dev_plan: Plan) -> None:
    bucket = dev_plan.one(BUCKET)
    assert bucket.inputs["forceDestroy"] is True
    assert not bucket.protect and not bucket.retain_on_delete
    alb = dev_plan.one(ALB)
    assert not alb.protect and alb.inputs["enableDeletionProtection"] is False
    assert not any(record.protect for record in dev_plan.resources)


def test_prod_is_protected(prod_plan: Plan) -> None:
    alb = prod_plan.one(ALB)
    assert alb.protect and alb.inputs["enableDeletionProtection"] is True
    bucket = prod_plan.one(BUCKET)
    assert bucket.protect and bucket.retain_on_delete
    assert bucket.inputs.get("forceDestroy", False) is False
    assert prod_plan.one(WEB_ACL).protect
    protected = {record.type for record in prod_plan.resources if record.protect}
    assert {ALB, BUCKET, WEB_ACL} <= protected


def test_the_program_logs_no_warning_or_error(stack: tuple[Plan, dict[str, str]]) -> None:
    # A deprecated input or a failed invoke shows up here before it shows up in AWS.
    plan, _ = stack
    assert [(log["severity"], log["message"]) for log in plan.logs] == []

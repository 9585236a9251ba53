"""Progressive delivery (SPEC §6 `deployment`): blue and green target groups behind one
weighted forward, the test listener, the ECS hand-over, and what a weight shift changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from preflight.analyzer import PolicyPackSession, StackContext, load_policy_config
from preflight.compare import diff_documents
from preflight.hazards import update_hazards
from preflight.records import ResourceRecord
from preflight.report import Plan as ReportPlan
from preflight.report import to_document
from tests.harness import POLICY_PACK, assert_outputs_contract
from tests.program.program_harness import PROJECT, Plan, run_in_process, with_config

TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
RULE = "aws:lb/listenerRule:ListenerRule"
LISTENER = "aws:lb/listener:Listener"
TEST_CIDRS = ["81.2.69.0/24", "2a02:c7f:1234::/48"]


def services(strategy: str, **deployment: Any) -> dict[str, Any]:
    return {
        "web": {"port": 3000},
        "api": {
            "port": 8080,
            "pathPatterns": ["/api/*"],
            "healthCheck": {"path": "/health", "matcher": "200"},
            "stickiness": {"durationSeconds": 600, "acrossGroups": {"durationSeconds": 300}},
            "deployment": {"strategy": strategy, **deployment},
        },
    }


def plan_of(values: dict[str, str], strategy: str, **deployment: Any) -> Plan:
    plan = run_in_process(
        with_config(
            values,
            services=services(strategy, **deployment),
            defaultService="web",
            routes=None,
            ipAddressType="dualstack",
        ),
        "prod",
    )
    assert plan.error is None, plan.error
    return plan


@pytest.fixture(scope="module")
def blue_green(prod_values: dict[str, str]) -> Plan:
    return plan_of(
        prod_values,
        "blue-green",
        weights={"blue": 80, "green": 20},
        testListenerPort=8443,
        testCidrs=TEST_CIDRS,
    )


@pytest.fixture(scope="module")
def external(prod_values: dict[str, str]) -> Plan:
    return plan_of(prod_values, "external", testListenerPort=8443, testCidrs=TEST_CIDRS)


def groups(plan: Plan) -> dict[str, ResourceRecord]:
    return {group.name: group for group in plan.of_type(TARGET_GROUP)}


def rules_on(plan: Plan, listener: ResourceRecord) -> list[ResourceRecord]:
    return [r for r in plan.of_type(RULE) if r.inputs["listenerArn"] == listener.outputs["arn"]]


def listener(plan: Plan, port: int) -> ResourceRecord:
    (found,) = [r for r in plan.of_type(LISTENER) if r.inputs["port"] == port]
    return found


def test_green_is_a_second_group_with_the_same_settings(blue_green: Plan) -> None:
    by_name = groups(blue_green)
    blue, green = by_name["alb-prod-api"], by_name["alb-prod-api-green"]
    # Blue keeps the service's own group (and its URN): turning a deployment on replaces
    # nothing.
    assert blue.urn.endswith("$aws:lb/targetGroup:TargetGroup::alb-prod-api")
    assert blue.parent == green.parent
    same = {key: value for key, value in blue.inputs.items() if key != "name"}
    assert {key: value for key, value in green.inputs.items() if key != "name"} == same
    assert green.inputs["name"].startswith("alb-prod-api-green-")


def test_the_rule_forwards_by_weight_with_stickiness_across_groups(blue_green: Plan) -> None:
    by_name = groups(blue_green)
    (rule,) = rules_on(blue_green, listener(blue_green, 443))
    assert rule.inputs["actions"] == [
        {
            "type": "forward",
            "forward": {
                "targetGroups": [
                    {"arn": by_name["alb-prod-api"].outputs["arn"], "weight": 80},
                    {"arn": by_name["alb-prod-api-green"].outputs["arn"], "weight": 20},
                ],
                "stickiness": {"enabled": True, "duration": 300},
            },
        }
    ]
    assert rule.ignore_changes == ()


def test_the_test_listener_sends_everything_to_green(blue_green: Plan) -> None:
    https, test = listener(blue_green, 443), listener(blue_green, 8443)
    assert test.inputs == {
        "loadBalancerArn": https.inputs["loadBalancerArn"],
        "port": 8443,
        "protocol": "HTTPS",
        "sslPolicy": https.inputs["sslPolicy"],
        "certificateArn": https.inputs["certificateArn"],
        "defaultActions": [
            {
                "type": "fixed-response",
                "fixedResponse": {
                    "contentType": "text/plain",
                    "messageBody": "Not Found",
                    "statusCode": "404",
                },
            }
        ],
        "routingHttpResponseStrictTransportSecurityHeaderValue": https.inputs[
            "routingHttpResponseStrictTransportSecurityHeaderValue"
        ],
        "routingHttpResponseServerEnabled": False,
        "tags": https.inputs["tags"],
    }
    (production,) = rules_on(blue_green, https)
    (rule,) = rules_on(blue_green, test)
    green = groups(blue_green)["alb-prod-api-green"]
    assert rule.inputs["actions"] == [{"type": "forward", "targetGroupArn": green.outputs["arn"]}]
    assert rule.inputs["conditions"] == production.inputs["conditions"]
    assert rule.inputs["priority"] == production.inputs["priority"]
    assert rule.name == f"alb-prod-rules-test-{production.inputs['priority']}"


def test_the_test_listener_is_reachable_only_from_test_cidrs(blue_green: Plan) -> None:
    ingress = [
        r.inputs
        for r in blue_green.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["fromPort"] == 8443
    ]
    assert sorted(
        (r.get("cidrIpv4") or r.get("cidrIpv6"), r["toPort"], r["ipProtocol"]) for r in ingress
    ) == sorted((cidr, 8443, "tcp") for cidr in TEST_CIDRS)


def test_outputs_hand_ecs_what_it_needs(blue_green: Plan) -> None:
    outputs = blue_green.outputs
    assert_outputs_contract(outputs)
    by_name = groups(blue_green)
    green = by_name["alb-prod-api-green"]
    https, test = listener(blue_green, 443), listener(blue_green, 8443)
    (production,) = rules_on(blue_green, https)
    (test_rule,) = rules_on(blue_green, test)
    api = outputs["targetGroups"]["api"]
    assert api["arn"] == by_name["alb-prod-api"].outputs["arn"]
    assert api["alternate"] == {
        "arn": green.outputs["arn"],
        "arnSuffix": green.outputs["arnSuffix"],
        "name": green.inputs["name"],
    }
    assert api["listenerRuleArn"] == production.outputs["arn"]
    assert api["testListenerRuleArn"] == test_rule.outputs["arn"]
    assert outputs["testListenerArn"] == test.outputs["arn"]
    assert outputs["targetGroups"]["web"]["listenerRuleArn"] is None
    assert "alternate" not in outputs["targetGroups"]["web"]


def test_both_colours_are_monitored(blue_green: Plan) -> None:
    alarms = {r.name for r in blue_green.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    for colour in ("alb-prod-api", "alb-prod-api-green"):
        assert {f"{colour}-no-healthy-hosts", f"{colour}-latency-p99"} <= alarms
    dashboard = blue_green.one("aws:cloudwatch/dashboard:Dashboard")
    assert "api-green" in str(dashboard.inputs["dashboardBody"])


def test_external_leaves_exactly_the_weights_to_ecs(external: Plan) -> None:
    by_name = groups(external)
    blue, green = (
        by_name["alb-prod-api"].outputs["arn"],
        by_name["alb-prod-api-green"].outputs["arn"],
    )
    weights_path = [
        "actions[0].forward.targetGroups[0].weight",
        "actions[0].forward.targetGroups[1].weight",
    ]
    (production,) = rules_on(external, listener(external, 443))
    (test,) = rules_on(external, listener(external, 8443))
    assert production.ignore_changes == tuple(weights_path)
    assert test.ignore_changes == tuple(weights_path)
    # ECS starts from all production traffic on blue and all test traffic on green.
    assert [g["weight"] for g in production.inputs["actions"][0]["forward"]["targetGroups"]] == [
        100,
        0,
    ]
    assert test.inputs["actions"][0]["forward"]["targetGroups"] == [
        {"arn": blue, "weight": 0},
        {"arn": green, "weight": 100},
    ]


def test_canary_starts_with_a_tenth_on_green(prod_values: dict[str, str]) -> None:
    plan = plan_of(prod_values, "canary")
    (rule,) = rules_on(plan, listener(plan, 443))
    assert [g["weight"] for g in rule.inputs["actions"][0]["forward"]["targetGroups"]] == [90, 10]
    assert [r.inputs["port"] for r in plan.of_type(LISTENER)].count(8443) == 0
    assert "testListenerArn" not in plan.outputs


def document(plan: Plan) -> dict[str, Any]:
    return to_document(ReportPlan(PROJECT, plan.stack, plan.resources, plan.outputs))


def test_shifting_weights_changes_one_rule_in_place(
    prod_values: dict[str, str], blue_green: Plan
) -> None:
    shifted = plan_of(
        prod_values,
        "blue-green",
        weights={"blue": 0, "green": 100},
        testListenerPort=8443,
        testCidrs=TEST_CIDRS,
    )
    old, new = document(blue_green), document(shifted)
    diff = diff_documents(old, new)
    assert diff.added == [] and diff.removed == []
    assert [(changed.type, changed.replace) for changed in diff.changed] == [(RULE, False)]
    (changed,) = diff.changed
    assert {change.path for change in changed.changes} == {
        "actions[0].forward.targetGroups[0].weight",
        "actions[0].forward.targetGroups[1].weight",
    }
    assert update_hazards(old, new, diff) == []


@pytest.fixture(scope="module")
def policy_pack() -> Iterator[PolicyPackSession]:
    session = PolicyPackSession.start(
        POLICY_PACK,
        context=StackContext(project=PROJECT, stack="prod"),
        policy_config=load_policy_config(str(POLICY_PACK / "config" / "prod.json")),
    )
    try:
        yield session
    finally:
        session.close()


def test_both_groups_pass_the_pack(blue_green: Plan, policy_pack: PolicyPackSession) -> None:
    result = policy_pack.analyze(blue_green.resources)
    assert [(v.policy, v.message) for v in result.violations] == []

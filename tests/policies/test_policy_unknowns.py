"""No policy crashes or fires on values a preview cannot know yet.

pulumi-policy turns an UnknownValueError that escapes a policy into a "can't run policy ...
during preview" diagnostic, which the engine shows as an advisory violation; these stacks
would surface it.
"""

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.policies.policy_harness import (
    SG_INGRESS_RULE,
    SG_RULE,
    UNKNOWN,
    Res,
    Stack,
    add_rule,
    as_preview,
    compliant_stack,
)


def unknown_leaves(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: unknown_leaves(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unknown_leaves(item) for item in value]
    return UNKNOWN


def every_shape_stack() -> Stack:
    """The compliant stack plus every optional input shape some policy reads."""
    stack = compliant_stack()
    stack["alb"].inputs["subnetMappings"] = [{"subnetId": "subnet-0ee55ff66"}]
    stack["alb"].inputs["connectionLogs"] = {
        "enabled": True,
        "bucket": "alb-logs-3c1f0a9",
        "prefix": "alb",
    }
    stack["alb-logs"].inputs["lifecycleRules"] = [{"enabled": True, "expiration": {"days": 30}}]
    stack["api"].inputs["loadBalancingCrossZoneEnabled"] = "true"
    stack["api"].inputs["healthCheck"]["enabled"] = True
    add_rule(
        stack,
        "every-condition",
        20,
        {"hostHeader": {"values": ["a.example.com"]}},
        {"httpHeader": {"httpHeaderName": "X-Env", "values": ["blue"]}},
        {"httpRequestMethod": {"values": ["GET"]}},
        {"queryStrings": [{"key": "beta", "value": "on"}]},
        {"sourceIp": {"values": ["52.95.110.0/24"]}},
    )
    for res in (
        Res(
            SG_RULE,
            "alb-sg-https",
            {
                "type": "ingress",
                "securityGroupId": "sg-0a1b2c3d4e5f60718",
                "protocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
                "cidrBlocks": ["0.0.0.0/0"],
            },
        ),
        Res(
            SG_INGRESS_RULE,
            "alb-sg-http",
            {
                "securityGroupId": "sg-0a1b2c3d4e5f60718",
                "ipProtocol": "tcp",
                "fromPort": 80,
                "toPort": 80,
                "cidrIpv6": "::/0",
            },
        ),
    ):
        res.refs = {"securityGroupId": ["alb-sg"]}
        stack.add(res)
    stack["waf"].inputs["ruleJson"] = json.dumps(
        [
            {"Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}}}
            for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
        ]
        + [{"Statement": {"RateBasedStatement": {"Limit": 2000}}}]
    )
    del stack["waf"].inputs["rules"]
    return stack


def test_every_shape_stack_is_compliant(run):
    assert run(every_shape_stack()) == []


def every_leaf_unknown(build: Callable[[], Stack] = compliant_stack) -> Stack:
    stack = build()
    for res in stack.values():
        res.inputs = unknown_leaves(res.inputs)
        res.computed = unknown_leaves(res.computed)
    return stack


def every_input_unknown(build: Callable[[], Stack] = compliant_stack) -> Stack:
    stack = build()
    for res in stack.values():
        res.inputs = dict.fromkeys(res.inputs, UNKNOWN)
        res.computed = dict.fromkeys(res.computed, UNKNOWN)
    return stack


@pytest.mark.parametrize("unknowns", [every_leaf_unknown, every_input_unknown])
@pytest.mark.parametrize("build", [compliant_stack, every_shape_stack])
def test_unknown_values_neither_crash_nor_fire(run, unknowns, build):
    assert run(unknowns(build)) == []


def test_a_preview_of_the_compliant_stack_is_silent(run):
    assert run(as_preview(compliant_stack())) == []

"""The unknown-safe readers every policy shares, on the proxies the engine hands policies."""

from alb_guardrails.common import (
    LISTENER,
    LOAD_BALANCER,
    UNKNOWN,
    elements,
    lookup,
    number,
    plain,
    truth,
    updated_props,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy
from pulumi_policy.secret import Secret, secrets_preserving_proxy

from tests.policies.policy_harness import UNKNOWN as SPEC_UNKNOWN
from tests.policies.policy_harness import add_rule, compliant_stack, fired, wire


def test_lookup_turns_unknowns_into_a_marker_instead_of_raising():
    props = wire({"accessLogs": {"enabled": SPEC_UNKNOWN}, "subnets": ["a", SPEC_UNKNOWN]})
    assert lookup(props, "accessLogs", "enabled") is UNKNOWN
    assert lookup(props, "accessLogs", "bucket") is None
    assert lookup(props, "subnets", 1) is UNKNOWN
    assert lookup(props, "subnets", 5) is None
    assert lookup(props, "missing", "deeper") is None


def test_lists_from_the_proxies_are_read_as_lists():
    props = wire({"subnets": ["a", SPEC_UNKNOWN], "securityGroups": SPEC_UNKNOWN})
    assert elements(lookup(props, "subnets")) == ["a", UNKNOWN]
    assert elements(lookup(props, "securityGroups")) is UNKNOWN
    assert elements(lookup(props, "absent")) == []


def test_numbers_arrive_as_floats():
    props = wire({"port": 443, "priority": 10})
    assert lookup(props, "port") == 443.0 and isinstance(lookup(props, "port"), float)
    assert number(lookup(props, "port")) == 443
    assert number(True) is None


def test_truth_applies_the_default_only_when_absent():
    assert truth(None, default=False) is False
    assert truth(False, default=True) is False
    assert truth(UNKNOWN_STRING_VALUE, default=True) is UNKNOWN


def test_plain_copies_proxies_into_real_containers():
    props = wire({"rules": [{"a": 1}], "x": SPEC_UNKNOWN})
    copied = plain(props)
    assert copied == {"rules": [{"a": 1.0}], "x": UNKNOWN}
    assert isinstance(copied["rules"], list)


def test_updated_props_keeps_unknowns_and_secrets_for_the_engine():
    # The shape pulumi-policy's Remediate builds: a secrets-preserving proxy.
    raw = deserialize_properties(
        {"name": "x", "arn": UNKNOWN_STRING_VALUE, "dropInvalidHeaderFields": False},
        proxy_secrets=True,
    )
    raw["__target"]["tags"] = Secret({"owner": "me"})
    props = unknown_checking_proxy(raw)
    result = updated_props(props, {"dropInvalidHeaderFields": True})
    assert result["arn"] == UNKNOWN_STRING_VALUE
    assert isinstance(result["tags"], Secret)
    assert result["dropInvalidHeaderFields"] is True
    assert updated_props({"a": 1}, {"b": 2}) == {"a": 1, "b": 2}
    assert isinstance(secrets_preserving_proxy({}), object)


def test_kinds_match_both_elbv2_token_modules():
    assert "aws:lb/loadBalancer:LoadBalancer" in LOAD_BALANCER
    assert "aws:alb/loadBalancer:LoadBalancer" in LOAD_BALANCER
    assert "aws:alb/listener:Listener" in LISTENER
    assert "aws:elb/loadBalancer:LoadBalancer" not in LOAD_BALANCER


def test_every_policy_reads_aws_alb_tokens_like_aws_lb_ones(protocol_runner):
    # pulumi-aws registers the ELBv2 resources under both modules (aws.lb and aws.alb).
    stack = compliant_stack()
    del stack["alb"].inputs["accessLogs"]
    stack["http"].inputs["defaultActions"] = [{"type": "forward", "targetGroupArn": "arn:tg"}]
    stack["https"].inputs["sslPolicy"] = "ELBSecurityPolicy-2016-08"
    stack["api"].inputs["loadBalancingCrossZoneEnabled"] = "false"
    add_rule(stack, "web", 1, {"pathPattern": {"values": ["/*"]}})
    expected = fired(protocol_runner.run(stack))
    for res in stack.values():
        res.type = res.type.replace("aws:lb/", "aws:alb/")
    assert "aws:alb/targetGroup:TargetGroup" in {res.type for res in stack.values()}
    assert fired(protocol_runner.run(stack)) == expected
    assert {policy for policy, _ in expected} >= {
        "alb-access-logs-enabled",
        "alb-http-redirect-only",
        "alb-tls-policy",
        "alb-cross-zone-enabled",
        "alb-listener-rule-reachable",
    }

"""alb-listener-rule-reachable: no rule is shadowed by an earlier one."""

import pytest
from alb_guardrails.listener_rule_reachable import Condition, covers

from tests.policies.policy_harness import UNKNOWN, add_rule, as_preview, compliant_stack, hits

POLICY = "alb-listener-rule-reachable"


def test_passes_when_specific_rules_come_first(run):
    stack = compliant_stack()
    add_rule(stack, "web", 100, {"pathPattern": {"values": ["/*"]}})
    assert hits(run(stack), POLICY) == set()


def test_fails_when_a_catch_all_comes_first(run):
    stack = compliant_stack()
    add_rule(stack, "web", 1, {"pathPattern": {"values": ["/*"]}})
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("api-route", "advisory")}
    assert "'web'" in findings[0].message and "priority 1" in findings[0].message
    assert hits(run(as_preview(stack)), POLICY) == {"api-route"}


def test_rules_on_different_listeners_do_not_shadow(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "web",
        1,
        {"pathPattern": {"values": ["/*"]}},
        listener="http",
        actions=[{"type": "redirect", "redirect": {"protocol": "HTTPS", "statusCode": "HTTP_301"}}],
    )
    assert hits(run(stack), POLICY) == set()


def test_a_narrower_earlier_rule_does_not_shadow(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "api-v1",
        5,
        {"pathPattern": {"values": ["/api/v1/*"]}},
        {"hostHeader": {"values": ["a.example.com"]}},
    )
    assert hits(run(stack), POLICY) == set()


def path(*values):
    return Condition("pathPattern", values)


@pytest.mark.parametrize(
    ("earlier", "later", "shadowed"),
    [
        ([path("/api/*")], [path("/api/v1/*")], True),
        ([path("/api/v1/*")], [path("/api/*")], False),
        ([path("/a?")], [path("/a*")], False),
        ([path("/API/*")], [path("/api/x")], False),
        (
            [Condition("hostHeader", ("*.Example.com",))],
            [Condition("hostHeader", ("a.example.com",))],
            True,
        ),
        ([path("/api/*")], [path("/api/x"), Condition("hostHeader", ("a.example.com",))], True),
        ([path("/api/*"), Condition("hostHeader", ("a.example.com",))], [path("/api/x")], False),
        ([Condition("sourceIp", ("10.0.0.0/8",))], [Condition("sourceIp", ("10.1.0.0/16",))], True),
        ([path("/*")], [Condition("hostHeader", ("a.example.com",))], True),
    ],
)
def test_covers(earlier, later, shadowed):
    assert covers(earlier, later) is shadowed


def test_an_unknown_query_string_key_is_not_read_as_any_key(run):
    # At preview a key built from another resource's output is unknown; it may be any key, so
    # the earlier rule cannot be shown to cover the later one.
    stack = compliant_stack()
    add_rule(stack, "flag", 1, {"queryStrings": [{"key": UNKNOWN, "value": "on"}]})
    add_rule(stack, "beta", 2, {"queryStrings": [{"key": "beta", "value": "on"}]})
    assert hits(run(stack), POLICY) == set()


def test_a_query_string_without_a_key_matches_any_key(run):
    stack = compliant_stack()
    add_rule(stack, "flag", 1, {"queryStrings": [{"value": "on"}]})
    add_rule(stack, "beta", 2, {"queryStrings": [{"key": "beta", "value": "on"}]})
    assert hits(run(stack), POLICY) == {"beta"}


def test_an_empty_regex_value_list_still_compares(run):
    # The proxies hand lists over as Sequences, which never equal a Python list.
    stack = compliant_stack()
    add_rule(stack, "web", 1, {"pathPattern": {"values": ["/*"], "regexValues": []}})
    assert hits(run(stack), POLICY) == {"api-route"}


def test_regex_conditions_are_not_compared(run):
    stack = compliant_stack()
    add_rule(stack, "web", 1, {"pathPattern": {"regexValues": ["^/.*$"]}})
    assert hits(run(stack), POLICY) == set()


def test_an_ipv4_catch_all_source_shadows_only_on_an_ipv4_load_balancer(run):
    # A dualstack load balancer also takes IPv6 clients, which 0.0.0.0/0 does not match.
    stack = compliant_stack()
    add_rule(stack, "ipv4", 1, {"sourceIp": {"values": ["0.0.0.0/0"]}})
    assert hits(run(stack), POLICY) == {"api-route"}
    stack["alb"].inputs["ipAddressType"] = "dualstack"
    assert hits(run(stack), POLICY) == set()
    stack["alb"].inputs["ipAddressType"] = UNKNOWN
    assert hits(run(stack), POLICY) == set()
    add_rule(stack, "any-address", 2, {"sourceIp": {"values": ["0.0.0.0/0", "::/0"]}})
    assert hits(run(stack), POLICY) == {"api-route"}

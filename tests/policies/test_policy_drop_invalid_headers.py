"""alb-drop-invalid-headers: dropInvalidHeaderFields is true, with a remediation."""

import pytest

from tests.policies.policy_harness import UNKNOWN, Fix, compliant_stack, hits

POLICY = "alb-drop-invalid-headers"


def test_passes_when_invalid_headers_are_dropped(run):
    assert hits(run(compliant_stack()), POLICY) == set()


def test_fails_when_absent_because_aws_defaults_to_false(run):
    stack = compliant_stack()
    del stack["alb"].inputs["dropInvalidHeaderFields"]
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb", "mandatory")}


def test_an_unknown_value_is_not_a_violation(run):
    stack = compliant_stack()
    stack["alb"].inputs["dropInvalidHeaderFields"] = UNKNOWN
    assert hits(run(stack), POLICY) == set()


def with_flag(value):
    stack = compliant_stack()
    if value is None:
        del stack["alb"].inputs["dropInvalidHeaderFields"]
    else:
        stack["alb"].inputs["dropInvalidHeaderFields"] = value
    return stack


@pytest.mark.parametrize("value", [False, None], ids=["false", "absent"])
def test_remediate_level_sets_the_flag_and_keeps_every_other_input(remediate, value):
    stack = with_flag(value)
    fixes, findings = remediate(stack, {POLICY: "remediate"})
    inputs = stack["alb"].inputs
    assert fixes == [Fix(POLICY, "alb", inputs, {**inputs, "dropInvalidHeaderFields": True})]
    assert hits(findings, POLICY) == set()


@pytest.mark.parametrize(
    ("value", "kind"),
    [(True, "application"), (UNKNOWN, "application"), (False, "network")],
    ids=["dropped", "unknown", "network-load-balancer"],
)
def test_remediate_level_leaves_alone_what_it_does_not_report(remediate, value, kind):
    stack = with_flag(value)
    stack["alb"].inputs["loadBalancerType"] = kind
    fixes, findings = remediate(stack, {POLICY: "remediate"})
    assert fixes == []
    assert hits(findings, POLICY) == set()


def test_the_message_names_the_setting(run):
    stack = compliant_stack()
    stack["alb"].inputs["dropInvalidHeaderFields"] = False
    assert [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in run(stack) if f.policy == POLICY
    ] == [
        (
            "alb",
            "mandatory",
            "Load balancer 'alb' forwards invalid HTTP header fields; set dropInvalidHeaderFields "
            "to true.",
        )
    ]

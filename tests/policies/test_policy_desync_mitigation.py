"""alb-desync-mitigation: defensive or strictest, with a remediation."""

import pytest

from tests.policies.policy_harness import UNKNOWN, Fix, compliant_stack, hits

POLICY = "alb-desync-mitigation"


def with_mode(mode):
    stack = compliant_stack()
    if mode is None:
        del stack["alb"].inputs["desyncMitigationMode"]
    else:
        stack["alb"].inputs["desyncMitigationMode"] = mode
    return stack


@pytest.mark.parametrize("mode", ["defensive", "strictest", None])
def test_passes_with_defensive_strictest_or_the_default(run, mode):
    assert hits(run(with_mode(mode)), POLICY) == set()


def test_fails_with_monitor(run):
    findings = [f for f in run(with_mode("monitor")) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb", "mandatory")}
    assert "'monitor'" in findings[0].message


@pytest.mark.parametrize("mode", ["monitor", "MONITOR"])
def test_remediate_level_sets_defensive_and_keeps_every_other_input(remediate, mode):
    stack = with_mode(mode)
    fixes, findings = remediate(stack, {POLICY: "remediate"})
    inputs = stack["alb"].inputs
    assert fixes == [Fix(POLICY, "alb", inputs, {**inputs, "desyncMitigationMode": "defensive"})]
    assert hits(findings, POLICY) == set()


@pytest.mark.parametrize("mode", ["defensive", "strictest", None, UNKNOWN])
def test_remediate_level_leaves_a_safe_or_unknown_mode_alone(remediate, mode):
    fixes, findings = remediate(with_mode(mode), {POLICY: "remediate"})
    assert fixes == []
    assert hits(findings, POLICY) == set()


def test_remediations_of_one_load_balancer_apply_one_after_the_other(remediate):
    stack = with_mode("monitor")
    del stack["alb"].inputs["dropInvalidHeaderFields"]
    config = {POLICY: "remediate", "alb-drop-invalid-headers": "remediate"}
    fixes, findings = remediate(stack, config)
    inputs = stack["alb"].inputs
    dropped = {**inputs, "dropInvalidHeaderFields": True}
    # The pack's order: alb-drop-invalid-headers first, and this policy gets what it returned.
    assert fixes == [
        Fix("alb-drop-invalid-headers", "alb", inputs, dropped),
        Fix(POLICY, "alb", dropped, {**dropped, "desyncMitigationMode": "defensive"}),
    ]
    assert hits(findings, POLICY) == hits(findings, "alb-drop-invalid-headers") == set()


@pytest.mark.parametrize("mode", ["monitor", "MONITOR"])
def test_the_message_names_the_mode_and_the_safe_ones(run, mode):
    stack = compliant_stack()
    stack["alb"].inputs["desyncMitigationMode"] = mode
    assert [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in run(stack) if f.policy == POLICY
    ] == [
        (
            "alb",
            "mandatory",
            f"Load balancer 'alb' uses desync mitigation mode {mode!r}; use 'defensive' or "
            "'strictest'.",
        )
    ]

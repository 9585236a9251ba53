"""alb-desync-mitigation: defensive or strictest, with a remediation."""

import pytest

from tests.policies.policy_harness import compliant_stack, hits

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


def test_remediate_level_sets_defensive(protocol_runner):
    result = protocol_runner.analyze(with_mode("monitor"), {POLICY: "remediate"})
    (fix,) = [r for r in result.remediations if r.policy == POLICY]
    assert fix.before["desyncMitigationMode"] == "monitor"
    assert fix.after["desyncMitigationMode"] == "defensive"
    assert not [v for v in result.violations if v.policy == POLICY]


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

"""alb-tls-policy: HTTPS listeners use an allowed TLS 1.2+ security policy."""

import pytest

from tests.policies.policy_harness import UNKNOWN, compliant_stack, hits

POLICY = "alb-tls-policy"


def with_policy(name):
    stack = compliant_stack()
    if name is None:
        del stack["https"].inputs["sslPolicy"]
    else:
        stack["https"].inputs["sslPolicy"] = name
    return stack


@pytest.mark.parametrize(
    "name",
    [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    ],
)
def test_passes_with_a_tls12_or_later_policy(run, name):
    assert hits(run(with_policy(name)), POLICY) == set()


@pytest.mark.parametrize(
    "name", ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-0-2021-06", None]
)
def test_fails_with_an_old_or_default_policy(run, name):
    findings = [f for f in run(with_policy(name)) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("https", "mandatory")}
    assert "ELBSecurityPolicy-2016-08" in findings[0].message or name in findings[0].message


def test_an_unknown_policy_is_not_a_violation(run):
    assert hits(run(with_policy(UNKNOWN)), POLICY) == set()


def test_security_hub_strict_applies_elb17s_list(run):
    strict = {POLICY: {"securityHubStrict": True}}
    assert hits(run(with_policy("ELBSecurityPolicy-TLS13-1-2-2021-06"), strict), POLICY) == {
        "https"
    }
    assert (
        hits(run(with_policy("ELBSecurityPolicy-TLS13-1-2-Res-2021-06"), strict), POLICY) == set()
    )


def test_the_allowed_list_is_configurable(run):
    only_tls13 = {POLICY: {"allowedPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]}}
    assert hits(run(with_policy("ELBSecurityPolicy-TLS13-1-2-2021-06"), only_tls13), POLICY) == {
        "https"
    }

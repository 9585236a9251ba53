"""alb-target-group-encryption: HTTPS to targets and for health checks (Security Hub ELB.21/22).

Disabled by default: the project's stacks end TLS at the load balancer.
"""

import pytest

from tests.policies.policy_harness import TARGET_GROUP, Res, compliant_stack, hits, tg_arn

POLICY = "alb-target-group-encryption"
ON = {POLICY: "advisory"}


def messages(findings):
    return [f.message.split("\n")[-1] for f in findings if f.policy == POLICY]


def encrypted(stack):
    stack["api"].inputs["protocol"] = "HTTPS"
    stack["api"].inputs["healthCheck"]["protocol"] = "HTTPS"
    return stack


def test_disabled_by_default(run):
    assert hits(run(compliant_stack()), POLICY) == set()


def test_https_targets_with_https_health_checks_pass(run):
    assert hits(run(encrypted(compliant_stack()), ON), POLICY) == set()


def test_http_targets_and_default_health_checks_fail_when_switched_on(run):
    findings = run(compliant_stack(), ON)
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {("api", "advisory")}
    assert messages(findings) == [
        "Target group 'api' sends traffic to its targets over HTTP, unencrypted (Security Hub "
        "ELB.22); use HTTPS (or TLS/QUIC on a network load balancer) with certificates on the "
        "targets.",
        "Target group 'api' runs its health checks over the default protocol "
        "(healthCheck.protocol is not set), unencrypted (Security Hub ELB.21); set "
        "healthCheck.protocol to HTTPS.",
    ]
    assert {
        f.level for f in run(compliant_stack(), {POLICY: "mandatory"}) if f.policy == POLICY
    } == {"mandatory"}


@pytest.mark.parametrize("health", ["HTTP", "http"])
def test_an_http_health_check_on_https_targets_fails(run, health):
    stack = encrypted(compliant_stack())
    stack["api"].inputs["healthCheck"]["protocol"] = health
    assert messages(run(stack, ON)) == [
        "Target group 'api' runs its health checks over HTTP, unencrypted (Security Hub ELB.21); "
        "set healthCheck.protocol to HTTPS."
    ]


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        # Network load balancer target groups are covered, as in ELB.21 and ELB.22.
        ({"protocol": "TLS", "healthCheck": {"protocol": "HTTPS"}}, 0),
        ({"protocol": "TCP", "healthCheck": {"protocol": "HTTPS"}}, 1),
        ({"protocol": "TCP", "healthCheck": {"protocol": "TCP"}}, 2),
        # Not applicable: Lambda targets, an ALB as the target, GENEVE.
        ({"targetType": "lambda"}, 0),
        ({"protocol": "TCP", "targetType": "alb", "healthCheck": {"protocol": "HTTPS"}}, 0),
        ({"protocol": "GENEVE"}, 0),
    ],
    ids=["tls", "tcp", "tcp-health", "lambda", "alb-target", "geneve"],
)
def test_the_controls_scope(run, inputs, expected):
    stack = compliant_stack()
    stack.add(
        Res(
            TARGET_GROUP,
            "other",
            {"port": 443, "targetType": "ip", "vpcId": "vpc-0a1b2c3d", **inputs},
            {"arn": tg_arn("other-3e4f5a6")},
        )
    )
    assert len([f for f in run(encrypted(stack), ON) if f.policy == POLICY]) == expected


@pytest.mark.parametrize(("enabled", "checked"), [(False, False), ("false", False), (True, True)])
@pytest.mark.parametrize("protocol", ["HTTPS", "https"])
def test_a_health_check_that_is_off_sends_nothing_unencrypted(run, enabled, checked, protocol):
    stack = encrypted(compliant_stack())
    stack["api"].inputs["protocol"] = protocol
    stack["api"].inputs["healthCheck"] = {"enabled": enabled, "protocol": "HTTP"}
    expected = (
        [
            "Target group 'api' runs its health checks over HTTP, unencrypted (Security Hub "
            "ELB.21); set healthCheck.protocol to HTTPS."
        ]
        if checked
        else []
    )
    assert messages(run(stack, ON)) == expected


@pytest.mark.parametrize("protocol", ["HTTP", "http"])
def test_unencrypted_traffic_is_named_in_upper_case_whatever_its_spelling(run, protocol):
    stack = encrypted(compliant_stack())
    stack["api"].inputs["protocol"] = protocol
    assert messages(run(stack, ON)) == [
        "Target group 'api' sends traffic to its targets over HTTP, unencrypted (Security Hub "
        "ELB.22); use HTTPS (or TLS/QUIC on a network load balancer) with certificates on the "
        "targets."
    ]

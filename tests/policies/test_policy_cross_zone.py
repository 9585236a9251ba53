"""alb-cross-zone-enabled and alb-cross-zone-setting-ignored: cross-zone stays on for ALBs."""

import pytest

from tests.policies.policy_harness import LB, TARGET_GROUP, Res, compliant_stack, hits, tg_arn

POLICY = "alb-cross-zone-enabled"
IGNORED = "alb-cross-zone-setting-ignored"


def messages(findings, policy):
    return [f.message.split("\n")[-1] for f in findings if f.policy == policy]


def test_passes_when_left_to_the_defaults(run):
    findings = run(compliant_stack())
    assert hits(findings, POLICY) == hits(findings, IGNORED) == set()


def test_passes_when_the_target_group_follows_the_load_balancer(run):
    stack = compliant_stack()
    stack["api"].inputs["loadBalancingCrossZoneEnabled"] = "use_load_balancer_configuration"
    stack["alb"].inputs["enableCrossZoneLoadBalancing"] = True
    findings = run(stack)
    assert hits(findings, POLICY) == hits(findings, IGNORED) == set()


@pytest.mark.parametrize("protocol", ["HTTP", "HTTPS", "http"])
def test_fails_when_an_alb_target_group_turns_it_off(run, protocol):
    stack = compliant_stack()
    stack["api"].inputs["protocol"] = protocol
    stack["api"].inputs["loadBalancingCrossZoneEnabled"] = "false"
    findings = run(stack)
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {("api", "mandatory")}
    assert messages(findings, POLICY) == [
        "Target group 'api' turns cross-zone load balancing off (loadBalancingCrossZoneEnabled: "
        "false)."
    ]


def test_a_lambda_target_group_is_an_alb_target_group(run):
    stack = compliant_stack()
    stack["api"].inputs = {"targetType": "lambda", "loadBalancingCrossZoneEnabled": "false"}
    assert hits(run(stack), POLICY) == {"api"}


@pytest.mark.parametrize("protocol", ["TCP", "UDP", "TLS", "TCP_UDP", "GENEVE", "QUIC"])
def test_network_and_gateway_target_groups_are_left_alone(run, protocol):
    # Cross-zone off is the NLB and GWLB target group default.
    stack = compliant_stack()
    stack.add(
        Res(
            TARGET_GROUP,
            "nlb-targets",
            {
                "port": 6081 if protocol == "GENEVE" else 443,
                "protocol": protocol,
                "targetType": "ip",
                "vpcId": "vpc-0a1b2c3d",
                "loadBalancingCrossZoneEnabled": "false",
            },
            {"arn": tg_arn("nlb-targets-1a2b3c4")},
        )
    )
    assert hits(run(stack), POLICY) == set()


def test_an_albs_enable_cross_zone_false_is_advisory_only(run):
    # The provider never sends it for an ALB, which is always cross-zone.
    stack = compliant_stack()
    stack["alb"].inputs["enableCrossZoneLoadBalancing"] = False
    findings = run(stack)
    assert hits(findings, POLICY) == set()
    assert {(f.resource, f.level) for f in findings if f.policy == IGNORED} == {("alb", "advisory")}
    assert messages(findings, IGNORED) == [
        "Load balancer 'alb' sets enableCrossZoneLoadBalancing to false, which an application "
        "load balancer ignores: it is always cross-zone, and the provider never sends the "
        "setting. Remove the line."
    ]


@pytest.mark.parametrize("kind", ["network", "gateway"])
def test_network_and_gateway_load_balancers_may_turn_it_off(run, kind):
    stack = compliant_stack()
    stack.add(
        Res(
            LB,
            "nlb",
            {
                "loadBalancerType": kind,
                "subnets": ["subnet-0aa11bb22"],
                "enableCrossZoneLoadBalancing": False,
            },
        )
    )
    findings = run(stack)
    assert hits(findings, POLICY) == hits(findings, IGNORED) == set()

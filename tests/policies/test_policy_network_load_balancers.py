"""Network and gateway load balancers: the ALB pack leaves them alone, except where a policy
deliberately covers them (alb-tls-policy for NLB TLS listeners, as Security Hub ELB.17 does)."""

import pytest

from tests.policies.policy_harness import (
    CERTIFICATE_ARN,
    ELB_ARN,
    LB,
    LISTENER,
    SECURITY_GROUP,
    TARGET_GROUP,
    Res,
    Stack,
    fired,
    tg_arn,
)

NLB_ARN = f"{ELB_ARN}:loadbalancer/net/nlb-7c3d2e1/0b1c2d3e4f5a6b7c"


def network_stack(kind: str = "network") -> Stack:
    """An internet-facing NLB (or GWLB) that breaks every ALB rule an NLB could break."""
    stack = Stack()
    stack.add(
        Res(
            SECURITY_GROUP,
            "nlb-sg",
            {
                "vpcId": "vpc-0a1b2c3d",
                "ingress": [
                    {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
                ],
            },
            {"id": "sg-0f1e2d3c4b5a69788"},
        )
    )
    stack.add(
        Res(
            LB,
            "nlb",
            {
                "loadBalancerType": kind,
                "subnets": ["subnet-0aa11bb22"],
                "securityGroups": ["sg-0f1e2d3c4b5a69788"],
                "enableCrossZoneLoadBalancing": False,
            },
            {"arn": NLB_ARN},
            refs={"securityGroups": ["nlb-sg"]},
        )
    )
    protocol = "GENEVE" if kind == "gateway" else "TCP"
    stack.add(
        Res(
            TARGET_GROUP,
            "tcp-targets",
            {
                "port": 6081 if kind == "gateway" else 22,
                "protocol": protocol,
                "targetType": "ip",
                "vpcId": "vpc-0a1b2c3d",
                "loadBalancingCrossZoneEnabled": "false",
            },
            {"arn": tg_arn("tcp-targets-5e6f7a8")},
        )
    )
    stack.add(
        Res(
            LISTENER,
            "ssh",
            {
                "loadBalancerArn": NLB_ARN,
                "port": 22,
                "protocol": protocol,
                "defaultActions": [{"type": "forward", "targetGroupArn": tg_arn("tcp-targets")}],
            },
            {"arn": f"{NLB_ARN}/ssh"},
            refs={"loadBalancerArn": ["nlb"]},
        )
    )
    return stack


@pytest.mark.parametrize("kind", ["network", "gateway"])
def test_no_alb_policy_fires_on_a_network_or_gateway_load_balancer(run, kind):
    assert fired(run(network_stack(kind))) == set()


def test_nlb_tls_listeners_are_held_to_the_tls_policy_list(run):
    stack = network_stack()
    tls = {
        "loadBalancerArn": NLB_ARN,
        "port": 443,
        "protocol": "TLS",
        "certificateArn": CERTIFICATE_ARN,
        "defaultActions": [{"type": "forward", "targetGroupArn": tg_arn("tcp-targets")}],
    }
    stack.add(
        Res(LISTENER, "tls", tls, {"arn": f"{NLB_ARN}/tls"}, refs={"loadBalancerArn": ["nlb"]})
    )
    findings = run(stack)
    assert fired(findings) == {("alb-tls-policy", "tls")}
    assert [f.message.split("\n")[-1] for f in findings] == [
        "TLS listener 'tls': sslPolicy is not set, so AWS applies 'ELBSecurityPolicy-2016-08', "
        "which is not in the allowed TLS 1.2+ policies; use for example "
        "'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' or 'ELBSecurityPolicy-TLS13-1-2-2021-06'."
    ]
    tls["sslPolicy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert fired(run(stack)) == set()

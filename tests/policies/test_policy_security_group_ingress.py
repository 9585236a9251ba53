"""alb-security-group-ingress: only listener ports are open to the internet."""

from tests.policies.policy_harness import (
    SG_INGRESS_RULE,
    SG_RULE,
    Res,
    as_preview,
    compliant_stack,
    hits,
)

POLICY = "alb-security-group-ingress"
SG_ID = "sg-0a1b2c3d4e5f60718"


def test_passes_when_only_80_and_443_are_public(run):
    assert hits(run(compliant_stack()), POLICY) == set()
    assert hits(run(as_preview(compliant_stack())), POLICY) == set()


def test_fails_on_inline_ssh_from_anywhere(run):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(
        {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
    )
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb-sg", "mandatory")}
    assert "tcp 22" in findings[0].message and "80, 443" in findings[0].message


def test_private_sources_may_reach_other_ports(run):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(
        {"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrBlocks": ["10.0.0.0/8"]}
    )
    assert hits(run(stack), POLICY) == set()


def test_fails_on_a_separate_vpc_ingress_rule(run):
    stack = compliant_stack()
    stack.add(
        Res(
            SG_INGRESS_RULE,
            "all-from-ipv6",
            {"securityGroupId": SG_ID, "ipProtocol": "-1", "cidrIpv6": "::/0"},
            refs={"securityGroupId": ["alb-sg"]},
        )
    )
    assert hits(run(stack), POLICY) == {"all-from-ipv6"}
    assert hits(run(as_preview(stack)), POLICY) == {"all-from-ipv6"}


def test_fails_on_a_separate_ec2_security_group_rule_port_range(run):
    stack = compliant_stack()
    stack.add(
        Res(
            SG_RULE,
            "wide-range",
            {
                "type": "ingress",
                "securityGroupId": SG_ID,
                "protocol": "tcp",
                "fromPort": 80,
                "toPort": 443,
                "cidrBlocks": ["0.0.0.0/0"],
            },
            refs={"securityGroupId": ["alb-sg"]},
        )
    )
    assert hits(run(stack), POLICY) == {"wide-range"}


def test_public_cidrs_are_configurable(run):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(
        {"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrBlocks": ["10.0.0.0/8"]}
    )
    config = {POLICY: {"publicCidrs": ["0.0.0.0/0", "::/0", "10.0.0.0/8"]}}
    assert hits(run(stack, config), POLICY) == {"alb-sg"}

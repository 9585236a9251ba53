"""The ALB security group's outbound rules: every CIDR block of the VPC and ``alb:targetCidrs``,
on every service port, exactly as they reach AWS; and which source CIDRs an internet-facing
load balancer accepts.

The VPC's extra blocks (a secondary IPv4 association, a second IPv6 block, and blocks that are
being removed) are added to the AWS model's answer to ``aws.ec2.get_vpc``.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from components.config import parse_stack_config
from components.load_balancer import egress_rules
from components.network import Network
from preflight import aws_model
from tests.program.program_harness import Plan, run_in_process, with_config

EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
GET_VPC = "aws:ec2/getVpc:getVpc"
PROD_TAGS = {"Team": "platform", "CostCenter": "cc-1234"}
# What the AWS model answers for prod's VPC (vpc-0f1e2d3c4b5a69788) on its own.
PROD_PRIMARY = "10.68.0.0/16"
PROD_IPV6 = aws_model.vpc_ipv6_cidr("vpc-0f1e2d3c4b5a69788")
# Added to the VPC for these tests (RFC 6598 space is a common secondary block for pods).
SECONDARY = "100.64.0.0/16"
SECOND_IPV6 = "2600:1f18:4a3:6e00::/56"


def _association(cidr: str, state: str) -> dict[str, str]:
    if ":" in cidr:
        return {
            "associationId": f"vpc-cidr-assoc-{zlib.crc32(cidr.encode()):017d}",
            "ipSource": "amazon",
            "ipv6AddressAttribute": "public",
            "ipv6CidrBlock": cidr,
            "ipv6Pool": "Amazon",
            "networkBorderGroup": "ap-northeast-2",
            "state": state,
        }
    return {
        "associationId": f"vpc-cidr-assoc-{zlib.crc32(cidr.encode()):017d}",
        "cidrBlock": cidr,
        "state": state,
    }


@pytest.fixture
def vpc_with_more_blocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """prod's VPC with a secondary IPv4 block and a second IPv6 block, plus two blocks that
    hold no targets (one being removed, one whose association failed)."""
    model_answer = aws_model.INVOKES[GET_VPC]

    def get_vpc(model: aws_model.AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
        vpc = model_answer(model, args)
        vpc["cidrBlockAssociations"] = [
            *vpc["cidrBlockAssociations"],
            _association(SECONDARY, "associated"),
            _association("100.65.0.0/16", "disassociating"),
        ]
        vpc["ipv6CidrBlockAssociations"] = [
            *vpc["ipv6CidrBlockAssociations"],
            _association(SECOND_IPV6, "associated"),
            _association("2600:1f18:4a3:7000::/56", "failed"),
        ]
        return vpc

    monkeypatch.setitem(aws_model.INVOKES, GET_VPC, get_vpc)
    yield


def egress(plan: Plan) -> dict[str, dict[str, Any]]:
    """Every outbound rule's inputs, keyed by logical name."""
    assert plan.error is None, plan.error
    return {record.name: record.inputs for record in plan.of_type(EGRESS)}


def rule(
    plan: Plan, port: int, cidr: str, where: str = "in the VPC", tags: dict[str, str] = PROD_TAGS
) -> dict[str, Any]:
    group = plan.one("aws:ec2/securityGroup:SecurityGroup")
    return {
        "securityGroupId": group.id,
        "ipProtocol": "tcp",
        "fromPort": port,
        "toPort": port,
        ("cidrIpv6" if ":" in cidr else "cidrIpv4"): cidr,
        "description": f"targets and health checks on port {port} {where}",
        "tags": tags,
    }


def key(cidr: str) -> str:
    """The name key of a CIDR's rules: stable, so adding a block never renames another's."""
    return hashlib.sha256(cidr.encode()).hexdigest()[:8]


def test_dev_reaches_the_default_vpc_on_each_service_port(dev_plan: Plan) -> None:
    tags = {"Team": "platform"}
    assert egress(dev_plan) == {
        f"alb-dev-out-{port}": rule(dev_plan, port, "172.31.0.0/16", tags=tags)
        for port in (3000, 8080, 8081)
    }


def test_prod_reaches_its_vpc_primary_block(prod_plan: Plan) -> None:
    assert egress(prod_plan) == {
        f"alb-prod-out-{port}": rule(prod_plan, port, PROD_PRIMARY) for port in (3000, 8080, 8081)
    }


def test_every_associated_ipv4_block_of_the_vpc(
    vpc_with_more_blocks: None, prod_values: dict[str, str]
) -> None:
    plan = run_in_process(prod_values, "prod")
    # The first block keeps its rule's name (renaming would replace it); the secondary block's
    # rule is named by a key of its CIDR. IPv6 blocks are left out: an ipv4 load balancer never
    # connects to IPv6 targets. Disassociating and failed blocks hold no targets.
    assert egress(plan) == {
        **{f"alb-prod-out-{port}": rule(plan, port, PROD_PRIMARY) for port in (3000, 8080, 8081)},
        **{
            f"alb-prod-out-{port}-{key(SECONDARY)}": rule(plan, port, SECONDARY)
            for port in (3000, 8080, 8081)
        },
    }


def test_dualstack_reaches_every_ipv4_and_ipv6_block_and_the_target_cidrs(
    vpc_with_more_blocks: None, prod_values: dict[str, str]
) -> None:
    peered, on_premises, on_premises_v6 = "10.200.0.0/16", "192.168.10.0/24", "fd00:10::/48"
    values = with_config(
        prod_values,
        ipAddressType="dualstack",
        # A VPC block listed again is not a second rule (AWS refuses a duplicate rule).
        targetCidrs=[peered, on_premises, on_premises_v6, SECONDARY],
        services={"web": {"port": 3000}, "api": {"port": 8080, "pathPatterns": ["/api/*"]}},
    )
    plan = run_in_process(values, "prod")
    outside = {
        cidr: f"in {cidr} (alb:targetCidrs)" for cidr in (peered, on_premises, on_premises_v6)
    }
    expected = {}
    for port in (3000, 8080):
        expected[f"alb-prod-out-{port}"] = rule(plan, port, PROD_PRIMARY)
        expected[f"alb-prod-out-{port}-v6"] = rule(plan, port, PROD_IPV6)
        for cidr in (SECONDARY, SECOND_IPV6):
            expected[f"alb-prod-out-{port}-{key(cidr)}"] = rule(plan, port, cidr)
        for cidr, where in outside.items():
            expected[f"alb-prod-out-{port}-{key(cidr)}"] = rule(plan, port, cidr, where)
    assert egress(plan) == expected


def test_target_cidrs_on_the_default_vpc(dev_values: dict[str, str]) -> None:
    plan = run_in_process(with_config(dev_values, targetCidrs=["10.20.0.0/16"]), "dev")
    tags = {"Team": "platform"}
    assert egress(plan) == {
        **{
            f"alb-dev-out-{port}": rule(plan, port, "172.31.0.0/16", tags=tags)
            for port in (3000, 8080, 8081)
        },
        **{
            f"alb-dev-out-{port}-{key('10.20.0.0/16')}": rule(
                plan, port, "10.20.0.0/16", "in 10.20.0.0/16 (alb:targetCidrs)", tags
            )
            for port in (3000, 8080, 8081)
        },
    }


def test_egress_rule_count_is_ports_times_blocks_per_family(dev_values: dict[str, str]) -> None:
    """What the 60-rules-per-direction quota counts, from the config and the resolved VPC."""
    config = parse_stack_config(
        with_config(
            dev_values,
            ipAddressType="dualstack",
            targetCidrs=["10.20.0.0/16", "10.30.0.0/16", "fd00:10::/48"],
        )
    )
    network = Network(
        vpc_id="vpc-0f1e2d3c4b5a69788",
        vpc_cidr_blocks=(PROD_PRIMARY, SECONDARY, PROD_IPV6),
        subnet_ids=("subnet-01a2b3c4d5e6f7008", "subnet-01a2b3c4d5e6f7001"),
        availability_zones=("ap-northeast-2a", "ap-northeast-2b"),
    )
    rules = egress_rules(config, network, (8080, 3000, 8080))
    ipv4 = [r for r in rules if ":" not in r[1]]
    ipv6 = [r for r in rules if ":" in r[1]]
    assert (len(ipv4), len(ipv6)) == (2 * 4, 2 * 2)
    assert rules[:5] == [
        (3000, PROD_PRIMARY),
        (3000, SECONDARY),
        (3000, PROD_IPV6),
        (3000, "10.20.0.0/16"),
        (3000, "10.30.0.0/16"),
    ]
    # On an ipv4 load balancer the VPC's IPv6 block adds nothing.
    ipv4_only = parse_stack_config(with_config(dev_values, targetCidrs=["10.20.0.0/16"]))
    assert egress_rules(ipv4_only, network, (3000,)) == [
        (3000, PROD_PRIMARY),
        (3000, SECONDARY),
        (3000, "10.20.0.0/16"),
    ]


# --- source CIDRs that an internet-facing load balancer can see ------------------------------


@pytest.mark.parametrize(
    "sources",
    [
        ["211.45.60.128/28"],
        ["0.0.0.0/0"],  # overlaps private space, but has public addresses
        ["100.0.0.0/8"],  # contains the carrier-grade NAT block 100.64.0.0/10, and more
    ],
)
def test_public_sources_on_an_internet_facing_load_balancer(
    dev_values: dict[str, str], sources: list[str]
) -> None:
    services = {"web": {"port": 3000}, "admin": {"port": 8081, "sourceCidrs": sources}}
    plan = run_in_process(with_config(dev_values, services=services), "dev")
    assert plan.error is None, plan.error


def test_private_sources_on_an_internal_load_balancer(dev_values: dict[str, str]) -> None:
    services = {"web": {"port": 3000}, "admin": {"port": 8081, "sourceCidrs": ["10.0.0.0/8"]}}
    plan = run_in_process(with_config(dev_values, internal=True, services=services), "dev")
    assert plan.error is None, plan.error
    assert plan.one("aws:lb/loadBalancer:LoadBalancer").inputs["internal"] is True


def test_the_non_public_table_agrees_with_ipaddress() -> None:
    """Every block in the table is non-global by Python's ipaddress too, except multicast
    (never a source address) and registry entries newer than this Python's table."""
    from components.config import _NON_PUBLIC_NETWORKS, non_public_block

    newer = {"192.0.0.8/32", "64:ff9b:1::/48", "3fff::/20", "5f00::/16"}
    for block in _NON_PUBLIC_NETWORKS:
        if block.is_multicast or str(block) in newer:
            continue
        assert not block.network_address.is_global, block
        assert not block.broadcast_address.is_global, block
    for public in ("0.0.0.0/0", "::/0", "211.45.60.128/28", "2600:1f18::/32", "192.0.0.0/24"):
        assert non_public_block(public) is None, public

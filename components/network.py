"""Where the load balancer lives: the configured VPC and subnets, or the region's defaults."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

import pulumi_aws as aws

from components.config import NAMESPACE, ConfigError, StackConfig


@dataclass(frozen=True)
class Network:
    vpc_id: str
    vpc_cidr_blocks: tuple[str, ...]
    """Every CIDR block associated with the VPC: the primary IPv4 block first, then the
    secondary IPv4 blocks, then the IPv6 blocks (the VPC's first IPv6 block first)."""
    subnet_ids: tuple[str, ...]
    availability_zones: tuple[str, ...]


def resolve_network(config: StackConfig) -> Network:
    """Look up the VPC and subnets (data sources only: nothing is created).

    Raises ConfigError when the subnets do not span two Availability Zones, which AWS
    requires of an Application Load Balancer ("Availability Zones for your ALB", ALB docs),
    when a dualstack load balancer would sit in subnets without IPv6, or when an IP target
    cannot be registered or reached from where the VPC is (:func:`target_address_problems`).
    """
    if config.network is None:
        vpc = aws.ec2.get_vpc(default=True)
        subnet_ids = sorted(
            aws.ec2.get_subnets(
                filters=[
                    {"name": "vpc-id", "values": [vpc.id]},
                    {"name": "default-for-az", "values": ["true"]},
                ]
            ).ids
        )
        key = f"{NAMESPACE}:network"
    else:
        vpc = aws.ec2.get_vpc(id=config.network.vpc_id)
        subnet_ids = list(config.network.subnet_ids)
        key = f"{NAMESPACE}:network.subnetIds"
    zones = []
    ipv4_only = []
    for subnet_id in subnet_ids:
        subnet = aws.ec2.get_subnet(id=subnet_id)
        if subnet.vpc_id != vpc.id:
            raise ConfigError([f"{key}: {subnet_id} is in {subnet.vpc_id}, not in {vpc.id}"])
        zones.append(subnet.availability_zone)
        if not subnet.ipv6_cidr_block:
            ipv4_only.append(subnet_id)
    problems = []
    if len(set(zones)) < 2:
        problems.append(
            f"{key}: an Application Load Balancer needs subnets in at least two "
            f"Availability Zones (got {', '.join(sorted(set(zones))) or 'none'})"
        )
    ipv6_blocks = _associated(
        (a.ipv6_cidr_block, a.state) for a in vpc.ipv6_cidr_block_associations or []
    )
    vpc_ipv6_cidr = ipv6_blocks[0] if ipv6_blocks else None
    # "Dualstack requirements" (ALB docs, IP address types): the VPC and the load balancer's
    # subnets must have IPv6 CIDR blocks; the default VPC has none.
    if config.ip_address_type == "dualstack" and (vpc_ipv6_cidr is None or ipv4_only):
        missing = f"VPC {vpc.id}" if vpc_ipv6_cidr is None else ", ".join(ipv4_only)
        problems.append(
            f"{NAMESPACE}:ipAddressType: dualstack needs IPv6 CIDR blocks on the VPC and every "
            f"subnet ({missing} has none; the default VPC is IPv4-only: set {NAMESPACE}:network)"
        )
    ipv4_blocks = _associated(
        [(vpc.cidr_block, "associated")]
        + [(a.cidr_block, a.state) for a in vpc.cidr_block_associations or []]
    )
    problems += target_address_problems(config, vpc.id, ipv4_blocks)
    if problems:
        raise ConfigError(problems)
    return Network(
        vpc_id=vpc.id,
        vpc_cidr_blocks=tuple(ipv4_blocks + ipv6_blocks),
        subnet_ids=tuple(subnet_ids),
        availability_zones=tuple(zones),
    )


# "When the target type is ip, you can specify IP addresses from one of the following CIDR
# blocks: the subnets of the VPC for the target group, 10.0.0.0/8 (RFC 1918), 100.64.0.0/10
# (RFC 6598), 172.16.0.0/12 (RFC 1918), 192.168.0.0/16 (RFC 1918) ... You can't specify
# publicly routable IP addresses" ("Target groups for your Application Load Balancers", Target
# type).
IP_TARGET_RANGES = tuple(
    ipaddress.IPv4Network(block)
    for block in ("10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16")
)


def target_address_problems(
    config: StackConfig, vpc_id: str, vpc_ipv4_blocks: Iterable[str]
) -> list[str]:
    """Where each IP target of ``alb:services`` is: inside the VPC (its zone is found by AWS),
    or outside it in private address space, registered for every zone and reachable through
    ``alb:targetCidrs`` (the security group's egress beyond the VPC)."""
    vpc = [ipaddress.IPv4Network(block) for block in vpc_ipv4_blocks]
    beyond = [ipaddress.ip_network(cidr) for cidr in config.target_cidrs]
    described = f"VPC {vpc_id} ({', '.join(map(str, vpc))})"
    problems = []
    for name, service in sorted(config.services.items()):
        for index, target in enumerate(service.targets):
            if target.kind != "ip":
                continue
            key = f"{NAMESPACE}:services.{name}.targets[{index}]"
            address = ipaddress.IPv4Address(target.id)
            if any(address in block for block in vpc):
                if target.availability_zone is not None:
                    problems.append(
                        f"{key}.availabilityZone: {address} is in {described}, where AWS finds "
                        "the target's zone itself; remove availabilityZone"
                    )
                continue
            if not any(address in block for block in IP_TARGET_RANGES):
                problems.append(
                    f"{key}.id: {address} is outside {described} and not a private address "
                    "(10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16); AWS registers "
                    "no publicly routable IP address as a target"
                )
                continue
            if target.availability_zone != "all":
                problems.append(
                    f"{key}.availabilityZone: {address} is outside {described}, so AWS needs "
                    'availabilityZone "all" to register it'
                )
            if not any(address in block for block in beyond):
                problems.append(
                    f"{key}.id: {address} is outside {described} and outside "
                    f"{NAMESPACE}:targetCidrs, so the load balancer's security group lets no "
                    f"traffic reach it; add its network to {NAMESPACE}:targetCidrs"
                )
    return problems


# Blocks being added are usable as soon as the association completes; a block being removed
# (disassociating, disassociated) or one that failed holds no targets (the EC2 API's
# VpcCidrBlockStateCode: associating, associated, disassociating, disassociated, failing, failed).
_USABLE_STATES = frozenset({"associating", "associated"})


def _associated(blocks: Iterable[tuple[str, str]]) -> list[str]:
    """The usable blocks of a VPC's CIDR associations, each once, in the order AWS lists them."""
    return list(dict.fromkeys(cidr for cidr, state in blocks if cidr and state in _USABLE_STATES))

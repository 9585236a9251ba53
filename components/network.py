"""Where the load balancer lives: the configured VPC and subnets, or the region's defaults."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_aws as aws

from components.config import NAMESPACE, ConfigError, StackConfig


@dataclass(frozen=True)
class Network:
    vpc_id: str
    vpc_cidr: str
    vpc_ipv6_cidr: str | None
    subnet_ids: tuple[str, ...]
    availability_zones: tuple[str, ...]


def resolve_network(config: StackConfig) -> Network:
    """Look up the VPC and subnets (data sources only: nothing is created).

    Raises ConfigError when the subnets do not span two Availability Zones, which AWS
    requires of an Application Load Balancer ("Availability Zones for your ALB", ALB docs).
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
    for subnet_id in subnet_ids:
        subnet = aws.ec2.get_subnet(id=subnet_id)
        if subnet.vpc_id != vpc.id:
            raise ConfigError([f"{key}: {subnet_id} is in {subnet.vpc_id}, not in {vpc.id}"])
        zones.append(subnet.availability_zone)
    if len(set(zones)) < 2:
        raise ConfigError(
            [
                f"{key}: an Application Load Balancer needs subnets in at least two "
                f"Availability Zones (got {', '.join(sorted(set(zones))) or 'none'})"
            ]
        )
    return Network(
        vpc_id=vpc.id,
        vpc_cidr=vpc.cidr_block,
        vpc_ipv6_cidr=next(
            (a.ipv6_cidr_block for a in vpc.ipv6_cidr_block_associations or []), None
        ),
        subnet_ids=tuple(subnet_ids),
        availability_zones=tuple(zones),
    )

"""alb-multi-az: every application load balancer spans at least two Availability Zones.

An application load balancer takes at most one subnet per Availability Zone ("You can specify
only one subnet per Availability Zone", Application Load Balancer user guide,
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#availability-zones),
so its distinct subnets are its zones and the check needs no subnet lookup.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import UNKNOWN, checks_application_load_balancer, elements, lookup

NAME = "alb-multi-az"
# Security Hub ELB.13's default minAvailabilityZones.
DEFAULT_MIN_ZONES = 2


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not checks_application_load_balancer(args):
        return
    minimum = int(args.get_config().get("minAvailabilityZones", DEFAULT_MIN_ZONES))
    subnets = elements(lookup(args.props, "subnets"))
    mappings = elements(lookup(args.props, "subnetMappings"))
    if subnets is UNKNOWN or mappings is UNKNOWN:
        return
    assert isinstance(subnets, list) and isinstance(mappings, list)
    ids = subnets + [lookup(mapping, "subnetId") for mapping in mappings]
    # Each unknown ID is a subnet of its own: AWS refuses two subnets in one zone.
    known = {subnet for subnet in ids if isinstance(subnet, str)}
    unknown = sum(1 for subnet in ids if subnet is UNKNOWN)
    zones = len(known) + unknown
    if zones < minimum:
        report_violation(
            f"Load balancer {args.name!r} is in {zones} Availability Zone(s) "
            f"({', '.join(sorted(known)) or 'no subnets'}); give it subnets in at least "
            f"{minimum} zones.",
            None,
        )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "Every application load balancer has subnets in at least two Availability Zones."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        tags=["ELB.13"],
        config_schema=PolicyConfigSchema(
            properties={
                "minAvailabilityZones": {
                    "type": "integer",
                    "minimum": 2,
                    "maximum": 6,
                    "default": DEFAULT_MIN_ZONES,
                    "description": "The fewest Availability Zones a load balancer may span.",
                }
            }
        ),
        remediation_steps=(
            "Pass subnets (or subnet_mappings) from at least two Availability Zones, one subnet "
            "per zone, to the load balancer."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-subnets.html",
    )

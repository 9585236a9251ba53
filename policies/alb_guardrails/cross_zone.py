"""alb-cross-zone-enabled: cross-zone load balancing is never turned off.

An application load balancer always balances across zones at the load balancer level, but a
target group can opt out (``loadBalancingCrossZoneEnabled: "false"``), which then sends each
zone's traffic only to that zone's targets.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import TARGET_GROUP, UNKNOWN, checks_application_load_balancer, lookup, truth

NAME = "alb-cross-zone-enabled"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if checks_application_load_balancer(args):
        # Always on for application load balancers; absent means on.
        enabled = truth(lookup(args.props, "enableCrossZoneLoadBalancing"), default=True)
        if enabled is not UNKNOWN and not enabled:
            report_violation(
                f"Load balancer {args.name!r} sets enableCrossZoneLoadBalancing to false.", None
            )
    elif args.resource_type in TARGET_GROUP:
        # Absent is "use_load_balancer_configuration", which is on for an ALB.
        setting = lookup(args.props, "loadBalancingCrossZoneEnabled")
        if setting is False or (isinstance(setting, str) and setting.lower() == "false"):
            report_violation(
                f"Target group {args.name!r} turns cross-zone load balancing off "
                "(loadBalancingCrossZoneEnabled: false).",
                None,
            )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "Cross-zone load balancing is never turned off, on the load balancer or on a "
            "target group."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Remove enable_cross_zone_load_balancing=False from the load balancer and "
            "load_balancing_cross_zone_enabled='false' from target groups (or set them to true / "
            "'use_load_balancer_configuration')."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/disable-cross-zone.html",
    )

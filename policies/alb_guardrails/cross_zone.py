"""alb-cross-zone-enabled: an ALB's target groups never turn cross-zone load balancing off.

An application load balancer always balances across zones at the load balancer level, but a
target group can opt out (``loadBalancingCrossZoneEnabled: "false"``), which then sends each
zone's traffic only to that zone's targets. Network and gateway load balancer target groups
(protocol TCP, UDP, TLS, TCP_UDP, QUIC, TCP_QUIC or GENEVE) are left alone: cross-zone off is
their default. ``enableCrossZoneLoadBalancing`` on the ALB itself is never sent to AWS
(``alb-cross-zone-setting-ignored`` points it out).
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import TARGET_GROUP, is_application_target_group, lookup

NAME = "alb-cross-zone-enabled"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if (
        args.resource_type not in TARGET_GROUP
        or is_application_target_group(args.props) is not True
    ):
        return
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
        description="Target groups of application load balancers never turn cross-zone load "
        "balancing off.",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Remove load_balancing_cross_zone_enabled='false' from the HTTP/HTTPS target group "
            "(or set it to 'true' / 'use_load_balancer_configuration')."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/disable-cross-zone.html",
    )

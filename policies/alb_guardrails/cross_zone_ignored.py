"""alb-cross-zone-setting-ignored: ``enableCrossZoneLoadBalancing`` false on an ALB does nothing.

An application load balancer is always cross-zone, and the provider never sends the setting for
one: terraform-provider-aws (internal/service/elbv2/load_balancer.go, the
``enable_cross_zone_load_balancing`` attribute) lists only network and gateway load balancers
as its load balancer types, "Although this attribute is supported for ALBs, it must always be
true". The line is harmless but misleads a reader, so it is advisory.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import UNKNOWN, checks_application_load_balancer, lookup, truth

NAME = "alb-cross-zone-setting-ignored"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not checks_application_load_balancer(args):
        return
    enabled = truth(lookup(args.props, "enableCrossZoneLoadBalancing"), default=True)
    if enabled is not UNKNOWN and not enabled:
        report_violation(
            f"Load balancer {args.name!r} sets enableCrossZoneLoadBalancing to false, which an "
            "application load balancer ignores: it is always cross-zone, and the provider never "
            "sends the setting. Remove the line.",
            None,
        )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "Application load balancers do not set enableCrossZoneLoadBalancing to false, which "
            "has no effect on them."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        remediation_steps=(
            "Remove enable_cross_zone_load_balancing from the application load balancer; to keep "
            "a service's traffic in its zone, set load_balancing_cross_zone_enabled on its target "
            "group instead (which alb-cross-zone-enabled refuses)."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/disable-cross-zone.html",
    )

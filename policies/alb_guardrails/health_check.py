"""alb-target-group-health-check: HTTP(S) target groups say how their targets prove health."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import TARGET_GROUP, UNKNOWN, lookup, truth

NAME = "alb-target-group-health-check"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in TARGET_GROUP:
        return
    protocol = lookup(args.props, "protocol")
    if not (isinstance(protocol, str) and protocol.upper() in ("HTTP", "HTTPS")):
        return
    enabled = truth(lookup(args.props, "healthCheck", "enabled"), default=True)
    if enabled is not UNKNOWN and not enabled:
        report_violation(f"Target group {args.name!r} turns its health check off.", None)
        return
    missing = [
        field
        for field in ("path", "matcher")
        if (value := lookup(args.props, "healthCheck", field)) is not UNKNOWN
        and not (isinstance(value, str) and value)
    ]
    if missing:
        report_violation(
            f"Target group {args.name!r} leaves healthCheck.{' and healthCheck.'.join(missing)} "
            "to the defaults ('/' and '200'); name the endpoint and the codes that mean healthy.",
            None,
        )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description="HTTP(S) target groups set an explicit health check path and matcher.",
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        tags=["CKV_AWS_261"],
        remediation_steps=(
            "Set health_check={'path': '/healthz', 'matcher': '200-399', ...} on every HTTP or "
            "HTTPS target group."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
    )

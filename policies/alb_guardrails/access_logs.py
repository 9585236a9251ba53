"""alb-access-logs-enabled: every application load balancer writes access logs to a bucket."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import UNKNOWN, checks_application_load_balancer, lookup, truth

NAME = "alb-access-logs-enabled"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not checks_application_load_balancer(args):
        return
    # accessLogs.enabled defaults to false, even when a bucket is given (pulumi-aws lb docs).
    enabled = truth(lookup(args.props, "accessLogs", "enabled"), default=False)
    bucket = lookup(args.props, "accessLogs", "bucket")
    if enabled is UNKNOWN:
        return
    if not enabled:
        report_violation(
            f"Access logs are off on load balancer {args.name!r}; set accessLogs "
            "{enabled: true, bucket: <log bucket>}.",
            None,
        )
    elif bucket is not UNKNOWN and not (isinstance(bucket, str) and bucket):
        report_violation(f"Access logs on load balancer {args.name!r} name no bucket.", None)


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description="Access logs are enabled on every application load balancer, with a bucket.",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        tags=["ELB.5", "CKV_AWS_91"],
        remediation_steps=(
            "Set access_logs={'enabled': True, 'bucket': log_bucket.id, 'prefix': ...} on the "
            "load balancer, with a bucket in the same region whose policy lets Elastic Load "
            "Balancing write to it."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
    )

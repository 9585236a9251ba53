"""alb-drop-invalid-headers: application load balancers drop invalid HTTP header fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceRemediation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import (
    LOAD_BALANCER,
    UNKNOWN,
    is_application_load_balancer,
    lookup,
    truth,
    updated_props,
)

NAME = "alb-drop-invalid-headers"


def _drops_invalid_headers(args: ResourceValidationArgs) -> bool | None:
    """Whether the ALB drops invalid headers (absent means false); None when not applicable."""
    if args.resource_type not in LOAD_BALANCER or not is_application_load_balancer(args.props):
        return None
    value = truth(lookup(args.props, "dropInvalidHeaderFields"), default=False)
    return None if value is UNKNOWN else bool(value)


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if _drops_invalid_headers(args) is False:
        report_violation(
            f"Load balancer {args.name!r} forwards invalid HTTP header fields; set "
            "dropInvalidHeaderFields to true.",
            None,
        )


def remediate(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    if _drops_invalid_headers(args) is False:
        return updated_props(args.props, {"dropInvalidHeaderFields": True})
    return None


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description="Application load balancers drop invalid HTTP header fields.",
        validate=validate,
        # pulumi-policy takes the new props directly, though its type only names awaitables.
        remediate=cast(ResourceRemediation, remediate),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        tags=["ELB.4", "CKV_AWS_131"],
        remediation_steps=(
            "Set drop_invalid_header_fields=True on the load balancer (the API default is "
            "false). At the 'remediate' enforcement level the pack sets it for you."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes",
    )

"""alb-desync-mitigation: application load balancers mitigate HTTP desync (request smuggling)."""

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

from .common import LOAD_BALANCER, is_application_load_balancer, lookup, text, updated_props

NAME = "alb-desync-mitigation"

# Security Hub ELB.12 accepts exactly these (not customizable); AWS's default is "defensive".
ALLOWED_MODES = ("defensive", "strictest")
DEFAULT_MODE = "defensive"


def _weak_mode(args: ResourceValidationArgs) -> str | None:
    """The configured mode when it is too weak; None when fine, unknown or not applicable."""
    if args.resource_type not in LOAD_BALANCER or not is_application_load_balancer(args.props):
        return None
    mode = text(lookup(args.props, "desyncMitigationMode"))
    if mode is None or mode in ALLOWED_MODES:
        return None
    return mode


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    mode = _weak_mode(args)
    if mode is not None:
        report_violation(
            f"Load balancer {args.name!r} uses desync mitigation mode {mode!r}; use "
            "'defensive' or 'strictest'.",
            None,
        )


def remediate(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    if _weak_mode(args) is not None:
        return updated_props(args.props, {"desyncMitigationMode": DEFAULT_MODE})
    return None


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description="Application load balancers use desync mitigation mode defensive or strictest.",
        validate=validate,
        # pulumi-policy takes the new props directly, though its type only names awaitables.
        remediate=cast(ResourceRemediation, remediate),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        tags=["ELB.12", "CKV_AWS_328"],
        remediation_steps=(
            "Remove desync_mitigation_mode (AWS defaults to 'defensive') or set it to "
            "'defensive' or 'strictest'. At the 'remediate' enforcement level the pack sets "
            "'defensive' for you."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#desync-mitigation-mode",
    )

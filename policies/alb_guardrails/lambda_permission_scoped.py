"""alb-lambda-permission-scoped: a Lambda permission for Elastic Load Balancing names its target
group.

A permission for the principal ``elasticloadbalancing.amazonaws.com`` without ``sourceArn``
lets every target group of the account invoke the function, so any load balancer anyone in the
account points at it can reach it. "We recommend that you use the aws:SourceAccount and
aws:SourceArn condition keys to restrict function invocation to the specified target group"
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html,
Permissions to invoke the Lambda function). The policy applies to every program the pack
checks, not only this platform's.
"""

from __future__ import annotations

from typing import Final

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import UNKNOWN, Kind, lookup, text

NAME = "alb-lambda-permission-scoped"

LAMBDA_PERMISSION: Final = Kind(
    "Lambda permission", frozenset({"aws:lambda/permission:Permission"})
)
ELB_PRINCIPAL: Final = "elasticloadbalancing.amazonaws.com"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LAMBDA_PERMISSION:
        return
    principal = text(lookup(args.props, "principal"))
    if principal is None or principal.strip().lower() != ELB_PRINCIPAL:
        return
    source_arn = lookup(args.props, "sourceArn")
    # A value the engine learns at deployment (a target group's ARN in a first preview) is set.
    if source_arn is UNKNOWN or text(source_arn):
        return
    function = text(lookup(args.props, "function")) or "the function"
    report_violation(
        f"Lambda permission {args.name!r} lets Elastic Load Balancing invoke {function} for any "
        "target group in the account: it has no sourceArn. Set source_arn to the ARN of the "
        "target group that forwards to the function.",
        None,
    )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "A Lambda permission for elasticloadbalancing.amazonaws.com is scoped to one target "
            "group with sourceArn."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.MEDIUM,
        tags=["CKV_AWS_364"],
        remediation_steps=(
            "Give the aws.lambda_.Permission source_arn=<target group>.arn (and keep "
            "principal='elasticloadbalancing.amazonaws.com', action='lambda:InvokeFunction')."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html",
    )

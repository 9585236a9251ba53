"""alb-waf-attached: every internet-facing application load balancer sits behind AWS WAF."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import WEB_ACL_ASSOCIATION, StackView, describe, is_internet_facing

NAME = "alb-waf-attached"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackView(args.resources)
    for load_balancer in stack.load_balancers():
        if is_internet_facing(load_balancer.props) is not True:
            continue
        if not stack.referring(load_balancer, WEB_ACL_ASSOCIATION, "resourceArn"):
            report_violation(
                f"Internet-facing load balancer {describe(load_balancer)} has no WAFv2 web ACL "
                "association.",
                load_balancer.urn,
            )


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=NAME,
        description=(
            "Every internet-facing application load balancer has a WAFv2 web ACL association."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=["ELB.16", "CKV2_AWS_28"],
        remediation_steps=(
            "Create an aws.wafv2.WebAcl with scope='REGIONAL' and an "
            "aws.wafv2.WebAclAssociation(resource_arn=alb.arn, web_acl_arn=web_acl.arn)."
        ),
        url="https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html",
    )

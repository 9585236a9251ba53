"""alb-waf-attached: every internet-facing application load balancer sits behind AWS WAF.

Security Hub ELB.16 asks the same of internal load balancers; by default the pack leaves them
out (only the VPC reaches them, and their callers are usually behind a WAF already), and
``includeInternal: true`` applies the control as Security Hub does.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import (
    WEB_ACL_ASSOCIATION,
    StackView,
    config_flag,
    describe,
    flag_setting,
    is_internet_facing,
)

NAME = "alb-waf-attached"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackView(args.resources)
    include_internal = config_flag(args.get_config(), "includeInternal", default=False)
    for load_balancer in stack.load_balancers():
        facing = is_internet_facing(load_balancer.props)
        if facing is not True and not (include_internal and facing is False):
            continue
        if not stack.referring(load_balancer, WEB_ACL_ASSOCIATION, "resourceArn"):
            kind = "Internet-facing" if facing else "Internal"
            report_violation(
                f"{kind} load balancer {describe(load_balancer)} has no WAFv2 web ACL association.",
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
        config_schema=PolicyConfigSchema(
            properties={
                "includeInternal": flag_setting(
                    False, "Require a web ACL on internal load balancers too, as ELB.16 does."
                )
            }
        ),
        remediation_steps=(
            "Create an aws.wafv2.WebAcl with scope='REGIONAL' and an "
            "aws.wafv2.WebAclAssociation(resource_arn=alb.arn, web_acl_arn=web_acl.arn)."
        ),
        url="https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html",
    )

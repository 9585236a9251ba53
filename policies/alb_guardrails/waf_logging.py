"""waf-logging-enabled: every web ACL logs the requests it inspects."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import WEB_ACL, WEB_ACL_LOGGING, StackView, describe

NAME = "waf-logging-enabled"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackView(args.resources)
    for web_acl in stack.of(WEB_ACL):
        if not stack.referring(web_acl, WEB_ACL_LOGGING, "resourceArn"):
            report_violation(
                f"Web ACL {describe(web_acl)} has no logging configuration.", web_acl.urn
            )


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=NAME,
        description="Every WAFv2 web ACL has a logging configuration.",
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        tags=["WAF.11", "CKV2_AWS_31"],
        remediation_steps=(
            "Add an aws.wafv2.WebAclLoggingConfiguration(resource_arn=web_acl.arn, "
            "log_destination_configs=[<CloudWatch log group ARN named aws-waf-logs-...>])."
        ),
        url="https://docs.aws.amazon.com/waf/latest/developerguide/logging.html",
    )

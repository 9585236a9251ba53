"""alb-tls-policy: HTTPS listeners negotiate TLS 1.2 or later with an allowed security policy."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import LISTENER, UNKNOWN, config_flag, config_list, lookup, text

NAME = "alb-tls-policy"

# The security policy AWS applies to an HTTPS listener created without one through the API,
# CloudFormation or the CDK (and so through Pulumi): it still accepts TLS 1.0 and 1.1.
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
API_DEFAULT_POLICY = "ELBSecurityPolicy-2016-08"

# The Application Load Balancer security policies whose lowest protocol is TLS 1.2 or TLS 1.3
# ("Security policies for your Application Load Balancer", the TLS 1.3, FIPS, post-quantum,
# RFC 9151 and TLS 1.2 tables:
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html).
TLS12_OR_LATER_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP1-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP2-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP3-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP4-FIPS-2023-07",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
)

# Security Hub control ELB.17's sslPolicies parameter (not customizable):
# https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-17
SECURITY_HUB_ELB17_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
)


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LISTENER:
        return
    protocol = lookup(args.props, "protocol")
    if not (isinstance(protocol, str) and protocol.upper() == "HTTPS"):
        return
    ssl_policy = lookup(args.props, "sslPolicy")
    if ssl_policy is UNKNOWN:
        return
    chosen = text(ssl_policy) or API_DEFAULT_POLICY
    config = args.get_config()
    strict = config_flag(config, "securityHubStrict", default=False)
    allowed = (
        list(SECURITY_HUB_ELB17_POLICIES)
        if strict
        else config_list(config, "allowedPolicies", TLS12_OR_LATER_POLICIES)
    )
    if chosen in allowed:
        return
    source = "sslPolicy" if text(ssl_policy) else "sslPolicy is not set, so AWS applies"
    which = "Security Hub ELB.17's list" if strict else "the allowed TLS 1.2+ policies"
    report_violation(
        f"HTTPS listener {args.name!r}: {source} {chosen!r}, which is not in {which}; use for "
        "example 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' or "
        "'ELBSecurityPolicy-TLS13-1-2-2021-06'.",
        None,
    )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description="HTTPS listeners use an allowed TLS 1.2+/1.3 security policy.",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=["ELB.17", "CKV_AWS_103"],
        config_schema=PolicyConfigSchema(
            properties={
                "allowedPolicies": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": list(TLS12_OR_LATER_POLICIES),
                    "description": "ELB security policies an HTTPS listener may use.",
                },
                "securityHubStrict": {
                    "type": "boolean",
                    "default": False,
                    "description": (
                        "Allow only Security Hub ELB.17's recommended policies instead of "
                        "allowedPolicies."
                    ),
                },
            }
        ),
        remediation_steps=(
            "Set ssl_policy on every HTTPS listener to a TLS 1.2+ policy, for example "
            "'ELBSecurityPolicy-TLS13-1-2-2021-06' (or 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' "
            "under securityHubStrict). Never leave it unset: the API default "
            "ELBSecurityPolicy-2016-08 accepts TLS 1.0."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
    )

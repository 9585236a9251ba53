"""alb-tls-policy: HTTPS listeners negotiate TLS 1.2 or later with an allowed security policy.

Network load balancers' TLS listeners are held to the same list: Security Hub ELB.17, which
the policy's tags name, covers both, and the two share their TLS 1.2+ policy names.
"""

from __future__ import annotations

import json
from pathlib import Path

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import (
    LISTENER,
    UNKNOWN,
    config_flag,
    config_list,
    flag_setting,
    list_setting,
    lookup,
    text,
)

NAME = "alb-tls-policy"

# The security policy AWS applies to an HTTPS listener created without one through the API,
# CloudFormation or the CDK (and so through Pulumi): it still accepts TLS 1.0 and 1.1.
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
API_DEFAULT_POLICY = "ELBSecurityPolicy-2016-08"
_TLS_PROTOCOLS = frozenset({"HTTPS", "TLS"})

# The ELB security policies whose lowest protocol is TLS 1.2 or 1.3, and Security Hub ELB.17's
# list, with their AWS sources, live in one data file that the program's config validation
# reads too, so the two always agree.
_POLICY_TABLES = json.loads(
    (Path(__file__).with_name("elb_security_policies.json")).read_text(encoding="utf-8")
)
TLS12_OR_LATER_POLICIES: tuple[str, ...] = tuple(_POLICY_TABLES["tls12OrLater"])
SECURITY_HUB_ELB17_POLICIES: tuple[str, ...] = tuple(_POLICY_TABLES["securityHubElb17"])


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LISTENER:
        return
    protocol = lookup(args.props, "protocol")
    # ELB.17 covers ALB HTTPS listeners and NLB TLS listeners alike, and the API applies the
    # same default policy to both (pulumi-aws lb.Listener ssl_policy).
    if not (isinstance(protocol, str) and protocol.upper() in _TLS_PROTOCOLS):
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
        f"{protocol.upper()} listener {args.name!r}: {source} {chosen!r}, which is not in "
        f"{which}; use for example 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' or "
        "'ELBSecurityPolicy-TLS13-1-2-2021-06'.",
        None,
    )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "HTTPS listeners (and NLB TLS listeners) use an allowed TLS 1.2+/1.3 security policy."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=["ELB.17", "CKV_AWS_103"],
        config_schema=PolicyConfigSchema(
            properties={
                "allowedPolicies": list_setting(
                    TLS12_OR_LATER_POLICIES, "ELB security policies an HTTPS listener may use."
                ),
                "securityHubStrict": flag_setting(
                    False,
                    "Allow only Security Hub ELB.17's recommended policies instead of "
                    "allowedPolicies.",
                ),
            }
        ),
        remediation_steps=(
            "Set ssl_policy on every HTTPS (and TLS) listener to a TLS 1.2+ policy, for example "
            "'ELBSecurityPolicy-TLS13-1-2-2021-06' (or 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' "
            "under securityHubStrict). Never leave it unset: the API default "
            "ELBSecurityPolicy-2016-08 accepts TLS 1.0."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
    )

"""alb-target-group-encryption: load balancers reach their targets over TLS (off by default).

Security Hub ELB.22 fails a target group whose protocol is not HTTPS, TLS or QUIC (target
types ``lambda`` and ``alb`` and the GENEVE protocol excepted), and ELB.21 one whose health
check protocol is not HTTPS (Lambda targets excepted)
(https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-21). Both
controls cover network load balancer target groups too, and so does this policy.

It is disabled by default: stacks like this project's terminate TLS at the load balancer and
reach targets inside the VPC over HTTP, so re-encrypting to every target is a choice an
organisation makes (with certificates on every target), not a default. Turn it on with
``"alb-target-group-encryption": "advisory"`` (or ``"mandatory"``) in the policy config.
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

from .common import TARGET_GROUP, UNKNOWN, lookup, truth

NAME = "alb-target-group-encryption"

_ENCRYPTED: Final = frozenset({"HTTPS", "TLS", "QUIC"})
_NOT_APPLICABLE_TARGETS: Final = frozenset({"lambda", "alb"})


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in TARGET_GROUP:
        return
    target_type = lookup(args.props, "targetType")
    if target_type is UNKNOWN or target_type == "lambda":
        return
    protocol = lookup(args.props, "protocol")
    if isinstance(protocol, str):
        protocol = protocol.upper()
        if (
            target_type not in _NOT_APPLICABLE_TARGETS
            and protocol != "GENEVE"
            and protocol not in _ENCRYPTED
        ):
            report_violation(
                f"Target group {args.name!r} sends traffic to its targets over {protocol}, "
                "unencrypted (Security Hub ELB.22); use HTTPS (or TLS/QUIC on a network load "
                "balancer) with certificates on the targets.",
                None,
            )
    if truth(lookup(args.props, "healthCheck", "enabled"), default=True) is not True:
        return
    health_protocol = lookup(args.props, "healthCheck", "protocol")
    if health_protocol is UNKNOWN or protocol == "GENEVE":
        return
    if isinstance(health_protocol, str) and health_protocol.upper() == "HTTPS":
        return
    how = (
        f"over {health_protocol.upper()}"
        if isinstance(health_protocol, str)
        else "over the default protocol (healthCheck.protocol is not set)"
    )
    report_violation(
        f"Target group {args.name!r} runs its health checks {how}, unencrypted (Security Hub "
        "ELB.21); set healthCheck.protocol to HTTPS.",
        None,
    )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "Target groups use an encrypted protocol (HTTPS, TLS, QUIC) and HTTPS health checks; "
            "disabled by default, for organisations that encrypt to every target."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.DISABLED,
        severity=Severity.MEDIUM,
        tags=["ELB.21", "ELB.22"],
        remediation_steps=(
            "Create the target group with protocol='HTTPS' (a target group's protocol cannot be "
            "changed) and health_check={'protocol': 'HTTPS', ...}, and serve TLS on the targets; "
            "or leave this policy disabled where TLS ends at the load balancer."
        ),
        url="https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-22",
    )

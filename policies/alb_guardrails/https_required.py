"""alb-https-required: every application load balancer has an HTTPS listener with a certificate.

A stack policy: a listener names its load balancer (``loadBalancerArn``), so whether a load
balancer has an HTTPS listener is only visible across resources.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import UNKNOWN, StackView, describe, listener_protocol, lookup

NAME = "alb-https-required"


def _has_certificate(listener_props: object) -> bool:
    certificate = lookup(listener_props, "certificateArn")
    return certificate is UNKNOWN or (isinstance(certificate, str) and bool(certificate))


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackView(args.resources)
    for load_balancer in stack.load_balancers():
        listeners = stack.listeners_of(load_balancer)
        protocols = [listener_protocol(listener, load_balancer) for listener in listeners]
        if any(protocol is UNKNOWN for protocol in protocols):
            continue
        https = [
            listener
            for listener, protocol in zip(listeners, protocols, strict=True)
            if protocol == "HTTPS"
        ]
        if not https:
            report_violation(
                f"Load balancer {describe(load_balancer)} has no HTTPS listener; add a listener "
                "with protocol HTTPS, an ACM certificate and an allowed TLS policy.",
                load_balancer.urn,
            )
        elif not any(_has_certificate(listener.props) for listener in https):
            report_violation(
                f"Load balancer {describe(load_balancer)} has an HTTPS listener without a "
                "certificate; set certificateArn to an ACM certificate.",
                load_balancer.urn,
            )


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=NAME,
        description="Every application load balancer has an HTTPS listener with a certificate.",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=["ELB.18"],
        remediation_steps=(
            "Add an aws.lb.Listener with protocol='HTTPS', port=443, certificate_arn set to an "
            "ACM certificate ARN and ssl_policy set to an allowed TLS 1.2+ policy; serve the "
            "application's routes from that listener."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html",
    )

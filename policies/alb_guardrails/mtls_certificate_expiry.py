"""alb-mtls-certificate-expiry: a listener that verifies client certificates also refuses
expired ones.

In mutual TLS verify mode the load balancer checks each client certificate against the trust
store; ``ignoreClientCertificateExpiry`` true makes it accept certificates past their
``notAfter`` date, so a leaked certificate keeps working after it expires
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/mutual-authentication.html).
Absent is false, the AWS default. The platform's configuration sets it only when a stack asks
for it in ``alb:mtls.ignoreClientCertificateExpiry``.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import LISTENER, UNKNOWN, lookup, text, truth

NAME = "alb-mtls-certificate-expiry"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LISTENER:
        return
    mode = text(lookup(args.props, "mutualAuthentication", "mode"))
    if mode is None or mode.lower() != "verify":
        return
    ignored = truth(
        lookup(args.props, "mutualAuthentication", "ignoreClientCertificateExpiry"), default=False
    )
    if ignored is UNKNOWN or not ignored:
        return
    store = text(lookup(args.props, "mutualAuthentication", "trustStoreArn")) or "its trust store"
    report_violation(
        f"Listener {args.name!r} verifies client certificates against {store} but accepts "
        "expired ones (mutualAuthentication.ignoreClientCertificateExpiry is true).",
        None,
    )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "A listener in mutual TLS verify mode does not accept expired client certificates."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Remove ignore_client_certificate_expiry from the listener's mutual_authentication "
            "(or set it to false; in this platform, drop alb:mtls.ignoreClientCertificateExpiry) "
            "and reissue the clients' expired certificates."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/mutual-authentication.html",
    )

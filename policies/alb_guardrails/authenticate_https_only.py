"""alb-authenticate-https-only: authentication actions run on HTTPS listeners only.

``authenticate-oidc``, ``authenticate-cognito`` and ``jwt-validation`` are HTTPS-listener
actions (Application Load Balancer guide, "Action types for listener rules"; ELBv2 API
reference, Action: "[HTTPS listeners]"): on plain HTTP the bearer token, the session cookie and
the IdP's authorization code would cross the network in clear text. A stack policy, because a
rule's protocol is that of the listener its ``listenerArn`` names.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .actions import AUTHENTICATING, action_type, every_action_list
from .common import StackView

NAME = "alb-authenticate-https-only"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for found in every_action_list(StackView(args.resources)):
        # An unknown protocol, or a rule whose listener the stack does not declare, is decided
        # at deployment.
        if not isinstance(found.actions, list) or not isinstance(found.protocol, str):
            continue
        if found.protocol == "HTTPS":
            continue
        kinds = sorted({kind for a in found.actions if (kind := action_type(a)) in AUTHENTICATING})
        if kinds:
            listed = ", ".join(repr(kind) for kind in kinds)
            report_violation(
                f"{found.subject()} authenticates clients ({listed}) over {found.protocol}: "
                "authentication actions run on HTTPS listeners only, so that tokens and session "
                "cookies never cross the network in clear text.",
                found.owner.urn,
            )


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=NAME,
        description=(
            "Authentication actions (authenticate-oidc, authenticate-cognito, jwt-validation) "
            "appear only in the default actions of HTTPS listeners and in rules on HTTPS "
            "listeners."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        remediation_steps=(
            "Attach the authenticating rule to the HTTPS listener (listener_arn of the port-443 "
            "listener) and leave the HTTP listener a single redirect to HTTPS; a listener whose "
            "default action authenticates must use protocol 'HTTPS' with a certificate."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-action-types.html",
    )

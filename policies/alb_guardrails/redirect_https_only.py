"""alb-redirect-https-only: no redirect sends clients to plain HTTP.

A redirect's ``protocol`` is ``HTTP``, ``HTTPS`` or ``#{protocol}``, and absent means
``#{protocol}``: the protocol the request came in on (ELBv2 API reference,
RedirectActionConfig; pulumi-aws lb.Listener ``redirect.protocol``). So a redirect without a
protocol keeps clients on HTTP when it runs on an HTTP listener, and on HTTPS on an HTTPS one;
a stack policy, because a rule's protocol is its listener's.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .actions import action_type, every_action_list
from .common import UNKNOWN, StackView, lookup

NAME = "alb-redirect-https-only"

KEEP_PROTOCOL = "#{protocol}"


def _to_plain_http(action: Any, listener_protocol: Any) -> str | None:
    """Why a redirect sends clients to HTTP; None when it does not, or it is not known."""
    if action_type(action) != "redirect":
        return None
    protocol = lookup(action, "redirect", "protocol")
    if protocol is UNKNOWN or (protocol is not None and not isinstance(protocol, str)):
        return None
    if protocol is None or protocol.strip().lower() == KEEP_PROTOCOL:
        if listener_protocol != "HTTP":
            return None
        shown = "absent" if protocol is None else repr(protocol)
        return (
            f"redirects clients to plain HTTP: its protocol ({shown}) keeps the request's "
            "protocol, which is HTTP on this listener"
        )
    if protocol.strip().upper() != "HTTP":
        return None
    return f"redirects clients to plain HTTP (redirect protocol {protocol!r})"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for found in every_action_list(StackView(args.resources)):
        if not isinstance(found.actions, list):
            continue
        for action in found.actions:
            problem = _to_plain_http(action, found.protocol)
            if problem:
                report_violation(f"{found.subject()} {problem}.", found.owner.urn)
                break


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=NAME,
        description=(
            "No redirect, in a listener's default actions or a rule's actions on any listener, "
            "sends clients to plain HTTP (an absent protocol keeps the request's protocol)."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        remediation_steps=(
            "Set the redirect's protocol to 'HTTPS' (redirect={'protocol': 'HTTPS', 'port': "
            "'443', ...}), or, for a rule on the HTTPS listener, leave it absent so that it "
            "keeps HTTPS. A redirect on an HTTP listener always needs protocol 'HTTPS'."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RedirectActionConfig.html",
    )

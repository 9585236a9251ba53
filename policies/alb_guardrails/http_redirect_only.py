"""alb-http-redirect-only: plain-HTTP listeners only redirect to HTTPS.

A stack policy: a listener's protocol default depends on its load balancer's type, and a rule
belongs to a listener only through its ``listenerArn``.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import (
    LISTENER,
    LISTENER_RULE,
    UNKNOWN,
    StackView,
    describe,
    elements,
    listener_protocol,
    lookup,
)

NAME = "alb-http-redirect-only"


def _action_problem(action: Any) -> str | None:
    """Why an action on an HTTP listener is not a redirect to HTTPS (None when it is)."""
    if action is UNKNOWN:
        return None
    kind = lookup(action, "type")
    if kind is UNKNOWN:
        return None
    if kind != "redirect":
        verb = {"forward": "forwards", "fixed-response": "answers with a fixed response"}.get(
            str(kind), f"performs a {kind!r} action"
        )
        return f"{verb} instead of redirecting to HTTPS"
    protocol = lookup(action, "redirect", "protocol")
    if protocol is UNKNOWN or (isinstance(protocol, str) and protocol.upper() == "HTTPS"):
        return None
    # An absent redirect protocol keeps "#{protocol}", i.e. redirects HTTP back to HTTP.
    return f"redirects to protocol {protocol or '#{protocol}'!r} instead of HTTPS"


def _http_listeners(stack: StackView) -> list[PolicyResource]:
    return [
        listener
        for listener in stack.of(LISTENER)
        if listener_protocol(listener, stack.load_balancer_of(listener)) == "HTTP"
    ]


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackView(args.resources)
    http_listeners = _http_listeners(stack)
    for listener in http_listeners:
        actions = elements(lookup(listener.props, "defaultActions"))
        if actions is UNKNOWN or not isinstance(actions, list):
            continue
        if len(actions) != 1:
            report_violation(
                f"HTTP listener {describe(listener)} has {len(actions)} default actions; its only "
                "default action must redirect to HTTPS.",
                listener.urn,
            )
            continue
        problem = _action_problem(actions[0])
        if problem:
            report_violation(f"HTTP listener {describe(listener)} {problem}.", listener.urn)
    for rule in stack.of(LISTENER_RULE):
        listeners = stack.referenced(rule, LISTENER, "listenerArn")
        if not any(listener in http_listeners for listener in listeners):
            continue
        actions = elements(lookup(rule.props, "actions"))
        if not isinstance(actions, list):
            continue
        for action in actions:
            problem = _action_problem(action)
            if problem:
                report_violation(
                    f"Rule {describe(rule)} on HTTP listener {describe(listeners[0])} {problem}.",
                    rule.urn,
                )
                break


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=NAME,
        description=(
            "Every HTTP listener's only default action redirects to HTTPS, and no rule on an "
            "HTTP listener forwards or answers."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=["ELB.1", "CKV2_AWS_20", "CKV_AWS_2"],
        remediation_steps=(
            "Give the port-80 listener a single default action "
            "{type: 'redirect', redirect: {protocol: 'HTTPS', port: '443', status_code: "
            "'HTTP_301'}} and attach every forwarding or fixed-response rule to the HTTPS "
            "listener instead."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html",
    )

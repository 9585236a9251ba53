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
    number,
)

NAME = "alb-http-redirect-only"


# The HTTPS port browsers use when a URL names none.
HTTPS_PORT = 443


def _action_problem(action: Any, https_ports: set[int]) -> str | None:
    """Why an action on an HTTP listener is not a redirect to HTTPS (None when it is).

    A redirect must also name a port HTTPS is served on: an absent port keeps "#{port}", the
    port the request came in on, which sends the browser to https://host:80/.
    """
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
    port = lookup(action, "redirect", "port")
    if protocol is UNKNOWN or port is UNKNOWN:
        return None
    if not (isinstance(protocol, str) and protocol.upper() == "HTTPS"):
        # An absent redirect protocol keeps "#{protocol}", i.e. redirects HTTP back to HTTP.
        return f"redirects to protocol {protocol or '#{protocol}'!r} instead of HTTPS"
    allowed = {HTTPS_PORT} | https_ports
    if _port_number(port) in allowed:
        return None
    shown = ", ".join(str(p) for p in sorted(allowed))
    if port is None or port == "#{port}":
        return (
            "redirects to HTTPS on the port the request came in on (redirect port absent or "
            f"'#{{port}}', so https://host:80/); set the redirect port to {shown}"
        )
    return f"redirects to HTTPS on port {port!r}, where no HTTPS listener answers; use {shown}"


def _port_number(port: Any) -> int | None:
    """A redirect port (a string in the provider's schema) as a number, when it is one."""
    if isinstance(port, str):
        return int(port) if port.strip().isdigit() else None
    return number(port)


def _https_ports(stack: StackView, load_balancer: PolicyResource | None) -> set[int]:
    """The ports of a load balancer's HTTPS listeners."""
    if load_balancer is None:
        return set()
    return {
        port
        for listener in stack.listeners_of(load_balancer)
        if listener_protocol(listener, load_balancer) == "HTTPS"
        and (port := number(lookup(listener.props, "port"))) is not None
    }


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
        https_ports = _https_ports(stack, stack.load_balancer_of(listener))
        problem = _action_problem(actions[0], https_ports)
        if problem:
            report_violation(f"HTTP listener {describe(listener)} {problem}.", listener.urn)
    for rule in stack.of(LISTENER_RULE):
        listeners = stack.referenced(rule, LISTENER, "listenerArn")
        on_http = [listener for listener in listeners if listener in http_listeners]
        if not on_http:
            continue
        actions = elements(lookup(rule.props, "actions"))
        if not isinstance(actions, list):
            continue
        https_ports = _https_ports(stack, stack.load_balancer_of(on_http[0]))
        for action in actions:
            problem = _action_problem(action, https_ports)
            if problem:
                report_violation(
                    f"Rule {describe(rule)} on HTTP listener {describe(on_http[0])} {problem}.",
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

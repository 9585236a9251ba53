"""Listener actions as a load balancer runs them, for the policies about redirects and
authentication.

A listener runs its ``defaultActions`` when no rule matches and a rule its ``actions``; both are
lists of the same action type. Actions run by their ``order`` (lowest first; an action without
one takes its position in the list, 1-based: pulumi-aws lb.Listener ``defaultActions[].order``),
and a rule's actions run on the listener its ``listenerArn`` names, so a rule's protocol is its
listener's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import PolicyResource

from .common import (
    LISTENER,
    LISTENER_RULE,
    UNKNOWN,
    StackView,
    Unknown,
    describe,
    elements,
    listener_protocol,
    lookup,
    number,
)

# The routing actions: a rule or default action list has exactly one, and it runs last
# (Application Load Balancer guide, "Action types for listener rules", Action basics).
ROUTING: Final = frozenset({"forward", "redirect", "fixed-response"})
# The actions that authenticate a client before the routing action, each allowed on HTTPS
# listeners only (same page, "[HTTPS listeners]"; ELBv2 API reference, Action).
AUTHENTICATING: Final = frozenset({"authenticate-oidc", "authenticate-cognito", "jwt-validation"})


def action_type(action: Any) -> str | Unknown | None:
    """An action's type, lower-cased (the provider accepts any case); UNKNOWN or None."""
    kind = lookup(action, "type")
    if kind is UNKNOWN:
        return UNKNOWN
    return kind.lower() if isinstance(kind, str) else None


def action_lists(resource_type: str, props: Mapping[str, Any]) -> list[Any] | Unknown | None:
    """The actions a listener (its default actions) or a listener rule runs, in the order the
    inputs list them; None for any other resource, UNKNOWN when the list is unknown."""
    if resource_type in LISTENER:
        return elements(lookup(props, "defaultActions"))
    if resource_type in LISTENER_RULE:
        return elements(lookup(props, "actions"))
    return None


def actions_subject(resource_type: str, name: str) -> str:
    """How a resource policy's message names the actions it checks, to start a sentence."""
    if resource_type in LISTENER:
        return f"The default actions of listener {name!r}"
    return f"The actions of rule {name!r}"


def in_order(actions: list[Any]) -> list[Any] | None:
    """``actions`` in the order the load balancer runs them; None when an action or its order is
    unknown."""
    keyed = []
    for position, action in enumerate(actions, start=1):
        if action is UNKNOWN:
            return None
        order = lookup(action, "order")
        if order is UNKNOWN:
            return None
        keyed.append((number(order) or position, position, action))
    return [action for _, _, action in sorted(keyed, key=lambda item: item[:2])]


@dataclass(frozen=True)
class Actions:
    """One list of actions: a listener's default actions or a rule's actions."""

    owner: PolicyResource
    # The listener that runs them: the owner itself, a rule's listener, or None when the stack
    # does not declare it.
    listener: PolicyResource | None
    # That listener's protocol, upper-cased; UNKNOWN, or None without a listener.
    protocol: Any
    # The actions as listed (unknown items as UNKNOWN), or UNKNOWN when the list is.
    actions: list[Any] | Unknown

    @property
    def is_default(self) -> bool:
        return self.owner is self.listener

    def where(self) -> str:
        """How a message names these actions, e.g. "the default action of HTTP listener 'http'"."""
        protocol = f"{self.protocol} " if isinstance(self.protocol, str) else ""
        if self.is_default:
            return f"the default action of {protocol}listener {describe(self.owner)}"
        if self.listener is None:
            return f"rule {describe(self.owner)}"
        return f"rule {describe(self.owner)} on {protocol}listener {describe(self.listener)}"

    def subject(self) -> str:
        """:meth:`where`, to start a sentence."""
        where = self.where()
        return where[0].upper() + where[1:]


def every_action_list(stack: StackView) -> Iterator[Actions]:
    """Every listener's default actions and every rule's actions, with the listener's protocol."""
    protocols: dict[str, Any] = {}
    for listener in stack.of(LISTENER):
        protocol = listener_protocol(listener, stack.load_balancer_of(listener))
        protocols[listener.urn] = protocol
        yield Actions(
            listener, listener, protocol, elements(lookup(listener.props, "defaultActions"))
        )
    for rule in stack.of(LISTENER_RULE):
        listeners = stack.referenced(rule, LISTENER, "listenerArn")
        runs_on = listeners[0] if listeners else None
        yield Actions(
            rule,
            runs_on,
            protocols.get(runs_on.urn) if runs_on is not None else None,
            elements(lookup(rule.props, "actions")),
        )

"""alb-listener-rule-reachable: no listener rule is shadowed by an earlier rule.

A listener evaluates its rules from the lowest priority number up and stops at the first match.
A rule is unreachable when an earlier rule on the same listener matches every request it
matches: within a condition any value may match, and a rule matches when all its conditions
do, so rule A covers rule B when each of A's conditions is implied by one of B's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
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
    lookup,
    number,
    text,
)

NAME = "alb-listener-rule-reachable"


@dataclass(frozen=True)
class Condition:
    """One rule condition: its field (with the header name or query key) and its values."""

    field: str
    values: tuple[str, ...]


@lru_cache(maxsize=4096)
def _glob_covers_glob(wide: str, narrow: str) -> bool:
    """Whether every string ALB pattern ``narrow`` matches is matched by pattern ``wide``.

    ALB patterns have two wildcards, ``*`` (zero or more characters) and ``?`` (exactly one).
    A ``*`` in ``wide`` absorbs anything in ``narrow``; a ``?`` absorbs one character or ``?``
    but not a ``*``; a literal only matches the same literal. Sound, if not complete.
    """
    if not wide:
        return not narrow
    head, rest = wide[0], wide[1:]
    if head == "*":
        return any(_glob_covers_glob(rest, narrow[i:]) for i in range(len(narrow) + 1))
    if not narrow or narrow[0] == "*":
        return False
    if head == "?" or (head == narrow[0] and narrow[0] != "?"):
        return _glob_covers_glob(rest, narrow[1:])
    return False


def _glob_covers(ignore_case: bool) -> Callable[[str, str], bool]:
    def covers(wide: str, narrow: str) -> bool:
        if ignore_case:
            return _glob_covers_glob(wide.lower(), narrow.lower())
        return _glob_covers_glob(wide, narrow)

    return covers


def _cidr_covers(wide: str, narrow: str) -> bool:
    try:
        outer, inner = (
            ipaddress.ip_network(wide, strict=False),
            ipaddress.ip_network(narrow, strict=False),
        )
    except ValueError:
        return wide == narrow
    return outer.version == inner.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def _exact(wide: str, narrow: str) -> bool:
    return wide == narrow


# How one condition value covers another, per condition field. Path patterns are
# case-sensitive; host headers, HTTP headers and query strings are not.
_COVERS: dict[str, Callable[[str, str], bool]] = {
    "pathPattern": _glob_covers(ignore_case=False),
    "hostHeader": _glob_covers(ignore_case=True),
    "httpHeader": _glob_covers(ignore_case=True),
    "queryString": _glob_covers(ignore_case=True),
    "httpRequestMethod": _exact,
    "sourceIp": _cidr_covers,
}

# Values that match every request: every path starts with "/".
_MATCH_ALL: dict[str, frozenset[str]] = {
    "pathPattern": frozenset({"*", "/*"}),
    "hostHeader": frozenset({"*"}),
}
# Every client address is in one of these; a load balancer whose ipAddressType is ipv4 (the
# default) has IPv4 clients only, a dualstack one has IPv6 clients too.
_ANY_IPV4, _ANY_IPV6 = "0.0.0.0/0", "::/0"


def _query_strings(value: Any) -> tuple[str, ...] | None:
    """A query-string condition's ``key=value`` patterns; None when any part is unknown.

    A pair without a key matches the value under any key.
    """
    pairs = elements(value)
    if not isinstance(pairs, list):
        return None
    strings = []
    for pair in pairs:
        key, pattern = lookup(pair, "key"), lookup(pair, "value")
        if any(part is UNKNOWN for part in (pair, key, pattern)) or not isinstance(pattern, str):
            return None
        strings.append(f"{key if isinstance(key, str) and key else '*'}={pattern}")
    return tuple(strings)


def _conditions(rule: PolicyResource) -> list[Condition] | None:
    """A rule's conditions; None when any part is unknown or cannot be compared."""
    raw = elements(lookup(rule.props, "conditions"))
    if not isinstance(raw, list):
        return None
    conditions = []
    for condition in raw:
        if condition is UNKNOWN:
            return None
        for field in condition:
            value = lookup(condition, field)
            if value is None:
                continue
            if value is UNKNOWN or elements(lookup(value, "regexValues")) != []:
                return None
            if field == "queryStrings":
                strings = _query_strings(value)
                if strings is None:
                    return None
                conditions.append(Condition("queryString", strings))
                continue
            if field not in _COVERS:
                return None
            values = elements(lookup(value, "values"))
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                return None
            key = field
            if field == "httpHeader":
                header = text(lookup(value, "httpHeaderName"))
                if header is None:
                    return None
                key = f"httpHeader:{header.lower()}"
            conditions.append(Condition(key, tuple(values)))
    return conditions


def _implies(narrow: Condition, wide: Condition) -> bool:
    """Whether every request that meets ``narrow`` also meets ``wide``."""
    if narrow.field != wide.field:
        return False
    covers = _COVERS[wide.field.split(":")[0]]
    return all(any(covers(w, n) for w in wide.values) for n in narrow.values)


def _matches_everything(condition: Condition, ipv6_clients: bool) -> bool:
    values = set(condition.values)
    if condition.field == "sourceIp":
        return _ANY_IPV4 in values and (_ANY_IPV6 in values or not ipv6_clients)
    return bool(values & _MATCH_ALL.get(condition.field, frozenset()))


def covers(earlier: list[Condition], later: list[Condition], ipv6_clients: bool = True) -> bool:
    """Whether a rule with conditions ``earlier`` matches every request ``later`` matches.

    ``ipv6_clients``: whether the listener's load balancer may take IPv6 clients.
    """
    return all(
        _matches_everything(wide, ipv6_clients) or any(_implies(narrow, wide) for narrow in later)
        for wide in earlier
    )


@dataclass(frozen=True)
class _Rule:
    resource: PolicyResource
    priority: int
    conditions: list[Condition]


def _listener(stack: StackView, rule: PolicyResource) -> tuple[Any, bool]:
    """What identifies a rule's listener, and whether IPv6 clients may reach that listener."""
    listeners = stack.referenced(rule, LISTENER, "listenerArn")
    if not listeners:
        return text(lookup(rule.props, "listenerArn")), True
    load_balancer = stack.load_balancer_of(listeners[0])
    address_type = lookup(load_balancer.props, "ipAddressType") if load_balancer else UNKNOWN
    return listeners[0].urn, not (address_type is None or address_type == "ipv4")


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackView(args.resources)
    by_listener: dict[Any, list[_Rule]] = {}
    ipv6_clients: dict[Any, bool] = {}
    for resource in stack.of(LISTENER_RULE):
        listener, ipv6_clients[listener] = _listener(stack, resource)
        priority = number(lookup(resource.props, "priority"))
        conditions = _conditions(resource)
        # Without a listener, a known priority or comparable conditions there is nothing to
        # order; an absent priority is assigned by AWS after the highest existing one.
        if listener is None or priority is None or conditions is None:
            continue
        by_listener.setdefault(listener, []).append(_Rule(resource, priority, conditions))
    for listener, rules in by_listener.items():
        rules.sort(key=lambda rule: rule.priority)
        for index, later in enumerate(rules):
            for earlier in rules[:index]:
                if earlier.conditions and covers(
                    earlier.conditions, later.conditions, ipv6_clients[listener]
                ):
                    report_violation(
                        f"Rule {describe(later.resource)} (priority {later.priority}) is never "
                        f"reached: rule {describe(earlier.resource)} (priority "
                        f"{earlier.priority}) matches every request it matches.",
                        later.resource.urn,
                    )
                    break


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=NAME,
        description=(
            "No listener rule is shadowed by a higher-priority rule that matches everything it "
            "matches."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        remediation_steps=(
            "Give specific rules (longer paths, exact hosts) lower priority numbers than broad "
            "ones, or move a catch-all such as path '/*' to the listener's default action."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html",
    )

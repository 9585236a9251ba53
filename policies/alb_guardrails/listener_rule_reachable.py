"""alb-listener-rule-reachable: no listener rule is shadowed by an earlier rule, and none
waits for clients its load balancer never sees.

A listener evaluates its rules from the lowest priority number up and stops at the first match.
A rule is unreachable when an earlier rule on the same listener matches every request it
matches: within a condition any value may match, and a rule matches when all its conditions
do, so rule A covers rule B when each of A's conditions is implied by one of B's.

A rule also never matches when its source-ip condition allows only addresses the load balancer
cannot receive a connection from: an internet-facing load balancer sees every client by its
public address (a source-ip condition reads the connection's address, never X-Forwarded-For:
ELBv2 API reference, SourceIpConditionConfig), and only over the IP versions of its
``ipAddressType``.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
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
    is_internet_facing,
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


# Between a query-string pair's key and value (neither can hold a raw NUL), and what a pair
# without a key has before it.
_QUERY_SEPARATOR, _ANY_KEY = "\x00", ""
# In query strings, "\*" and "\?" are a literal star and question mark (ELBv2 API reference,
# QueryStringConditionConfig); as private-use characters they compare as plain literals.
_QUERY_LITERALS = {"\\*": "\ue000", "\\?": "\ue001"}


def _query_pattern(pattern: str) -> str:
    for escaped, literal in _QUERY_LITERALS.items():
        pattern = pattern.replace(escaped, literal)
    return pattern


def _query_pair_covers(wide: str, narrow: str) -> bool:
    """Whether query-string pair ``wide`` finds every pair ``narrow`` finds. A pair without a
    key finds its value under any key: it may cover a keyed pair, never the reverse."""
    wide_key, wide_value = wide.split(_QUERY_SEPARATOR, 1)
    narrow_key, narrow_value = narrow.split(_QUERY_SEPARATOR, 1)
    if wide_key != _ANY_KEY and (
        narrow_key == _ANY_KEY or not _glob_covers_glob(wide_key.lower(), narrow_key.lower())
    ):
        return False
    return _glob_covers_glob(wide_value.lower(), narrow_value.lower())


# How one condition value covers another, per condition field (ELBv2 API reference, the
# *ConditionConfig types): path patterns are case-sensitive; host names, HTTP header values
# and query-string keys and values are not; methods match exactly, case-sensitively, with no
# wildcards.
_COVERS: dict[str, Callable[[str, str], bool]] = {
    "pathPattern": _glob_covers(ignore_case=False),
    "hostHeader": _glob_covers(ignore_case=True),
    "httpHeader": _glob_covers(ignore_case=True),
    "queryString": _query_pair_covers,
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
    """A query-string condition's pairs, each its key and value pattern joined by
    ``_QUERY_SEPARATOR``; None when any part is unknown.

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
        key = _query_pattern(key) if isinstance(key, str) and key else _ANY_KEY
        strings.append(f"{key}{_QUERY_SEPARATOR}{_query_pattern(pattern)}")
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


# Blocks no client on the internet has as its source address, with their IANA source (shared
# with the stack configuration's check of sourceCidrs).
_NON_PUBLIC: dict[ipaddress.IPv4Network | ipaddress.IPv6Network, str] = {
    ipaddress.ip_network(cidr): description
    for cidr, description in json.loads(
        Path(__file__).with_name("non_public_networks.json").read_text(encoding="utf-8")
    )["networks"].items()
}
# The IP versions an internet-facing load balancer takes clients over, per ipAddressType
# (ELBv2 API reference, IpAddressType); absent is ipv4.
_CLIENT_VERSIONS: dict[Any, frozenset[int]] = {
    None: frozenset({4}),
    "ipv4": frozenset({4}),
    "dualstack": frozenset({4, 6}),
    "dualstack-without-public-ipv4": frozenset({6}),
}


def _why_never_seen(cidr: str, versions: frozenset[int]) -> str | None:
    """Why an internet-facing load balancer never sees a client in ``cidr``; None if it may."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None
    if network.version not in versions:
        return f"IPv{network.version}, which the load balancer takes no clients over"
    for block, description in _NON_PUBLIC.items():
        if block.version == network.version and network.subnet_of(block):  # type: ignore[arg-type]
            return f"in {block}, {description}"
    return None


def _source_values(rule: PolicyResource) -> list[list[str]] | None:
    """The values of each source-ip condition of a rule; None when any of them is unknown."""
    raw = elements(lookup(rule.props, "conditions"))
    if not isinstance(raw, list):
        return None
    found = []
    for condition in raw:
        source = lookup(condition, "sourceIp")
        if source is None:
            continue
        values = elements(lookup(source, "values"))
        if source is UNKNOWN or not isinstance(values, list):
            return None
        if not all(isinstance(value, str) for value in values):
            return None
        found.append(values)
    return found


def _never_matching_source(stack: StackView, rule: PolicyResource) -> str | None:
    """The reason a rule's source-ip condition can never match on its internet-facing load
    balancer, or None (it may match, or the stack does not say)."""
    listeners = stack.referenced(rule, LISTENER, "listenerArn")
    load_balancer = stack.load_balancer_of(listeners[0]) if listeners else None
    if load_balancer is None or is_internet_facing(load_balancer.props) is not True:
        return None
    versions = _CLIENT_VERSIONS.get(lookup(load_balancer.props, "ipAddressType"))
    conditions = _source_values(rule)
    if versions is None or not conditions:
        return None
    for values in conditions:
        reasons = [_why_never_seen(value, versions) for value in values]
        if values and all(reasons):
            listed = "; ".join(f"{v} ({r})" for v, r in zip(values, reasons, strict=True))
            return (
                f"load balancer {describe(load_balancer)} is internet-facing and sees every "
                f"client by its public address, but the rule's source-ip condition allows only "
                f"{listed}"
            )
    return None


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackView(args.resources)
    by_listener: dict[Any, list[_Rule]] = {}
    ipv6_clients: dict[Any, bool] = {}
    for resource in stack.of(LISTENER_RULE):
        listener, ipv6_clients[listener] = _listener(stack, resource)
        priority = number(lookup(resource.props, "priority"))
        never = _never_matching_source(stack, resource)
        if never is not None:
            at = f" (priority {priority})" if priority is not None else ""
            report_violation(
                f"Rule {describe(resource)}{at} never matches: {never}. Requests meant for it "
                "fall through to later rules or the listener's default action.",
                resource.urn,
            )
            continue
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
            "matches, and no rule on an internet-facing load balancer is limited to source "
            "addresses it never sees (private, non-routable, or an IP version it takes no "
            "clients over)."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        remediation_steps=(
            "Give specific rules (longer paths, exact hosts) lower priority numbers than broad "
            "ones, or move a catch-all such as path '/*' to the listener's default action. "
            "Limit sources on an internet-facing load balancer to the public addresses clients "
            "connect from (an office's NAT egress), or put the service on an internal load "
            "balancer."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html",
    )

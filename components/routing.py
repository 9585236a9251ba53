"""The routing model: every rule of the HTTPS listener, its priority, and whether it can match.

One rule type serves every kind of rule (a service's forward, the 403 that answers other
sources of a source-restricted service), with one priority assignment and one reachability
analysis, so a new kind of condition or action is a new value here, not a new code path.

Priorities are wedge-proof by construction. AWS refuses a priority that another rule of the
listener still holds (``PriorityInUse``), and the Pulumi engine runs creates and updates before
any delete. So:

- each rule's Pulumi resource is keyed by its priority (``<platform>-rule-<priority>``): a
  priority is never moved from one AWS rule to another. An edit that gives a priority to a
  different service updates that rule's conditions and actions in place (one ``ModifyRule``),
  and an edit that gives a service a new priority creates a rule at a priority that no rule
  held before (otherwise it would be the same resource), then deletes the old one;
- a service's automatic priority depends only on its own conditions and name, never on the
  other services, so adding, removing or editing one service does not touch another's rule;
- where that cannot give a valid order (two services on one slot, a narrower rule hashed
  after a broader one), the configuration is refused with the ``priority`` to set, instead
  of moving an existing rule.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from components import aws_facts

if TYPE_CHECKING:
    from components.config import RouteConfig, RuleConditionsConfig, ServiceConfig

NAMESPACE = "alb"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Automatic priorities: 100 specificity bands of 400 slots (band 100 ends at 40,400, within
# AWS's 1-50,000). A slot depends only on the service's own conditions and name.
BAND_WIDTH = 400
_BANDS = 100

# The answer a source-restricted service gives requests from other addresses.
FORBIDDEN_BODY = "Forbidden"


@dataclass(frozen=True)
class QueryString:
    """One key/value pair of a query-string condition; no key matches the value under any."""

    key: str | None
    value: str


@dataclass(frozen=True)
class Conditions:
    """What a rule matches: conditions are ANDed, the values of one condition ORed."""

    path_patterns: tuple[str, ...] = ()
    host_headers: tuple[str, ...] = ()
    source_cidrs: tuple[str, ...] = ()
    http_headers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Header name and its values; one condition per header, all of them ANDed."""
    methods: tuple[str, ...] = ()
    query_strings: tuple[QueryString, ...] = ()

    @classmethod
    def of(cls, source: RuleConditionsConfig) -> Conditions:
        return cls(
            path_patterns=tuple(source.path_patterns),
            host_headers=tuple(source.host_headers),
            source_cidrs=tuple(source.source_cidrs),
            http_headers=tuple(
                (name, tuple(values)) for name, values in sorted(source.http_headers.items())
            ),
            methods=tuple(source.methods),
            query_strings=tuple(QueryString(q.key, q.value) for q in source.query_strings),
        )

    @property
    def empty(self) -> bool:
        return self == Conditions()

    def without_sources(self) -> Conditions:
        return replace(self, source_cidrs=())


@dataclass(frozen=True)
class Forward:
    """Send the request to the service's target group (after its authentication, if any)."""

    service: str


@dataclass(frozen=True)
class FixedResponse:
    """Answer the request at the load balancer."""

    status_code: int
    content_type: str = "text/plain"
    body: str = ""


@dataclass(frozen=True)
class Redirect:
    """Send the client elsewhere; the ``#{...}`` placeholders keep that part of the request."""

    status_code: Literal["HTTP_301", "HTTP_302"]
    protocol: Literal["HTTPS"] = "HTTPS"
    host: str = "#{host}"
    port: str = "#{port}"
    path: str = "/#{path}"
    query: str = "#{query}"


Action = Forward | FixedResponse | Redirect


@dataclass(frozen=True)
class Rule:
    """One rule of the HTTPS listener."""

    owner: str
    """The service or route the rule belongs to."""
    priority: int
    conditions: Conditions
    action: Action
    explicit: bool
    """Whether the priority was set in config (``priority`` of the service or route)."""
    span: int = 1
    """How many consecutive priorities the owner's rules take from its own (2 for a service
    with a 403 rule for other sources)."""
    role: str = ""
    """What the rule does for its owner when it is not the owner's own rule."""
    kind: Literal["services", "routes"] = "services"

    @property
    def service(self) -> str | None:
        """The service whose target group the rule forwards to, if any."""
        return self.action.service if isinstance(self.action, Forward) else None

    @property
    def key(self) -> str:
        """The config key that places the rule: ``alb:services.NAME`` or ``alb:routes.NAME``."""
        return f"{NAMESPACE}:{self.kind}.{self.owner}"

    @property
    def label(self) -> str:
        """How messages name the rule."""
        return f"{self.key}'s {self.role}" if self.role else self.key

    @property
    def main_priority(self) -> int:
        """The priority of the owner's own rule (the one ``priority`` sets)."""
        return self.priority if not self.role else self.priority - 1


def automatic_priority(name: str, source: RuleConditionsConfig, *, salt: str = "") -> int:
    """The slot a service or route takes when it sets no ``priority``: its specificity band
    plus a hash of its name, so the more specific rule is evaluated first and no other
    service or route ever moves it. Routes hash as ``routes.NAME``, so a route and a service
    of one name do not land on one slot."""
    band = _BANDS - specificity(Conditions.of(source))
    return band * BAND_WIDTH + zlib.crc32((salt + name).encode()) % BAND_WIDTH + 1


def specificity(conditions: Conditions) -> int:
    """0-99, higher is more specific: exact hosts, long literal path prefixes, source limits,
    headers, methods and query strings."""
    score = 0
    if conditions.host_headers:
        exact = all("*" not in h and "?" not in h for h in conditions.host_headers)
        score += 30 if exact else 15
    if conditions.path_patterns:
        prefixes = [re.split(r"[*?]", p, maxsplit=1)[0] for p in conditions.path_patterns]
        score += min(*(len(p) for p in prefixes), 40)
        if all("*" not in p and "?" not in p for p in conditions.path_patterns):
            score += 10
    if conditions.source_cidrs:
        score += 10
    score += 10 * len(conditions.http_headers)
    if conditions.methods:
        score += 5
    if conditions.query_strings:
        score += 5
    return min(score, _BANDS - 1)


def plan_rules(
    services: Mapping[str, ServiceConfig],
    default_service: str | None,
    routes: Mapping[str, RouteConfig] | None = None,
) -> list[Rule]:
    """Every rule of the HTTPS listener, in priority order (not yet checked for clashes).

    The default service needs no rule unless it has conditions of its own (the listener's
    default action forwards to it). A source-restricted service gets a second rule right after
    its own that answers other sources with 403 (``denyOtherSources``), unless it is restricted
    by source alone: a rule needs a condition, and one matching every other request would end
    routing there.
    """
    rules: list[Rule] = []
    for name in sorted(services):
        service = services[name]
        conditions = Conditions.of(service)
        if conditions.empty:
            continue
        explicit = service.priority is not None
        priority = (
            service.priority if service.priority is not None else automatic_priority(name, service)
        )
        others = conditions.without_sources()
        restricted = bool(conditions.source_cidrs) and not others.empty
        companion = restricted and service.deny_other_sources
        span = 2 if companion else 1
        rules.append(Rule(name, priority, conditions, Forward(name), explicit, span))
        if companion:
            denied = FixedResponse(403, body=FORBIDDEN_BODY)
            role = "403 rule for other sources"
            rules.append(Rule(name, priority + 1, others, denied, explicit, span, role))
    for name, route in sorted((routes or {}).items()):
        priority = (
            route.priority
            if route.priority is not None
            else automatic_priority(name, route, salt="routes.")
        )
        action = route.then.action()
        explicit = route.priority is not None
        rules.append(Rule(name, priority, Conditions.of(route), action, explicit, kind="routes"))
    return sorted(rules, key=lambda rule: (rule.priority, rule.kind, rule.owner))


def clashes(rules: list[Rule]) -> list[str]:
    """Rules that need a priority another rule holds, each with the fix."""
    found = []
    taken = {rule.priority for rule in rules}
    holders: dict[int, Rule] = {}
    # Explicit priorities hold their slot; an automatic one that lands there is the one to move.
    for rule in sorted(rules, key=lambda r: (not r.explicit, r.kind, r.owner, r.priority)):
        if rule.priority > aws_facts.MAX_RULE_PRIORITY:
            found.append(
                f"{rule.key}.priority: its {rule.role} takes the next priority, "
                f"{rule.priority}, above AWS's {aws_facts.MAX_RULE_PRIORITY}; set a lower "
                "priority or denyOtherSources: false"
            )
            continue
        holder = holders.setdefault(rule.priority, rule)
        if holder is rule or holder.key == rule.key:
            continue
        if not rule.explicit:
            clash = (
                f"its {rule.role} takes {rule.priority} (after its automatic priority "
                f"{rule.main_priority}), which {holder.label} holds"
                if rule.role
                else f"its automatic priority {rule.priority} is held by {holder.label}"
            )
            found.append(
                f"{rule.key}: {clash}; set {rule.key}.priority to "
                f"{_free_slot(rule, taken, below=None)}"
            )
        elif rule.role:
            found.append(
                f"{rule.key}.priority: its {rule.role} takes the next priority, "
                f"{rule.priority}, which {holder.label} holds; set another priority or "
                "denyOtherSources: false"
            )
        else:
            found.append(f"{rule.key}.priority: {rule.priority} is already used by {holder.label}")
    return found


def shadowed(rules: list[Rule]) -> list[str]:
    """Rules that can never match, because a rule evaluated before matches all they match;
    each with the fix."""
    found = []
    taken = {rule.priority for rule in rules}
    owner = {rule.key: rule for rule in rules if not rule.role}
    # A service's 403 rule is never reported as unreachable on its own: whatever covers it
    # covers the service's own rule, which comes first and is reported.
    for index, later in enumerate(rules):
        if later.role:
            continue
        for earlier in rules[:index]:
            if earlier.key == later.key or not covers(earlier.conditions, later.conditions):
                continue
            message = (
                f"{later.key}: can never receive traffic (priority {later.priority}): "
                f"{earlier.label} (priority {earlier.priority}) is evaluated before it and "
                "matches every request it matches"
            )
            if covers(later.conditions, earlier.conditions):
                message += "; both match the same requests: make their conditions differ"
            elif earlier.role and covers(later.conditions, owner[earlier.key].conditions):
                # Evaluating it first would shadow the other service's own rule instead.
                message += f"; set {earlier.key}.denyOtherSources to false"
            else:
                message += (
                    f"; to evaluate it first, set {later.key}.priority to "
                    f"{_free_slot(later, taken, below=earlier.priority)}"
                )
            found.append(message)
            break
    return found


def _free_slot(rule: Rule, taken: set[int], *, below: int | None) -> int | str:
    """A free priority for the rule's service (its rules take ``span`` consecutive ones): the
    nearest at or after its own, or the nearest that ends before ``below``."""
    span = rule.span
    candidates: Iterable[int] = (
        range(rule.main_priority, aws_facts.MAX_RULE_PRIORITY - span + 2)
        if below is None
        else range(below - span, aws_facts.MIN_RULE_PRIORITY - 1, -1)
    )
    for slot in candidates:
        if all(slot + offset not in taken for offset in range(span)):
            return slot
    return "a free priority"


def covers(general: Conditions, specific: Conditions) -> bool:
    """True when a rule with ``general`` matches every request a rule with ``specific``
    matches. Sound: it answers True only when that holds for every request."""

    def pattern(case_sensitive: bool) -> Callable[[str, str], bool]:
        return lambda g, s: pattern_covers(g, s, case_sensitive=case_sensitive)

    def query(g: QueryString, s: QueryString) -> bool:
        # Keys and values match case-insensitively ("Query string conditions").
        if g.key is not None and (
            s.key is None or not pattern_covers(g.key, s.key, case_sensitive=False)
        ):
            return False
        return pattern_covers(g.value, s.value, case_sensitive=False)

    checks: list[tuple[tuple[Any, ...], tuple[Any, ...], Callable[[Any, Any], bool]]] = [
        # Paths match case-sensitively, host names and header values do not ("Condition
        # types for listener rules", ALB user guide); methods match exactly.
        (general.path_patterns, specific.path_patterns, pattern(True)),
        (general.host_headers, specific.host_headers, pattern(False)),
        (
            general.source_cidrs,
            specific.source_cidrs,
            lambda g, s: _subnet_of(ipaddress.ip_network(s), ipaddress.ip_network(g)),
        ),
        (general.methods, specific.methods, str.__eq__),
        (general.query_strings, specific.query_strings, query),
    ]
    specific_headers = {name.lower(): values for name, values in specific.http_headers}
    for name, values in general.http_headers:
        checks.append((values, specific_headers.get(name.lower(), ()), pattern(False)))
    for general_values, specific_values, value_covers in checks:
        if not general_values:
            continue  # the general rule does not constrain this dimension
        if not specific_values:
            return False  # the specific rule accepts values the general one rejects
        if not all(any(value_covers(g, s) for g in general_values) for s in specific_values):
            return False
    return True


def _subnet_of(inner: Network, outer: Network) -> bool:
    return inner.version == outer.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def pattern_covers(general: str, specific: str, *, case_sensitive: bool) -> bool:
    """True when every value matched by the ALB pattern ``specific`` is matched by ``general``.

    ALB patterns use ``*`` (any characters) and ``?`` (exactly one). The check is sound: it
    answers True only when the inclusion holds for every value, so a rule is never reported
    as unreachable by mistake (it may miss a contrived inclusion such as ``?*`` over ``*?``).
    """
    if not case_sensitive:
        general, specific = general.lower(), specific.lower()
    # Up to the general pattern's first wildcard, only the same literal characters match: most
    # pairs of rules differ there, and the search below is then not needed.
    literal = min(
        (general.find(wildcard) for wildcard in "*?" if wildcard in general), default=len(general)
    )
    if specific[:literal] != general[:literal]:
        return False

    @functools.cache
    def from_(i: int, j: int) -> bool:
        if j == len(specific):
            return all(char == "*" for char in general[i:])
        if i == len(general):
            return False
        wanted, given = general[i], specific[j]
        if wanted == "*":
            # The star matches nothing here, or takes the specific pattern's next piece.
            return from_(i + 1, j) or from_(i, j + 1)
        if given == "*":
            return False  # "?" or a literal cannot match a string of any length
        if wanted in ("?", given):
            return from_(i + 1, j + 1)
        return False

    return from_(0, 0)

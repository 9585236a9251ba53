"""alb-security-group-ingress: ALB security groups open only listener ports to the internet.

Ingress reaches a security group three ways, all checked: inline ``ingress`` blocks on
``aws:ec2/securityGroup``, ``aws:ec2/securityGroupRule`` resources of type ``ingress`` and
``aws:vpc/securityGroupIngressRule`` resources.

A security group allows the union of its rules, so the internet can arrive in pieces
(``0.0.0.0/1`` in one rule and ``128.0.0.0/1`` in another). A port counts as open to a public
CIDR when the rules that open it together hold every internet address of that CIDR, IPv4 and
IPv6 alike; each such rule that also opens something other than a listener port is reported.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import (
    SECURITY_GROUP,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
    UNKNOWN,
    StackView,
    config_list,
    describe,
    known_elements,
    list_setting,
    lookup,
    number,
    text,
)

NAME = "alb-security-group-ingress"
DEFAULT_PUBLIC_CIDRS = ("0.0.0.0/0", "::/0")
# Protocol names and numbers that allow every protocol and port (EC2 API: "-1" means all).
_ALL_PROTOCOLS = frozenset({"-1", "all"})
_TCP = frozenset({"tcp", "6"})
_UDP = frozenset({"udp", "17"})

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Address blocks no internet client comes from (IANA special-purpose registries), shared with
# alb-listener-rule-reachable and the stack configuration's sourceCidrs check.
_NOT_INTERNET: Final[tuple[Network, ...]] = tuple(
    ipaddress.ip_network(cidr)
    for cidr in json.loads(
        Path(__file__).with_name("non_public_networks.json").read_text(encoding="utf-8")
    )["networks"]
)
# Of IPv6, only global unicast is handed out (IANA IPv6 Address Space registry,
# https://www.iana.org/assignments/ipv6-address-space).
_IPV6_GLOBAL_UNICAST: Final[Network] = ipaddress.IPv6Network("2000::/3")


@dataclass(frozen=True)
class Ingress:
    """One ingress permission: where it is declared, protocol, port range and sources."""

    declared_on: PolicyResource
    protocol: str
    # None: absent.
    from_port: int | None
    to_port: int | None
    cidrs: tuple[str, ...]

    def ports(self) -> str:
        if self.protocol in _ALL_PROTOCOLS:
            return "all traffic"
        if self.from_port is None or self.to_port is None:
            # EC2 requires both ports for tcp, udp and icmp (IpPermission: "you must specify a
            # port range"), and two of the three resource types require them; this policy
            # reads a missing port as the end of the port space.
            return f"{self.protocol} without a port range"
        if self.from_port == self.to_port:
            return f"{self.protocol} {self.from_port}"
        return f"{self.protocol} {self.from_port}-{self.to_port}"


def _protocol(value: Any) -> str | None:
    if value is UNKNOWN or value is None:
        return None
    if isinstance(value, float | int):
        return str(int(value))
    return str(value).lower()


def _permission(
    declared_on: PolicyResource, props: Any, protocol_key: str, cidrs: Iterable[Any]
) -> Ingress | None:
    """The permission, or None when what it opens is not known yet (its protocol, or a port of
    a protocol other than -1, during a preview)."""
    protocol = _protocol(lookup(props, protocol_key))
    ports = [lookup(props, key) for key in ("fromPort", "toPort")]
    if protocol is None or (protocol not in _ALL_PROTOCOLS and UNKNOWN in ports):
        return None
    return Ingress(
        declared_on,
        protocol,
        number(ports[0]),
        number(ports[1]),
        tuple(cidr for cidr in cidrs if isinstance(cidr, str)),
    )


def _cidr_blocks(props: Any) -> list[Any]:
    """The IPv4 and IPv6 source lists of an inline ingress block or a security group rule."""
    return [
        cidr
        for key in ("cidrBlocks", "ipv6CidrBlocks")
        for cidr in known_elements(lookup(props, key))
    ]


def _declared(
    stack: StackView, group: PolicyResource
) -> Iterator[tuple[PolicyResource, Any, str, list[Any]]]:
    """Where each ingress permission of ``group`` is declared: the resource, the permission's
    props, the key of its protocol and its source CIDRs."""
    for block in known_elements(lookup(group.props, "ingress")):
        yield group, block, "protocol", _cidr_blocks(block)
    for rule in stack.referring(group, SECURITY_GROUP_RULE, "securityGroupId"):
        if lookup(rule.props, "type") == "ingress":
            yield rule, rule.props, "protocol", _cidr_blocks(rule.props)
    for rule in stack.referring(group, SECURITY_GROUP_INGRESS_RULE, "securityGroupId"):
        cidrs = [text(lookup(rule.props, key)) for key in ("cidrIpv4", "cidrIpv6")]
        yield rule, rule.props, "ipProtocol", cidrs


def _ingress(stack: StackView, group: PolicyResource) -> list[Ingress]:
    """The group's permissions that are known: one not known yet neither opens nor helps open
    anything until it is (an unknown value is never a violation)."""
    permissions = (_permission(*declared) for declared in _declared(stack, group))
    return [permission for permission in permissions if permission is not None]


def _networks(cidrs: Iterable[str]) -> list[Network]:
    found = []
    for cidr in cidrs:
        try:
            found.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError:
            continue  # AWS refuses it; nothing is opened
    return found


def _within(inner: Network, outer: Network) -> bool:
    """``inner`` is inside ``outer`` (never across IP versions)."""
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False


def _collapsed(networks: Iterable[Network]) -> list[Network]:
    """The fewest networks that hold the same addresses, per IP version."""
    items = list(networks)
    v4 = [n for n in items if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in items if isinstance(n, ipaddress.IPv6Network)]
    return [*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6)]


def _without(network: Network, reserved: Network) -> list[Network]:
    if _within(network, reserved):
        return []
    if _within(reserved, network):
        return list(network.address_exclude(reserved))  # type: ignore[arg-type]
    return [network]


@cache
def _internet_part(network: Network) -> tuple[Network, ...]:
    """The addresses of ``network`` that internet clients can come from.

    Special-purpose blocks that are not globally reachable (private-use, shared, loopback,
    link-local, documentation, multicast and reserved; ``non_public_networks.json``) are left
    out, and of IPv6 only global unicast (2000::/3) is in use. A configured public CIDR with no
    such part (a private range a team counts as public) stands for itself.
    """
    pieces: list[Network] = [network]
    if network.version == 6:
        pieces = [
            inner
            for inner, outer in ((network, _IPV6_GLOBAL_UNICAST), (_IPV6_GLOBAL_UNICAST, network))
            if _within(inner, outer)
        ][:1]
    for reserved in _NOT_INTERNET:
        pieces = [kept for piece in pieces for kept in _without(piece, reserved)]
    return tuple(_collapsed(pieces)) or (network,)


def _covers(sources: list[Network], target: Network) -> bool:
    """Whether the union of ``sources`` holds every internet address of ``target``."""
    union = _collapsed(sources)
    return all(any(_within(part, block) for block in union) for part in _internet_part(target))


def _reaches(ingress: Ingress, target: Network) -> bool:
    """Whether the permission lets in some internet address of ``target``."""
    return any(
        source.version == part.version and source.overlaps(part)
        for source in _networks(ingress.cidrs)
        for part in _internet_part(target)
    )


def _port_range(ingress: Ingress) -> tuple[int, int] | None:
    """The ports a TCP or UDP permission opens (None: every port, or a portless protocol)."""
    if _family(ingress.protocol) not in ("tcp", "udp"):
        return None
    return (ingress.from_port or 0, ingress.to_port if ingress.to_port is not None else 65535)


def _family(protocol: str) -> str:
    return "tcp" if protocol in _TCP else "udp" if protocol in _UDP else protocol


def _covering(permissions: list[Ingress], protocol: str, port: int | None) -> list[Ingress]:
    """The permissions that let in ``protocol`` traffic to ``port``."""
    found = []
    for other in permissions:
        if other.protocol in _ALL_PROTOCOLS:
            found.append(other)
            continue
        if _family(other.protocol) != protocol:
            continue
        ports = _port_range(other)
        if ports is None or port is None or ports[0] <= port <= ports[1]:
            found.append(other)
    return found


def _probes(
    ingress: Ingress, permissions: list[Ingress], listener_ports: set[int]
) -> Iterator[tuple[str, int | None]]:
    """(protocol, port) points that stand for every part of what ``ingress`` opens beyond the
    listener ports. More permissions cover a port only where a range starts (where one ends,
    fewer do, so whatever is open there is open just before it too): probing where each range
    starts, where ``ingress`` starts and, for TCP, just past each listener port finds every
    opening."""
    if ingress.protocol in _ALL_PROTOCOLS:
        families = {"tcp", "udp"} | {
            _family(other.protocol) for other in permissions if other.protocol not in _ALL_PROTOCOLS
        }
        span = (0, 65535)
    else:
        families = {_family(ingress.protocol)}
        span = _port_range(ingress) or (0, 65535)
    for family in sorted(families):
        if family not in ("tcp", "udp"):
            yield family, None
            continue
        starts = {span[0]}
        for other in permissions:
            ports = _port_range(other)
            if ports is not None:
                starts.add(ports[0])
        starts.update(port + 1 for port in listener_ports)
        for port in sorted(starts):
            if span[0] <= port <= span[1] and not (family == "tcp" and port in listener_ports):
                yield family, port


def _public_exposure(
    ingress: Ingress, permissions: list[Ingress], listener_ports: set[int], public: list[Network]
) -> tuple[Network, list[Ingress]] | None:
    """The public network and the permissions through which ``ingress`` opens something other
    than a listener port to all of its internet addresses, or None."""
    targets = [target for target in public if _reaches(ingress, target)]
    if not targets:
        return None
    for protocol, port in _probes(ingress, permissions, listener_ports):
        covering = _covering(permissions, protocol, port)
        sources = _networks(cidr for other in covering for cidr in other.cidrs)
        for target in targets:
            if _covers(sources, target):
                helpers = [
                    other
                    for other in covering
                    if other is not ingress and any(_reaches(other, t) for t in [target])
                ]
                return target, helpers
    return None


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackView(args.resources)
    public = _networks(config_list(args.get_config(), "publicCidrs", DEFAULT_PUBLIC_CIDRS))
    for load_balancer in stack.load_balancers():
        listeners = stack.listeners_of(load_balancer)
        ports = [number(lookup(listener.props, "port")) for listener in listeners]
        if any(lookup(listener.props, "port") is UNKNOWN for listener in listeners):
            continue
        listener_ports = {port for port in ports if port is not None}
        shown = ", ".join(str(port) for port in sorted(listener_ports)) or "no ports"
        for group in stack.referenced(load_balancer, SECURITY_GROUP, "securityGroups"):
            permissions = _ingress(stack, group)
            for ingress in permissions:
                exposure = _public_exposure(ingress, permissions, listener_ports, public)
                if exposure is None:
                    continue
                target, helpers = exposure
                own = ", ".join(sorted(ingress.cidrs))
                if _covers(_networks(ingress.cidrs), target):
                    reach = f"to {own}"
                else:
                    others = "; ".join(
                        f"{', '.join(sorted(other.cidrs))} ({describe(other.declared_on)})"
                        for other in helpers
                    )
                    reach = (
                        f"to {own}, which together with {others} lets in every internet "
                        f"address of {target}"
                    )
                report_violation(
                    f"Security group {describe(group)} of load balancer "
                    f"{describe(load_balancer)} opens {ingress.ports()} {reach}, but the load "
                    f"balancer listens on {shown}.",
                    ingress.declared_on.urn,
                )


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=NAME,
        description=(
            "An application load balancer's security groups open only its listener ports to "
            "the internet."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=["EC2.18"],
        config_schema=PolicyConfigSchema(
            properties={
                "publicCidrs": list_setting(
                    DEFAULT_PUBLIC_CIDRS, "Source CIDRs that count as the internet."
                )
            }
        ),
        remediation_steps=(
            "Limit the load balancer security group's internet-facing ingress to TCP on its "
            "listener ports (80 and 443); reach anything else through a narrower source CIDR "
            "or a security group reference."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html",
    )

"""alb-security-group-ingress: only listener ports are open to the internet."""

import ipaddress
import json

import pytest

from tests.harness import REPO
from tests.policies.policy_harness import (
    LB,
    SECURITY_GROUP,
    SG_INGRESS_RULE,
    SG_RULE,
    UNKNOWN,
    Res,
    as_preview,
    compliant_stack,
    hits,
)

POLICY = "alb-security-group-ingress"
SG_ID = "sg-0a1b2c3d4e5f60718"


def test_passes_when_only_80_and_443_are_public(run):
    assert hits(run(compliant_stack()), POLICY) == set()
    assert hits(run(as_preview(compliant_stack())), POLICY) == set()


def test_fails_on_inline_ssh_from_anywhere(run):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(
        {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
    )
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb-sg", "mandatory")}
    assert "tcp 22" in findings[0].message and "80, 443" in findings[0].message


def test_private_sources_may_reach_other_ports(run):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(
        {"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrBlocks": ["10.0.0.0/8"]}
    )
    assert hits(run(stack), POLICY) == set()


def test_fails_on_a_separate_vpc_ingress_rule(run):
    stack = compliant_stack()
    stack.add(
        Res(
            SG_INGRESS_RULE,
            "all-from-ipv6",
            {"securityGroupId": SG_ID, "ipProtocol": "-1", "cidrIpv6": "::/0"},
            refs={"securityGroupId": ["alb-sg"]},
        )
    )
    assert hits(run(stack), POLICY) == {"all-from-ipv6"}
    assert hits(run(as_preview(stack)), POLICY) == {"all-from-ipv6"}


def test_fails_on_a_separate_ec2_security_group_rule_port_range(run):
    stack = compliant_stack()
    stack.add(
        Res(
            SG_RULE,
            "wide-range",
            {
                "type": "ingress",
                "securityGroupId": SG_ID,
                "protocol": "tcp",
                "fromPort": 80,
                "toPort": 443,
                "cidrBlocks": ["0.0.0.0/0"],
            },
            refs={"securityGroupId": ["alb-sg"]},
        )
    )
    assert hits(run(stack), POLICY) == {"wide-range"}


@pytest.mark.parametrize(
    "public",
    [
        ["0.0.0.0/0", "::/0", "10.0.0.0/8"],
        ["10.0.0.0/8"],
        # Read as AWS reads a CIDR: host bits dropped (10.0.0.0/8).
        ["10.1.2.3/8"],
        # An entry that is not a CIDR matches no source; the others still count.
        ["office", "10.0.0.0/8"],
    ],
)
def test_public_cidrs_are_configurable(run, public):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(
        {"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrBlocks": ["10.0.0.0/8"]}
    )
    findings = run(stack, {POLICY: {"publicCidrs": public}})
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {
        ("alb-sg", "mandatory")
    }
    assert messages(findings) == [
        "Security group 'alb-sg' of load balancer 'alb' opens tcp 8080 to 10.0.0.0/8, but the "
        "load balancer listens on 80, 443."
    ]


# ------------------------------------------------------------------ the internet in pieces


def messages(findings):
    return [f.message.split("\n")[-1] for f in findings if f.policy == POLICY]


def inline(protocol, from_port, to_port, *cidrs):
    block = {"protocol": protocol, "fromPort": from_port, "toPort": to_port}
    v4 = [c for c in cidrs if ":" not in c]
    v6 = [c for c in cidrs if ":" in c]
    if v4:
        block["cidrBlocks"] = v4
    if v6:
        block["ipv6CidrBlocks"] = v6
    return block


def vpc_rule(name, protocol, port, cidr):
    key = "cidrIpv6" if ":" in cidr else "cidrIpv4"
    return Res(
        SG_INGRESS_RULE,
        name,
        {
            "securityGroupId": SG_ID,
            "ipProtocol": protocol,
            "fromPort": port,
            "toPort": port,
            key: cidr,
        },
        refs={"securityGroupId": ["alb-sg"]},
    )


# Every IPv4 address but the private-use ranges (RFC 1918): the internet, without 0.0.0.0/0.
PUBLIC_IPV4 = [
    str(network)
    for network in ipaddress.collapse_addresses(
        part
        for half in ipaddress.ip_network("0.0.0.0/0").address_exclude(
            ipaddress.ip_network("10.0.0.0/8")
        )
        for part in (
            half.address_exclude(ipaddress.ip_network("192.168.0.0/16"))
            if ipaddress.ip_network("192.168.0.0/16").subnet_of(half)
            else [half]
        )
    )
]


@pytest.mark.parametrize(
    "cidrs",
    [
        ("0.0.0.0/1", "128.0.0.0/1"),
        ("0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"),
        ("::/1", "8000::/1"),
        ("2000::/3",),
        tuple(PUBLIC_IPV4),
    ],
    ids=["ipv4-halves", "ipv4-quarters", "ipv6-halves", "ipv6-global-unicast", "ipv4-but-private"],
)
def test_the_internet_in_pieces_in_one_rule_fails(run, cidrs):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(inline("tcp", 22, 22, *cidrs))
    findings = run(stack)
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {
        ("alb-sg", "mandatory")
    }
    assert messages(findings) == [
        "Security group 'alb-sg' of load balancer 'alb' opens tcp 22 to "
        f"{', '.join(sorted(cidrs))}, but the load balancer listens on 80, 443."
    ]


def test_the_internet_in_pieces_across_rules_fails_on_each_piece(run):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(inline("tcp", 22, 22, "0.0.0.0/1"))
    stack.add(vpc_rule("ssh-upper-half", "tcp", 22, "128.0.0.0/1"))
    findings = run(stack)
    assert {f.resource for f in findings if f.policy == POLICY} == {"alb-sg", "ssh-upper-half"}
    assert sorted(messages(findings)) == [
        "Security group 'alb-sg' of load balancer 'alb' opens tcp 22 to 0.0.0.0/1, which "
        "together with 128.0.0.0/1 ('ssh-upper-half') lets in every internet address of "
        "0.0.0.0/0, but the load balancer listens on 80, 443.",
        "Security group 'alb-sg' of load balancer 'alb' opens tcp 22 to 128.0.0.0/1, which "
        "together with 0.0.0.0/1 ('alb-sg') lets in every internet address of 0.0.0.0/0, but "
        "the load balancer listens on 80, 443.",
    ]
    assert hits(run(as_preview(stack)), POLICY) == {"alb-sg", "ssh-upper-half"}


def test_ipv6_pieces_across_rules_fail(run):
    stack = compliant_stack()
    # The internet's IPv6 addresses are global unicast, 2000::/3: its two halves open it all.
    stack.add(vpc_rule("v6-lower", "tcp", 3389, "2000::/4"))
    stack.add(vpc_rule("v6-upper", "tcp", 3389, "3000::/4"))
    assert hits(run(stack), POLICY) == {"v6-lower", "v6-upper"}
    # ::/1 holds all of 2000::/3 on its own; 8000::/1 holds none of it.
    stack.add(vpc_rule("v6-first-half", "tcp", 3389, "::/1"))
    stack.add(vpc_rule("v6-second-half", "tcp", 3389, "8000::/1"))
    assert hits(run(stack), POLICY) == {"v6-lower", "v6-upper", "v6-first-half"}


def test_a_wide_rule_and_a_narrow_one_add_up_on_the_ports_they_share(run):
    stack = compliant_stack()
    # All traffic from one half, DNS from the other: udp 53 is open to the whole internet.
    stack.add(vpc_rule("everything-lower", "-1", 0, "0.0.0.0/1"))
    stack.add(vpc_rule("dns-upper", "udp", 53, "128.0.0.0/1"))
    findings = run(stack)
    assert {f.resource for f in findings if f.policy == POLICY} == {"everything-lower", "dns-upper"}
    assert "udp 53 to 128.0.0.0/1, which together with 0.0.0.0/1 ('everything-lower')" in " ".join(
        messages(findings)
    )


@pytest.mark.parametrize(
    "pieces",
    [
        # Listener ports may be open to the internet, in any number of pieces.
        [
            inline("tcp", 443, 443, "0.0.0.0/1"),
            inline("tcp", 443, 443, "128.0.0.0/1", "::/1", "8000::/1"),
        ],
        # Private ranges and an office's range are not the internet.
        [inline("tcp", 22, 22, "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8")],
        [inline("tcp", 22, 22, "203.0.113.0/24", "2001:db8:1234::/48")],
        # The halves open different ports: no port is open to the whole internet.
        [inline("tcp", 22, 22, "0.0.0.0/1"), inline("tcp", 23, 23, "128.0.0.0/1")],
        [inline("udp", 53, 53, "0.0.0.0/1"), inline("udp", 54, 54, "128.0.0.0/1")],
        [inline("tcp", 22, 22, "0.0.0.0/1"), inline("udp", 22, 22, "128.0.0.0/1")],
        [inline("icmp", -1, -1, "0.0.0.0/1"), inline("udp", 0, 65535, "128.0.0.0/1")],
    ],
    ids=[
        "listener-port",
        "private",
        "office",
        "different-ports",
        "different-udp-ports",
        "different-protocols",
        "icmp-and-udp",
    ],
)
def test_pieces_that_do_not_add_up_to_the_internet_pass(run, pieces):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].extend(pieces)
    assert hits(run(stack), POLICY) == set()


# ------------------------------------------------------------- every form AWS accepts

OPENS = "Security group 'alb-sg' of load balancer 'alb' opens {what} to {cidrs}, but the load "
OPENS += "balancer listens on 80, 443."


@pytest.mark.parametrize(
    ("protocol", "shown"),
    [
        ("tcp", "tcp"),
        ("TCP", "tcp"),
        ("6", "6"),
        (6.0, "6"),
        ("udp", "udp"),
        ("UDP", "udp"),
        ("17", "17"),
        (17.0, "17"),
    ],
)
@pytest.mark.parametrize("cidrs", [("0.0.0.0/0",), ("::/0",), ("0.0.0.0/0", "::/0")])
def test_a_port_open_to_the_internet_fails_for_every_spelling_and_address_family(
    run, protocol, shown, cidrs
):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(inline(protocol, 53, 53, *cidrs))
    assert messages(run(stack)) == [
        OPENS.format(what=f"{shown} 53", cidrs=", ".join(sorted(cidrs)))
    ]


@pytest.mark.parametrize("protocol", ["tcp", "TCP", "6", 6.0])
def test_listener_ports_pass_for_every_spelling_of_tcp(run, protocol):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"] = [
        inline(protocol, 80, 80, "0.0.0.0/0", "::/0"),
        inline(protocol, 443, 443, "0.0.0.0/0", "::/0"),
    ]
    assert hits(run(stack), POLICY) == set()


@pytest.mark.parametrize(
    ("protocol", "from_port", "to_port", "what"),
    [
        # UDP on a listener port is not what the listener serves.
        ("udp", 443, 443, "udp 443"),
        ("tcp", 80, 81, "tcp 80-81"),
        ("tcp", 443, 444, "tcp 443-444"),
        ("tcp", 0, 0, "tcp 0"),
        ("tcp", 8000, 8080, "tcp 8000-8080"),
        ("icmp", -1, -1, "icmp -1"),
        ("58", -1, -1, "58 -1"),
        ("-1", 0, 0, "all traffic"),
        ("all", 0, 0, "all traffic"),
        # A vpc ingress rule may leave its ports out, which EC2 refuses for tcp, udp and icmp
        # ("you must specify a port range"); read as open from port 0 or to port 65535.
        ("tcp", None, None, "tcp without a port range"),
        ("tcp", None, 80, "tcp without a port range"),
        ("tcp", 443, None, "tcp without a port range"),
        ("udp", None, None, "udp without a port range"),
        ("icmp", None, None, "icmp without a port range"),
        # -1 ignores ports (EC2: "traffic on all ports, regardless of any port range").
        ("-1", None, None, "all traffic"),
    ],
)
def test_what_a_rule_opens_beyond_the_listener_ports_is_named(
    run, protocol, from_port, to_port, what
):
    stack = compliant_stack()
    stack.add(vpc_rule("extra", protocol, from_port, "::/0"))
    for key, port in (("fromPort", from_port), ("toPort", to_port)):
        if port is None:
            del stack["extra"].inputs[key]
        else:
            stack["extra"].inputs[key] = port
    findings = run(stack)
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {
        ("extra", "mandatory")
    }
    assert messages(findings) == [OPENS.format(what=what, cidrs="::/0")]


def _internet_without_non_public(version):
    """Every address of one IP version that the policy's table does not call non-public."""
    table = json.loads(
        (REPO / "policies" / "alb_guardrails" / "non_public_networks.json").read_text("utf-8")
    )
    everything = [ipaddress.ip_network("0.0.0.0/0" if version == 4 else "2000::/3")]
    for cidr in table["networks"]:
        reserved = ipaddress.ip_network(cidr)
        if reserved.version != version:
            continue
        everything = [
            piece
            for network in everything
            for piece in (
                network.address_exclude(reserved)
                if reserved.subnet_of(network)
                else ([] if network.subnet_of(reserved) else [network])
            )
        ]
    return [str(network) for network in ipaddress.collapse_addresses(everything)]


@pytest.mark.parametrize("version", [4, 6])
def test_the_internet_without_its_non_public_blocks_is_still_the_internet(run, version):
    cidrs = _internet_without_non_public(version)
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(inline("tcp", 22, 22, *cidrs))
    assert messages(run(stack)) == [OPENS.format(what="tcp 22", cidrs=", ".join(sorted(cidrs)))]
    # One internet block left out: no longer every internet address.
    stack["alb-sg"].inputs["ingress"][-1] = inline("tcp", 22, 22, *cidrs[1:])
    assert hits(run(stack), POLICY) == set()


def test_a_wide_rule_on_one_half_and_a_port_range_on_the_other_fail_on_the_shared_ports(run):
    stack = compliant_stack()
    stack.add(vpc_rule("everything-v6-lower", "-1", 0, "2000::/4"))
    stack.add(vpc_rule("range-v6-upper", "tcp", 8000, "3000::/4"))
    stack["range-v6-upper"].inputs["toPort"] = 8080
    findings = run(stack)
    assert sorted(messages(findings)) == [
        "Security group 'alb-sg' of load balancer 'alb' opens all traffic to 2000::/4, which "
        "together with 3000::/4 ('range-v6-upper') lets in every internet address of ::/0, "
        "but the load balancer listens on 80, 443.",
        "Security group 'alb-sg' of load balancer 'alb' opens tcp 8000-8080 to 3000::/4, "
        "which together with 2000::/4 ('everything-v6-lower') lets in every internet address "
        "of ::/0, but the load balancer listens on 80, 443.",
    ]


@pytest.mark.parametrize(
    ("lower", "upper"),
    [("6", "tcp"), ("TCP", "6"), ("17", "udp"), ("UDP", "17")],
)
def test_pieces_add_up_whatever_the_spelling_of_their_protocol(run, lower, upper):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(inline(lower, 53, 53, "0.0.0.0/1"))
    stack.add(vpc_rule("dns-upper", upper, 53, "128.0.0.0/1"))
    # Protocols are shown as declared, in lower case.
    assert messages(run(stack)) == [
        together(f"{lower.lower()} 53", "0.0.0.0/1", "128.0.0.0/1 ('dns-upper')"),
        together(f"{upper.lower()} 53", "128.0.0.0/1", "0.0.0.0/1 ('alb-sg')"),
    ]


def together(protocol_ports, own, others, target="0.0.0.0/0"):
    return (
        f"Security group 'alb-sg' of load balancer 'alb' opens {protocol_ports} to {own}, which "
        f"together with {others} lets in every internet address of {target}, but the load "
        "balancer listens on 80, 443."
    )


def test_all_traffic_adds_up_with_a_portless_protocol(run):
    stack = compliant_stack()
    stack.add(vpc_rule("everything-lower", "-1", 0, "0.0.0.0/1"))
    stack.add(vpc_rule("icmp-upper", "icmp", -1, "128.0.0.0/1"))
    assert messages(run(stack)) == [
        together("all traffic", "0.0.0.0/1", "128.0.0.0/1 ('icmp-upper')"),
        together("icmp -1", "128.0.0.0/1", "0.0.0.0/1 ('everything-lower')"),
    ]


def test_all_traffic_is_probed_on_every_protocol_another_rule_opens(run):
    stack = compliant_stack()
    stack.add(vpc_rule("everything-lower", "-1", 0, "0.0.0.0/1"))
    # ICMP from a private range adds nothing; TCP 22 from the other half opens it all.
    stack.add(vpc_rule("icmp-private", "icmp", -1, "10.0.0.0/8"))
    stack.add(vpc_rule("ssh-upper", "tcp", 22, "128.0.0.0/1"))
    assert messages(run(stack)) == [
        together("all traffic", "0.0.0.0/1", "128.0.0.0/1 ('ssh-upper')"),
        together("tcp 22", "128.0.0.0/1", "0.0.0.0/1 ('everything-lower')"),
    ]


def test_a_message_names_every_rule_that_adds_up_and_each_of_its_sources(run):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(inline("-1", 0, 0, "128.0.0.0/2", "192.0.0.0/2"))
    stack.add(vpc_rule("everything-lower", "-1", 0, "0.0.0.0/1"))
    stack.add(vpc_rule("icmp-upper", "icmp", -1, "128.0.0.0/2"))
    # ICMP is the first protocol probed, where all three add up.
    assert messages(run(stack)) == [
        together(
            "all traffic",
            "128.0.0.0/2, 192.0.0.0/2",
            "0.0.0.0/1 ('everything-lower'); 128.0.0.0/2 ('icmp-upper')",
        ),
        together(
            "all traffic",
            "0.0.0.0/1",
            "128.0.0.0/2, 192.0.0.0/2 ('alb-sg'); 128.0.0.0/2 ('icmp-upper')",
        ),
        together(
            "icmp -1",
            "128.0.0.0/2",
            "128.0.0.0/2, 192.0.0.0/2 ('alb-sg'); 0.0.0.0/1 ('everything-lower')",
        ),
    ]


@pytest.mark.parametrize(
    "pieces",
    [
        # All traffic from one half, port 0 from the other: tcp 0 is open to the internet.
        [("-1", 0, 0, "0.0.0.0/1"), ("tcp", 0, 0, "128.0.0.0/1")],
        [("tcp", 0, 0, "0.0.0.0/1"), ("tcp", 0, 0, "128.0.0.0/1")],
    ],
    ids=["all-traffic-and-port-0", "port-0-twice"],
)
def test_port_0_is_a_port(run, pieces):
    stack = compliant_stack()
    for index, (protocol, from_port, to_port, cidr) in enumerate(pieces):
        stack.add(vpc_rule(f"piece-{index}", protocol, from_port, cidr))
        stack[f"piece-{index}"].inputs["toPort"] = to_port
    assert hits(run(stack), POLICY) == {"piece-0", "piece-1"}


def test_a_rule_is_judged_only_on_the_ports_it_opens(run):
    stack = compliant_stack()
    # Port 22 from half the internet; port 23, another rule's, from all of it.
    stack.add(vpc_rule("ssh-lower", "tcp", 22, "0.0.0.0/1"))
    stack.add(vpc_rule("telnet", "tcp", 23, "0.0.0.0/0"))
    assert messages(run(stack)) == [OPENS.format(what="tcp 23", cidrs="0.0.0.0/0")]


@pytest.mark.parametrize("separate", [True, False], ids=["two-rules", "one-rule"])
def test_ipv6_sources_do_not_fill_in_for_missing_ipv4_ones(run, separate):
    stack = compliant_stack()
    if separate:
        stack.add(vpc_rule("ssh-v4-half", "tcp", 22, "0.0.0.0/1"))
        stack.add(vpc_rule("ssh-v6", "tcp", 22, "::/0"))
        expected = [OPENS.format(what="tcp 22", cidrs="::/0")]
    else:
        stack["alb-sg"].inputs["ingress"].append(inline("tcp", 22, 22, "0.0.0.0/1", "::/0"))
        expected = [OPENS.format(what="tcp 22", cidrs="0.0.0.0/1, ::/0")]
    assert messages(run(stack)) == expected


@pytest.mark.parametrize(
    ("protocol", "unknown", "expected"),
    [
        ("tcp", "protocol", []),
        ("tcp", "fromPort", []),
        ("tcp", "toPort", []),
        ("udp", "fromPort", []),
        # -1 ignores ports, so what it opens is known.
        ("-1", "toPort", [OPENS.format(what="all traffic", cidrs="0.0.0.0/0")]),
    ],
)
def test_a_rule_not_known_yet_is_judged_once_it_is(run, protocol, unknown, expected):
    stack = compliant_stack()
    rule = inline(protocol, 22, 22, "0.0.0.0/0")
    rule[unknown] = UNKNOWN
    stack["alb-sg"].inputs["ingress"].append(rule)
    assert messages(run(stack)) == expected


def test_a_load_balancer_whose_listener_port_is_not_known_yet_is_judged_once_it_is(run):
    stack = compliant_stack()
    stack["https"].inputs["port"] = UNKNOWN
    # Another load balancer, without listeners, whose group lets all traffic in.
    stack.add(
        Res(
            SECURITY_GROUP,
            "open-sg",
            {"vpcId": "vpc-0a1b2c3d", "ingress": [inline("-1", 0, 0, "0.0.0.0/0")]},
            {"id": "sg-0f0e0d0c0b0a09080"},
        )
    )
    stack.add(
        Res(
            LB,
            "bare",
            {
                "loadBalancerType": "application",
                "subnets": ["subnet-0aa11bb22", "subnet-0cc33dd44"],
                "securityGroups": ["sg-0f0e0d0c0b0a09080"],
            },
            refs={"securityGroups": ["open-sg"]},
        )
    )
    assert messages(run(stack)) == [
        "Security group 'open-sg' of load balancer 'bare' opens all traffic to 0.0.0.0/0, but "
        "the load balancer listens on no ports."
    ]


def ec2_rule(name, protocol, port, cidr, kind="ingress"):
    key = "ipv6CidrBlocks" if ":" in cidr else "cidrBlocks"
    inputs = {"type": kind, "securityGroupId": SG_ID, "protocol": protocol, key: [cidr]}
    inputs |= {"fromPort": port, "toPort": port}
    return Res(SG_RULE, name, inputs, refs={"securityGroupId": ["alb-sg"]})


@pytest.mark.parametrize("declared_as", ["inline", "ec2-rule", "vpc-rule"])
def test_pieces_add_up_however_they_are_declared(run, declared_as):
    stack = compliant_stack()
    stack["alb-sg"].inputs["ingress"].append(inline("tcp", 22, 22, "0.0.0.0/1"))
    # Egress lets nothing in.
    stack.add(ec2_rule("all-out", "-1", 0, "0.0.0.0/0", kind="egress"))
    upper = {"inline": "alb-sg", "ec2-rule": "ssh-upper", "vpc-rule": "ssh-upper"}[declared_as]
    if declared_as == "inline":
        stack["alb-sg"].inputs["ingress"].append(inline("tcp", 22, 22, "128.0.0.0/1"))
    elif declared_as == "ec2-rule":
        stack.add(ec2_rule("ssh-upper", "tcp", 22, "128.0.0.0/1"))
    else:
        stack.add(vpc_rule("ssh-upper", "tcp", 22, "128.0.0.0/1"))
    assert messages(run(stack)) == [
        together("tcp 22", "0.0.0.0/1", f"128.0.0.0/1 ('{upper}')"),
        together("tcp 22", "128.0.0.0/1", "0.0.0.0/1 ('alb-sg')"),
    ]


def test_a_range_that_ends_at_a_listener_port_adds_up_where_it_starts(run):
    stack = compliant_stack()
    stack.add(vpc_rule("everything-lower", "-1", 0, "0.0.0.0/1"))
    stack.add(vpc_rule("range-upper", "tcp", 400, "128.0.0.0/1"))
    stack["range-upper"].inputs["toPort"] = 443
    assert messages(run(stack)) == [
        together("all traffic", "0.0.0.0/1", "128.0.0.0/1 ('range-upper')"),
        together("tcp 400-443", "128.0.0.0/1", "0.0.0.0/1 ('everything-lower')"),
    ]


def test_a_missing_to_port_reads_as_the_last_port(run):
    stack = compliant_stack()
    stack["https"].inputs["port"] = 65535
    https = stack["alb-sg"].inputs["ingress"][1]
    https["fromPort"] = 65535
    del https["toPort"]
    # It opens only the listener port, 65535.
    assert messages(run(stack)) == []


def test_all_traffic_is_named_with_the_rules_that_add_up_from_port_0(run):
    stack = compliant_stack()
    stack.add(vpc_rule("everything-lower", "-1", 0, "0.0.0.0/1"))
    stack.add(vpc_rule("everything-upper", "-1", 0, "128.0.0.0/1"))
    stack.add(vpc_rule("ssh-office", "tcp", 22, "52.95.110.0/24"))
    # TCP 0 is the first port probed: only the two halves open it.
    assert messages(run(stack)) == [
        together("all traffic", "0.0.0.0/1", "128.0.0.0/1 ('everything-upper')"),
        together("all traffic", "128.0.0.0/1", "0.0.0.0/1 ('everything-lower')"),
        together(
            "tcp 22",
            "52.95.110.0/24",
            "0.0.0.0/1 ('everything-lower'); 128.0.0.0/1 ('everything-upper')",
        ),
    ]

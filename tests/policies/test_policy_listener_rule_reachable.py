"""alb-listener-rule-reachable: no rule is shadowed by an earlier one."""

import pytest
from alb_guardrails.listener_rule_reachable import Condition, covers

from tests.policies.policy_harness import UNKNOWN, add_rule, as_preview, compliant_stack, hits

POLICY = "alb-listener-rule-reachable"


def test_passes_when_specific_rules_come_first(run):
    stack = compliant_stack()
    add_rule(stack, "web", 100, {"pathPattern": {"values": ["/*"]}})
    assert hits(run(stack), POLICY) == set()


def test_fails_when_a_catch_all_comes_first(run):
    stack = compliant_stack()
    add_rule(stack, "web", 1, {"pathPattern": {"values": ["/*"]}})
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("api-route", "advisory")}
    assert "'web'" in findings[0].message and "priority 1" in findings[0].message
    assert hits(run(as_preview(stack)), POLICY) == {"api-route"}


def test_rules_on_different_listeners_do_not_shadow(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "web",
        1,
        {"pathPattern": {"values": ["/*"]}},
        listener="http",
        actions=[{"type": "redirect", "redirect": {"protocol": "HTTPS", "statusCode": "HTTP_301"}}],
    )
    assert hits(run(stack), POLICY) == set()


def test_a_narrower_earlier_rule_does_not_shadow(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "api-v1",
        5,
        {"pathPattern": {"values": ["/api/v1/*"]}},
        {"hostHeader": {"values": ["a.example.com"]}},
    )
    assert hits(run(stack), POLICY) == set()


def path(*values):
    return Condition("pathPattern", values)


@pytest.mark.parametrize(
    ("earlier", "later", "shadowed"),
    [
        ([path("/api/*")], [path("/api/v1/*")], True),
        ([path("/api/v1/*")], [path("/api/*")], False),
        ([path("/a?")], [path("/a*")], False),
        ([path("/API/*")], [path("/api/x")], False),
        (
            [Condition("hostHeader", ("*.Example.com",))],
            [Condition("hostHeader", ("a.example.com",))],
            True,
        ),
        ([path("/api/*")], [path("/api/x"), Condition("hostHeader", ("a.example.com",))], True),
        ([path("/api/*"), Condition("hostHeader", ("a.example.com",))], [path("/api/x")], False),
        ([Condition("sourceIp", ("10.0.0.0/8",))], [Condition("sourceIp", ("10.1.0.0/16",))], True),
        ([path("/*")], [Condition("hostHeader", ("a.example.com",))], True),
    ],
)
def test_covers(earlier, later, shadowed):
    assert covers(earlier, later) is shadowed


def test_an_unknown_query_string_key_is_not_read_as_any_key(run):
    # At preview a key built from another resource's output is unknown; it may be any key, so
    # the earlier rule cannot be shown to cover the later one.
    stack = compliant_stack()
    add_rule(stack, "flag", 1, {"queryStrings": [{"key": UNKNOWN, "value": "on"}]})
    add_rule(stack, "beta", 2, {"queryStrings": [{"key": "beta", "value": "on"}]})
    assert hits(run(stack), POLICY) == set()


def test_a_query_string_without_a_key_matches_any_key(run):
    stack = compliant_stack()
    add_rule(stack, "flag", 1, {"queryStrings": [{"value": "on"}]})
    add_rule(stack, "beta", 2, {"queryStrings": [{"key": "beta", "value": "on"}]})
    assert hits(run(stack), POLICY) == {"beta"}


def test_an_empty_regex_value_list_still_compares(run):
    # The proxies hand lists over as Sequences, which never equal a Python list.
    stack = compliant_stack()
    add_rule(stack, "web", 1, {"pathPattern": {"values": ["/*"], "regexValues": []}})
    assert hits(run(stack), POLICY) == {"api-route"}


def test_regex_conditions_are_not_compared(run):
    stack = compliant_stack()
    add_rule(stack, "web", 1, {"pathPattern": {"regexValues": ["^/.*$"]}})
    assert hits(run(stack), POLICY) == set()


def test_an_ipv4_catch_all_source_shadows_only_on_an_ipv4_load_balancer(run):
    # A dualstack load balancer also takes IPv6 clients, which 0.0.0.0/0 does not match.
    stack = compliant_stack()
    add_rule(stack, "ipv4", 1, {"sourceIp": {"values": ["0.0.0.0/0"]}})
    assert hits(run(stack), POLICY) == {"api-route"}
    stack["alb"].inputs["ipAddressType"] = "dualstack"
    assert hits(run(stack), POLICY) == set()
    stack["alb"].inputs["ipAddressType"] = UNKNOWN
    assert hits(run(stack), POLICY) == set()
    add_rule(stack, "any-address", 2, {"sourceIp": {"values": ["0.0.0.0/0", "::/0"]}})
    assert hits(run(stack), POLICY) == {"api-route"}


# --- source-ip conditions an internet-facing load balancer never sees -----------------------

FALLS_THROUGH = (
    "Requests meant for it fall through to later rules or the listener's default action."
)


def findings(run, stack):
    """(resource, level, message) of each violation; over the protocol the engine's message
    starts with the policy's description on a line of its own."""
    return [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in run(stack) if f.policy == POLICY
    ]


def admin_rule(stack, *sources, priority=5):
    return add_rule(
        stack,
        "admin",
        priority,
        {"pathPattern": {"values": ["/admin/*"]}},
        {"sourceIp": {"values": list(sources)}},
    )


def test_a_private_source_on_an_internet_facing_load_balancer_never_matches(run):
    stack = compliant_stack()
    admin_rule(stack, "10.0.0.0/8", "192.168.0.0/16")
    assert findings(run, stack) == [
        (
            "admin",
            "advisory",
            "Rule 'admin' (priority 5) never matches: load balancer 'alb' is internet-facing "
            "and sees every client by its public address, but the rule's source-ip condition "
            "allows only 10.0.0.0/8 (in 10.0.0.0/8, private-use (RFC 1918)); 192.168.0.0/16 "
            "(in 192.168.0.0/16, private-use (RFC 1918)). " + FALLS_THROUGH,
        )
    ]
    # At the first preview the listener's ARN is unknown: the rule's property dependency still
    # leads to the listener and its load balancer.
    assert hits(run(as_preview(stack)), POLICY) == {"admin"}


@pytest.mark.parametrize(
    ("source", "block"),
    [
        (
            "100.64.0.0/10",
            "in 100.64.0.0/10, shared address space for carrier-grade NAT (RFC 6598)",
        ),
        ("127.0.0.1/32", "in 127.0.0.0/8, loopback (RFC 1122)"),
        ("169.254.169.254/32", "in 169.254.0.0/16, link-local (RFC 3927)"),
        ("172.20.0.0/16", "in 172.16.0.0/12, private-use (RFC 1918)"),
        ("203.0.113.0/24", "in 203.0.113.0/24, documentation, TEST-NET-3 (RFC 5737)"),
        ("fd12:3456::/32", "in fc00::/7, unique local (RFC 4193)"),
        ("fe80::/64", "in fe80::/10, link-local (RFC 4291)"),
        ("::1/128", "in ::1/128, loopback (RFC 4291)"),
        ("2001:db8:1::/48", "in 2001:db8::/32, documentation (RFC 3849)"),
    ],
)
def test_every_kind_of_non_public_block_is_reported(run, source, block):
    stack = compliant_stack()
    stack["alb"].inputs["ipAddressType"] = "dualstack"
    admin_rule(stack, source, priority=None)
    assert findings(run, stack) == [
        (
            "admin",
            "advisory",
            "Rule 'admin' never matches: load balancer 'alb' is internet-facing and sees every "
            f"client by its public address, but the rule's source-ip condition allows only "
            f"{source} ({block}). " + FALLS_THROUGH,
        )
    ]


@pytest.mark.parametrize(
    "sources",
    [
        ["211.45.60.128/28"],
        # A block that only partly overlaps private space has public addresses.
        ["0.0.0.0/0"],
        ["100.0.0.0/8"],
        # One public value is enough for the condition to match.
        ["10.0.0.0/8", "198.51.99.0/24"],
    ],
)
def test_public_sources_may_match(run, sources):
    stack = compliant_stack()
    admin_rule(stack, *sources)
    assert findings(run, stack) == []


def test_an_internal_load_balancer_sees_private_sources(run):
    stack = compliant_stack()
    stack["alb"].inputs["internal"] = True
    admin_rule(stack, "10.0.0.0/8")
    assert findings(run, stack) == []
    stack["alb"].inputs["internal"] = UNKNOWN
    assert findings(run, stack) == []


def test_an_ip_version_the_load_balancer_takes_no_clients_over_never_matches(run):
    stack = compliant_stack()
    admin_rule(stack, "2600:1f18::/32")
    message = (
        "Rule 'admin' (priority 5) never matches: load balancer 'alb' is internet-facing and "
        "sees every client by its public address, but the rule's source-ip condition allows "
        "only 2600:1f18::/32 (IPv6, which the load balancer takes no clients over). "
        + FALLS_THROUGH
    )
    assert findings(run, stack) == [("admin", "advisory", message)]
    stack["alb"].inputs["ipAddressType"] = "dualstack"
    assert findings(run, stack) == []
    stack["alb"].inputs["ipAddressType"] = UNKNOWN
    assert findings(run, stack) == []
    stack["alb"].inputs["ipAddressType"] = "dualstack-without-public-ipv4"
    stack["admin"].inputs["conditions"][1]["sourceIp"]["values"] = ["211.45.60.128/28"]
    assert findings(run, stack) == [
        (
            "admin",
            "advisory",
            message.replace("2600:1f18::/32 (IPv6", "211.45.60.128/28 (IPv4"),
        )
    ]


def test_unknown_sources_and_listeners_outside_the_stack_are_not_judged(run):
    stack = compliant_stack()
    admin_rule(stack, "10.0.0.0/8", UNKNOWN)
    assert findings(run, stack) == []
    stack = compliant_stack()
    rule = admin_rule(stack, "10.0.0.0/8")
    rule.inputs["listenerArn"] = (
        "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:listener/app/other/1/2"
    )
    rule.refs = {}
    assert findings(run, stack) == []


def test_a_never_matching_rule_shadows_nothing(run):
    # A catch-all path limited to private sources matches no request, so it hides no rule.
    stack = compliant_stack()
    add_rule(
        stack,
        "web",
        1,
        {"pathPattern": {"values": ["/*"]}},
        {"sourceIp": {"values": ["10.0.0.0/8"]}},
    )
    assert hits(run(stack), POLICY) == {"web"}


# --- every condition type: headers, methods, query strings ----------------------------------


def shadowed_message(later, later_priority, earlier, earlier_priority):
    return (
        f"Rule {later!r} (priority {later_priority}) is never reached: rule {earlier!r} "
        f"(priority {earlier_priority}) matches every request it matches."
    )


def header(name, *values):
    return {"httpHeader": {"httpHeaderName": name, "values": list(values)}}


def methods(*values):
    return {"httpRequestMethod": {"values": list(values)}}


def query(*pairs):
    return {"queryStrings": [dict(pair) for pair in pairs]}


@pytest.mark.parametrize("module", ["lb", "alb"])
def test_a_header_condition_shadows_by_name_and_value_in_any_case(run, module):
    # Header names and values compare case-insensitively (HttpHeaderConditionConfig).
    stack = compliant_stack()
    add_rule(stack, "canary", 1, header("X-Canary", "B*"))
    add_rule(
        stack, "blue", 2, header("x-canary", "blue", "BETA"), {"pathPattern": {"values": ["/b/*"]}}
    )
    for res in stack.values():
        res.type = res.type.replace("aws:lb/", f"aws:{module}/")
    assert findings(run, stack) == [("blue", "advisory", shadowed_message("blue", 2, "canary", 1))]


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        # Another header, or a value the earlier pattern does not cover.
        (header("X-Canary", "b*"), header("X-Tenant", "blue")),
        (header("X-Canary", "b*"), header("X-Canary", "blue", "green")),
        # The later rule does not ask for the header, so it also takes requests without it.
        (header("X-Canary", "*"), {"pathPattern": {"values": ["/b/*"]}}),
        # Methods compare exactly and case-sensitively (HttpRequestMethodConditionConfig).
        (methods("get"), methods("GET")),
        (methods("GET"), methods("GET", "HEAD")),
        (methods("G*"), methods("GET")),
        # A keyed pair never covers one without a key, which finds its value under any key.
        (query({"key": "beta", "value": "*"}), query({"value": "on"})),
        # Keys and values are compared apart: "a=x=b" has key "a" and value "x=b".
        (query({"key": "a*", "value": "b"}), query({"key": "a", "value": "x=b"})),
        # "\*" and "\?" are literal characters in query strings.
        (query({"value": "a\\*"}), query({"value": "a\\?"})),
        (query({"value": "a\\*"}), query({"value": "ab"})),
    ],
)
def test_conditions_the_earlier_rule_does_not_cover_leave_the_later_one_reachable(
    run, earlier, later
):
    stack = compliant_stack()
    add_rule(stack, "earlier", 1, earlier)
    add_rule(stack, "later", 2, later)
    assert findings(run, stack) == []


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        (methods("GET", "HEAD"), methods("GET")),
        (query({"key": "Beta", "value": "O*"}), query({"key": "beta", "value": "on"})),
        (query({"value": "on"}), query({"key": "beta", "value": "ON"}, {"value": "on"})),
        (query({"key": "v", "value": "a?"}), query({"key": "v", "value": "a\\*"})),
        (query({"value": "a\\*"}), query({"value": "A\\*"})),
    ],
)
def test_conditions_the_earlier_rule_covers_shadow_the_later_one(run, earlier, later):
    stack = compliant_stack()
    add_rule(stack, "earlier", 1, earlier)
    add_rule(stack, "later", 2, later)
    assert findings(run, stack) == [
        ("later", "advisory", shadowed_message("later", 2, "earlier", 1))
    ]


def test_every_condition_of_the_earlier_rule_must_cover(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "api-reads",
        3,
        {"pathPattern": {"values": ["/api/*"]}},
        methods("GET", "HEAD"),
        header("Accept", "application/*"),
    )
    add_rule(
        stack,
        "v1-json",
        4,
        {"pathPattern": {"values": ["/api/v1/*"]}},
        methods("GET"),
        header("ACCEPT", "application/json"),
        query({"key": "pretty", "value": "1"}),
        {"sourceIp": {"values": ["52.95.110.0/24"]}},
    )
    add_rule(
        stack,
        "v1-any-method",
        5,
        {"pathPattern": {"values": ["/api/v1/*"]}},
        header("Accept", "application/json"),
    )
    # api-route (priority 10) and v1-any-method ask for no method, so they also take requests
    # api-reads refuses; v1-json meets all three of api-reads' conditions and more.
    assert findings(run, stack) == [
        ("v1-json", "advisory", shadowed_message("v1-json", 4, "api-reads", 3))
    ]
    assert hits(run(as_preview(stack)), POLICY) == {"v1-json"}


def test_unknown_header_names_methods_and_values_are_not_compared(run):
    stack = compliant_stack()
    add_rule(stack, "a", 1, header(UNKNOWN, "*"))
    add_rule(stack, "b", 2, methods("GET", UNKNOWN))
    add_rule(stack, "c", 3, query({"key": "k", "value": UNKNOWN}))
    add_rule(
        stack, "d", 4, header("X-Env", "blue"), methods("GET"), query({"key": "k", "value": "v"})
    )
    assert findings(run, stack) == []


@pytest.mark.parametrize(
    ("source", "block"),
    [
        # Host bits set: AWS accepts the value as the block it lies in.
        ("10.1.2.3/8", "in 10.0.0.0/8, private-use (RFC 1918)"),
        ("FD12:3456::1/32", "in fc00::/7, unique local (RFC 4193)"),
    ],
)
def test_a_source_with_host_bits_is_read_as_its_block(run, source, block):
    stack = compliant_stack()
    stack["alb"].inputs["ipAddressType"] = "dualstack"
    admin_rule(stack, source)
    assert findings(run, stack) == [
        (
            "admin",
            "advisory",
            "Rule 'admin' (priority 5) never matches: load balancer 'alb' is internet-facing "
            "and sees every client by its public address, but the rule's source-ip condition "
            f"allows only {source} ({block}). " + FALLS_THROUGH,
        )
    ]


@pytest.mark.parametrize(
    ("earlier", "later", "shadowed"),
    [
        # Host bits set on either side: each is read as the block it lies in.
        (
            [Condition("sourceIp", ("10.0.0.5/8",))],
            [Condition("sourceIp", ("10.1.0.7/16",))],
            True,
        ),
        (
            [Condition("sourceIp", ("2001:DB8::1/32",))],
            [Condition("sourceIp", ("2001:db8:1::/48",))],
            True,
        ),
        # A value that is no CIDR covers only itself.
        ([Condition("sourceIp", ("office",))], [Condition("sourceIp", ("office",))], True),
        ([Condition("sourceIp", ("office",))], [Condition("sourceIp", ("10.0.0.0/8",))], False),
        # A keyed query-string pair never covers a pair under another key.
        (
            [Condition("queryString", ("a\x00*",))],
            [Condition("queryString", ("b\x00x",))],
            False,
        ),
        (
            [Condition("queryString", ("A*\x00X*",))],
            [Condition("queryString", ("ab\x00xy",))],
            True,
        ),
    ],
)
def test_covers_reads_sources_and_query_pairs_as_aws_does(earlier, later, shadowed):
    assert covers(earlier, later) is shadowed


def test_an_ipv6_catch_all_covers_everything_only_where_clients_may_use_ipv6():
    everyone = [Condition("sourceIp", ("0.0.0.0/0",))]
    later = [path("/x")]
    # Without IPv6 clients, the IPv4 internet is every client.
    assert covers(everyone, later, ipv6_clients=False) is True
    # With them, an IPv4-only source leaves IPv6 clients to the later rule.
    assert covers(everyone, later, ipv6_clients=True) is False
    assert covers(everyone, later) is False

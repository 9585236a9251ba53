"""The table of constraints (components/constraints.py): the page generated from it is the one
checked in, each example breaks its rule alone, and the values at each limit are accepted."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components import aws_facts, constraints
from components.config import ConfigError, StackConfig, parse_stack_config

ACM = "arn:aws:acm:ap-northeast-2:123456789012:certificate/8d1c2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f"
ROWS = [row for section in constraints.SECTIONS for row in section.rows]


def parse(stack: str = "dev", **keys: Any) -> StackConfig:
    """The examples' base stack with ``alb:`` keys replaced (``aws_region`` for aws:region)."""
    raw = copy.deepcopy(constraints.BASE)
    for name, value in keys.items():
        raw["aws:region" if name == "aws_region" else f"alb:{name}"] = value
    return parse_stack_config(raw, stack=stack)


def refused(stack: str = "dev", **keys: Any) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse(stack, **keys)
    return error.value.problems


def routed(count: int, **fields: Any) -> dict[str, Any]:
    """``count`` services with their own path and explicit priority, plus the default web."""
    services = {
        f"s{index}": {"port": 9000 + index, "pathPatterns": [f"/s{index}/*"], "priority": index + 1}
        for index in range(count)
    }
    return {**services, "web": {"port": 3000, **fields}}


def test_the_checked_in_page_is_generated_from_the_table() -> None:
    assert constraints.PAGE.read_text(encoding="utf-8") == constraints.render(), (
        "docs/validation.md is out of date: run `make docs`"
    )


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.key}: {row.rule}"[:60])
def test_each_example_breaks_exactly_its_own_rule(row: constraints.Constraint) -> None:
    problems = constraints.example_problems(row)
    assert len(problems) == 1, problems
    if row.message:
        # The model words the refusal with the table's message.
        assert row.message.split("{")[0] in problems[0]


def test_every_refusal_the_model_words_from_the_table_is_on_the_page() -> None:
    assert [c.key for c in constraints.MODEL_CONSTRAINTS if c not in ROWS] == []


# --- the values at each limit are accepted -----------------------------------------------------


def test_the_certificate_quota_counts_additional_certificates_only() -> None:
    arns = [ACM.replace("8d1c2e3f", f"{index:08x}") for index in range(25)]
    config = parse(
        certificate={"arn": ACM.replace("8d1c2e3f", "ffffffff")}, additionalCertificateArns=arns
    )
    assert len(config.additional_certificate_arns) == aws_facts.MAX_CERTIFICATES_PER_ALB


def test_sixty_inbound_rules_per_address_family_are_accepted() -> None:
    ipv4 = [f"10.{index}.0.0/16" for index in range(30)]
    ipv6 = [f"2001:db8:{index:x}::/48" for index in range(30)]
    config = parse(ipAddressType="dualstack", ingressCidrs=ipv4 + ipv6)
    assert len(config.ingress_cidrs) == 60


def test_sixty_one_ipv6_cidrs_are_counted_in_their_own_family() -> None:
    ipv6 = [f"2001:db8:{index:x}::/48" for index in range(31)]
    assert refused(ipAddressType="dualstack", ingressCidrs=["10.0.0.0/8", *ipv6]) == [
        "alb:ingressCidrs: 31 IPv6 CIDRs need 62 inbound security group rules (one per listener "
        "port); AWS allows 60 per address family"
    ]


def test_sixty_distinct_target_ports_are_accepted_and_lambdas_have_none() -> None:
    services = routed(59)
    services["fn"] = {"targetType": "lambda", "pathPatterns": ["/fn/*"], "priority": 500}
    config = parse(services=services)
    assert len({s.port for s in config.services.values() if s.port is not None}) == 60


@pytest.mark.parametrize(
    ("address_type", "target", "family"),
    [
        ("ipv4", "172.31.0.0/16", "IPv4"),
        ("dualstack", "172.31.0.0/16", "IPv4"),
        ("dualstack", "2001:db8:1::/48", "IPv6"),
    ],
)
def test_outbound_rules_count_target_cidrs_of_the_family(
    address_type: str, target: str, family: str
) -> None:
    problems = refused(ipAddressType=address_type, services=routed(30), targetCidrs=[target])
    assert problems == [
        f"alb:services: 31 distinct target ports need at least 62 outbound {family} security "
        "group rules (one per port and VPC CIDR block); AWS allows 60 per address family: share "
        "ports"
    ]


def test_five_wildcards_and_three_values_per_condition_are_accepted() -> None:
    api = {
        "port": 8080,
        "pathPatterns": ["/a*/*", "/b?/x", "/c"],
        "hostHeaders": ["*.example.com", "a?i.example.co"],
    }
    config = parse(services={"web": {"port": 3000}, "api": api})
    assert config.services["api"].host_headers[0] == "*.example.com"


@pytest.mark.parametrize(
    "host",
    ["localhost", "example.c0m", "*.example.*", "example.", ".example.com", "a b.example.com"],
)
def test_host_names_need_a_dot_and_only_letters_after_the_last_one(host: str) -> None:
    problems = refused(services={"web": {"port": 3000}, "api": {"port": 1, "hostHeaders": [host]}})
    assert problems == [
        "alb:services.api.hostHeaders[0]: must be a host name such as api.example.com or "
        "*.example.com: letters, digits, '-', '.', '*' and '?', with at least one '.' and only "
        f'letters after the last one (got "{host}")'
    ]


def test_the_longest_names_that_fit_are_accepted() -> None:
    stack = "s" * 18  # alb-<18>-x-xxxxxxx is 32 characters
    assert parse(stack, services={"w": {"port": 3000}}, defaultService="w").services
    assert refused("s" * 19) == [
        f"stack '{'s' * 19}': target group names (alb-{'s' * 19}-x-xxxxxxx for a one-letter "
        "service) would be at least 33 characters; ELB allows 32: use a stack name of at most "
        "18 characters"
    ]
    services = {"web": {"port": 3000}, "abcdefghi": {"port": 1, "pathPatterns": ["/a"]}}
    config = parse("stack-ten", services=services)  # alb-stack-ten-abcdefghi-xxxxxxx: 32
    assert "abcdefghi" in config.services


def test_a_stack_name_that_does_not_fit_hides_the_service_names() -> None:
    assert refused("a.b") == [
        "stack 'a.b': a stack name becomes part of load balancer, target group, bucket and web ACL "
        "names: use only letters, digits and hyphens"
    ]


def test_the_stack_name_is_checked_even_when_fields_are_wrong() -> None:
    problems = refused("my_stack", idleTimeoutSeconds=0)
    assert problems[0].startswith("stack 'my_stack': a stack name becomes part of")
    assert (
        problems[1] == "alb:idleTimeoutSeconds: Input should be greater than or equal to 1 (got 0)"
    )


def test_without_a_stack_name_names_are_not_checked() -> None:
    raw = {
        **constraints.BASE,
        "alb:services": {"web": {"port": 1}, "x" * 20: {"port": 2, "pathPatterns": ["/x"]}},
    }
    assert parse_stack_config(raw).services


def test_a_common_name_of_64_characters_is_accepted_and_an_arn_needs_none() -> None:
    domain = {"name": "a" * 52 + ".example.com", "hostedZoneId": "Z0123456789ABCDEFGHIJ"}
    assert len(parse(domain=domain).domain.name) == 64  # type: ignore[union-attr]
    longer = {**domain, "name": "a" * 60 + "." + "b" * 60 + ".example.com"}
    assert parse(domain=longer, certificate={"arn": ACM}).certificate.arn == ACM


def test_waf_country_codes_include_kosovo_and_ignore_case() -> None:
    config = parse(waf={"blockedCountries": ["xk", "DE", "kp"]})
    assert config.waf.blocked_countries == ["XK", "DE", "KP"]


def test_every_aws_managed_group_without_required_configuration_is_accepted() -> None:
    groups = sorted(
        aws_facts.AWS_MANAGED_RULE_GROUPS - set(aws_facts.MANAGED_RULE_GROUPS_NEEDING_CONFIG)
    )
    assert parse(waf={"managedRuleGroups": groups}).waf.managed_rule_groups == groups


def test_cidrs_are_compared_and_sent_in_normal_form() -> None:
    config = parse(ipAddressType="dualstack", ingressCidrs=["2001:0DB8:0000::/32", "0.0.0.0/0"])
    assert config.ingress_cidrs == ["2001:db8::/32", "0.0.0.0/0"]
    assert refused(
        ipAddressType="dualstack", ingressCidrs=["2001:DB8::/32", "2001:db8:0::/32"]
    ) == ["alb:ingressCidrs: 2001:db8::/32 is listed more than once (compared as networks)"]


def test_tags_allow_unicode_letters_and_the_documented_symbols() -> None:
    tags = {
        "Équipe": "données 2024",
        "cost-center": "cc:1234/a=b+c@d_e.f",
        "Empty": "",
        "Name": "awsome",
    }
    assert parse(tags=tags).tags == tags


def test_weighted_random_alone_and_matchers_in_every_form_are_accepted() -> None:
    api = {
        "port": 8080,
        "pathPatterns": ["/api/*"],
        "algorithm": "weighted_random",
        "healthCheck": {"matcher": "200,302-399,404"},
    }
    config = parse(services={"web": {"port": 3000}, "api": api})
    assert config.services["api"].algorithm == "weighted_random"


def test_weighted_random_with_both_names_both() -> None:
    api = {
        "port": 8080,
        "pathPatterns": ["/api/*"],
        "algorithm": "weighted_random",
        "slowStartSeconds": 30,
        "stickiness": {},
    }
    assert refused(services={"web": {"port": 3000}, "api": api}) == [
        "alb:services.api.algorithm: weighted_random cannot be combined with stickiness or "
        "slowStartSeconds (remove one of them)"
    ]


# --------------------------------------------- components/waf_reference.json against botocore


@pytest.fixture(scope="module")
def wafv2() -> Any:
    """botocore's model of the WAFv2 API (boto3 is in the virtualenv for albctl)."""
    session = pytest.importorskip("botocore.session")
    return session.get_session().get_service_model("wafv2")


def test_the_country_codes_are_the_wafv2_country_code_enum(wafv2: Any) -> None:
    assert frozenset(wafv2.shape_for("CountryCode").enum) == aws_facts.WAF_COUNTRY_CODES


def test_the_groups_that_need_a_config_are_managed_rule_group_configs_members(
    wafv2: Any,
) -> None:
    members = wafv2.shape_for("ManagedRuleGroupConfig").members
    expected = {
        name: tuple(shape.required_members)
        for name, shape in members.items()
        if name.startswith("AWSManagedRules")
    }
    assert expected == aws_facts.MANAGED_RULE_GROUPS_NEEDING_CONFIG
    assert set(expected) <= aws_facts.AWS_MANAGED_RULE_GROUPS


# --- every numeric range at its edges: the last value in is accepted, the first out refused ---


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """The base stack's ``alb:`` keys with ``value`` set at ``path`` (a key, then fields)."""
    keys: dict[str, Any] = {
        name[len("alb:") :]: copy.deepcopy(item)
        for name, item in constraints.BASE.items()
        if name.startswith("alb:")
    }
    target = keys
    for field in path[:-1]:
        target = target.setdefault(field, {})
    target[path[-1]] = value
    return keys


WEB = ("services", "web")
HEALTH = (*WEB, "healthCheck")
RANGES = [
    (("idleTimeoutSeconds",), 1, 4000, {}),
    (("accessLogs", "retentionDays"), 1, 3650, {}),
    (("waf", "rateLimit"), 10, 2_000_000_000, {}),
    ((*WEB, "port"), 1, 65535, {}),
    ((*WEB, "deregistrationDelaySeconds"), 0, 3600, {}),
    ((*WEB, "stickiness", "durationSeconds"), 1, 604800, {}),
    ((*HEALTH, "intervalSeconds"), 5, 300, {"timeoutSeconds": 2}),
    ((*HEALTH, "timeoutSeconds"), 2, 120, {"intervalSeconds": 300}),
    ((*HEALTH, "healthyThreshold"), 2, 10, {}),
    ((*HEALTH, "unhealthyThreshold"), 2, 10, {}),
    (("services", "api", "priority"), 1, 50000, {}),
]


@pytest.mark.parametrize(
    ("path", "low", "high", "beside"), RANGES, ids=[".".join(row[0]) for row in RANGES]
)
def test_every_numeric_range_holds_at_its_edges(
    path: tuple[str, ...], low: int, high: int, beside: dict[str, Any]
) -> None:
    def keys(value: int) -> dict[str, Any]:
        chosen = _with(path, value)
        target = chosen
        for field in path[:-1]:
            target = target[field]
        target.update(beside)
        return chosen

    key = "alb:" + ".".join(path)
    for value in (low, high):
        parse(**keys(value))
    assert refused(**keys(low - 1)) == [
        f"{key}: Input should be greater than or equal to {low} (got {low - 1})"
    ]
    assert refused(**keys(high + 1)) == [
        f"{key}: Input should be less than or equal to {high} (got {high + 1})"
    ]


KEEP = "a protected stack keeps its logs when it is destroyed; set alb:protect false before "
KEEP += "turning this off"


@pytest.mark.parametrize(
    ("keys", "problems"),
    [
        ({"accessLogs": {"keepOnDestroy": False}}, [f"alb:accessLogs.keepOnDestroy: {KEEP}"]),
        ({"waf": {"keepLogsOnDestroy": False}}, [f"alb:waf.keepLogsOnDestroy: {KEEP}"]),
        (
            {"accessLogs": {"keepOnDestroy": False}, "waf": {"keepLogsOnDestroy": False}},
            [f"alb:accessLogs.keepOnDestroy: {KEEP}", f"alb:waf.keepLogsOnDestroy: {KEEP}"],
        ),
    ],
    ids=["access-logs", "waf", "both"],
)
def test_a_protected_stack_keeps_both_logs(keys: dict[str, Any], problems: list[str]) -> None:
    assert refused(protect=True, certificate={"arn": ACM}, **keys) == problems
    assert parse(protect=False, **keys).protect is False


def _hundred_rules(extra: str) -> dict[str, Any]:
    """99 routed services on one port, the default web and one route: 100 listener rules; and
    a 101st (another route, or a 403 rule for a source-restricted service) unless ``extra`` is
    empty."""
    services: dict[str, Any] = {
        f"s{index}": {"port": 8080, "pathPatterns": [f"/s{index}/*"], "priority": index + 1}
        for index in range(99)
    }
    services["web"] = {"port": 8080}
    route = {"then": {"fixedResponse": {"statusCode": "404"}}}
    routes = {"r1": {**route, "pathPatterns": ["/r1"], "priority": 200}}
    if extra == "route":
        routes["r2"] = {**route, "pathPatterns": ["/r2"], "priority": 201}
    elif extra == "403 rule":
        services["s0"]["sourceCidrs"] = ["8.8.8.0/24", "2606:4700::/32"]
    return {"services": services, "routes": routes}


def test_a_hundred_listener_rules_are_accepted() -> None:
    assert len(parse(**_hundred_rules("")).rules) == aws_facts.MAX_RULES_PER_ALB


@pytest.mark.parametrize("extra", ["route", "403 rule"])
def test_the_hundred_and_first_listener_rule_is_refused(extra: str) -> None:
    assert refused(**_hundred_rules(extra)) == [
        "alb:services: 101 listener rules (services, their 403 rules for other sources and "
        "alb:routes), more than AWS's 100 per load balancer"
    ]


FUNCTION = "arn:aws:lambda:ap-northeast-2:123456789012:function:hello"


@pytest.mark.parametrize(
    ("target_type", "targets", "problems"),
    [
        # a target and port once; without a port (a function) the line names none
        (
            "lambda",
            [{"id": FUNCTION}, {"id": FUNCTION}],
            [
                "alb:services.api.targets: a lambda target group takes one function (got 2)",
                f"alb:services.api.targets[1]: {FUNCTION} is already alb:services.api.targets[0]",
            ],
        ),
        (
            "ip",
            [{"id": "10.0.0.5"}, {"id": "10.0.0.5", "port": 8080}, {"id": "10.0.0.5", "port": 81}],
            [
                "alb:services.api.targets[1]: 10.0.0.5 on port 8080 is already "
                "alb:services.api.targets[0]"
            ],
        ),
    ],
)
def test_a_target_is_registered_once_per_port(
    target_type: str, targets: list[dict[str, Any]], problems: list[str]
) -> None:
    api: dict[str, Any] = {"targetType": target_type, "pathPatterns": ["/api/*"]}
    api.update(
        {"targets": targets} if target_type == "lambda" else {"port": 8080, "targets": targets}
    )
    assert refused(services={"web": {"port": 3000}, "api": api}) == problems

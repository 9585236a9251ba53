"""The routing model: rule coverage, wedge-proof priorities, the 403 rule for other sources.

The property tests walk random sequences of edits to ``alb:services`` (add, remove, change
conditions, set or clear ``priority``) and check, between consecutive accepted plans, what
AWS and the engine need: no rule takes a priority another rule held before the update, and a
service nobody edited keeps its priority.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from components.config import ConfigError, StackConfig, parse_stack_config
from components.routing import (
    BAND_WIDTH,
    Conditions,
    FixedResponse,
    Forward,
    QueryString,
    Redirect,
    Rule,
    automatic_priority,
    covers,
    specificity,
)
from preflight.compare import diff_documents
from preflight.hazards import update_hazards
from preflight.project import SECURE_PLACEHOLDER_PREFIX
from preflight.report import Plan as ReportPlan
from preflight.report import to_document
from tests.harness import REPO, copy_program, run_preflight, write_stack
from tests.program.program_harness import Plan, run_in_process, with_config

BASE = {"alb:certificate": json.dumps({"issue": "self-signed"})}
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"


def parse(services: dict[str, Any], **keys: Any) -> StackConfig:
    raw = {**BASE, "alb:services": json.dumps(services)}
    raw.update(
        {
            f"alb:{name}": value if isinstance(value, str) else json.dumps(value)
            for name, value in keys.items()
        }
    )
    return parse_stack_config(raw)


def refusal(services: dict[str, Any], **keys: Any) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse(services, **keys)
    return error.value.problems


def auto(name: str, service: dict[str, Any]) -> int:
    return automatic_priority(name, parse({name: service}).services[name])


def test_rule_coverage_needs_every_dimension() -> None:
    broad = Conditions(path_patterns=("/api/*",))
    narrow = Conditions(path_patterns=("/api/v1/*",), host_headers=("a.example.com",))
    assert covers(broad, narrow)
    assert not covers(narrow, broad)


@pytest.mark.parametrize(
    ("general", "specific", "covered"),
    [
        (("10.0.0.0/8",), ("10.1.0.0/16",), True),
        (("10.1.0.0/16",), ("10.0.0.0/8",), False),
        (("2001:db8::/32",), ("2001:db8:1::/48",), True),
        # An IPv4 block never covers an IPv6 one, however wide.
        (("0.0.0.0/0",), ("2001:db8::/32",), False),
        (("0.0.0.0/0", "::/0"), ("2001:db8::/32", "10.0.0.0/8"), True),
    ],
)
def test_source_coverage_per_address_family(
    general: tuple[str, ...], specific: tuple[str, ...], covered: bool
) -> None:
    assert covers(Conditions(source_cidrs=general), Conditions(source_cidrs=specific)) is covered


_HEADER = ("X-Env", ("blue",))


@pytest.mark.parametrize(
    ("conditions", "score"),
    [
        (Conditions(), 0),
        # Host names: exact 30, with a wildcard of either kind 15; every name must be exact.
        (Conditions(host_headers=("api.example.com",)), 30),
        (Conditions(host_headers=("*.example.com",)), 15),
        (Conditions(host_headers=("api?.example.com",)), 15),
        (Conditions(host_headers=("api.example.com", "*.example.com")), 15),
        # Paths: the shortest literal prefix (at most 40), plus 10 when every pattern is exact.
        (Conditions(path_patterns=("/api/*",)), 5),
        (Conditions(path_patterns=("/api/?",)), 5),
        (Conditions(path_patterns=("/a*/b?",)), 2),
        (Conditions(path_patterns=("/api/*", "/v2/*")), 4),
        (Conditions(path_patterns=("/health",)), 17),
        (Conditions(path_patterns=("/health", "/status")), 17),
        (Conditions(path_patterns=("/health", "/api/*")), 5),
        (Conditions(path_patterns=("/" + "x" * 60 + "/*",)), 40),
        (Conditions(path_patterns=("/" + "x" * 60,)), 50),
        # Sources 10, each header 10, methods 5, query strings 5.
        (Conditions(source_cidrs=("10.0.0.0/8", "2001:db8::/32")), 10),
        (Conditions(http_headers=(_HEADER,)), 10),
        (Conditions(http_headers=(_HEADER, ("X-Team", ("a", "b")))), 20),
        (Conditions(methods=("GET", "HEAD")), 5),
        (Conditions(query_strings=(QueryString(None, "debug"),)), 5),
        # They add up, and the sum stops at 99 (100 bands of automatic priorities).
        (
            Conditions(
                host_headers=("api.example.com",),
                path_patterns=("/api/*",),
                source_cidrs=("192.0.2.0/24",),
                methods=("POST",),
                query_strings=(QueryString("v", "2"),),
            ),
            55,
        ),
        (
            Conditions(
                host_headers=("api.example.com",),
                path_patterns=("/" + "x" * 60,),
                http_headers=(_HEADER, ("X-Team", ("a",))),
            ),
            99,
        ),
    ],
)
def test_specificity_of_each_condition(conditions: Conditions, score: int) -> None:
    """The band of every automatic priority: a change here moves deployed rules."""
    assert specificity(conditions) == score


def test_automatic_priority_comes_from_the_band_and_the_name() -> None:
    # "/api/" is a 5-character literal prefix: specificity 5, band 95.
    assert auto("one", {"port": 1, "pathPatterns": ["/api/?"]}) == 95 * BAND_WIDTH + 385 + 1
    assert auto("any", {"port": 1, "pathPatterns": ["/api/*"]}) == 95 * BAND_WIDTH + 260 + 1


def test_a_narrower_rule_hashed_after_a_broader_one_is_refused_with_the_priority_to_set() -> None:
    # Equal specificity; the name hash puts "/api/*" first. Moving "any" would move an existing
    # rule, so the config is refused and says which priority gives "one" the right order.
    services = {
        "one": {"port": 1, "pathPatterns": ["/api/?"]},
        "any": {"port": 2, "pathPatterns": ["/api/*"]},
    }
    assert refusal(services) == [
        "alb:services.one: can never receive traffic (priority 38386): alb:services.any "
        "(priority 38261) is evaluated before it and matches every request it matches; to "
        "evaluate it first, set alb:services.one.priority to 38260"
    ]
    services["one"]["priority"] = 38260
    assert parse(services).rule_priorities == {"one": 38260, "any": 38261}


def test_a_single_character_wildcard_does_not_shadow_a_star() -> None:
    config = parse(
        {
            "one": {"port": 1, "pathPatterns": ["/api/?"], "priority": 9},
            "any": {"port": 2, "pathPatterns": ["/api/*"], "priority": 10},
        }
    )
    assert config.rule_priorities == {"one": 9, "any": 10}


def test_rules_that_match_the_same_requests_are_refused_without_a_priority_hint() -> None:
    services = {
        "a": {"port": 1, "hostHeaders": ["API.example.com"]},
        "b": {"port": 2, "hostHeaders": ["api.EXAMPLE.com"]},
    }
    (problem,) = refusal(services)
    assert problem.endswith("; both match the same requests: make their conditions differ")


def test_two_services_on_one_automatic_slot_are_refused_naming_both() -> None:
    # "svc17" and "svc8" hash to the same slot of the same band.
    services = {
        "svc17": {"port": 1, "pathPatterns": ["/x/*"]},
        "svc8": {"port": 2, "pathPatterns": ["/y/*"]},
    }
    slot = auto("svc8", services["svc8"])
    assert slot == auto("svc17", services["svc17"])
    assert refusal(services) == [
        f"alb:services.svc8: its automatic priority {slot} is held by alb:services.svc17; "
        f"set alb:services.svc8.priority to {slot + 1}"
    ]
    services["svc8"]["priority"] = slot + 1
    assert parse(services).rule_priorities == {"svc17": slot, "svc8": slot + 1}


def test_an_explicit_priority_keeps_its_slot_and_the_automatic_one_is_refused() -> None:
    b = {"port": 2, "pathPatterns": ["/b"]}
    slot = auto("b", b)
    services = {"a": {"port": 1, "pathPatterns": ["/a"], "priority": slot}, "b": b}
    assert refusal(services) == [
        f"alb:services.b: its automatic priority {slot} is held by alb:services.a; "
        f"set alb:services.b.priority to {slot + 1}"
    ]


def test_explicit_priorities_are_unique() -> None:
    services = {
        "a": {"port": 1, "pathPatterns": ["/a"], "priority": 7},
        "b": {"port": 2, "pathPatterns": ["/b"], "priority": 7},
    }
    assert refusal(services) == ["alb:services.b.priority: 7 is already used by alb:services.a"]


# --- The 403 rule for other sources ------------------------------------------------------


@pytest.mark.parametrize(
    "sources", [["81.2.69.0/24"], ["2a02:c7f::/32"], ["81.2.69.0/24", "2a02:c7f::/32"]]
)
def test_a_source_restricted_service_gets_a_403_rule_right_after_its_own(
    sources: list[str],
) -> None:
    ops = {"port": 1, "pathPatterns": ["/ops/*"], "hostHeaders": ["a.example.com"]}
    config = parse({"ops": {**ops, "sourceCidrs": sources}}, ipAddressType="dualstack")
    priority = config.rule_priorities["ops"]
    paths, hosts = ("/ops/*",), ("a.example.com",)
    assert config.rules == [
        Rule(
            "ops",
            priority,
            Conditions(paths, hosts, tuple(sources)),
            Forward("ops"),
            explicit=False,
            span=2,
        ),
        Rule(
            "ops",
            priority + 1,
            Conditions(paths, hosts),
            FixedResponse(403, "text/plain", "Forbidden"),
            explicit=False,
            span=2,
            role="403 rule for other sources",
        ),
    ]


def test_the_403_rule_can_be_switched_off() -> None:
    service = {"port": 1, "pathPatterns": ["/ops/*"], "sourceCidrs": ["81.2.69.0/24"]}
    config = parse({"ops": {**service, "denyOtherSources": False}})
    assert [rule.action for rule in config.rules] == [Forward("ops")]


def test_a_service_restricted_by_source_alone_has_no_403_rule() -> None:
    # Its 403 rule would match every other request and end routing there.
    config = parse({"ops": {"port": 1, "sourceCidrs": ["81.2.69.0/24"]}})
    assert [rule.action for rule in config.rules] == [Forward("ops")]


def test_the_403_rule_needs_the_priority_after_an_explicit_one() -> None:
    restricted = {"pathPatterns": ["/ops/*"], "sourceCidrs": ["81.2.69.0/24"]}
    assert refusal({"ops": {"port": 1, **restricted, "priority": 50000}}) == [
        "alb:services.ops.priority: its 403 rule for other sources takes the next priority, "
        "50001, above AWS's 50000; set a lower priority or denyOtherSources: false"
    ]
    services = {
        "ops": {"port": 1, **restricted, "priority": 7},
        "web": {"port": 2, "pathPatterns": ["/web/*"], "priority": 8},
    }
    assert refusal(services) == [
        "alb:services.web.priority: 8 is already used by alb:services.ops's 403 rule for "
        "other sources"
    ]
    services = {
        "ops": {"port": 1, **restricted, "priority": 7},
        "app": {"port": 2, "pathPatterns": ["/web/*"], "priority": 8},
    }
    assert refusal(services) == [
        "alb:services.ops.priority: its 403 rule for other sources takes the next priority, 8, "
        "which alb:services.app holds; set another priority or denyOtherSources: false"
    ]


def test_every_403_rule_above_the_top_priority_is_reported() -> None:
    restricted = {"sourceCidrs": ["81.2.69.0/24"], "priority": 50000}
    services = {
        "a": {"port": 1, "pathPatterns": ["/a/*"], **restricted},
        "b": {"port": 2, "pathPatterns": ["/b/*"], **restricted},
    }
    over = (
        "its 403 rule for other sources takes the next priority, 50001, above AWS's 50000; set "
        "a lower priority or denyOtherSources: false"
    )
    assert refusal(services) == [
        f"alb:services.a.priority: {over}",
        "alb:services.b.priority: 50000 is already used by alb:services.a",
        f"alb:services.b.priority: {over}",
    ]


def test_an_automatic_403_rule_on_a_held_priority_names_both_priorities() -> None:
    ops = {"port": 1, "pathPatterns": ["/ops/*"], "sourceCidrs": ["81.2.69.0/24"]}
    own = auto("ops", ops)
    assert refusal(
        {"ops": ops, "app": {"port": 2, "pathPatterns": ["/web/*"], "priority": own + 1}}
    ) == [
        f"alb:services.ops: its 403 rule for other sources takes {own + 1} (after its automatic "
        f"priority {own}), which alb:services.app holds; set alb:services.ops.priority to "
        f"{own + 2}"
    ]


def test_a_service_only_a_403_rule_shadows_is_fixed_by_turning_the_403_rule_off() -> None:
    # "later" covers admin's own rule, so moving it first would shadow admin instead.
    services = {
        "admin": {"port": 1, "pathPatterns": ["/admin/*"], "sourceCidrs": ["81.2.69.0/24"]},
        "later": {"port": 2, "pathPatterns": ["/admin/*"], "sourceCidrs": ["81.0.0.0/8"]},
    }
    services["admin"]["priority"], services["later"]["priority"] = 10, 12
    assert refusal(services) == [
        "alb:services.later: can never receive traffic (priority 12): alb:services.admin's 403 "
        "rule for other sources (priority 11) is evaluated before it and matches every request "
        "it matches; set alb:services.admin.denyOtherSources to false"
    ]


def test_a_default_service_without_conditions_has_no_rule_wherever_it_sorts() -> None:
    config = parse(
        {"aaa": {"port": 1}, "web": {"port": 2, "pathPatterns": ["/web/*"]}},
        defaultService="aaa",
    )
    web = auto("web", {"port": 2, "pathPatterns": ["/web/*"]})
    assert [(rule.owner, rule.priority, rule.action) for rule in config.rules] == [
        ("web", web, Forward("web"))
    ]


def test_a_403_rule_that_would_shadow_another_service_is_reported() -> None:
    # Requests to /admin/api/ from elsewhere used to fall through to admin-api; now admin's
    # 403 answers them first, so admin-api must come before admin.
    services = {
        "admin": {"port": 1, "pathPatterns": ["/admin/*"], "sourceCidrs": ["81.2.69.0/24"]},
        "admin-api": {"port": 2, "pathPatterns": ["/admin/api/*"]},
    }
    admin = auto("admin", services["admin"])
    assert auto("admin-api", services["admin-api"]) > admin + 1
    (problem,) = refusal(services)
    assert problem.startswith(
        "alb:services.admin-api: can never receive traffic (priority "
        f"{auto('admin-api', services['admin-api'])}): alb:services.admin's 403 rule for "
        f"other sources (priority {admin + 1}) is evaluated before it and matches every "
        "request it matches; to evaluate it first, set alb:services.admin-api.priority to "
    )
    suggested = int(problem.rsplit(" ", 1)[1])
    assert suggested < admin
    services["admin-api"]["priority"] = suggested
    assert parse(services).rule_priorities["admin"] == admin


# --- Edits over time ----------------------------------------------------------------------

NAMES = ["api", "web", "svc8", "svc17", "admin", "a-b", "zz"]
SHAPES: list[dict[str, Any]] = [
    {"pathPatterns": ["/api/*"]},
    {"pathPatterns": ["/api/v1/*"]},
    {"pathPatterns": ["/api/?"]},
    {"pathPatterns": ["/ab*"]},
    {"pathPatterns": ["/ab?"]},
    {"pathPatterns": ["/x/*"]},
    {"pathPatterns": ["/y/*"]},
    {"hostHeaders": ["api.example.com"]},
    {"hostHeaders": ["*.example.com"]},
    {"hostHeaders": ["*.example.com"], "pathPatterns": ["/api/*"]},
    {"pathPatterns": ["/ops/*"], "sourceCidrs": ["81.2.69.0/24"]},
    {"pathPatterns": ["/ops/*"], "sourceCidrs": ["81.2.69.0/25", "2a02:c7f::/32"]},
]

edits = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(NAMES), st.sampled_from(range(len(SHAPES)))),
    st.tuples(st.just("remove"), st.sampled_from(NAMES), st.none()),
    st.tuples(
        st.just("priority"),
        st.sampled_from(NAMES),
        st.one_of(st.none(), st.sampled_from([1, 2, 3, 38261, 38262, 38386])),
    ),
)


def apply(services: dict[str, Any], edit: tuple[str, str, Any]) -> dict[str, Any]:
    kind, name, value = edit
    services = {key: dict(service) for key, service in services.items()}
    if kind == "put":
        priority = services.get(name, {}).get("priority")
        services[name] = {"port": 80, **SHAPES[value]}
        if priority is not None:
            services[name]["priority"] = priority
    elif kind == "remove":
        services.pop(name, None)
    elif name in services:
        services[name].pop("priority", None)
        if value is not None:
            services[name]["priority"] = value
    return services


def accepted(services: dict[str, Any]) -> StackConfig | None:
    if not services:
        return None
    try:
        return parse(services, ipAddressType="dualstack")
    except ConfigError as error:
        assert all(problem.startswith("alb:services.") for problem in error.problems)
        return None


def assert_wedge_proof(before: dict[str, int], after: dict[str, int]) -> None:
    """``before``/``after``: each rule resource's name to its priority. A rule that is new or
    whose priority changes never takes a priority another rule held before the update."""
    for name, priority in after.items():
        if before.get(name) == priority:
            continue
        held = {p for other, p in before.items() if other != name}
        assert priority not in held, f"{name} takes {priority}, held by another rule"


def unchanged_services_keep_their_priorities(
    old: StackConfig, new: StackConfig, old_services: dict[str, Any], new_services: dict[str, Any]
) -> None:
    old_priorities, new_priorities = old.rule_priorities, new.rule_priorities
    for name in set(old_priorities) & set(new_priorities):
        if old_services[name] == new_services[name]:
            assert new_priorities[name] == old_priorities[name], name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edits, min_size=1, max_size=12))
def test_no_edit_moves_another_service_and_every_accepted_plan_is_reachable(
    sequence: list[tuple[str, str, Any]],
) -> None:
    services: dict[str, Any] = {}
    current: StackConfig | None = None
    for edit in sequence:
        proposed = apply(services, edit)
        config = accepted(proposed)
        if config is None:
            continue  # refused: the user fixes the config, nothing is deployed
        rules = config.rules
        assert len({rule.priority for rule in rules}) == len(rules)
        for index, later in enumerate(rules):
            for earlier in rules[:index]:
                if earlier.service != later.service and later.role == "":
                    assert not covers(earlier.conditions, later.conditions)
        if current is not None:
            unchanged_services_keep_their_priorities(current, config, services, proposed)
        services, current = proposed, config


def rule_priorities_of(plan: Plan) -> dict[str, int]:
    assert plan.error is None, plan.error
    return {rule.name: int(rule.inputs["priority"]) for rule in plan.of_type(LISTENER_RULE)}


def document(plan: Plan) -> dict[str, Any]:
    """The plan as ``preflight --json`` writes it (what ``--compare`` reads)."""
    assert plan.error is None, plan.error
    return to_document(ReportPlan("alb", plan.stack, plan.resources, plan.outputs))


def hazards_between(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What ``preflight --compare`` reports for the update from ``old`` to ``new``."""
    return [hazard.message for hazard in update_hazards(old, new, diff_documents(old, new))]


# Each step runs the whole program (a fraction of a second), so the examples are few and
# there is no shrink phase.
@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sequence=st.lists(edits, min_size=2, max_size=6))
def test_the_program_never_moves_a_priority_onto_a_rule_that_holds_it(
    sequence: list[tuple[str, str, Any]], prod_values: dict[str, str]
) -> None:
    services: dict[str, Any] = {}
    before: dict[str, int] | None = None
    previous: dict[str, Any] | None = None
    for edit in sequence:
        proposed = apply(services, edit)
        if accepted(proposed) is None:
            continue
        plan = run_in_process(
            with_config(
                prod_values, services=proposed, defaultService=None, ipAddressType="dualstack"
            ),
            "prod",
        )
        after, current = rule_priorities_of(plan), document(plan)
        if before is not None and previous is not None:
            assert_wedge_proof(before, after)
            # The engine-order simulation behind `preflight --compare` agrees.
            assert [h for h in hazards_between(previous, current) if "priority" in h] == []
        services, before, previous = proposed, after, current


def test_the_upgrade_keeps_every_existing_rule_in_place(dev_values: dict[str, str]) -> None:
    """A stack deployed before rules were keyed by priority: each rule was the child of its
    service, named like it. The aliases make the first update a rename, not a second rule at
    a priority the first still holds."""
    new = document(run_in_process(dev_values, "dev"))
    old = copy.deepcopy(new)
    for resource in old["resources"]:
        if resource["type"] == LISTENER_RULE and resource["inputs"]["actions"][-1]["type"] == (
            "forward"
        ):
            resource["urn"] = resource["aliases"][0]
            resource["aliases"] = []
    diff = diff_documents(old, new)
    assert diff.added == [] and diff.removed == []
    assert hazards_between(old, new) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # The collision walk: "b" walked past "a"; removing "a" moved "b" back onto 10 while
        # "a" still held it (deleted last).
        ({"a": 10, "b": 11}, {"b": 10}),
        # The narrower-first swap.
        ({"x": 10, "y": 11}, {"x": 11, "y": 10}),
    ],
)
def test_the_wedge_check_catches_the_old_behaviour(
    before: dict[str, int], after: dict[str, int]
) -> None:
    with pytest.raises(AssertionError):
        assert_wedge_proof(before, after)


# --- Every condition type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("general", "specific", "covered"),
    [
        # Header names and values ignore case; a header the general rule does not name does
        # not constrain it.
        (
            Conditions(http_headers=(("X-Tenant", ("acme*",)),)),
            Conditions(http_headers=(("x-tenant", ("ACME-eu",)), ("X-Env", ("prod",)))),
            True,
        ),
        (
            Conditions(http_headers=(("X-Tenant", ("acme",)),)),
            Conditions(path_patterns=("/x",)),
            False,
        ),
        # Methods match exactly.
        (Conditions(methods=("GET", "HEAD")), Conditions(methods=("GET",)), True),
        (Conditions(methods=("GET",)), Conditions(methods=("GET", "POST")), False),
        # A query-string pair without a key matches the value under any key.
        (
            Conditions(query_strings=(QueryString(None, "beta"),)),
            Conditions(query_strings=(QueryString("Channel", "BETA"),)),
            True,
        ),
        (
            Conditions(query_strings=(QueryString("channel", "beta"),)),
            Conditions(query_strings=(QueryString(None, "beta"),)),
            False,
        ),
        (
            Conditions(query_strings=(QueryString("v", "*"),)),
            Conditions(query_strings=(QueryString("V", "2"), QueryString("v", "3"))),
            True,
        ),
    ],
)
def test_coverage_reasons_about_every_condition_type(
    general: Conditions, specific: Conditions, covered: bool
) -> None:
    assert covers(general, specific) is covered


def test_every_condition_type_reaches_the_rule() -> None:
    config = parse(
        {
            "api": {
                "port": 1,
                "pathPatterns": ["/api/*"],
                "httpHeaders": {"X-Tenant": ["acme", "initech*"]},
                "methods": ["GET"],
                "queryStrings": [{"key": "version", "value": "2"}],
            }
        }
    )
    (rule,) = config.rules
    assert rule.conditions == Conditions(
        path_patterns=("/api/*",),
        http_headers=(("X-Tenant", ("acme", "initech*")),),
        methods=("GET",),
        query_strings=(QueryString("version", "2"),),
    )


def test_match_evaluations_are_counted_across_every_condition() -> None:
    service = {
        "port": 1,
        "pathPatterns": ["/a", "/b"],
        "httpHeaders": {"X-A": ["1", "2"]},
        "methods": ["GET", "PUT"],
    }
    assert refusal({"api": service}) == [
        "alb:services.api: at most 5 condition values per listener rule (got 6)"
    ]


def test_wildcards_are_counted_across_headers_and_query_strings() -> None:
    service = {
        "port": 1,
        "pathPatterns": ["/a*"],
        "httpHeaders": {"X-A": ["*a??"]},
        "queryStrings": [{"key": "k*", "value": "v*"}],
    }
    (problem,) = refusal({"api": service})
    assert problem.startswith("alb:services.api: ")
    assert "(got 6)" in problem


# --- Routes --------------------------------------------------------------------------------

MAINTENANCE = {
    "pathPatterns": ["/reports/*"],
    "then": {"fixedResponse": {"statusCode": "503", "contentType": "text/html", "body": " x\n"}},
}
WWW = {"hostHeaders": ["www.example.com"], "then": {"redirect": {"statusCode": "HTTP_301"}}}


def test_routes_are_rules_in_the_same_priority_space() -> None:
    config = parse(
        {"api": {"port": 1, "pathPatterns": ["/api/*"]}},
        routes={"reports": MAINTENANCE, "www": WWW},
    )
    by_key = {rule.key: rule for rule in config.rules}
    assert by_key["alb:routes.reports"] == Rule(
        "reports",
        automatic_priority("reports", config.routes["reports"], salt="routes."),
        Conditions(path_patterns=("/reports/*",)),
        FixedResponse(503, "text/html", " x\n"),
        explicit=False,
        kind="routes",
    )
    assert by_key["alb:routes.www"].action == Redirect("HTTP_301")
    assert by_key["alb:routes.www"].action == Redirect(
        "HTTP_301", "HTTPS", "#{host}", "#{port}", "/#{path}", "#{query}"
    )
    assert config.rule_priorities == {"api": by_key["alb:services.api"].priority}


def test_a_route_and_a_service_of_one_name_hash_apart() -> None:
    conditions = {"pathPatterns": ["/x/*"]}
    config = parse(
        {"x": {"port": 1, **conditions}},
        routes={"x": {**conditions, "hostHeaders": ["a.example.com"], "then": WWW["then"]}},
    )
    assert len({rule.priority % BAND_WIDTH for rule in config.rules}) == 2


@pytest.mark.parametrize("protocol", ["HTTP", "http", "#{protocol}"])
def test_a_redirect_never_sends_clients_to_http(protocol: str) -> None:
    route = {**WWW, "then": {"redirect": {"protocol": protocol, "statusCode": "HTTP_302"}}}
    (problem,) = refusal({"api": {"port": 1, "pathPatterns": ["/api/*"]}}, routes={"www": route})
    assert problem.startswith(
        "alb:routes.www.then.redirect.protocol: a redirect may only send clients to HTTPS"
    )


def test_a_route_shadowing_a_service_names_both_and_the_fix() -> None:
    services = {"api": {"port": 1, "pathPatterns": ["/api/v1/*"]}}
    routes = {
        "closed": {
            "pathPatterns": ["/api/*"],
            "priority": 1,
            "then": {"fixedResponse": {"statusCode": "410"}},
        }
    }
    (problem,) = refusal(services, routes=routes)
    assert problem.startswith(
        "alb:services.api: can never receive traffic (priority "
        f"{auto('api', services['api'])}): alb:routes.closed (priority 1) is evaluated before "
        "it and matches every request it matches; to evaluate it first, set "
        "alb:services.api.priority to "
    )


# --- Rewrites and authentication -----------------------------------------------------------


UNSUPPORTED = "ALB regular expressions do not support"


@pytest.mark.parametrize(
    ("part", "regex", "problem"),
    [
        ("url", "^/api/(?=v1)(.*)$", f"{UNSUPPORTED} lookaheads and lookbehinds"),
        ("host", "^(?<!x)/api$", f"{UNSUPPORTED} lookaheads and lookbehinds"),
        ("url", r"^/(a)/\1$", f"{UNSUPPORTED} backreferences"),
        ("host", "^/(?P<a>x)/(?P=a)$", f"{UNSUPPORTED} backreferences"),
        ("url", "^/(?>ab|a)c$", f"{UNSUPPORTED} atomic groups"),
        ("host", "^/a++$", f"{UNSUPPORTED} possessive quantifiers"),
        ("url", r"^/\p{L}+$", f"{UNSUPPORTED} Unicode character classes"),
        (
            "url",
            "^/api/(.*$",
            "is not a valid regular expression (missing ), unterminated subpattern at position 6)",
        ),
        (
            "host",
            "^[a-z+$",
            "is not a valid regular expression (unterminated character set at position 1)",
        ),
    ],
)
def test_rewrite_regexes_are_limited_to_what_the_alb_supports(
    part: str, regex: str, problem: str
) -> None:
    rewrite = {part: {"regex": regex, "replace": "/"}}
    service = {"port": 1, "pathPatterns": ["/api/*"], "rewrite": rewrite}
    assert refusal({"api": service}) == [
        f"alb:services.api.rewrite.{part}.regex: {problem} (got {json.dumps(regex)})"
    ]


def test_a_rewrite_that_strips_a_prefix_is_accepted() -> None:
    rewrite = {
        "url": {"regex": "^/api/(.*)$", "replace": "/$1"},
        "host": {"regex": "^(.+)\\.example\\.com$", "replace": "$1.internal"},
    }
    config = parse({"api": {"port": 1, "pathPatterns": ["/api/*"], "rewrite": rewrite}})
    assert config.services["api"].rewrite is not None


OIDC = {
    "issuer": "https://login.example.com",
    "authorizationEndpoint": "https://login.example.com/authorize",
    "tokenEndpoint": "https://login.example.com/token",
    "userInfoEndpoint": "https://login.example.com/userinfo",
    "clientId": "alb",
    "clientSecret": "s3cr3t",
}


def test_an_oidc_client_secret_must_be_a_pulumi_secret() -> None:
    services = {"app": {"port": 1, "pathPatterns": ["/app/*"], "auth": {"oidc": OIDC}}}
    raw = {**BASE, "alb:services": json.dumps(services)}
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw)
    assert error.value.problems == [
        "alb:services.app.auth.oidc.clientSecret: must be a Pulumi secret, not plain text; set "
        "it with `pulumi config set --secret --path 'alb:services.app.auth.oidc.clientSecret' "
        "VALUE`"
    ]
    config = parse_stack_config(raw, secret_keys={"alb:services"})
    assert config.services["app"].auth is not None


def test_an_oidc_secret_set_with_secure_stays_secret_in_every_report(tmp_path: Path) -> None:
    """As `pulumi config set --secret --path` stores it: the program receives the value (a
    placeholder offline), marks it secret on the rule, and neither the text report nor the
    JSON shows it."""
    program = copy_program(tmp_path)
    document = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text(encoding="utf-8"))
    document["config"]["alb:services"]["portal"] = {
        "port": 8443,
        "hostHeaders": ["portal.example.com"],
        "auth": {"oidc": {**OIDC, "clientSecret": {"secure": "AAABAJ2ciphertext"}}},
    }
    write_stack(program, "dev", document)
    as_json = run_preflight(
        "--program", program, "--stack", "dev", "--policy-pack", "none", "--json"
    )
    as_text = run_preflight("--program", program, "--stack", "dev", "--policy-pack", "none")
    assert (as_json.returncode, as_text.returncode) == (0, 0), as_json.stderr + as_text.stderr
    for output in (as_json.stdout, as_text.stdout):
        assert "AAABAJ2ciphertext" not in output
        assert SECURE_PLACEHOLDER_PREFIX not in output
    (rule,) = [
        r
        for r in as_json.document["resources"]
        if r["type"] == LISTENER_RULE and r["inputs"]["actions"][0]["type"] == "authenticate-oidc"
    ]
    assert rule["inputs"]["actions"][0]["authenticateOidc"]["clientSecret"] == "[secret]"


@pytest.mark.parametrize(
    ("general", "specific", "covered"),
    [
        # Paths match case-sensitively ("Path conditions"): /API/* never sees /api/x.
        (("/API/*",), ("/api/x",), False),
        (("/api/*",), ("/API/x",), False),
        (("/api/*",), ("/api/X",), True),
        (("/Api/*",), ("/Api/x",), True),
    ],
)
def test_path_coverage_is_case_sensitive(
    general: tuple[str, ...], specific: tuple[str, ...], covered: bool
) -> None:
    assert covers(Conditions(path_patterns=general), Conditions(path_patterns=specific)) is covered


def test_services_whose_paths_differ_only_in_case_both_receive_traffic() -> None:
    services = {
        "upper": {"port": 1, "pathPatterns": ["/API/*"], "priority": 1},
        "lower": {"port": 2, "pathPatterns": ["/api/x"], "priority": 2},
    }
    assert parse(services).rule_priorities == {"upper": 1, "lower": 2}
    services["upper"]["pathPatterns"] = ["/api/*"]
    assert refusal(services) == [
        "alb:services.lower: can never receive traffic (priority 2): alb:services.upper "
        "(priority 1) is evaluated before it and matches every request it matches; to "
        "evaluate it first, set alb:services.lower.priority to a free priority"
    ]


def test_every_part_of_a_redirect_reaches_the_rule() -> None:
    redirect = {
        "protocol": "HTTPS",
        "host": "example.com",
        "port": "8443",
        "path": "/new/#{path}",
        "query": "from=www&#{query}",
        "statusCode": "HTTP_302",
    }
    config = parse(
        {"api": {"port": 1, "pathPatterns": ["/api/*"]}},
        routes={"www": {**WWW, "then": {"redirect": redirect}}},
    )
    by_key = {rule.key: rule for rule in config.rules}
    assert by_key["alb:routes.www"].action == Redirect(
        "HTTP_302", "HTTPS", "example.com", "8443", "/new/#{path}", "from=www&#{query}"
    )


@pytest.mark.parametrize(
    ("services", "suggested"),
    [
        # The only free priority before the broader rule is 1.
        (
            {
                "any": {"port": 1, "pathPatterns": ["/api/*"], "priority": 3},
                "other": {"port": 2, "pathPatterns": ["/other/*"], "priority": 2},
                "one": {"port": 3, "pathPatterns": ["/api/v1/*"]},
            },
            1,
        ),
        # A source-restricted service needs two free priorities in a row (its 403 rule follows
        # it): 8 and 9, not 7, which another service holds.
        (
            {
                "any": {"port": 1, "pathPatterns": ["/api/*"], "priority": 10},
                "other": {"port": 2, "pathPatterns": ["/other/*"], "priority": 7},
                "one": {
                    "port": 3,
                    "pathPatterns": ["/api/v1/*"],
                    "sourceCidrs": ["211.45.60.128/28"],
                },
            },
            8,
        ),
    ],
)
def test_the_suggested_priority_is_the_nearest_free_one_before_the_broader_rule(
    services: dict[str, Any], suggested: int
) -> None:
    (problem,) = refusal(services)
    assert problem.startswith("alb:services.one: can never receive traffic")
    assert problem.endswith(
        "is evaluated before it and matches every request it matches; to evaluate it first, "
        f"set alb:services.one.priority to {suggested}"
    )

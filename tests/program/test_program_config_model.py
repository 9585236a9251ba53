"""Regressions in the config model: rule coverage, automatic priorities, scalar coercion."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import (
    ConfigError,
    ServiceConfig,
    _pattern_covers,
    assign_priorities,
    parse_stack_config,
    rule_covers,
)

BASE = {"alb:certificate": json.dumps({"issue": "self-signed"})}


def parse(services: dict[str, Any], **keys: Any) -> Any:
    raw = {**BASE, "alb:services": json.dumps(services)}
    raw.update({f"alb:{name}": json.dumps(value) for name, value in keys.items()})
    return parse_stack_config(raw)


@pytest.mark.parametrize(
    ("general", "specific", "covered"),
    [
        ("/api/*", "/api/users", True),
        ("/api/*", "/api/*/items", True),
        ("/api*", "/api/*", True),
        ("/a*", "/a?c", True),
        ("*", "/anything*", True),
        ("/x", "/x", True),
        # "?" is exactly one character: it does not cover "*", which also matches "" and "ab".
        ("/api/?", "/api/*", False),
        ("/a?c", "/a*c", False),
        ("/api/*", "/api*", False),
        ("/x", "/y", False),
    ],
)
def test_pattern_coverage(general: str, specific: str, covered: bool) -> None:
    assert _pattern_covers(general, specific, case_sensitive=True) is covered


def test_host_coverage_ignores_case() -> None:
    assert _pattern_covers("*.Example.com", "API.example.COM", case_sensitive=False)


def test_a_single_character_wildcard_does_not_shadow_a_star() -> None:
    # Was refused: "/api/?" was taken to match everything "/api/*" matches.
    config = parse(
        {
            "one": {"port": 1, "pathPatterns": ["/api/?"]},
            "any": {"port": 2, "pathPatterns": ["/api/*"]},
        }
    )
    priorities = config.rule_priorities
    assert priorities["one"] < priorities["any"]


@pytest.mark.parametrize(("first", "second"), [("narrow", "wide"), ("wide", "narrow"), ("q", "p")])
def test_automatic_priorities_put_the_narrower_of_equal_scores_first(
    first: str, second: str
) -> None:
    # Equal specificity scores: the order came from a hash of the names, and for some names
    # the broader rule went first and the config was refused as unreachable.
    services = {
        first: {"port": 1, "pathPatterns": ["/api/*"], "sourceCidrs": ["10.0.0.0/8"]},
        second: {"port": 2, "pathPatterns": ["/api/*"], "sourceCidrs": ["10.1.0.0/16"]},
    }
    priorities = parse(services).rule_priorities
    assert priorities[second] < priorities[first]


def test_automatic_priorities_are_stable_and_distinct() -> None:
    services = {
        f"s{index}": ServiceConfig.model_validate({"port": 80, "pathPatterns": [f"/s{index}/*"]})
        for index in range(60)
    }
    priorities = assign_priorities(services, None)
    assert len(set(priorities.values())) == len(priorities)
    grown = {**services, "new": ServiceConfig.model_validate({"port": 80, "hostHeaders": ["a.io"]})}
    after = assign_priorities(grown, None)
    assert {name: after[name] for name in priorities} == priorities


def test_explicit_priorities_are_kept_and_automatic_ones_avoid_them() -> None:
    services = {
        "a": ServiceConfig.model_validate({"port": 80, "pathPatterns": ["/a"], "priority": 5}),
        "b": ServiceConfig.model_validate({"port": 80, "pathPatterns": ["/b"]}),
    }
    automatic = assign_priorities({"b": services["b"]}, None)["b"]
    services["a"] = services["a"].model_copy(update={"priority": automatic})
    priorities = assign_priorities(services, None)
    assert priorities["a"] == automatic
    assert priorities["b"] != automatic


def test_rule_covers_needs_every_dimension() -> None:
    broad = ServiceConfig.model_validate({"port": 80, "pathPatterns": ["/api/*"]})
    narrow = ServiceConfig.model_validate(
        {"port": 80, "pathPatterns": ["/api/v1/*"], "hostHeaders": ["a.example.com"]}
    )
    assert rule_covers(broad, narrow)
    assert not rule_covers(narrow, broad)


@pytest.mark.parametrize("field", ["port", "deregistrationDelaySeconds", "priority"])
def test_a_boolean_is_not_a_number(field: str) -> None:
    service = {"port": 80, "pathPatterns": ["/x"], field: True}
    with pytest.raises(ConfigError) as error:
        parse({"x": service})
    assert error.value.problems == [
        f"alb:services.x.{field}: must be a number, not true or false (got true)"
    ]


def test_yaml_numbers_are_read_as_text_where_text_is_expected() -> None:
    config = parse(
        {"x": {"port": "8080", "pathPatterns": ["/x"], "healthCheck": {"matcher": 200}}},
        tags={"Version": 2},
    )
    assert config.services["x"].port == 8080
    assert config.services["x"].health_check.matcher == "200"
    assert config.tags == {"Version": "2"}


def test_country_codes_are_upper_case() -> None:
    config = parse({"x": {"port": 80, "pathPatterns": ["/x"]}}, waf={"blockedCountries": ["de"]})
    assert config.waf.blocked_countries == ["DE"]


def test_a_long_rejected_value_is_shortened() -> None:
    with pytest.raises(ConfigError) as error:
        parse({"x": {"port": 80, "pathPatterns": ["/x"]}}, tags={"Owner": "y" * 300})
    (problem,) = error.value.problems
    assert problem.startswith("alb:tags.Owner: String should have at most 256 characters (got")
    assert len(problem) < 140

"""Regressions in the config model: rule coverage, automatic priorities, scalar coercion."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config import ConfigError, parse_stack_config
from components.routing import pattern_covers

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
        # Literal characters before the general pattern's first wildcard must be the same.
        ("/api/*", "/apx/*", False),
        ("/a?c", "/abc", True),
        ("/ab*", "/a?x", False),
        ("/ab*", "/a*", False),
        ("/Api/*", "/api/x", False),
    ],
)
def test_pattern_coverage(general: str, specific: str, covered: bool) -> None:
    assert pattern_covers(general, specific, case_sensitive=True) is covered


_PATTERN = st.text(alphabet="ab/*?", max_size=6)


def _regex(pattern: str) -> re.Pattern[str]:
    """The values an ALB pattern matches: "*" any characters, "?" exactly one."""
    return re.compile("".join({"*": ".*", "?": "."}.get(c, re.escape(c)) for c in pattern))


@given(general=_PATTERN, specific=_PATTERN, fills=st.lists(st.text("ab/", max_size=3)))
def test_a_covered_pattern_matches_nothing_the_covering_one_does_not(
    general: str, specific: str, fills: list[str]
) -> None:
    """Soundness: when ``general`` covers ``specific``, every value ``specific`` matches (its
    wildcards filled in) is matched by ``general``; a pattern always covers itself."""
    assert pattern_covers(specific, specific, case_sensitive=True)
    if not pattern_covers(general, specific, case_sensitive=True):
        return
    pieces = iter(fills)
    value = "".join(
        next(pieces, "") if c == "*" else (next(pieces, "") + "a")[:1] if c == "?" else c
        for c in specific
    )
    assert _regex(specific).fullmatch(value)
    assert _regex(general).fullmatch(value), (general, specific, value)


def test_host_coverage_ignores_case() -> None:
    assert pattern_covers("*.Example.com", "API.example.COM", case_sensitive=False)


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


@pytest.mark.parametrize(
    ("email", "stored"),
    [
        ("oncall@example.com", "oncall@example.com"),
        # The domain is normalised to lower case, the local part kept; spaces around dropped.
        ("On.Call@Example.COM", "On.Call@example.com"),
        (" oncall@example.com ", "oncall@example.com"),
    ],
)
def test_an_alarm_email_is_normalised(email: str, stored: str) -> None:
    config = parse({"x": {"port": 80, "pathPatterns": ["/x"]}}, alarms={"email": email})
    assert config.alarms.email == stored


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("oncall", "An email address must have an @-sign."),
        ("oncall@example", "The part after the @-sign is not valid. It should have a period."),
        (
            "on call@example.com",
            "The email address contains invalid characters before the @-sign: SPACE.",
        ),
    ],
)
def test_an_alarm_email_that_is_not_an_address_names_the_key(email: str, reason: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse({"x": {"port": 80, "pathPatterns": ["/x"]}}, alarms={"email": email})
    assert error.value.problems == [
        f"alb:alarms.email: value is not a valid email address: {reason}"
    ]

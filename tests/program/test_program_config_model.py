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


def parse_with(path: str, value: Any) -> Any:
    """A service x with ``value`` set at ``path`` (dotted, from below ``alb:``)."""
    *fields, last = path.split(".")
    keys: dict[str, Any] = {"services": {"x": {"port": 80, "pathPatterns": ["/x"]}}}
    target = keys
    for field in fields:
        target = target.setdefault(field, {})
    target[last] = value
    return parse(keys.pop("services"), **keys)


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
        # Only the literal part before the first wildcard has to be the same.
        ("/a*/b*", "/ax/by", True),
        ("/a?/b*", "/ax/by", True),
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


# Numbers of every kind the model holds inside a structured key (a top-level scalar arrives
# as text): int, optional int, float, a Literal of ints.
NUMBERS = [
    "services.x.port",
    "services.x.deregistrationDelaySeconds",
    "services.x.priority",
    "alarms.latencyP99Seconds",
    "waf.logRetentionDays",
]


@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize("path", NUMBERS)
def test_a_boolean_is_not_a_number(path: str, value: bool) -> None:
    with pytest.raises(ConfigError) as error:
        parse_with(path, value)
    assert error.value.problems == [
        f"alb:{path}: must be a number, not true or false (got {json.dumps(value)})"
    ]


@pytest.mark.parametrize(
    ("path", "choices"),
    [("waf.mode", "'block' or 'count'"), ("services.x.protocol", "'HTTP' or 'HTTPS'")],
)
def test_a_boolean_for_a_choice_of_words_is_not_called_a_number(path: str, choices: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_with(path, True)
    assert error.value.problems == [f"alb:{path}: Input should be {choices} (got true)"]


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


TAG_TEXT = "must contain only letters, digits, spaces and _ . : / = + - @"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        # quoted, 60 characters are shown whole; a longer value is cut to 56 and '..."'
        ("y" * 57 + "!", '"' + "y" * 57 + '!"'),
        ("y" * 58 + "!", '"' + "y" * 55 + '..."'),
        ("y" * 300, '"' + "y" * 55 + '..."'),
    ],
    ids=["60", "61", "302"],
)
def test_a_long_rejected_value_is_shortened(value: str, shown: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse({"x": {"port": 80, "pathPatterns": ["/x"]}}, tags={"Owner": value})
    rule = TAG_TEXT if len(value) <= 256 else "String should have at most 256 characters"
    assert error.value.problems == [f"alb:tags.Owner: {rule} (got {shown})"]


X = {"port": 80, "pathPatterns": ["/x"]}
JWT = {"issuer": "https://id.example.com", "jwksEndpoint": "https://id.example.com/jwks"}


@pytest.mark.parametrize(
    ("services", "keys", "problems"),
    [
        # at the top, in a model held in a mapping, in a model within a model
        (
            {"x": X},
            {"defaultServce": "x"},
            ["alb:defaultServce: unknown key (did you mean 'defaultService'?)"],
        ),
        (
            {"x": {**X, "helthCheck": {}}},
            {},
            ["alb:services.x.helthCheck: unknown key (did you mean 'healthCheck'?)"],
        ),
        (
            {"x": {**X, "healthCheck": {"pth": "/"}}},
            {},
            ["alb:services.x.healthCheck.pth: unknown key (did you mean 'path'?)"],
        ),
        # in a list of models, plain and validated (the query strings)
        (
            {"x": {**X, "targets": [{"id": "10.0.0.5"}, {"id": "10.0.0.6", "prt": 80}]}},
            {},
            ["alb:services.x.targets[1].prt: unknown key (did you mean 'port'?)"],
        ),
        (
            {"x": {**X, "queryStrings": [{"value": "v", "ky": "k"}]}},
            {},
            ["alb:services.x.queryStrings[0].ky: unknown key (did you mean 'key'?)"],
        ),
        # in optional models, under an alias (weights), in a list within optional models
        (
            {"x": {**X, "deployment": {"strategy": "canary", "weights": {"blue": 1, "gren": 2}}}},
            {},
            [
                "alb:services.x.deployment.weights.green: required",
                "alb:services.x.deployment.weights.gren: unknown key (did you mean 'green'?)",
            ],
        ),
        (
            {
                "x": {
                    **X,
                    "auth": {"jwt": {**JWT, "additionalClaims": [{"name": "n", "valus": []}]}},
                }
            },
            {},
            [
                "alb:services.x.auth.jwt.additionalClaims[0].values: required",
                "alb:services.x.auth.jwt.additionalClaims[0].valus: unknown key (did you mean "
                "'values'?)",
            ],
        ),
        (
            {"x": X},
            {"mtls": {"mode": "passthrough", "cabundle": {}}},
            ["alb:mtls.cabundle: unknown key (did you mean 'caBundle'?)"],
        ),
        (
            {"x": X},
            {
                "routes": {
                    "r": {
                        "pathPatterns": ["/r"],
                        "then": {
                            "fixedResponse": {"statusCode": "404", "contentTyp": "text/plain"}
                        },
                    }
                }
            },
            [
                "alb:routes.r.then.fixedResponse.contentTyp: unknown key (did you mean "
                "'contentType'?)"
            ],
        ),
        # nothing close: no guess; a colon in the name is part of the name
        ({"x": {**X, "zzz": 1}}, {}, ["alb:services.x.zzz: unknown key"]),
        (
            {"x": X},
            {"tags:Owner": "me"},
            ["alb:tags:Owner: unknown key"],
        ),
    ],
)
def test_an_unknown_key_is_named_with_the_closest_known_one_at_every_depth(
    services: dict[str, Any], keys: dict[str, Any], problems: list[str]
) -> None:
    with pytest.raises(ConfigError) as error:
        parse(services, **keys)
    assert error.value.problems == problems
    assert str(error.value) == "\n".join(problems)  # one problem per line


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

"""What docs/validation.md says one run of the config model reports: every field problem with
the stack's own, then (once the fields are valid) every cross-key problem, the reachability of
listener rules only when nothing else failed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components import constraints
from components.config import ConfigError, parse_stack_config
from tests.harness import REPO

PAGE = (REPO / "docs" / "validation.md").read_text(encoding="utf-8")


def problems(stack: str = "dev", **keys: Any) -> list[str]:
    raw = copy.deepcopy(constraints.BASE)
    for key, value in keys.items():
        if value is None:
            raw.pop(key.replace("_", ":", 1))
        else:
            raw[key.replace("_", ":", 1)] = value
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw, stack=stack)
    return error.value.problems


SELF_SIGNED_PROTECTED = {"alb_protect": True}
BAD_FIELD = {"alb_idleTimeoutSeconds": 0}


def test_the_page_describes_the_rounds() -> None:
    assert "a later place runs only when the\nearlier ones found nothing" in PAGE
    assert "So a field error hides the cross-key problems until it is fixed" in PAGE


def test_fields_and_the_stack_are_reported_together() -> None:
    found = problems("my_stack", aws_region=None, **BAD_FIELD)
    assert [line.split(":")[0] for line in found] == [
        "stack 'my_stack'",
        "aws",
        "alb",
    ]
    assert found[2].startswith("alb:idleTimeoutSeconds: ")


def test_a_field_error_hides_the_cross_key_rules() -> None:
    found = problems(**BAD_FIELD, **SELF_SIGNED_PROTECTED)
    assert found == ["alb:idleTimeoutSeconds: Input should be greater than or equal to 1 (got 0)"]
    assert problems(**SELF_SIGNED_PROTECTED)[0].startswith("alb:certificate.issue: a self-signed")


def test_every_cross_key_problem_is_reported_at_once() -> None:
    found = problems(
        alb_defaultService="nope",
        alb_ingressCidrs=["::/0"],
        **SELF_SIGNED_PROTECTED,
    )
    assert [line.split(":", 2)[1] for line in found[:3]] == [
        "defaultService",
        "certificate.issue",
        "ingressCidrs",
    ]


def test_an_unreachable_rule_is_reported_once_nothing_else_fails() -> None:
    shadowing = {
        **constraints.BASE["alb:services"],
        "all": {"port": 9000, "pathPatterns": ["/*"], "priority": 1},
    }
    alone = problems(alb_services=shadowing)
    assert len(alone) == 2 and all("can never receive traffic" in line for line in alone)
    with_another = problems(alb_services=shadowing, **SELF_SIGNED_PROTECTED)
    assert [line.split(":", 2)[1] for line in with_another] == ["certificate.issue"]

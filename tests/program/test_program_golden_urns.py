"""Stable identity: the URNs preflight plans for dev and prod match tests/golden/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.program.program_harness import Plan
from tests.program.update_golden import (
    FIXTURE_STACKS,
    STACKS,
    golden_path,
    golden_urns,
    read_golden,
)


def rename_message(stack: str, expected: list[str], actual: list[str]) -> str:
    missing = sorted(set(expected) - set(actual))
    new = sorted(set(actual) - set(expected))
    lines = [f"the {stack} stack's URNs differ from {golden_path(stack).name}:"]
    lines += [f"  - {urn}" for urn in missing]
    lines += [f"  + {urn}" for urn in new]
    lines.append(
        "A changed URN replaces the resource in every existing stack. If the rename is "
        "intended, run `make golden`, and add `aliases` so existing stacks are not replaced."
    )
    return "\n".join(lines)


@pytest.mark.parametrize("stack", STACKS)
def test_urns_match_the_golden_file(
    stack: str, platform_document: Callable[[str], dict[str, Any]]
) -> None:
    expected = read_golden(stack)
    actual = golden_urns(platform_document(stack))
    assert actual == expected, rename_message(stack, expected, actual)


def test_the_message_names_the_fix() -> None:
    message = rename_message(
        "dev", ["urn:pulumi:dev::alb::T::old"], ["urn:pulumi:dev::alb::T::new"]
    )
    assert "  - urn:pulumi:dev::alb::T::old" in message
    assert "  + urn:pulumi:dev::alb::T::new" in message
    assert "make golden" in message and "aliases" in message


def test_the_all_options_stack_urns_match_the_golden_file(all_plan: Plan) -> None:
    # Planned in-process, as `make golden` plans the fixture stacks.
    assert "all" in FIXTURE_STACKS
    actual = golden_urns(
        {"resources": [{"urn": r.urn, "type": r.type, "name": r.name} for r in all_plan.resources]}
    )
    expected = read_golden("all")
    assert actual == expected, rename_message("all", expected, actual)

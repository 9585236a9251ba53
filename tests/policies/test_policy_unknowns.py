"""No policy crashes or fires on values a preview cannot know yet.

pulumi-policy turns an UnknownValueError that escapes a policy into a "can't run policy ...
during preview" diagnostic, which the engine shows as an advisory violation; these stacks
would surface it.
"""

from typing import Any

import pytest
from policy_harness import UNKNOWN, Stack, as_preview, compliant_stack


def unknown_leaves(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: unknown_leaves(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unknown_leaves(item) for item in value]
    return UNKNOWN


def every_leaf_unknown() -> Stack:
    stack = compliant_stack()
    for res in stack.values():
        res.inputs = unknown_leaves(res.inputs)
        res.computed = unknown_leaves(res.computed)
    return stack


def every_input_unknown() -> Stack:
    stack = compliant_stack()
    for res in stack.values():
        res.inputs = dict.fromkeys(res.inputs, UNKNOWN)
        res.computed = dict.fromkeys(res.computed, UNKNOWN)
    return stack


@pytest.mark.parametrize("build", [every_leaf_unknown, every_input_unknown])
def test_unknown_values_neither_crash_nor_fire(run, build):
    assert run(build()) == []


def test_a_preview_of_the_compliant_stack_is_silent(run):
    assert run(as_preview(compliant_stack())) == []

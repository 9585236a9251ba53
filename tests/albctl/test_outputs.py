"""How albctl reads the stack outputs: the schema as a consumer applies it, and the outputs
the platform's own stacks export."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from albctl.errors import AlbctlError
from albctl.outputs import consumer_schema, parse_outputs
from tests.harness import OUTPUTS_SCHEMA


def test_the_consumer_schema_ignores_unknown_keys_only() -> None:
    original = copy.deepcopy(OUTPUTS_SCHEMA)
    relaxed = consumer_schema(OUTPUTS_SCHEMA)
    assert original == OUTPUTS_SCHEMA
    assert "additionalProperties" not in relaxed
    assert "additionalProperties" not in relaxed["$defs"]["targetGroup"]
    # A map's value schema is not a "no unknown keys" rule: it stays.
    assert relaxed["properties"]["targetGroups"]["additionalProperties"] == {
        "$ref": "#/$defs/targetGroup"
    }
    assert relaxed["required"] == OUTPUTS_SCHEMA["required"]


def test_a_malformed_alternate_is_refused(platform_document: Any) -> None:
    outputs = platform_document("dev")["outputs"]
    api = outputs["targetGroups"]["api"]
    api["alternate"] = {"arn": api["arn"], "name": api["name"]}
    with pytest.raises(AlbctlError) as raised:
        parse_outputs(outputs, "dev.json")
    assert str(raised.value) == (
        "dev.json: not the outputs of an alb stack as this albctl reads them "
        "(docs/outputs.schema.json): targetGroups.api.alternate: 'arnSuffix' is a required "
        "property"
    )


def test_the_dev_stack_outputs_are_what_albctl_reads(
    platform_document: Any,
) -> None:
    outputs = parse_outputs(platform_document("dev")["outputs"], "stack dev")
    assert outputs.region == "ap-northeast-2"
    assert set(outputs.services) == {"admin", "api", "web"}
    assert outputs.alb_arn_suffix.startswith("app/alb-dev-")

"""Every stack's outputs validate against docs/outputs.schema.json, the app teams' contract."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.harness import (
    CONTRACT_OUTPUTS,
    OUTPUTS_SCHEMA,
    REPO,
    assert_outputs_contract,
    output_errors,
)


@pytest.fixture(scope="module")
def dev_outputs(platform_document: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return platform_document("dev")["outputs"]


def test_the_schema_is_valid_draft_2020_12() -> None:
    assert OUTPUTS_SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(OUTPUTS_SCHEMA)
    assert set(OUTPUTS_SCHEMA["required"]) == CONTRACT_OUTPUTS


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_outputs_validate(
    stack: str, platform_document: Callable[[str], dict[str, Any]]
) -> None:
    outputs = platform_document(stack)["outputs"]
    assert_outputs_contract(outputs)
    assert set(outputs["targetGroups"]) == {"web", "api", "admin"}


def test_the_docs_describe_every_output() -> None:
    text = (REPO / "docs" / "outputs.md").read_text(encoding="utf-8")
    for name in CONTRACT_OUTPUTS:
        assert f"`{name}`" in text, name
    for field in OUTPUTS_SCHEMA["$defs"]["targetGroup"]["required"]:
        assert f"`{field}`" in text, field


def test_the_docs_example_is_the_dev_stack(dev_outputs: dict[str, Any]) -> None:
    text = (REPO / "docs" / "outputs.md").read_text(encoding="utf-8")
    example = json.loads(text.split("```json\n", 1)[1].split("```", 1)[0])
    assert output_errors(example) == []
    assert set(example) == set(dev_outputs)
    assert {name: set(group) for name, group in example["targetGroups"].items()} == {
        name: set(group) for name, group in dev_outputs["targetGroups"].items()
    }


def test_adding_a_service_is_compatible(dev_outputs: dict[str, Any]) -> None:
    outputs = copy.deepcopy(dev_outputs)
    outputs["targetGroups"]["billing"] = dict(outputs["targetGroups"]["api"], port=9090)
    outputs["targetGroups"]["events"] = {
        **outputs["targetGroups"]["api"],
        "port": None,
        "protocol": None,
        "targetType": "lambda",
        "healthCheckPath": None,
    }
    assert output_errors(outputs) == []


def _without(outputs: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in outputs.items() if k != key}


def _with_group(outputs: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(outputs)
    changed["targetGroups"]["api"].update(changes)
    return changed


BREAKING: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "missing output": lambda o: _without(o, "securityGroupId"),
    "missing alarm topic": lambda o: _without(o, "alarmTopicArn"),
    "renamed output": lambda o: {**_without(o, "albDnsName"), "albDNSName": o["albDnsName"]},
    "wrong type": lambda o: {**o, "albArnSuffix": ["app", "x", "y"]},
    "port as string": lambda o: _with_group(o, port="8080"),
    "unknown protocol": lambda o: _with_group(o, protocol="TCP"),
    "extra target group field": lambda o: _with_group(o, weight=1),
    "target groups as a list": lambda o: {**o, "targetGroups": list(o["targetGroups"].values())},
    "missing target group field": lambda o: {
        **o,
        "targetGroups": {
            **o["targetGroups"],
            "api": _without(o["targetGroups"]["api"], "arnSuffix"),
        },
    },
    "lambda with a port": lambda o: _with_group(o, targetType="lambda", protocol=None),
    "bad service name": lambda o: {
        **o,
        "targetGroups": {**o["targetGroups"], "Api_V2": o["targetGroups"]["api"]},
    },
    "full ARN as the dimension": lambda o: {**o, "albArnSuffix": o["albArn"]},
}


@pytest.mark.parametrize("change", sorted(BREAKING))
def test_shape_changes_are_caught(change: str, dev_outputs: dict[str, Any]) -> None:
    assert output_errors(dev_outputs) == []
    assert output_errors(BREAKING[change](dev_outputs)) != []

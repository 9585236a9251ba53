"""The analyzer client's pure parts: the policy config file, reconciliation and the wire format."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import json_format

from preflight.analyzer import PolicyConfig, PolicyPackError, load_policy_config
from preflight.analyzer.config import PolicySchema, reconcile_policy_config
from preflight.analyzer.marshal import from_struct, to_struct
from preflight.analyzer.requests import go_duration_seconds, urn_name
from preflight.records import UNKNOWN, Secret


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy-config.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_policy_config_file_in_pulumi_format(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"alb-https-required": "mandatory",'
        ' "alb-tls-policy": {"enforcementLevel": "advisory", "securityHubStrict": true},'
        ' "waf-logging-enabled": {"retention": 90}, "empty": {}}',
    )
    assert load_policy_config(path) == {
        "alb-https-required": PolicyConfig("mandatory", {}),
        "alb-tls-policy": PolicyConfig("advisory", {"securityHubStrict": True}),
        "waf-logging-enabled": PolicyConfig(None, {"retention": 90}),
    }


def test_empty_policy_config_file_is_no_config(tmp_path: Path) -> None:
    assert load_policy_config(write(tmp_path, "  \n")) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"p": "blocking"}', "parsing enforcement level for 'p': 'blocking' is not a valid"),
        ('{"p": {"enforcementLevel": 1}}', "1 is not a valid enforcement level; must be a string"),
        ('{"p": 3}', "parsing 'p': 3 is not a valid value; must be a string or object"),
        ('["mandatory"]', "must be a JSON object"),
        ('{"p": "mandatory",\n  oops}', "invalid JSON at line 2 column 3"),
    ],
)
def test_bad_policy_config_names_the_file(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyPackError) as raised:
        load_policy_config(path)
    assert str(raised.value).startswith(f"policy config {path}: ")
    assert expected in str(raised.value)


def test_unreadable_policy_config_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match="cannot be read"):
        load_policy_config(tmp_path / "missing.json")


SCHEMAS = [
    PolicySchema(
        "limit",
        "advisory",
        {"properties": {"max": {"type": "number", "default": 5}}, "required": ["max"]},
    ),
    PolicySchema("plain", "mandatory", None),
]


def test_reconcile_layers_defaults_initial_config_and_file() -> None:
    config, errors = reconcile_policy_config(
        SCHEMAS,
        {"plain": PolicyConfig("advisory", {})},
        {"limit": PolicyConfig("mandatory", {"max": 7})},
    )
    assert errors == []
    assert config == {
        "limit": PolicyConfig("mandatory", {"max": 7}),
        "plain": PolicyConfig("advisory", {}),
    }


def test_reconcile_all_sets_every_level_and_is_kept() -> None:
    config, _ = reconcile_policy_config(SCHEMAS, {}, {"all": PolicyConfig("disabled", {})})
    assert config["limit"] == PolicyConfig("disabled", {"max": 5})
    assert config["plain"].enforcement_level == "disabled"
    assert config["all"] == PolicyConfig("disabled", {})


def test_reconcile_validates_against_the_schema() -> None:
    _, errors = reconcile_policy_config(SCHEMAS, {}, {"limit": PolicyConfig(None, {"max": "x"})})
    assert errors == ["limit: max: 'x' is not of type 'number'"]


def test_struct_uses_engine_signatures_and_skips_internal_keys() -> None:
    struct = to_struct(
        {
            "count": 3,
            "secret": Secret({"password": "hunter2"}),
            "pending": UNKNOWN,
            "nested": {"__defaults": ["a"], "keep": [1, None, True]},
            "__meta": "x",
        },
        skip_internal_keys=True,
    )
    assert json_format.MessageToDict(struct) == {
        "count": 3.0,
        "secret": {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            "value": {"password": "hunter2"},
        },
        "pending": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        "nested": {"keep": [1.0, None, True]},
    }


def test_struct_round_trip_restores_markers() -> None:
    value = {"a": Secret("s"), "b": UNKNOWN, "c": [1.5, "x"], "__d": {"e": None}}
    assert from_struct(to_struct(value, skip_internal_keys=False)) == value


def test_go_durations_and_urn_names() -> None:
    assert go_duration_seconds("1h30m") == 5400.0
    assert go_duration_seconds("1.5s") == 1.5
    assert go_duration_seconds("250ms") == 0.25
    assert go_duration_seconds(None) == 0.0
    with pytest.raises(ValueError):
        go_duration_seconds("ten minutes")
    assert urn_name("urn:pulumi:dev::alb::a:b:C$aws:s3/bucket:Bucket::logs::x") == "logs::x"

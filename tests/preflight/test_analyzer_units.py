"""The analyzer client's pure parts: the policy config file, reconciliation and the wire format."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format

from preflight.analyzer import PolicyConfig, PolicyPackError, load_policy_config
from preflight.analyzer.config import PolicySchema, reconcile_policy_config
from preflight.analyzer.marshal import from_struct, to_struct
from preflight.analyzer.requests import (
    analyze_request,
    go_duration_seconds,
    provider_resource,
    resource_options,
    stack_resource,
    urn_name,
)
from preflight.records import UNKNOWN, ResourceRecord, Secret


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


# --- the requests, whole, as the engine builds them (preflight/analyzer/requests.py) -----------

STACK_URN = "urn:pulumi:dev::alb::pulumi:pulumi:Stack::alb-dev"
COMPONENT_URN = "urn:pulumi:dev::alb::alb:index:LoadBalancer::alb-dev"
PROVIDER_URN = "urn:pulumi:dev::alb::pulumi:providers:aws::default_7_51_1"
SG_URN = "urn:pulumi:dev::alb::alb:index:LoadBalancer$aws:ec2/securityGroup:SecurityGroup::alb-sg"
BUCKET_URN = "urn:pulumi:dev::alb::aws:s3/bucket:Bucket::logs"
LB_URN = "urn:pulumi:dev::alb::alb:index:LoadBalancer$aws:lb/loadBalancer:LoadBalancer::alb-dev"
PROVIDER_ID = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _provider() -> ResourceRecord:
    return ResourceRecord(
        urn=PROVIDER_URN,
        type="pulumi:providers:aws",
        name="default_7_51_1",
        custom=True,
        inputs={"region": "ap-northeast-2", "version": "7.51.1", "__internal": "x"},
    )


def _load_balancer(**changes: Any) -> ResourceRecord:
    record = ResourceRecord(
        urn=LB_URN,
        type="aws:lb/loadBalancer:LoadBalancer",
        name="alb-dev",
        custom=True,
        parent=COMPONENT_URN,
        dependencies=(SG_URN, BUCKET_URN),
        property_dependencies={"securityGroups": (SG_URN,), "accessLogs": (BUCKET_URN,), "x": ()},
        protect=True,
        ignore_changes=("tags",),
        additional_secret_outputs=("dnsName",),
        aliases=("urn:pulumi:dev::alb::aws:lb/loadBalancer:LoadBalancer::old",),
        custom_timeouts={"create": "10m", "update": "1h30m", "delete": ""},
        provider=f"{PROVIDER_URN}::{PROVIDER_ID}",
        inputs={"internal": False, "idleTimeout": 60, "__defaults": ["name"]},
        outputs={"internal": False, "idleTimeout": 60, "arn": "arn:lb", "__defaults": []},
    )
    return dataclasses.replace(record, **changes)


EXPECTED_OPTIONS = {
    "protect": True,
    "ignoreChanges": ["tags"],
    "additionalSecretOutputs": ["dnsName"],
    "customTimeouts": {"create": 600.0, "update": 5400.0},
    "parent": COMPONENT_URN,
}
EXPECTED_PROVIDER = {
    "urn": PROVIDER_URN,
    "type": "pulumi:providers:aws",
    "name": "default_7_51_1",
    "properties": {"region": "ap-northeast-2", "version": "7.51.1"},
}


def _dict(message: Any) -> dict[str, Any]:
    return json_format.MessageToDict(message)


@pytest.mark.parametrize("remediate", [False, True])
def test_the_analyze_request_is_whole(remediate: bool) -> None:
    record = _load_balancer()
    by_urn = {PROVIDER_URN: _provider()}
    request = analyze_request(record, record.inputs, by_urn, remediate=remediate)
    # Remediate keeps the internal keys the provider wrote; Analyze drops them.
    internal = {"__defaults": ["name"]} if remediate else {}
    assert _dict(request) == {
        "type": "aws:lb/loadBalancer:LoadBalancer",
        "properties": {"internal": False, "idleTimeout": 60.0, **internal},
        "urn": LB_URN,
        "name": "alb-dev",
        "options": EXPECTED_OPTIONS,
        "provider": EXPECTED_PROVIDER,
    }


def test_the_stack_resource_carries_its_state_parent_dependencies_and_provider() -> None:
    record = _load_balancer()
    resource = stack_resource(record, record.inputs, {PROVIDER_URN: _provider()})
    assert _dict(resource) == {
        "type": "aws:lb/loadBalancer:LoadBalancer",
        "properties": {"internal": False, "idleTimeout": 60.0, "arn": "arn:lb"},
        "urn": LB_URN,
        "name": "alb-dev",
        "options": EXPECTED_OPTIONS,
        "provider": EXPECTED_PROVIDER,
        "parent": COMPONENT_URN,
        "dependencies": [SG_URN, BUCKET_URN],
        "propertyDependencies": {
            "securityGroups": {"urns": [SG_URN]},
            "accessLogs": {"urns": [BUCKET_URN]},
        },
    }


def test_remediated_inputs_reach_the_stack_resource_state() -> None:
    # The provider keeps the subnets (a set) sorted in the state, and does not return the
    # write-only input.
    record = _load_balancer(
        inputs={
            "idleTimeout": 60,
            "internal": False,
            "subnets": ["subnet-b", "subnet-a"],
            "writeOnly": "x",
        },
        outputs={
            "idleTimeout": 60,
            "internal": False,
            "subnets": ["subnet-a", "subnet-b"],
            "arn": "arn:lb",
        },
    )
    remediated = {
        "idleTimeout": 120,
        "subnets": ["subnet-b", "subnet-a"],
        "dropInvalidHeaderFields": True,
    }
    resource = stack_resource(record, remediated, {PROVIDER_URN: _provider()})
    # Changed and added inputs replace the state's, an unchanged one leaves the state's value,
    # and a dropped one leaves the state without it.
    assert _dict(resource)["properties"] == {
        "idleTimeout": 120.0,
        "subnets": ["subnet-a", "subnet-b"],
        "dropInvalidHeaderFields": True,
        "arn": "arn:lb",
    }


@pytest.mark.parametrize(
    ("urn", "name"),
    [
        # The engine names a resource after its URN, not after what the program registered.
        (LB_URN, "alb-dev"),
        ("urn:pulumi:dev::alb::aws:lb/loadBalancer:LoadBalancer::alb::dev", "alb::dev"),
        # A record without a URN to read keeps its own name.
        ("not-a-urn", "registered"),
    ],
)
def test_the_resource_name_sent_is_the_urns(urn: str, name: str) -> None:
    record = _load_balancer(urn=urn, name="registered")
    assert analyze_request(record, record.inputs, {}, remediate=False).name == name
    assert stack_resource(record, record.inputs, {}).name == name


NOT_A_NUMBER = {"idleTimeout": float("nan")}


@pytest.mark.parametrize(
    "build",
    [
        lambda record: analyze_request(record, NOT_A_NUMBER, {}, remediate=False),
        lambda record: analyze_request(record, NOT_A_NUMBER, {}, remediate=True),
        lambda record: stack_resource(record, NOT_A_NUMBER, {}),
        # A provider's inputs that cannot be sent name the resource that uses the provider.
        lambda record: provider_resource(
            record, {PROVIDER_URN: dataclasses.replace(_provider(), inputs=NOT_A_NUMBER)}
        ),
    ],
    ids=["analyze", "remediate", "stack", "provider"],
)
def test_a_value_the_engine_cannot_carry_names_the_resource_and_property(build: Any) -> None:
    with pytest.raises(PolicyPackError) as error:
        build(_load_balancer())
    assert str(error.value) == (
        f"resource {LB_URN}: cannot marshal property idleTimeout: nan is not a number the engine "
        "can carry"
    )


def test_a_resource_without_parent_provider_or_options_sends_the_engine_defaults() -> None:
    record = ResourceRecord(urn=STACK_URN, type="pulumi:pulumi:Stack", name="alb-dev", custom=False)
    assert _dict(stack_resource(record, record.inputs, {})) == {
        "type": "pulumi:pulumi:Stack",
        "properties": {},
        "urn": STACK_URN,
        "name": "alb-dev",
        "options": {"customTimeouts": {}},
    }
    assert _dict(analyze_request(record, {}, {}, remediate=False)) == {
        "type": "pulumi:pulumi:Stack",
        "properties": {},
        "urn": STACK_URN,
        "name": "alb-dev",
        "options": {"customTimeouts": {}},
    }


def test_a_provider_missing_from_the_records_is_named_from_its_urn() -> None:
    record = _load_balancer()
    assert _dict(resource_options(dataclasses.replace(record, delete_before_replace=True))) == {
        **EXPECTED_OPTIONS,
        "deleteBeforeReplace": True,
        "deleteBeforeReplaceDefined": True,
    }
    assert _dict(provider_resource(record, {})) == {
        "urn": PROVIDER_URN,
        "type": "pulumi:providers:aws",
        "name": "default_7_51_1",
        "properties": {},
    }
    assert provider_resource(dataclasses.replace(record, provider=None), {}) is None


@pytest.mark.parametrize(
    ("defined", "delete_before_replace", "expected"),
    [
        (False, False, {}),
        (True, False, {"deleteBeforeReplaceDefined": True}),
        (True, True, {"deleteBeforeReplace": True, "deleteBeforeReplaceDefined": True}),
    ],
)
def test_delete_before_replace_is_sent_as_the_engine_sends_it(
    defined: bool, delete_before_replace: bool, expected: dict[str, bool]
) -> None:
    record = ResourceRecord(
        urn=STACK_URN,
        type="pulumi:pulumi:Stack",
        name="alb-dev",
        custom=False,
        delete_before_replace=delete_before_replace,
        delete_before_replace_defined=defined,
    )
    assert _dict(resource_options(record)) == {"customTimeouts": {}, **expected}


def test_a_bad_custom_timeout_names_the_resource() -> None:
    record = _load_balancer(custom_timeouts={"create": "ten minutes"})
    with pytest.raises(PolicyPackError) as error:
        resource_options(record)
    assert str(error.value) == (
        f"resource {LB_URN}: customTimeouts: invalid duration 'ten minutes'"
    )


# Go's time.ParseDuration (src/time/format.go) then Duration.Seconds: the engine skips an empty
# timeout, and the SDK may hand a number through.
@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("", 0.0),
        ("0", 0.0),
        ("-0", 0.0),
        ("+0", 0.0),
        ("0s", 0.0),
        ("000s", 0.0),
        ("007s", 7.0),
        ("-1.5h", -5400.0),
        ("+2m", 120.0),
        ("+5m", 300.0),
        ("-1h30m", -5400.0),
        ("1h30m", 5400.0),
        ("1m1h", 3660.0),
        (".5s", 0.5),
        ("1.s", 1.0),
        ("1.5s", 1.5),
        ("250ms", 0.25),
        ("0.1h", 360.0),
        ("1h2m3s4ms5us6ns", 3723.004005006),
        ("1.5us", 1.5e-6),
        ("7µs", 7e-6),  # U+00B5, the micro sign
        ("7μs", 7e-6),  # U+03BC, the Greek mu
        ("1.9ns", 1e-9),  # truncated to whole nanoseconds
        ("-1.9ns", -1e-9),
        # Fraction digits past an int64's precision are dropped, not refused.
        ("1.00000000000000000000000009s", 1.0),
        (".999999999999999999999h", 3600.0),
        # The largest durations: an int64 of nanoseconds, one more for a negative one.
        ("9223372036854775807ns", 9223372036.854775807),
        ("-9223372036854775808ns", -9223372036.854775808),
        ("9223372036.854775807s", 9223372036.854775807),
        ("2562047h", 9223369200.0),
        ("-2562047h47m16.854775808s", -9223372036.854775808),
        (30, 30.0),
        (1.5, 1.5),
    ],
)
def test_go_durations_in_every_form(text: str | float, seconds: float) -> None:
    assert go_duration_seconds(text) == seconds


@pytest.mark.parametrize(
    "text",
    [
        # No unit, or one Go does not know.
        "1",
        "00",
        "1x",
        "1sec",
        "1S",
        "1e3s",
        "1h1",
        # No digit, or a part without one.
        "h",
        "-",
        "+",
        ".",
        ".s",
        "-.s",
        "1h.m",
        # At most one sign, before the first part only.
        "--1s",
        "+-1s",
        "-+1s",
        "++1s",
        "1h-1m",
        "1h+1m",
        # One point per part, ASCII digits, and no spaces anywhere.
        "1.5.s",
        "1..5s",
        "\uff11s",
        "1h 2m",
        " 1s",
        "1s ",
        "- 1s",
        # Past an int64 of nanoseconds.
        "9223372036854775808ns",
        "99999999999999999999ns",
        "9223372036.854775808s",
        "2562048h",
        "2562047h48m",
        "2562047h47m16.854775808s",
        "-2562047h47m16.854775809s",
        "-9223372036854775809ns",
    ],
)
def test_durations_go_refuses_are_refused(text: str) -> None:
    with pytest.raises(ValueError) as error:
        go_duration_seconds(text)
    assert str(error.value) == f"invalid duration {text!r}"


@pytest.mark.parametrize(
    ("urn", "name"),
    [
        ("urn:pulumi:dev::alb::aws:s3/bucket:Bucket::logs", "logs"),
        ("urn:pulumi:dev::alb::a:b:C$aws:s3/bucket:Bucket::logs::x", "logs::x"),
        ("not-a-urn", ""),
    ],
)
def test_urn_names(urn: str, name: str) -> None:
    assert urn_name(urn) == name


@pytest.mark.parametrize(
    ("provider_urn", "type_", "name"),
    [
        ("urn:pulumi:dev::alb::pulumi:providers:aws::eu", "pulumi:providers:aws", "eu"),
        # A provider created inside a component, with "::" in its name.
        (
            "urn:pulumi:dev::alb::alb:index:Platform$pulumi:providers:aws::eu::west",
            "pulumi:providers:aws",
            "eu::west",
        ),
        # Two components deep: the type is the last of the chain.
        (
            "urn:pulumi:dev::alb::alb:index:Platform$alb:index:Edge$pulumi:providers:aws::eu",
            "pulumi:providers:aws",
            "eu",
        ),
        ("not-a-urn", "", ""),
    ],
)
def test_a_provider_missing_from_the_records_is_described_by_its_urn(
    provider_urn: str, type_: str, name: str
) -> None:
    record = _load_balancer(provider=f"{provider_urn}::{PROVIDER_ID}")
    assert json_format.MessageToDict(
        provider_resource(record, {}), always_print_fields_with_no_presence=True
    ) == {"urn": provider_urn, "type": type_, "name": name, "properties": {}}

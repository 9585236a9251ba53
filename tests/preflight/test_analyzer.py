"""The analyzer client against a real pulumi-policy pack, over the real Analyzer protocol."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from preflight.analyzer import (
    AnalysisResult,
    PolicyPackError,
    PolicyPackSession,
    StackContext,
    load_policy_config,
)
from preflight.records import UNKNOWN, ResourceRecord, Secret
from tests.harness import PACKS

WORKING = PACKS / "working"

STACK = "urn:pulumi:dev::alb::pulumi:pulumi:Stack::alb-dev"
PROVIDER = "urn:pulumi:dev::alb::pulumi:providers:aws::default_7_51_1"
PROVIDER_REF = f"{PROVIDER}::04da6b54-80e4-46f7-96ec-b56ff0331ba9"
COMPONENT = "urn:pulumi:dev::alb::alb:index:LoadBalancer::web"
LB_TYPE = "aws:lb/loadBalancer:LoadBalancer"
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

CONTEXT = StackContext(
    project="alb",
    stack="dev",
    config={"alb:internal": "false", "aws:region": "ap-northeast-2"},
    secret_keys=["alb:token"],
    tags={"owner": "platform"},
)


def lb_urn(name: str) -> str:
    return f"urn:pulumi:dev::alb::alb:index:LoadBalancer${LB_TYPE}::{name}"


def load_balancer(name: str, **inputs: object) -> ResourceRecord:
    return ResourceRecord(
        urn=lb_urn(name),
        type=LB_TYPE,
        name=name,
        custom=True,
        parent=COMPONENT,
        provider=PROVIDER_REF,
        inputs={"name": f"{name}-1a2b3c4", **inputs},
        outputs={
            "name": f"{name}-1a2b3c4",
            "arn": f"arn:aws:elasticloadbalancing:{name}",
            **inputs,
        },
    )


def base_records() -> list[ResourceRecord]:
    return [
        ResourceRecord(urn=STACK, type="pulumi:pulumi:Stack", name="alb-dev", custom=False),
        ResourceRecord(
            urn=PROVIDER,
            type="pulumi:providers:aws",
            name="default_7_51_1",
            custom=True,
            parent=None,
            inputs={"region": "ap-northeast-2", "version": "7.51.1"},
            outputs={"region": "ap-northeast-2", "version": "7.51.1"},
        ),
        ResourceRecord(
            urn=COMPONENT, type="alb:index:LoadBalancer", name="web", custom=False, parent=STACK
        ),
    ]


def write_config(path: Path, document: dict[str, object]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def captured(capture_file: Path) -> dict[str, dict[str, Any]]:
    """What the probe policy received, by URN (the last call wins)."""
    lines = capture_file.read_text(encoding="utf-8").splitlines()
    return {entry["urn"]: entry for entry in map(json.loads, lines)}


@pytest.fixture(scope="module")
def capture_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("capture") / "args.jsonl"


@pytest.fixture(scope="module")
def sessions(
    tmp_path_factory: pytest.TempPathFactory, capture_file: Path
) -> Iterator[dict[str, PolicyPackSession]]:
    """Both packs start at once (start() does not block), so their start-ups overlap."""
    directory = tmp_path_factory.mktemp("policy-config")
    default_config = write_config(
        directory / "default.json", {"capture-args": {"captureFile": str(capture_file)}}
    )
    configured_config = write_config(
        directory / "configured.json",
        {
            "lb-drop-invalid-headers": "remediate",
            "lb-idle-timeout-limit": {"enforcementLevel": "mandatory", "maxIdleTimeout": 30},
            "stack-max-load-balancers": {"maxLoadBalancers": 5, "reportStackLevel": True},
        },
    )
    started = {
        "default": PolicyPackSession.start(
            WORKING, context=CONTEXT, policy_config=load_policy_config(default_config), timeout=30
        ),
        "configured": PolicyPackSession.start(
            WORKING,
            context=CONTEXT,
            policy_config=load_policy_config(configured_config),
            timeout=30,
        ),
    }
    yield started
    for session in started.values():
        session.close()


@pytest.fixture(scope="module")
def default_result(sessions: dict[str, PolicyPackSession]) -> AnalysisResult:
    records = [
        *base_records(),
        load_balancer("public", idleTimeout=200),
        load_balancer("second", dropInvalidHeaderFields=True),
        load_balancer("third", dropInvalidHeaderFields=True),
        load_balancer("pending", dropInvalidHeaderFields=UNKNOWN),
    ]
    return sessions["default"].analyze(records)


@pytest.fixture(scope="module")
def configured_result(sessions: dict[str, PolicyPackSession]) -> AnalysisResult:
    records = [
        *base_records(),
        load_balancer("public", idleTimeout=60),
        load_balancer("hardened", dropInvalidHeaderFields=True, idleTimeout=10),
    ]
    return sessions["configured"].analyze(records)


def by_policy(result: AnalysisResult, policy: str) -> list:
    return [violation for violation in result.violations if violation.policy == policy]


def test_start_returns_before_the_pack_is_ready() -> None:
    began = time.monotonic()
    session = PolicyPackSession.start(WORKING, context=CONTEXT, timeout=30)
    returned = time.monotonic() - began
    try:
        assert returned < 0.25, f"start() blocked for {returned:.2f}s"
        assert [policy.name for policy in session.wait_ready()][:2] == [
            "capture-args",
            "crashy",
        ]
    finally:
        session.close()
    assert session._process.exit_status() is not None


def test_resource_policy_violation_has_engine_level_and_urn(default_result: AnalysisResult) -> None:
    [violation] = [
        violation
        for violation in by_policy(default_result, "lb-drop-invalid-headers")
        if violation.urn != lb_urn("pending")
    ]
    assert violation.enforcement_level == "mandatory"
    assert violation.urn == lb_urn("public")
    assert violation.policy_pack == "fixture-pack"
    # The engine prefers PulumiPolicy.yaml's version over the "0.0.1" pulumi-policy reports.
    assert violation.policy_pack_version == "2.3.4"
    assert violation.severity == "high"
    assert violation.description == "Load balancers drop invalid HTTP headers."
    assert violation.message == (
        "Load balancers drop invalid HTTP headers.\ndropInvalidHeaderFields must be true"
    )
    assert default_result.pack_name == "fixture-pack"
    assert default_result.pack_version == "2.3.4"


def test_pack_output_is_kept_as_logs(default_result: AnalysisResult) -> None:
    assert "fixture-pack: policies loaded" in default_result.logs


def test_advisory_policy_uses_schema_default(default_result: AnalysisResult) -> None:
    [violation] = by_policy(default_result, "lb-idle-timeout-limit")
    assert violation.enforcement_level == "advisory"
    assert violation.urn == lb_urn("public")
    assert violation.message.endswith("idleTimeout 200.0 exceeds 120.0")


def test_stack_policy_violation_names_the_extra_resources(default_result: AnalysisResult) -> None:
    violations = by_policy(default_result, "stack-max-load-balancers")
    assert {violation.urn for violation in violations} == {
        lb_urn("second"),
        lb_urn("third"),
        lb_urn("pending"),
    }
    assert {violation.enforcement_level for violation in violations} == {"mandatory"}
    assert {violation.severity for violation in violations} == {"medium"}


def test_policies_report_types_and_levels(default_result: AnalysisResult) -> None:
    levels = {policy.name: policy.enforcement_level for policy in default_result.policies}
    assert levels["lb-drop-invalid-headers"] == "mandatory"
    assert levels["lb-idle-timeout-limit"] == "advisory"
    kinds = {policy.name: policy.policy_type for policy in default_result.policies}
    assert kinds["stack-max-load-balancers"] == "stack"
    assert kinds["capture-args"] == "resource"


def test_policy_config_changes_levels_and_passes_properties(
    configured_result: AnalysisResult,
) -> None:
    levels = {policy.name: policy.enforcement_level for policy in configured_result.policies}
    assert levels["lb-drop-invalid-headers"] == "remediate"
    assert levels["lb-idle-timeout-limit"] == "mandatory"
    [violation] = by_policy(configured_result, "lb-idle-timeout-limit")
    assert violation.enforcement_level == "mandatory"
    assert violation.urn == lb_urn("public")
    # The config value crossed the wire as a protobuf number.
    assert violation.message.endswith("idleTimeout 60.0 exceeds 30.0")


def test_stack_violation_without_urn_lands_on_the_root_stack(
    configured_result: AnalysisResult,
) -> None:
    [violation] = by_policy(configured_result, "stack-max-load-balancers")
    assert violation.urn == STACK == CONTEXT.root_stack_urn
    assert violation.message.endswith("stack-level finding")


def test_remediation_shows_before_and_after_and_feeds_analyze(
    configured_result: AnalysisResult,
) -> None:
    [remediation] = configured_result.remediations
    assert remediation.policy == "lb-drop-invalid-headers"
    assert remediation.policy_pack == "fixture-pack"
    assert remediation.urn == lb_urn("public")
    assert "dropInvalidHeaderFields" not in remediation.before
    assert remediation.after["dropInvalidHeaderFields"] is True
    assert remediation.after["name"] == remediation.before["name"] == "public-1a2b3c4"
    # Analyze ran on the remediated inputs, so nothing is left to report for that policy.
    assert by_policy(configured_result, "lb-drop-invalid-headers") == []


def test_unknown_value_in_preview_is_an_advisory_finding_on_the_resource(
    default_result: AnalysisResult,
) -> None:
    """pulumi-policy reports an unknown it cannot check as advisory with no URN; the engine
    files it under the analyzed resource."""
    [violation] = [
        violation
        for violation in by_policy(default_result, "lb-drop-invalid-headers")
        if violation.urn == lb_urn("pending")
    ]
    assert violation.enforcement_level == "advisory"
    assert violation.message == (
        "can't run policy 'lb-drop-invalid-headers' from policy pack 'fixture-pack@v0.0.1'"
        " during preview: string value at .dropInvalidHeaderFields can't be known during preview"
    )


def test_fidelity_resource_validation_args_match_the_engine(
    sessions: dict[str, PolicyPackSession], capture_file: Path
) -> None:
    """Build what the engine would hand the policy from the engine's rules, not from the client.

    step_generator.go builds the AnalyzerResource from the checked inputs, the options and the
    provider's inputs; analyzer_plugin.go marshals them with KeepUnknowns, KeepSecrets and
    SkipInternalKeys; pulumi-policy's Analyze deserializes them without secret proxies.
    """
    record = ResourceRecord(
        urn=lb_urn("fidelity"),
        type=LB_TYPE,
        name="fidelity",
        custom=True,
        parent=COMPONENT,
        dependencies=(COMPONENT,),
        protect=True,
        delete_before_replace=True,
        delete_before_replace_defined=True,
        ignore_changes=("tags",),
        additional_secret_outputs=("dnsName",),
        aliases=("urn:pulumi:dev::alb::aws:lb/loadBalancer:LoadBalancer::old",),
        custom_timeouts={"create": "10m", "delete": "1h30m"},
        provider=PROVIDER_REF,
        inputs={
            "__defaults": ["name"],
            "name": "fidelity-1a2b3c4",
            "internal": False,
            "idleTimeout": 60,
            "subnets": ["subnet-0a", "subnet-0b"],
            "accessLogs": {"bucket": UNKNOWN, "enabled": True, "__defaults": []},
            "tags": {"team": "platform"},
            "clientKeepAlive": Secret(3600),
            "dropInvalidHeaderFields": True,
        },
    )
    provider_record = ResourceRecord(
        urn=PROVIDER,
        type="pulumi:providers:aws",
        name="default_7_51_1",
        custom=True,
        inputs={"region": "ap-northeast-2", "version": "7.51.1", "__internal": {"x": 1}},
    )
    sessions["default"].analyze([provider_record, record])
    received = captured(capture_file)[record.urn]

    expected = {
        "resource_type": "aws:lb/loadBalancer:LoadBalancer",
        "urn": (
            "urn:pulumi:dev::alb::alb:index:LoadBalancer$aws:lb/loadBalancer:LoadBalancer::fidelity"
        ),
        # AnalyzerResource.Name is URN.Name().
        "name": "fidelity",
        "props": {
            # "__defaults" is an internal key: dropped at every level.
            "name": "fidelity-1a2b3c4",
            "internal": False,
            # Struct numbers are doubles.
            "idleTimeout": 60.0,
            "subnets": ["subnet-0a", "subnet-0b"],
            # An unknown travels as the unknown sentinel, which the proxy guards.
            "accessLogs": {"bucket": UNKNOWN_STRING, "enabled": True},
            "tags": {"team": "platform"},
            # Secrets travel with the secret signature; Analyze hands the policy the plain value.
            "clientKeepAlive": 3600.0,
            "dropInvalidHeaderFields": True,
        },
        # The policy receives pulumi-policy's unknown-checking proxy, not a dict.
        "props_class": "_DictProxy",
        "number_types": ["float"],
        "opts": {
            "protect": True,
            "ignore_changes": ["tags"],
            # deleteBeforeReplaceDefined makes the value visible (None when not set).
            "delete_before_replace": True,
            # Only aliases that matched the previous state are sent; a new stack has none.
            "aliases": [],
            # customTimeouts are time.ParseDuration(...).Seconds(): 10m, unset, 1h30m.
            "custom_timeouts": [600.0, 0.0, 5400.0],
            "additional_secret_outputs": ["dnsName"],
            "parent": COMPONENT,
        },
        "provider": {
            "resource_type": "pulumi:providers:aws",
            "urn": PROVIDER,
            "name": "default_7_51_1",
            # The provider's inputs, internal keys skipped.
            "props": {"region": "ap-northeast-2", "version": "7.51.1"},
        },
        # ConfigureStack's tags are the policy's stack_tags.
        "stack_tags": {"owner": "platform"},
    }
    assert {key: received[key] for key in expected} == expected


def test_pack_process_is_started_as_the_engine_starts_it(
    default_result: AnalysisResult, capture_file: Path
) -> None:
    process = captured(capture_file)[lb_urn("public")]["process"]
    assert isinstance(process, dict)
    # The shim runs `python -u -m pulumi.policy <engine address> .` in the pack directory.
    assert process["cwd"] == str(WORKING)
    argv = process["argv"]
    assert argv[2] == "."
    assert argv[1].startswith("127.0.0.1:")
    assert process["prefix"] == sys.prefix
    env = process["env"]
    assert env["PULUMI_PROJECT"] == "alb"
    assert env["PULUMI_STACK"] == "dev"
    assert env["PULUMI_ORGANIZATION"] == "organization"
    assert env["PULUMI_DRY_RUN"] == "true"
    assert json.loads(env["PULUMI_CONFIG"]) == dict(CONTEXT.config)
    assert process["pulumi_project"] == "alb"
    assert process["pulumi_stack"] == "dev"
    assert process["config_internal"] == "false"


def test_every_registration_is_analyzed_like_the_engine_does(
    default_result: AnalysisResult, capture_file: Path
) -> None:
    """The step generator analyzes the stack, providers and components, not only AWS resources."""
    seen = captured(capture_file)
    for urn in (STACK, PROVIDER, COMPONENT):
        assert urn in seen
    assert seen[STACK]["provider"] is None
    assert seen[STACK]["props"] == {}


def test_many_resources_are_analyzed_concurrently(
    sessions: dict[str, PolicyPackSession], capture_file: Path
) -> None:
    records = [load_balancer(f"bulk{index:03d}", idleTimeout=index) for index in range(300)]
    began = time.monotonic()
    result = sessions["default"].analyze(records)
    elapsed = time.monotonic() - began
    seen = captured(capture_file)
    assert all(record.urn in seen for record in records)
    assert {v.urn for v in by_policy(result, "lb-drop-invalid-headers")} == {
        record.urn for record in records
    }
    assert {v.urn for v in by_policy(result, "lb-idle-timeout-limit")} == {
        lb_urn(f"bulk{index:03d}") for index in range(121, 300)
    }
    assert len(by_policy(result, "stack-max-load-balancers")) == 299
    assert elapsed < 20, f"300 resources took {elapsed:.1f}s"


def test_virtualenv_runtime_option_runs_the_packs_own_interpreter(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(WORKING, pack)
    (pack / "PulumiPolicy.yaml").write_text(
        "runtime:\n  name: python\n  options:\n    virtualenv: env\n", encoding="utf-8"
    )
    # The pack's own virtualenv: a link to the project's, resolved relative to the pack.
    (pack / "env").symlink_to(Path(sys.prefix))
    capture = tmp_path / "capture.jsonl"
    config = write_config(tmp_path / "config.json", {"capture-args": {"captureFile": str(capture)}})
    with PolicyPackSession.start(
        pack, context=CONTEXT, policy_config=load_policy_config(config), timeout=30
    ) as session:
        result = session.analyze([load_balancer("venv", dropInvalidHeaderFields=True)])
    assert result.violations == ()
    process = captured(capture)[lb_urn("venv")]["process"]
    assert process["env"]["PULUMI_STACK"] == "dev"
    # The shim consumes -virtualenv=env; pulumi.policy gets the engine address and ".".
    assert len(process["argv"]) == 3 and process["argv"][2] == "."
    assert process["prefix"] == str(pack / "env")


def test_missing_virtualenv_is_reported_at_start(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(WORKING, pack)
    (pack / "PulumiPolicy.yaml").write_text(
        "runtime:\n  name: python\n  options:\n    virtualenv: venv\n", encoding="utf-8"
    )
    with pytest.raises(PolicyPackError) as raised:
        PolicyPackSession.start(pack, context=CONTEXT)
    message = str(raised.value)
    assert str(pack) in message
    assert "'virtualenv' option" in message
    assert "doesn't appear to be a virtual environment" in message


def test_resources_submitted_while_the_program_runs_are_analyzed_before_it_ends(
    tmp_path: Path,
) -> None:
    capture = tmp_path / "capture.jsonl"
    config = write_config(tmp_path / "config.json", {"capture-args": {"captureFile": str(capture)}})
    early = [*base_records(), load_balancer("early", idleTimeout=200)]
    changed_before = load_balancer("changed", idleTimeout=200)
    with PolicyPackSession.start(
        WORKING, context=CONTEXT, policy_config=load_policy_config(config), timeout=30
    ) as session:
        registered: dict[str, ResourceRecord] = {}
        for record in [*early, changed_before]:
            registered[record.urn] = record
            session.submit(record, registered)
        deadline = time.monotonic() + 30
        while lb_urn("early") not in (captured(capture) if capture.exists() else {}):
            assert time.monotonic() < deadline, "the pack never analyzed the submitted resource"
            time.sleep(0.05)
        # The program's final record differs from the one submitted: it is analyzed again.
        changed_after = load_balancer("changed", idleTimeout=10)
        result = session.analyze([*early, changed_after])
    too_long = {v.urn for v in by_policy(result, "lb-idle-timeout-limit")}
    assert too_long == {lb_urn("early")}
    props = captured(capture)[lb_urn("changed")]["props"]
    assert isinstance(props, dict) and props["idleTimeout"] == 10

"""Policy packs that fail: each one ends in a clear PolicyPackError within its time limit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from preflight.analyzer import (
    PolicyConfig,
    PolicyPackError,
    PolicyPackSession,
    StackContext,
)
from preflight.records import ResourceRecord
from tests.harness import PACKS

CONTEXT = StackContext(project="alb", stack="dev")
LB_TYPE = "aws:lb/loadBalancer:LoadBalancer"


def load_balancer(name: str) -> ResourceRecord:
    return ResourceRecord(
        urn=f"urn:pulumi:dev::alb::{LB_TYPE}::{name}",
        type=LB_TYPE,
        name=name,
        custom=True,
        inputs={"dropInvalidHeaderFields": True},
    )


def failure(
    pack: str,
    *,
    timeout: float = 10.0,
    config: dict[str, PolicyConfig] | None = None,
    records: list[ResourceRecord] | None = None,
) -> tuple[str, float]:
    """Run a pack to its failure; return the message and how long it took."""
    began = time.monotonic()
    with (
        pytest.raises(PolicyPackError) as raised,
        PolicyPackSession.start(
            PACKS / pack, context=CONTEXT, policy_config=config, timeout=timeout
        ) as session,
    ):
        session.analyze(records if records is not None else [load_balancer("web")])
    return str(raised.value), time.monotonic() - began


def test_missing_policy_project_file_names_the_directory() -> None:
    with pytest.raises(PolicyPackError) as raised:
        PolicyPackSession.start(PACKS / "no_project", context=CONTEXT)
    message = str(raised.value)
    assert message.splitlines()[0].startswith(f"policy pack {PACKS / 'no_project'}")
    assert "PulumiPolicy.yaml" in message


def test_missing_directory_is_reported() -> None:
    with pytest.raises(PolicyPackError, match="directory does not exist"):
        PolicyPackSession.start(PACKS / "not-there", context=CONTEXT)


def test_unsupported_runtime_is_reported(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: nodejs\n", encoding="utf-8")
    with pytest.raises(PolicyPackError, match="runtime 'nodejs' is not supported"):
        PolicyPackSession.start(tmp_path, context=CONTEXT)


def test_pack_that_crashes_at_start_reports_exit_status_and_stderr() -> None:
    message, elapsed = failure("crash")
    first, *tail = message.splitlines()
    assert first == (
        f"policy pack {PACKS / 'crash'}: exited before printing its port (exit status 1)"
    )
    assert any("RuntimeError: policy pack exploded while loading" in line for line in tail)
    assert elapsed < 10


def test_pack_with_missing_dependency_names_the_module() -> None:
    message, _ = failure("missing_dependency")
    first = message.splitlines()[0]
    assert first.startswith(f"policy pack {PACKS / 'missing_dependency'}: missing dependency")
    assert "'alb_guardrails_helpers_not_installed'" in first
    assert "requirements.txt" in first


def test_pack_that_hangs_at_start_is_stopped_at_the_time_limit() -> None:
    message, elapsed = failure("hang", timeout=1.5)
    assert message.splitlines()[0] == (
        f"policy pack {PACKS / 'hang'}: did not print its port within 1.5s"
        " (the pack hangs while starting)"
    )
    assert 1.4 < elapsed < 6


def test_pack_that_prints_garbage_instead_of_a_port() -> None:
    message, _ = failure("garbage_port")
    first = message.splitlines()[0]
    assert first.startswith(f"policy pack {PACKS / 'garbage_port'}: wrote ")
    assert "'Loading guardrails, please wait...' to stdout instead of its port" in first


def test_malformed_diagnostic_is_reported() -> None:
    message, _ = failure("malformed")
    assert message.splitlines()[0] == (
        f"policy pack {PACKS / 'malformed'}: returned a malformed Analyze diagnostic from policy"
        " 'broken-level': invalid enforcement level 42"
    )


def test_policy_that_hangs_during_analyze_is_stopped_at_the_time_limit() -> None:
    message, elapsed = failure(
        "working",
        # The pack must start within the same limit: long enough for a loaded machine.
        timeout=4.0,
        config={"sleepy": PolicyConfig(None, {"sleepOn": "stuck"})},
        records=[load_balancer("fine"), load_balancer("stuck")],
    )
    assert message.splitlines()[0] == (
        f"policy pack {PACKS / 'working'}: did not answer Analyze for"
        f" urn:pulumi:dev::alb::{LB_TYPE}::stuck within 4s (the pack hangs)"
    )
    assert elapsed < 14


def test_pack_that_dies_during_analyze_reports_the_crash() -> None:
    message, _ = failure(
        "working",
        config={"crashy": PolicyConfig(None, {"crashOn": "doomed"})},
        records=[load_balancer("doomed")],
    )
    first, *tail = message.splitlines()
    assert first == (
        f"policy pack {PACKS / 'working'}: crashed during Analyze for"
        f" urn:pulumi:dev::alb::{LB_TYPE}::doomed (exit status 3)"
    )
    assert any("crashy: giving up on doomed" in line for line in tail)


def test_config_that_fails_the_policy_schema_is_rejected() -> None:
    message, _ = failure(
        "working",
        config={"lb-idle-timeout-limit": PolicyConfig(None, {"maxIdleTimeout": "ten"})},
    )
    assert "invalid policy config (fixture-pack 2.3.4)" in message
    assert "lb-idle-timeout-limit: maxIdleTimeout: 'ten' is not of type 'number'" in message


def test_config_for_an_unknown_policy_without_a_level_is_rejected() -> None:
    message, _ = failure("working", config={"no-such-policy": PolicyConfig(None, {"x": 1})})
    assert "'no-such-policy', which is not a policy of this pack" in message


def test_session_can_be_closed_before_start_up_finishes() -> None:
    session = PolicyPackSession.start(PACKS / "hang", context=CONTEXT, timeout=30)
    began = time.monotonic()
    session.close()
    assert time.monotonic() - began < 5
    assert session._process.exit_status() is not None
    with pytest.raises(PolicyPackError):
        session.analyze([])


def test_all_sets_every_policy_level() -> None:
    """A level for "all" applies to every policy, as the engine's applyConfig does."""
    config = {"all": PolicyConfig("disabled", {})}
    with PolicyPackSession.start(
        PACKS / "working", context=CONTEXT, policy_config=config, timeout=10
    ) as session:
        result = session.analyze([load_balancer("web")])
    assert {policy.enforcement_level for policy in result.policies} == {"disabled"}
    assert result.violations == ()

"""``python -m preflight`` with policy packs: violations decide the exit status, failures are
reported in one message."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.harness import (
    PACKS,
    POLICY_PACK,
    PROGRAMS,
    assert_one_clear_failure,
    assert_spec_document,
    run_preflight,
)


@pytest.fixture(scope="module")
def non_compliant() -> tuple[int, dict[str, Any]]:
    """The public ECS example: plain HTTP, no access logs, no WAF."""
    run = run_preflight(
        "--program", PROGRAMS / "ecs_default_vpc", "--policy-pack", POLICY_PACK, "--json"
    )
    return run.returncode, run.document


def test_mandatory_violations_exit_1_with_the_document(
    non_compliant: tuple[int, dict[str, Any]],
) -> None:
    returncode, document = non_compliant
    assert returncode == 1
    assert_spec_document(document)
    mandatory = {
        (v["policy"], v["urn"].rsplit("::", 1)[-1])
        for v in document["violations"]
        if v["enforcementLevel"] == "mandatory"
    }
    assert ("alb-https-required", "app-lb") in mandatory
    assert ("alb-access-logs-enabled", "app-lb") in mandatory
    assert {v["policyPack"] for v in document["violations"]} == {"alb-guardrails"}
    assert document["summary"]["mandatory"] == len(
        [v for v in document["violations"] if v["enforcementLevel"] == "mandatory"]
    )


def test_text_report_groups_violations_and_fails() -> None:
    run = run_preflight("--program", PROGRAMS / "ecs_default_vpc", "--policy-pack", POLICY_PACK)
    assert run.returncode == 1
    assert "Policy violations: mandatory (" in run.stdout
    assert "] alb-https-required  aws:lb/loadBalancer:LoadBalancer  app-lb" in run.stdout
    assert run.stdout.splitlines()[-1].startswith("FAIL: ")


def test_a_pack_that_crashes_is_reported() -> None:
    run = run_preflight("--program", PROGRAMS / "minimal", "--policy-pack", PACKS / "crash")
    assert run.returncode == 2
    assert run.stdout == ""
    assert f"policy pack {PACKS / 'crash'}" in run.stderr
    assert "policy pack exploded while loading" in run.stderr


def test_a_pack_that_hangs_is_stopped_within_the_limit() -> None:
    started = time.monotonic()
    run = run_preflight(
        "--program", PROGRAMS / "minimal", "--policy-pack", PACKS / "hang", "--policy-timeout", "3"
    )
    assert time.monotonic() - started < 30
    assert_one_clear_failure(run, f"policy pack {PACKS / 'hang'}", "within 3s")


def test_an_unreadable_policy_config_is_named(tmp_path: Path) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text("{not json")
    run = run_preflight(
        "--program",
        PROGRAMS / "minimal",
        "--policy-pack",
        POLICY_PACK,
        "--policy-config",
        config,
    )
    assert_one_clear_failure(run, str(config))

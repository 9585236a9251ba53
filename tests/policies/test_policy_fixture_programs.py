"""Whole programs through `python -m preflight --json`: what a user and CI see.

Each program runs once per module; the tests read its report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness import PROGRAMS
from tests.policies.policy_harness import preflight_with_pack


def preflight(program: Path) -> tuple[int, dict[str, Any]]:
    return preflight_with_pack("--program", program, "--stack", "dev")


def fired(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(policy, level, resource logical name) for every violation."""
    return {
        (v["policy"], v["enforcementLevel"], v["urn"].rsplit("::", 1)[-1])
        for v in report["violations"]
    }


@pytest.fixture(scope="module")
def walkthrough() -> tuple[int, dict[str, Any]]:
    return preflight(PROGRAMS / "walkthrough")


@pytest.fixture(scope="module")
def compliant() -> tuple[int, dict[str, Any]]:
    return preflight(PROGRAMS / "compliant")


def test_the_walkthrough_program_fires_exactly_the_expected_policies(walkthrough):
    status, report = walkthrough
    assert fired(report) == {
        # The HTTP listener forwards instead of redirecting.
        ("alb-http-redirect-only", "mandatory", "http"),
        # The walk-through's ELBSecurityPolicy-2016-08 still accepts TLS 1.0.
        ("alb-tls-policy", "mandatory", "https"),
        # No access logs, invalid headers forwarded (the API default), no WAF.
        ("alb-access-logs-enabled", "mandatory", "alb"),
        ("alb-drop-invalid-headers", "mandatory", "alb"),
        ("alb-waf-attached", "mandatory", "alb"),
        # Explicit names everywhere.
        ("alb-target-group-autonamed", "advisory", "alb"),
        ("alb-target-group-autonamed", "advisory", "web-targets"),
        ("alb-target-group-autonamed", "advisory", "api-targets"),
        # Default health checks.
        ("alb-target-group-health-check", "advisory", "web-targets"),
        ("alb-target-group-health-check", "advisory", "api-targets"),
        # The catch-all "/*" at priority 1 swallows "/api/*".
        ("alb-listener-rule-reachable", "advisory", "api"),
    }
    assert report["summary"]["mandatory"] == 5
    assert report["summary"]["advisory"] == 6
    assert status == 1


def test_the_walkthrough_reports_the_pack_and_a_readable_message(walkthrough):
    _, report = walkthrough
    (tls,) = [v for v in report["violations"] if v["policy"] == "alb-tls-policy"]
    assert tls["policyPack"] == "alb-guardrails"
    assert "ELBSecurityPolicy-2016-08" in tls["message"]


def test_the_hand_written_compliant_program_fires_nothing(compliant):
    status, report = compliant
    assert report["violations"] == []
    assert report["summary"]["mandatory"] == report["summary"]["advisory"] == 0
    assert status == 0
    types = {resource["type"] for resource in report["resources"]}
    # Every relation the stack policies follow is present, so silence means compliance.
    assert {
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    } <= types

"""Fixtures for the alb-guardrails tests: the pack on the import path, and the two runners."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The engine runs the pack with its own directory on sys.path; tests import it the same way.
# The repository root holds preflight, whose Analyzer client drives the pack.
for directory in (REPO / "policies", REPO):
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))

from tests.policies.policy_harness import (  # noqa: E402
    Finding,
    Fix,
    ProtocolRunner,
    remediate_direct,
    run_direct,
)


@pytest.fixture(scope="session")
def protocol_runner() -> Iterator[ProtocolRunner]:
    runner = ProtocolRunner()
    try:
        yield runner
    finally:
        runner.close()


@pytest.fixture(params=["protocol", "direct"])
def run(request: pytest.FixtureRequest) -> Callable[..., list[Finding]]:
    """Run a described stack through the pack: over the Analyzer protocol, or in-process."""
    if request.param == "direct":
        return run_direct
    runner: ProtocolRunner = request.getfixturevalue("protocol_runner")
    return runner.run


@pytest.fixture(params=["protocol", "direct"])
def remediate(request: pytest.FixtureRequest) -> Callable[..., tuple[list[Fix], list[Finding]]]:
    """Like ``run``, with the remediations: what the remediate-level policies rewrote, and the
    findings on the rewritten stack."""
    if request.param == "direct":
        return remediate_direct
    runner: ProtocolRunner = request.getfixturevalue("protocol_runner")
    return runner.remediate


__all__ = ["Finding"]

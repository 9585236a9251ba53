"""Fixtures for the program's tests: dev and prod planned once per session, in-process."""

from __future__ import annotations

import pytest

from tests.program.program_harness import Plan, run_in_process, stack_values


@pytest.fixture(scope="session")
def dev_values() -> dict[str, str]:
    return stack_values("dev")


@pytest.fixture(scope="session")
def prod_values() -> dict[str, str]:
    return stack_values("prod")


@pytest.fixture(scope="session")
def dev_plan(dev_values: dict[str, str]) -> Plan:
    plan = run_in_process(dev_values, "dev")
    assert plan.error is None, plan.error
    return plan


@pytest.fixture(scope="session")
def prod_plan(prod_values: dict[str, str]) -> Plan:
    plan = run_in_process(prod_values, "prod")
    assert plan.error is None, plan.error
    return plan

"""Fixtures for the program's tests: dev and prod planned once per session, in-process."""

from __future__ import annotations

import pytest

from tests.program.program_harness import Plan, run_in_process, stack_values
from tests.program.update_golden import FixtureConfig, fixture_config


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


@pytest.fixture(scope="session")
def all_config() -> FixtureConfig:
    """The fixture stack with every option on (tests/fixtures/stacks/all-options)."""
    return fixture_config("all")


@pytest.fixture(scope="session")
def all_plan(all_config: FixtureConfig) -> Plan:
    plan = run_in_process(all_config.values, "all", all_config.secret_keys)
    assert plan.error is None, plan.error
    return plan

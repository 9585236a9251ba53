"""The messages people meet and script against: exit status 2 and one clear message on stderr,
never a Python class name or a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from preflight import cli
from preflight.analyzer.config import PolicyConfig, PolicySchema, unknown_entries
from tests.harness import REPO, Run, assert_one_clear_failure, run_preflight, write_program


def preflight_with(env: dict[str, str], *args: str | Path) -> Run:
    completed = subprocess.run(
        [sys.executable, "-m", "preflight", *map(str, args)],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


# --- time limits ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PREFLIGHT_TIMEOUT", "abc"),
        ("PREFLIGHT_TIMEOUT", "-5"),
        ("PREFLIGHT_TIMEOUT", "nan"),
        ("PREFLIGHT_POLICY_TIMEOUT", "0"),
        ("PREFLIGHT_POLICY_TIMEOUT", "10s"),
    ],
)
def test_a_bad_time_limit_in_the_environment_is_named(variable: str, value: str) -> None:
    run = preflight_with({variable: value}, "--policy-pack", "none")
    assert_one_clear_failure(run)
    assert run.stderr == (
        f"preflight: error: {variable}={value}: expected a positive number of seconds "
        f"(got {value!r})\n"
    )


def test_a_bad_time_limit_flag_is_a_usage_error() -> None:
    run = run_preflight("--timeout", "soon")
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.endswith(
        "python -m preflight: error: argument --timeout: expected a positive number of seconds "
        "(got 'soon')\n"
    )


def test_the_flag_wins_over_a_bad_environment_variable(tmp_path: Path) -> None:
    program = write_program(tmp_path / "shop", "import pulumi\npulumi.export('a', 1)\n")
    run = preflight_with(
        {"PREFLIGHT_TIMEOUT": "abc"}, "--program", program, "--timeout", "60", "--json"
    )
    assert run.returncode == 0, run.stderr
    assert run.document["outputs"] == {"a": 1}


# --- stack files ----------------------------------------------------------------------------


def test_a_misspelt_stack_names_the_missing_file_and_the_stacks_there() -> None:
    run = run_preflight("--stack", "prd", "--policy-pack", "none")
    assert_one_clear_failure(run)
    lines = run.stderr.splitlines()
    assert lines[0] == (
        f"preflight: error: {REPO / 'Pulumi.prd.yaml'} does not exist; stacks here: dev, prod"
    )
    assert lines[1] == "the program failed: invalid configuration for stack 'prd':"


def test_a_stack_without_a_file_that_runs_is_still_named(tmp_path: Path) -> None:
    program = write_program(tmp_path / "shop", "import pulumi\npulumi.export('a', 1)\n")
    run = run_preflight("--program", program, "--stack", "qa", "--json")
    assert run.returncode == 0, run.stderr
    assert run.document["stack"] == "qa"
    assert (
        f"preflight: warning: {program / 'Pulumi.qa.yaml'} does not exist; stacks here: dev; "
        "the stack ran without stack config\n"
    ) in run.stderr


# --- the interpreter --------------------------------------------------------------------------


def test_an_interpreter_without_the_dependencies_says_which_to_use() -> None:
    # -S: no site-packages, as a system python without the project's requirements.
    completed = subprocess.run(
        [sys.executable, "-S", "-m", "preflight", "--stack", "dev"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (completed.returncode, completed.stdout) == (2, "")
    assert completed.stderr == (
        f"preflight: error: {sys.executable} cannot run preflight (No module named 'yaml'); run "
        "`venv/bin/python -m preflight`, or activate the virtualenv first "
        "(`. venv/bin/activate`); `make venv` creates it\n"
    )


def test_an_internal_error_shows_no_class_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_args: object) -> int:
        raise KeyError("resources")

    monkeypatch.setattr(cli, "run", broken)
    assert cli.main(["--stack", "dev"]) == 2
    assert capsys.readouterr().err == (
        "preflight: internal error: 'resources' (a bug in preflight; run with --debug for the "
        "traceback)\n"
    )


# --- policy configs -----------------------------------------------------------------------------

SCHEMAS = [
    PolicySchema("alb-tls-policy", "mandatory", {"properties": {"securityHubStrict": {}}}),
    PolicySchema(
        "alb-deletion-protection",
        "mandatory",
        {"properties": {"protectedStacks": {}, "enforcementLevel": {}}},
    ),
    PolicySchema("alb-https-required", "mandatory", {"properties": {"enforcementLevel": {}}}),
]


def test_known_policies_settings_and_all_pass() -> None:
    config = {
        "all": PolicyConfig("advisory"),
        "alb-tls-policy": PolicyConfig(None, {"securityHubStrict": True}),
        "alb-deletion-protection": PolicyConfig("mandatory", {"protectedStacks": ["prod"]}),
        "alb-https-required": PolicyConfig("mandatory"),
    }
    assert unknown_entries(config, SCHEMAS) == []


def test_unknown_policies_and_settings_are_each_named() -> None:
    config = {
        "alb-tls-polcy": PolicyConfig("mandatory"),
        "waf-everything": PolicyConfig("mandatory"),
        "alb-deletion-protection": PolicyConfig(None, {"protectedStack": ["prod"]}),
        "alb-tls-policy": PolicyConfig(None, {"strict": True}),
        "alb-https-required": PolicyConfig(None, {"ports": [443]}),
        "all": PolicyConfig(None, {"x": 1}),
    }
    assert unknown_entries(config, SCHEMAS) == [
        "alb-tls-polcy: unknown policy (did you mean 'alb-tls-policy'?)",
        "waf-everything: unknown policy",
        "alb-deletion-protection.protectedStack: unknown setting (did you mean 'protectedStacks'?)",
        "alb-tls-policy.strict: unknown setting (alb-tls-policy's settings: securityHubStrict)",
        "alb-https-required.ports: unknown setting (alb-https-required has no settings, only "
        "enforcementLevel)",
        "all.x: unknown setting (all has no settings, only enforcementLevel)",
    ]


def test_preflight_refuses_a_policy_config_with_unknown_keys(tmp_path: Path) -> None:
    policy_config = tmp_path / "prod.json"
    policy_config.write_text(
        json.dumps(
            {
                "alb-deletion-protecton": "mandatory",
                "alb-tls-policy": {"securityHubStric": True},
            }
        )
    )
    run = run_preflight("--stack", "prod", "--policy-config", policy_config)
    assert_one_clear_failure(run)
    assert run.stderr == (
        f"preflight: error: policy config {policy_config}: alb-deletion-protecton: unknown "
        "policy (did you mean 'alb-deletion-protection'?)\n"
        f"policy config {policy_config}: alb-tls-policy.securityHubStric: unknown setting (did "
        "you mean 'securityHubStrict'?)\n"
    )


def test_a_policy_config_that_is_not_an_object_is_described_in_json_terms(
    tmp_path: Path,
) -> None:
    policy_config = tmp_path / "dev.json"
    policy_config.write_text('["alb-tls-policy"]')
    run = run_preflight("--stack", "dev", "--policy-config", policy_config)
    assert_one_clear_failure(run)
    assert run.stderr == (
        f"preflight: error: policy config {policy_config}: must be a JSON object mapping policy "
        "names to an enforcement level or an object (got an array)\n"
    )

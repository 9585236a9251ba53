"""What the test suites share: ``python -m preflight`` run as a user runs it, throwaway copies
of the program and of small programs, and the app teams' outputs contract.

Tests import it as ``tests.harness`` (pytest puts the repository root on ``sys.path``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[1]
PROGRAMS = REPO / "tests" / "fixtures" / "programs"
PACKS = REPO / "tests" / "fixtures" / "packs"
POLICY_PACK = REPO / "policies"


# --- processes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One finished Python process."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def document(self) -> dict[str, Any]:
        """The JSON document the process printed (``--json``)."""
        document: dict[str, Any] = json.loads(self.stdout)
        return document


def run_python(*args: str | Path, cwd: Path = REPO, timeout: float = 180) -> Run:
    """This interpreter with ``args``, as a user runs it from ``cwd``."""
    completed = subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def run_preflight(*args: str | Path, cwd: Path = REPO, timeout: float = 180) -> Run:
    """``python -m preflight ARGS``."""
    return run_python("-m", "preflight", *args, cwd=cwd, timeout=timeout)


def assert_one_clear_failure(run: Run, *fragments: str) -> None:
    """Exit status 2, no plan, no traceback, and a message holding every fragment."""
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    for fragment in fragments:
        assert fragment in run.stderr


# --- programs ------------------------------------------------------------------------------

# What a copy of the program needs to run: its code, its project file, its virtualenv, and
# the policy pack's directory, whose ELB security policy table components/aws_facts.py reads.
PROGRAM_FILES = ("__main__.py", "Pulumi.yaml", "components", "policies", "venv")


def copy_program(parent: Path) -> Path:
    """A new directory under ``parent`` holding the program (linked, not copied), ready for a
    stack file."""
    directory = Path(tempfile.mkdtemp(prefix="alb-program-", dir=parent))
    for name in PROGRAM_FILES:
        (directory / name).symlink_to(REPO / name)
    return directory


def write_stack(directory: Path, stack: str, document: Any) -> Path:
    """Pulumi.<stack>.yaml with ``document`` (a mapping, or raw YAML text as a str)."""
    path = directory / f"Pulumi.{stack}.yaml"
    text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def write_program(directory: Path, main: str, stack: str = "", project: str = "") -> Path:
    """A throwaway Pulumi program: __main__.py, Pulumi.yaml and Pulumi.dev.yaml."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "__main__.py").write_text(main, encoding="utf-8")
    (directory / "Pulumi.yaml").write_text(
        project or f"name: {directory.name}\nruntime: python\n", encoding="utf-8"
    )
    (directory / "Pulumi.dev.yaml").write_text(stack or "config: {}\n", encoding="utf-8")
    return directory


# --- preflight's document (SPEC §4) --------------------------------------------------------

SPEC_RESOURCE_KEYS = {
    "urn",
    "type",
    "name",
    "parent",
    "dependencies",
    "protect",
    "inputs",
    "outputs",
}


def assert_spec_document(document: dict[str, Any]) -> None:
    """The SPEC §4 document's shape."""
    assert {"project", "stack", "resources", "outputs", "violations", "summary"} <= set(document)
    for resource in document["resources"]:
        assert set(resource) >= SPEC_RESOURCE_KEYS
    for violation in document["violations"]:
        assert {"policyPack", "policy", "enforcementLevel", "urn", "message"} <= set(violation)
    summary = document["summary"]
    assert summary["resources"] == len(document["resources"])
    levels = [violation["enforcementLevel"] for violation in document["violations"]]
    assert (summary["mandatory"], summary["advisory"]) == (
        levels.count("mandatory"),
        levels.count("advisory"),
    )


def by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {resource["name"]: resource for resource in document["resources"]}


# --- the stack outputs (SPEC §3, docs/outputs.schema.json) ---------------------------------

OUTPUTS_SCHEMA: dict[str, Any] = json.loads(
    (REPO / "docs" / "outputs.schema.json").read_text(encoding="utf-8")
)
OUTPUTS_VALIDATOR = Draft202012Validator(OUTPUTS_SCHEMA)
# SPEC §3: the outputs app teams build on.
CONTRACT_OUTPUTS = frozenset(
    {
        "url",
        "albArn",
        "albArnSuffix",
        "albDnsName",
        "albZoneId",
        "httpsListenerArn",
        "httpListenerArn",
        "securityGroupId",
        "targetGroups",
        "webAclArn",
        "logBucketName",
        "alarmTopicArn",
    }
)


# Exported only when the stack has what they describe (SPEC §6: a deployment's test listener).
OPTIONAL_OUTPUTS = frozenset({"testListenerArn"})


def output_errors(outputs: dict[str, Any]) -> list[str]:
    """Where ``outputs`` breaks docs/outputs.schema.json, one line per problem."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in OUTPUTS_VALIDATOR.iter_errors(outputs)
    ]


def assert_outputs_contract(outputs: dict[str, Any]) -> None:
    """Exactly the SPEC §3 outputs, each as docs/outputs.schema.json describes it."""
    assert outputs.keys() - OPTIONAL_OUTPUTS == CONTRACT_OUTPUTS
    assert output_errors(outputs) == []

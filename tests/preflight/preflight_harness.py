"""Helpers for preflight's tests: run ``python -m preflight`` as a user does."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = REPO / "tests" / "fixtures" / "programs"


@dataclass(frozen=True)
class Run:
    """One finished ``python -m preflight`` process."""

    returncode: int
    stdout: str
    stderr: str

    def document(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def run_preflight(*args: str | Path, cwd: Path = REPO, timeout: float = 180) -> Run:
    completed = subprocess.run(
        [sys.executable, "-m", "preflight", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def write_program(directory: Path, main: str, stack: str = "", project: str = "") -> Path:
    """A throwaway Pulumi program: __main__.py, Pulumi.yaml and Pulumi.dev.yaml."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "__main__.py").write_text(main, encoding="utf-8")
    (directory / "Pulumi.yaml").write_text(
        project or f"name: {directory.name}\nruntime: python\n", encoding="utf-8"
    )
    (directory / "Pulumi.dev.yaml").write_text(stack or "config: {}\n", encoding="utf-8")
    return directory


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


def assert_one_clear_failure(run: Run, *fragments: str) -> None:
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    for fragment in fragments:
        assert fragment in run.stderr

"""Rewrite tests/golden/<stack>.urns.txt from what preflight plans now (`make golden`).

Run it only when a rename is intended, and give the renamed resources ``aliases`` so that
existing stacks keep their resources instead of replacing them.

Beside the repository's stacks, the fixture stacks under tests/fixtures/stacks/ turn on what dev
and prod leave off (every option: dualstack, SNI certificates, mutual TLS, deployments, Lambda
and static targets, routes, authentication); they are planned in-process, as the worker runs
the program, with the repository as the program's directory.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
GOLDEN_DIR = REPO / "tests" / "golden"
STACKS = ("dev", "prod")
# Fixture stack name -> the directory of its Pulumi.<stack>.yaml.
FIXTURE_STACKS = {"all": REPO / "tests" / "fixtures" / "stacks" / "all-options"}


@dataclasses.dataclass(frozen=True)
class FixtureConfig:
    """A fixture stack's config as the CLI hands it to the program."""

    values: dict[str, str]
    secret_keys: tuple[str, ...]


def fixture_config(stack: str) -> FixtureConfig:
    """The fixture stack's file read as preflight's CLI reads a stack of this project."""
    from preflight.project import load_project, load_stack_config

    project = dataclasses.replace(load_project(REPO), directory=FIXTURE_STACKS[stack])
    config = load_stack_config(project, stack)
    return FixtureConfig(dict(config.values), tuple(config.secret_keys))


def fixture_urns(stack: str) -> list[str]:
    """The golden URNs of a fixture stack, planned in-process."""
    from tests.program.program_harness import run_in_process

    config = fixture_config(stack)
    plan = run_in_process(config.values, stack, config.secret_keys)
    if plan.error is not None:
        raise SystemExit(f"the {stack} fixture stack failed:\n{plan.error}")
    return golden_urns(
        {"resources": [{"urn": r.urn, "type": r.type, "name": r.name} for r in plan.resources]}
    )


def golden_path(stack: str) -> Path:
    return GOLDEN_DIR / f"{stack}.urns.txt"


def planned_urns(stack: str) -> list[str]:
    """The golden URNs of what `python -m preflight --stack STACK` plans."""
    completed = subprocess.run(
        [sys.executable, "-m", "preflight", "--stack", stack, "--json", "--policy-pack", "none"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"preflight --stack {stack} failed:\n{completed.stderr}")
    return golden_urns(json.loads(completed.stdout))


def golden_urns(document: dict[str, Any]) -> list[str]:
    """The sorted URNs of every resource a preflight document plans.

    Default providers are left out: their name carries the plugin version, and the engine
    moves resources to a new default provider on an upgrade without replacing them.
    """
    return sorted(
        resource["urn"]
        for resource in document["resources"]
        if not (
            resource["type"].startswith("pulumi:providers:")
            and re.fullmatch(r"default(_[0-9_]+.*)?", resource["name"])
        )
    )


def read_golden(stack: str) -> list[str]:
    return golden_path(stack).read_text(encoding="utf-8").splitlines()


def main() -> int:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for stack in (*STACKS, *FIXTURE_STACKS):
        path = golden_path(stack)
        old = set(read_golden(stack)) if path.is_file() else set()
        urns = planned_urns(stack) if stack in STACKS else fixture_urns(stack)
        path.write_text("".join(f"{urn}\n" for urn in urns), encoding="utf-8")
        added, removed = len(set(urns) - old), len(old - set(urns))
        print(f"{path.relative_to(REPO)}: {len(urns)} URNs (+{added} -{removed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

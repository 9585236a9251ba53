"""Rewrite tests/golden/<stack>.urns.txt from what preflight plans now (`make golden`).

Run it only when a rename is intended, and give the renamed resources ``aliases`` so that
existing stacks keep their resources instead of replacing them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
GOLDEN_DIR = REPO / "tests" / "golden"
STACKS = ("dev", "prod")


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
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for stack in STACKS:
        path = golden_path(stack)
        old = set(read_golden(stack)) if path.is_file() else set()
        urns = planned_urns(stack)
        path.write_text("".join(f"{urn}\n" for urn in urns), encoding="utf-8")
        added, removed = len(set(urns) - old), len(old - set(urns))
        print(f"{path.relative_to(REPO)}: {len(urns)} URNs (+{added} -{removed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Blast radius of a config change: plan a stack before and after, and say what moved.

A change is a function that edits the ``config:`` mapping of ``Pulumi.<stack>.yaml``. It
runs on a throwaway copy of the program (``python -m preflight --json --policy-pack none``,
as a user runs it), and the two documents are compared by ``preflight.compare``, the code
behind ``python -m preflight --compare``: what a test asserts is what a reviewer sees.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from preflight.compare import PlanDiff, diff_documents
from tests.harness import REPO, copy_program, run_preflight, write_stack

ConfigChange = Callable[[dict[str, Any]], None]


def changed_program(parent: Path, stack: str, change: ConfigChange | None = None) -> Path:
    """A copy of the program whose stack file has ``change`` applied."""
    directory = copy_program(parent)
    document = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
    if change is not None:
        change(document["config"])
    write_stack(directory, stack, document)
    return directory


def plan(program: Path, stack: str) -> dict[str, Any]:
    """``python -m preflight --json`` of the program, without policies (they do not change
    what is registered)."""
    run = run_preflight("--program", program, "--stack", stack, "--policy-pack", "none", "--json")
    assert run.returncode == 0, run.stderr
    return run.document


def plan_changes(
    stack: str, changes: Mapping[str, ConfigChange | None], *, workers: int = 4
) -> dict[str, dict[str, Any]]:
    """Plan the stack once per change (None: unchanged), in parallel; documents by change name."""
    parent = Path(tempfile.mkdtemp(prefix="blast-radius-"))
    try:
        programs = {
            name: changed_program(parent, stack, change) for name, change in changes.items()
        }
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {
                name: pool.submit(plan, program, stack) for name, program in programs.items()
            }
            return {name: future.result() for name, future in futures.items()}
    finally:
        shutil.rmtree(parent, ignore_errors=True)


@dataclass(frozen=True)
class BlastRadius:
    """URNs that a change adds, removes, changes (inputs or options) and replaces."""

    added: frozenset[str]
    removed: frozenset[str]
    changed: frozenset[str]
    replaced: frozenset[str]
    diff: PlanDiff

    @property
    def touched(self) -> frozenset[str]:
        return self.added | self.removed | self.changed


def blast_radius(before: Mapping[str, Any], after: Mapping[str, Any]) -> BlastRadius:
    diff = diff_documents(before, after)
    return BlastRadius(
        added=frozenset(r.urn for r in diff.added),
        removed=frozenset(r.urn for r in diff.removed),
        changed=frozenset(r.urn for r in diff.changed),
        replaced=frozenset(r.urn for r in diff.replaced),
        diff=diff,
    )


# --- which URNs a change is about --------------------------------------------------------


def name_of(urn: str) -> str:
    return urn.split("::", 3)[-1]


def type_of(urn: str) -> str:
    return urn.split("::")[2].rsplit("$", 1)[-1]


def urns(*documents: Mapping[str, Any]) -> set[str]:
    return {r["urn"] for document in documents for r in document["resources"]}


def named(documents: Iterable[Mapping[str, Any]], prefix: str) -> set[str]:
    """URNs whose resource name is ``prefix`` or starts with ``prefix-`` (so ``alb-dev-api``
    does not match ``alb-dev-apiv2``)."""
    return {
        urn
        for urn in urns(*documents)
        if name_of(urn) == prefix or name_of(urn).startswith(prefix + "-")
    }


def of_type(documents: Iterable[Mapping[str, Any]], *types: str) -> set[str]:
    return {urn for urn in urns(*documents) if type_of(urn) in types}


def assert_only(radius: BlastRadius, allowed: AbstractSet[str]) -> None:
    """Nothing outside ``allowed`` is added, removed or changed; every other URN and its
    inputs stay identical."""
    stray = radius.touched - allowed
    assert not stray, "changed beyond the resources the change is about:\n" + "\n".join(
        f"  {urn}: {_describe(radius.diff, urn)}" for urn in sorted(stray)
    )


def _describe(diff: PlanDiff, urn: str) -> str:
    for resource in diff.changed:
        if resource.urn == urn:
            return "; ".join(f"{c.path}: {c.before!r} -> {c.after!r}" for c in resource.changes)
    return "added" if any(r.urn == urn for r in diff.added) else "removed"

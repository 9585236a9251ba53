"""The deploy order a plan implies: its critical path and its waves.

The engine starts a resource's create as soon as everything it waits for exists, so the length
of a deployment is set by the longest chain of operations that wait on each other. The chain is
computed among the operations that reach the cloud: custom resources other than the engine's
own (providers are configuration, stack references read another stack's outputs). An operation
waits for

- its dependencies. A dependency on a component is a dependency on the component's
  descendants, expanded as the SDK expands ``depends_on`` on a local component: its children,
  recursively through child components, stopping at custom resources;
- its parent when the parent is an operation (the SDK registers a child only once its parent's
  URN is known, which for a custom resource is after the engine created it). A component
  parent is registered at once and does not delay its children.

An operation's *depth* is one more than the deepest operation it waits for; the *waves* group
operations by depth (everything in wave ``n`` can run once waves ``1..n-1`` are done), and the
*critical path* is a chain of operations, one per wave, ending in the deepest one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from preflight.records import ResourceRecord


@dataclass(frozen=True)
class DeployOrder:
    critical_path: tuple[ResourceRecord, ...]
    """The longest chain of operations that wait on each other, first to last."""
    waves: tuple[tuple[ResourceRecord, ...], ...]
    """Operations grouped by depth: ``waves[0]`` waits for nothing."""


def is_operation(record: ResourceRecord) -> bool:
    """Whether the engine makes a cloud call for the record: a custom resource outside the
    ``pulumi`` package (providers, stack references and the stack are the engine's own)."""
    return record.custom and not record.type.startswith("pulumi:")


def deploy_order(records: Sequence[ResourceRecord]) -> DeployOrder:
    """The critical path and the waves of ``records`` (in any order; linear in the graph)."""
    by_urn = {record.urn: record for record in records}
    operations = [record for record in records if is_operation(record)]
    waits = _waits(records, by_urn, operations)
    dependents: dict[str, list[str]] = {}
    for urn, needs in waits.items():
        for need in needs:
            dependents.setdefault(need, []).append(urn)

    depth: dict[str, int] = {}
    via: dict[str, str | None] = {}
    remaining = {urn: len(needs) for urn, needs in waits.items()}
    ready = [record.urn for record in operations if not waits[record.urn]]
    while ready:
        urn = ready.pop()
        # Of equally deep prerequisites, the one the most operations wait for is where a
        # delay costs the most; the URN breaks any remaining tie.
        before = max(
            waits[urn],
            key=lambda need: (depth[need], len(dependents.get(need, ())), need),
            default=None,
        )
        depth[urn] = 1 + (depth[before] if before is not None else 0)
        via[urn] = before
        for dependent in dependents.get(urn, ()):
            remaining[dependent] -= 1
            if remaining[dependent] == 0:
                ready.append(dependent)
    # An operation in a dependency cycle (which the engine would reject) has no depth.
    placed = [record for record in operations if record.urn in depth]
    if not placed:
        return DeployOrder(critical_path=(), waves=())

    last = max(placed, key=lambda record: (depth[record.urn], record.urn))
    chain: list[ResourceRecord] = []
    step: str | None = last.urn
    while step is not None:
        chain.append(by_urn[step])
        step = via[step]
    waves: list[list[ResourceRecord]] = [[] for _ in range(depth[last.urn])]
    for record in placed:
        waves[depth[record.urn] - 1].append(record)
    return DeployOrder(
        critical_path=tuple(reversed(chain)), waves=tuple(tuple(wave) for wave in waves)
    )


def waits(records: Sequence[ResourceRecord]) -> dict[str, set[str]]:
    """For each operation among ``records``, the operations it waits for directly."""
    by_urn = {record.urn: record for record in records}
    return _waits(records, by_urn, [record for record in records if is_operation(record)])


def _waits(
    records: Sequence[ResourceRecord],
    by_urn: dict[str, ResourceRecord],
    operations: Sequence[ResourceRecord],
) -> dict[str, set[str]]:
    """For each operation, the operations it waits for."""
    children: dict[str, list[str]] = {}
    for record in records:
        if record.parent in by_urn:
            children.setdefault(record.parent, []).append(record.urn)
    expanded: dict[str, tuple[str, ...]] = {}

    def expand(urn: str) -> tuple[str, ...]:
        """The operations a dependency on ``urn`` waits for (iterative: deep trees are fine)."""
        if urn in expanded:
            return expanded[urn]
        found: dict[str, None] = {}
        pending, seen = [urn], {urn}
        while pending:
            current = by_urn.get(pending.pop())
            if current is None:
                continue
            if current.custom:
                if is_operation(current):
                    found[current.urn] = None
                continue
            for child in children.get(current.urn, ()):
                if child not in seen:
                    seen.add(child)
                    pending.append(child)
        expanded[urn] = tuple(found)
        return expanded[urn]

    waits: dict[str, set[str]] = {}
    for record in operations:
        needs: set[str] = set()
        for dependency in record.dependencies:
            needs.update(expand(dependency))
        parent = by_urn.get(record.parent or "")
        if parent is not None and is_operation(parent):
            needs.add(parent.urn)
        needs.discard(record.urn)
        waits[record.urn] = needs
    return waits

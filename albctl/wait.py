"""``albctl wait SERVICE[/COLOUR]``: poll target health until enough targets are healthy."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from rich.console import Console

from albctl.aws import Aws
from albctl.errors import AlbctlError
from albctl.outputs import COLOURS, StackOutputs, TargetGroup
from albctl.targets import Target, describe_targets

# How many targets a timeout message names; the rest are counted.
_SHOWN_TARGETS = 5


@dataclass(frozen=True)
class Selection:
    """What to wait on: a service, or one colour of a blue-green service."""

    label: str
    service: str
    groups: list[TargetGroup]


def select(outputs: StackOutputs, spec: str) -> Selection:
    name, slash, colour = spec.partition("/")
    service = outputs.service(name)
    groups = service.groups()
    if not slash:
        return Selection(spec, name, list(groups.values()))
    if service.alternate is None:
        raise AlbctlError(
            f"service {name} has no colours: it is not a blue-green or canary service (its "
            f"outputs have no targetGroups.{name}.alternate); wait on {name}"
        )
    if colour not in COLOURS:
        raise AlbctlError(
            f"service {name} has no colour {colour!r}: {name}/blue is its target group, "
            f"{name}/green its alternate"
        )
    return Selection(spec, name, [groups[colour]])


@dataclass(frozen=True)
class WaitResult:
    reached: bool
    healthy: int
    targets: list[Target]
    elapsed: float


def summary(targets: list[Target]) -> str:
    """``1 initial, 2 healthy``: how many targets are in each state."""
    if not targets:
        return "no targets registered"
    counts = Counter("healthy" if target.serving else target.state for target in targets)
    return ", ".join(f"{count} {state}" for state, count in sorted(counts.items()))


class ProgressLine:
    """One line that follows the wait: redrawn in place on a terminal; in a pipeline's log,
    a new line only when the targets' states change."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._status: Any = None
        self._last = ""

    def __enter__(self) -> ProgressLine:
        if self._console.is_terminal:
            self._status = self._console.status("", spinner="dots")
            self._status.start()
        return self

    def update(self, state: str, suffix: str) -> None:
        if self._status is not None:
            self._status.update(f"{state} {suffix}")
        elif state != self._last:
            self._console.print(f"{state} {suffix}", highlight=False)
        self._last = state

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._status is not None:
            self._status.stop()


def wait(
    aws: Aws,
    selection: Selection,
    *,
    min_healthy: int,
    timeout: float,
    interval: float,
    progress: ProgressLine,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> WaitResult:
    start = clock()
    while True:
        targets = [
            target
            for group in selection.groups
            for target in describe_targets(aws, group, selection.service)
        ]
        healthy = sum(target.serving for target in targets)
        elapsed = clock() - start
        if healthy >= min_healthy or elapsed >= timeout:
            return WaitResult(healthy >= min_healthy, healthy, targets, elapsed)
        progress.update(
            f"{selection.label}: {healthy} of {min_healthy} healthy ({summary(targets)})",
            f"· {elapsed:.0f}s of {timeout:g}s",
        )
        sleep(min(interval, max(timeout - elapsed, 0)))


def outcome(selection: Selection, min_healthy: int, result: WaitResult) -> str:
    if result.reached:
        return (
            f"{selection.label}: {result.healthy} healthy (wanted {min_healthy}) "
            f"after {result.elapsed:.0f}s"
        )
    waiting = [target for target in result.targets if not target.serving]
    shown = [
        f"{target.label()} {target.state}" + (f" ({target.reason})" if target.reason else "")
        for target in waiting[:_SHOWN_TARGETS]
    ]
    if len(waiting) > _SHOWN_TARGETS:
        shown.append(f"{len(waiting) - _SHOWN_TARGETS} more")
    detail = "; ".join(shown) if shown else "no targets registered"
    return (
        f"{selection.label}: timed out after {result.elapsed:.0f}s with {result.healthy} of "
        f"{min_healthy} healthy: {detail}"
    )

"""Run the ALB program the way preflight's worker does, in-process.

``run_in_process`` drives the real ``__main__.py`` with preflight's recording monitor and AWS
model (the code path of ``python -m preflight.worker``), so one run costs a fraction of a
second instead of a process start; the user's ``python -m preflight`` is
``tests.harness.run_preflight``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from preflight.aws_model import AwsModel
from preflight.cli import ORGANIZATION, build_records
from preflight.codec import decode
from preflight.project import load_project, load_stack_config
from preflight.records import ResourceRecord
from preflight.runner import RecordingEngine, RecordingMonitor, run_program
from tests.harness import REPO

PROJECT = "alb"
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class Plan:
    """One run of the program: the records preflight would analyze, or the failure."""

    stack: str
    resources: list[ResourceRecord] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    logs: list[dict[str, Any]] = field(default_factory=list)
    # Everything the monitor and the engine reported (resources, outputs, logs, warnings).
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def registered(self) -> list[ResourceRecord]:
        """Everything registered except the root stack (which the SDK creates first)."""
        return [r for r in self.resources if r.type != STACK_TYPE]

    def of_type(self, type_: str) -> list[ResourceRecord]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> ResourceRecord:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {type_} {name or ''}, found {len(found)}"
        return found[0]

    def by_urn(self, urn: str | None) -> ResourceRecord:
        return next(r for r in self.resources if r.urn == urn)

    def children(self, parent: ResourceRecord) -> list[ResourceRecord]:
        return [r for r in self.resources if r.parent == parent.urn]


def stack_values(stack: str, program_dir: Path = REPO) -> dict[str, str]:
    """``PULUMI_CONFIG`` for a stack, read from its files exactly as preflight's CLI reads it."""
    return dict(load_stack_config(load_project(program_dir), stack).values)


@contextlib.contextmanager
def _environment(
    values: Mapping[str, str],
    stack: str,
    secret_keys: Collection[str] = (),
    project: str = PROJECT,
) -> Iterator[None]:
    """The language host's environment for the program (see preflight.cli.worker_environment)."""
    updates = {
        "PULUMI_PROJECT": project,
        "PULUMI_STACK": stack,
        "PULUMI_ORGANIZATION": ORGANIZATION,
        "PULUMI_DRY_RUN": "true",
        "PULUMI_CONFIG": json.dumps(dict(values)),
        "PULUMI_CONFIG_SECRET_KEYS": json.dumps(sorted(secret_keys)),
    }
    saved = {key: os.environ.get(key) for key in updates}
    os.environ.update(updates)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _event_loop_kept() -> Iterator[None]:
    """run_program closes the loop it runs on, as the worker process ends there; tests that
    run later in this process (``pulumi.runtime.test``) need the loop they had."""
    policy = asyncio.get_event_loop_policy()
    previous = policy.get_event_loop()
    try:
        yield
    finally:
        policy.set_event_loop(previous)


def run_in_process(
    values: Mapping[str, str],
    stack: str = "dev",
    secret_keys: Collection[str] = (),
    *,
    program: Path = REPO,
    project: str = PROJECT,
    stack_outputs: Mapping[str, dict[str, Any]] | None = None,
) -> Plan:
    """The program under preflight's recording monitor and AWS model, as the worker runs it
    (the platform's by default; ``stack_outputs`` as ``preflight.cli.read_stack_outputs``
    gives them)."""
    events: list[dict[str, Any]] = []
    plan = Plan(stack=stack)
    with _environment(values, stack, secret_keys, project), _event_loop_kept():
        monitor = RecordingMonitor(
            AwsModel.from_config(dict(values)),
            events.append,
            stack_outputs=dict(stack_outputs or {}),
            provider_config=dict(values),
        )
        try:
            outputs = run_program(
                str(program / "__main__.py"),
                monitor=monitor,
                engine=RecordingEngine(events.append),
                project=project,
                stack=stack,
                organization=ORGANIZATION,
                root_directory=str(program),
            )
        except pulumi.RunError as exc:
            plan.error = str(exc)
            outputs = {}
    plan.events = events
    plan.logs = [e for e in events if e.get("event") == "log"]
    plan.outputs = decode(outputs) if isinstance(outputs, dict) else {}
    plan.resources = build_records(events, plan.outputs)
    return plan


def with_config(values: Mapping[str, str], **changes: Any) -> dict[str, str]:
    """A copy of ``values`` with ``alb:`` keys set (camelCase names; None removes a key)."""
    from preflight.project import config_text

    updated = dict(values)
    for name, value in changes.items():
        key = name if ":" in name else f"alb:{name}"
        if value is None:
            updated.pop(key, None)
        else:
            updated[key] = config_text(value)
    return updated


def config_of(values: Mapping[str, str], name: str) -> Any:
    """The decoded value of an ``alb:`` key (structured values are JSON)."""
    raw = values[name if ":" in name else f"alb:{name}"]
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw

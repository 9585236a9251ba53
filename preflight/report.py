"""What preflight shows: the text report, the SPEC §4 JSON document and the dependency graph.

Secrets never appear in a report: they are shown as ``"[secret]"`` (unknowns as
``"[unknown]"``). The JSON document lists the names of secret stack outputs under
``secretOutputs``, which is how ``--stack-outputs NAME=FILE`` gives them back to a
``StackReference`` as secrets (their plaintext is not in the file).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from preflight.codec import mask
from preflight.graph import DeployOrder, deploy_order
from preflight.records import UNKNOWN, Remediation, ResourceRecord, Secret, Violation

if TYPE_CHECKING:
    from preflight.compare import OutputChange
    from preflight.hazards import Hazard

LEVELS = ("mandatory", "remediate", "advisory")


class ReportError(Exception):
    """A report could not be written (for example, no Graphviz for an SVG graph)."""


@dataclass(frozen=True)
class PlanWarning:
    """Something the user should know that did not stop the run (an unmodelled invoke, a
    program warning)."""

    kind: str
    message: str
    urn: str | None = None


@dataclass
class Plan:
    """Everything one preflight run found."""

    project: str
    stack: str
    resources: list[ResourceRecord]
    outputs: dict[str, Any]
    violations: list[Violation] = field(default_factory=list)
    remediations: list[Remediation] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    policy_packs: list[tuple[str, str]] = field(default_factory=list)

    def count(self, level: str) -> int:
        return sum(1 for violation in self.violations if violation.enforcement_level == level)

    @property
    def deploy_order(self) -> DeployOrder:
        return deploy_order(self.resources)

    @property
    def secret_outputs(self) -> list[str]:
        return sorted(name for name, value in self.outputs.items() if isinstance(value, Secret))


# --- JSON --------------------------------------------------------------------------------


def to_document(plan: Plan) -> dict[str, Any]:
    """The SPEC §4 document (plus ``warnings``, ``remediations``, ``policyPacks`` and the
    recorded resource options)."""
    order = plan.deploy_order
    return {
        "project": plan.project,
        "stack": plan.stack,
        "resources": [_resource_document(record) for record in plan.resources],
        "outputs": mask(plan.outputs),
        "secretOutputs": plan.secret_outputs,
        "violations": [
            {
                "policyPack": violation.policy_pack,
                "policy": violation.policy,
                "enforcementLevel": violation.enforcement_level,
                "urn": violation.urn,
                "message": violation.message,
                "severity": violation.severity,
            }
            for violation in plan.violations
        ],
        "remediations": [
            {
                "policyPack": remediation.policy_pack,
                "policy": remediation.policy,
                "urn": remediation.urn,
                "before": mask(remediation.before),
                "after": mask(remediation.after),
                "diagnostic": remediation.diagnostic,
            }
            for remediation in plan.remediations
        ],
        "warnings": [
            {"kind": warning.kind, "message": warning.message, "urn": warning.urn}
            for warning in plan.warnings
        ],
        "policyPacks": [{"name": name, "version": version} for name, version in plan.policy_packs],
        "summary": {
            "resources": len(plan.resources),
            "mandatory": plan.count("mandatory"),
            "advisory": plan.count("advisory"),
            "criticalPath": [
                {"urn": record.urn, "type": record.type, "name": record.name}
                for record in order.critical_path
            ],
            "waves": [[record.urn for record in wave] for wave in order.waves],
        },
    }


def _resource_document(record: ResourceRecord) -> dict[str, Any]:
    document: dict[str, Any] = {
        "urn": record.urn,
        "type": record.type,
        "name": record.name,
        "parent": record.parent,
        "dependencies": list(record.dependencies),
        "protect": record.protect,
        "inputs": mask(record.inputs),
        "outputs": mask(record.outputs),
        "custom": record.custom,
        "id": record.id,
        "provider": record.provider,
        "retainOnDelete": record.retain_on_delete,
        "deleteBeforeReplace": record.delete_before_replace,
    }
    if record.property_dependencies:
        document["propertyDependencies"] = {
            key: list(value) for key, value in record.property_dependencies.items()
        }
    for key, value in (
        ("ignoreChanges", record.ignore_changes),
        ("additionalSecretOutputs", record.additional_secret_outputs),
        ("aliases", record.aliases),
    ):
        if value:
            document[key] = list(value)
    if record.custom_timeouts:
        document["customTimeouts"] = dict(record.custom_timeouts)
    return document


def render_json(plan: Plan) -> str:
    return json.dumps(to_document(plan), indent=2, ensure_ascii=False)


# --- text --------------------------------------------------------------------------------


def _short(value: Any, limit: int = 100) -> str:
    if isinstance(value, Secret):
        return "[secret]"
    if value is UNKNOWN:
        return "[unknown]"
    text = json.dumps(mask(value), ensure_ascii=False)
    if isinstance(value, str) or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def _tree_lines(resources: Sequence[ResourceRecord]) -> list[str]:
    children: dict[str | None, list[ResourceRecord]] = {}
    known = {record.urn for record in resources}
    for record in resources:
        parent = record.parent if record.parent in known else None
        children.setdefault(parent, []).append(record)
    lines: list[str] = []

    def walk(record: ResourceRecord, prefix: str, branch: str) -> None:
        flags = [
            flag
            for flag, on in (("protect", record.protect), ("retain", record.retain_on_delete))
            if on
        ]
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        lines.append(f"{prefix}{branch}{record.type}  {record.name}{suffix}")
        kids = children.get(record.urn, [])
        extension = "" if not branch else ("   " if branch == "└─ " else "│  ")
        for index, child in enumerate(kids):
            walk(child, prefix + extension, "└─ " if index == len(kids) - 1 else "├─ ")

    for root in children.get(None, []):
        walk(root, "  ", "")
    return lines


def render_text(plan: Plan) -> str:
    lines = [f"Preflight: project {plan.project}, stack {plan.stack}", ""]
    lines.append(f"Resources ({len(plan.resources)}):")
    lines.extend(_tree_lines(plan.resources))
    lines.append("")
    if plan.outputs:
        lines.append("Outputs:")
        width = max(len(name) for name in plan.outputs)
        for name in sorted(plan.outputs):
            value = plan.outputs[name]
            if isinstance(value, (dict, list)) and value:
                text = json.dumps(mask(value), indent=2, sort_keys=True, ensure_ascii=False)
                first, *rest = text.splitlines()
                lines.append(f"  {name.ljust(width)}  {first}")
                lines.extend(f"  {' ' * width}  {line}" for line in rest)
            else:
                lines.append(f"  {name.ljust(width)}  {_short(value)}")
        lines.append("")
    lines.extend(_deploy_order_lines(plan.deploy_order))
    if plan.warnings:
        lines.append("Warnings:")
        lines.extend(f"  - {warning.message}" for warning in plan.warnings)
        lines.append("")
    names = {record.urn: f"{record.type}  {record.name}" for record in plan.resources}
    for level in LEVELS:
        found = [v for v in plan.violations if v.enforcement_level == level]
        if not found:
            continue
        lines.append(f"Policy violations: {level} ({len(found)})")
        for violation in found:
            target = names.get(violation.urn, violation.urn) if violation.urn else "(stack)"
            lines.append(f"  [{violation.policy_pack}] {violation.policy}  {target}")
            lines.extend(f"      {line}" for line in violation.message.strip().splitlines())
        lines.append("")
    if plan.remediations:
        lines.append("Remediations (what a remediate-level policy would change):")
        for remediation in plan.remediations:
            target = names.get(remediation.urn, remediation.urn)
            lines.append(f"  [{remediation.policy_pack}] {remediation.policy}  {target}")
            for key in sorted(set(remediation.before) | set(remediation.after)):
                before, after = remediation.before.get(key), remediation.after.get(key)
                if before != after:
                    lines.append(f"      {key}: {_short(before, 60)} -> {_short(after, 60)}")
        lines.append("")
    lines.append(summary_line(plan))
    return "\n".join(lines) + "\n"


def hazard_lines(hazards: Sequence[Hazard]) -> list[str]:
    """The update hazards of ``--compare``: each kind, and the message wrapped under it."""
    if not hazards:
        return []
    lines = [f"Update hazards ({len(hazards)}): the update would fail on AWS or in the engine"]
    for hazard in hazards:
        lines.append(f"  [{hazard.kind}]")
        lines.extend(_wrapped(hazard.message))
    lines.append("")
    return lines


def output_change_lines(changes: Sequence[OutputChange]) -> list[str]:
    """The stack outputs ``--compare`` sees change for consumers: advisory, never a failure."""
    if not changes:
        return []
    lines = [f"Output changes ({len(changes)}): programs that read these outputs are affected"]
    for change in changes:
        lines.append(f"  [{change.kind}] {change.output}")
        lines.extend(_wrapped(change.message))
    lines.append("")
    return lines


def _wrapped(message: str) -> list[str]:
    return textwrap.wrap(
        message,
        96,
        initial_indent="      ",
        subsequent_indent="      ",
        break_on_hyphens=False,
        break_long_words=False,
    )


def _deploy_order_lines(order: DeployOrder) -> list[str]:
    if not order.waves:
        return []
    lines = [
        f"Critical path ({len(order.critical_path)} operations, each waits for the one before):"
    ]
    lines.extend(
        f"  {index}. {record.type}  {record.name}"
        for index, record in enumerate(order.critical_path, start=1)
    )
    lines.append(f"Deploy waves ({len(order.waves)}):")
    for index, wave in enumerate(order.waves, start=1):
        counts: dict[str, int] = {}
        for record in wave:
            kind = record.type.rpartition(":")[2]
            counts[kind] = counts.get(kind, 0) + 1
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
        lines.append(f"  {index}. {len(wave)}: {kinds}")
    lines.append("")
    return lines


def summary_line(plan: Plan) -> str:
    packs = ", ".join(f"{name} {version}".strip() for name, version in plan.policy_packs)
    checked = f"checked by {packs}" if packs else "no policy packs"
    mandatory, advisory = plan.count("mandatory"), plan.count("advisory")
    verdict = "FAIL" if mandatory else "OK"
    return (
        f"{verdict}: {len(plan.resources)} resources, {mandatory} mandatory and "
        f"{advisory} advisory violations, {len(plan.warnings)} warnings ({checked})"
    )


# --- graph -------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_dot(plan: Plan) -> str:
    """The dependency graph: solid edges from a resource to what it depends on, dashed edges
    from a component to its children."""
    index = {record.urn: f"r{i}" for i, record in enumerate(plan.resources)}
    lines = [
        f'digraph "{_escape(f"{plan.project}-{plan.stack}")}" {{',
        "  rankdir=LR;",
        '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
    ]
    for record in plan.resources:
        shape = "" if record.custom else ', style="rounded,dashed"'
        label = f"{_escape(record.name)}\\n{_escape(record.type)}"
        lines.append(f'  {index[record.urn]} [label="{label}"{shape}];')
    for record in plan.resources:
        if record.parent in index:
            lines.append(
                f"  {index[record.parent]} -> {index[record.urn]} [style=dashed, arrowhead=none];"
            )
        for dependency in dict.fromkeys(record.dependencies):
            if dependency in index:
                lines.append(f"  {index[record.urn]} -> {index[dependency]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_graph(plan: Plan, path: Path) -> None:
    """Write DOT, or SVG (through Graphviz's ``dot``) when the name ends in ``.svg``."""
    dot = render_dot(plan)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() != ".svg":
        path.write_text(dot, encoding="utf-8")
        return
    binary = shutil.which("dot")
    if binary is None:
        raise ReportError(
            f"cannot write {path}: SVG needs Graphviz's `dot` (apt-get install graphviz); "
            f"write {path.with_suffix('.dot')} instead to get the DOT source"
        )
    completed = subprocess.run(
        [binary, "-Tsvg", "-o", str(path)], input=dot, text=True, capture_output=True, check=False
    )
    if completed.returncode != 0:
        raise ReportError(f"cannot write {path}: dot failed: {completed.stderr.strip()}")


def flatten_warnings(events: Iterable[dict[str, Any]]) -> list[PlanWarning]:
    """Warnings from worker events: unmodelled invokes and the program's warning logs (the
    runner gives every warning event its kind)."""
    warnings: list[PlanWarning] = []
    for event in events:
        if event.get("event") == "warning":
            warnings.append(PlanWarning(event["kind"], event["message"]))
        elif event.get("event") == "log" and event.get("severity") in ("warning", "error"):
            warnings.append(
                PlanWarning(
                    f"program-{event['severity']}", event["message"].strip(), event.get("urn")
                )
            )
    return warnings

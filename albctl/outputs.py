"""The stack outputs albctl works from (SPEC §3): ``pulumi stack output --json`` or a file
holding it, checked against docs/outputs.schema.json as a consumer reads it.

The schema is strict for the producer (every key is documented), while consumers "ignore keys
they do not know" (its description). albctl is a consumer, so it validates with the schema's
``additionalProperties: false`` lifted: outputs from a newer minor version still work, while a
file from an older version or another project (a key missing, a wrong shape) is refused with
one message naming the file and what is wrong.
"""

from __future__ import annotations

import copy
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from albctl.errors import AlbctlError

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "outputs.schema.json"

# SPEC §6: a blue-green or canary service has two target groups, blue the main ``arn`` and
# green its ``alternate``.
COLOURS = ("blue", "green")
# A schema message quotes the offending value; a whole document quoted back is no help.
_MAX_PROBLEM = 160
_MAX_PROBLEMS = 3


@dataclass(frozen=True)
class TargetGroup:
    """One target group, as the outputs name it."""

    arn: str
    arn_suffix: str
    """The CloudWatch ``TargetGroup`` dimension."""


@dataclass(frozen=True)
class Service:
    """A service (an ``alb:services`` key) and its target group, or its two for blue-green."""

    name: str
    main: TargetGroup
    alternate: TargetGroup | None

    def groups(self) -> dict[str, TargetGroup]:
        """Colour → target group; the key is ``""`` for a service without colours."""
        if self.alternate is None:
            return {"": self.main}
        return dict(zip(COLOURS, (self.main, self.alternate), strict=True))


@dataclass(frozen=True)
class StackOutputs:
    source: str
    """Where the outputs came from, for messages (a file name, or ``stack NAME``)."""
    region: str
    """The stack's region, from the load balancer's ARN."""
    alb_arn: str
    alb_arn_suffix: str
    """The CloudWatch ``LoadBalancer`` dimension."""
    alarm_topic_arn: str
    services: dict[str, Service]

    def service(self, name: str) -> Service:
        if name not in self.services:
            known = ", ".join(sorted(self.services))
            raise AlbctlError(f"{self.source} has no service {name!r}; its services: {known}")
        return self.services[name]


def consumer_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` as a consumer applies it: unknown keys allowed, known ones checked."""
    relaxed = copy.deepcopy(schema)

    def lift(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("additionalProperties") is False:
                del node["additionalProperties"]
            for value in node.values():
                lift(value)
        elif isinstance(node, list):
            for value in node:
                lift(value)

    lift(relaxed)
    return relaxed


def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(consumer_schema(schema))


def _problem(error: ValidationError) -> str:
    where = ".".join(map(str, error.absolute_path)) or "(top level)"
    message = error.message
    if len(message) > _MAX_PROBLEM:
        message = message[: _MAX_PROBLEM - 1] + "…"
    return f"{where}: {message}"


def parse_outputs(document: Any, source: str) -> StackOutputs:
    """The outputs in ``document`` (what ``pulumi stack output --json`` prints), or one
    AlbctlError naming ``source`` and the first problems."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.path)))
    if errors:
        problems = "; ".join(_problem(error) for error in errors[:_MAX_PROBLEMS])
        if len(errors) > _MAX_PROBLEMS:
            problems += f"; and {len(errors) - _MAX_PROBLEMS} more"
        raise AlbctlError(
            f"{source}: not the outputs of an alb stack as this albctl reads them "
            f"(docs/outputs.schema.json): {problems}"
        )
    services = {}
    for name, group in document["targetGroups"].items():
        alternate = group.get("alternate")
        services[name] = Service(
            name=name,
            main=TargetGroup(arn=group["arn"], arn_suffix=group["arnSuffix"]),
            alternate=(
                TargetGroup(arn=alternate["arn"], arn_suffix=alternate["arnSuffix"])
                if alternate
                else None
            ),
        )
    return StackOutputs(
        source=source,
        # arn:partition:service:region:account:resource (the schema checked the form).
        region=document["albArn"].split(":")[3],
        alb_arn=document["albArn"],
        alb_arn_suffix=document["albArnSuffix"],
        alarm_topic_arn=document["alarmTopicArn"],
        services=dict(sorted(services.items())),
    )


def read_outputs_file(path: Path) -> StackOutputs:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AlbctlError(f"{path}: cannot read it ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise AlbctlError(f"{path}: not a text file") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise AlbctlError(
            f"{path}: not JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
            "write it with `pulumi stack output --json`"
        ) from None
    return parse_outputs(document, str(path))


def read_stack_outputs(stack: str | None) -> StackOutputs:
    """``pulumi stack output --json --stack STACK`` (the selected stack's without a name),
    run in the current directory."""
    command = ["pulumi", "stack", "output", "--json", *(["--stack", stack] if stack else [])]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise AlbctlError(
            "--stack needs the Pulumi CLI (`pulumi`), which is not on PATH; or pass "
            "--stack-outputs FILE, a file holding `pulumi stack output --json`"
        ) from None
    if completed.returncode != 0:
        lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {completed.returncode}"
        raise AlbctlError(f"`{' '.join(command)}` failed: {reason}")
    source = f"stack {stack}" if stack else "the selected stack"
    try:
        document = json.loads(completed.stdout)
    except json.JSONDecodeError as error:
        raise AlbctlError(
            f"{source}: `pulumi stack output --json` printed no JSON ({error.msg})"
        ) from None
    return parse_outputs(document, source)

"""``albctl status`` for people: rich tables, plain text when stdout is not a terminal."""

from __future__ import annotations

from datetime import UTC

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from albctl.metrics import GroupMetrics
from albctl.status import ServiceStatus, StackStatus
from albctl.targets import Target

_STATE_STYLE = {"healthy": "green", "unhealthy": "red", "unhealthy.draining": "red"}
NONE = "-"


def seconds(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _state(target: Target) -> str:
    style = _STATE_STYLE.get(target.state, "yellow")
    return f"[{style}]{escape(target.state)}[/]"


def _service_rows(service: ServiceStatus) -> list[tuple[str, int, int, int, GroupMetrics]]:
    if not service.coloured:
        group = service.groups[0]
        return [
            (
                service.name,
                service.healthy,
                service.unhealthy,
                len(group.targets),
                service.totals(),
            )
        ]
    return [
        (
            f"{service.name}/{group.colour}",
            group.healthy,
            group.unhealthy,
            len(group.targets),
            service.metrics[group.group.arn],
        )
        for group in service.groups
    ]


def render_status(status: StackStatus, console: Console) -> None:
    outputs = status.outputs
    console.print(
        f"[bold]{escape(outputs.source)}[/] · {escape(outputs.region)} · "
        f"load balancer {escape(outputs.alb_arn_suffix)}"
    )
    services = Table(title="Services (last hour)", title_justify="left")
    for column in ("service", "healthy", "unhealthy", "targets"):
        services.add_column(column, justify="left" if column == "service" else "right")
    for column in ("requests", "target 5XX", "p99"):
        services.add_column(column, justify="right")
    for service in status.services:
        for label, healthy, unhealthy, registered, metrics in _service_rows(service):
            services.add_row(
                escape(label),
                f"[{'green' if healthy else 'red'}]{healthy}[/]",
                str(unhealthy),
                str(registered),
                f"{metrics.requests:,}",
                f"{metrics.target_5xx:,}",
                seconds(metrics.p99_seconds),
            )
    console.print(services)
    console.print(f"Load balancer 5XX (last hour): {status.elb_5xx:,}")

    targets = Table(title="Targets", title_justify="left")
    for column in ("service", "target", "state", "reason"):
        targets.add_column(column)
    for service in status.services:
        for group in service.groups:
            label = f"{service.name}/{group.colour}" if group.colour else service.name
            if not group.targets:
                targets.add_row(escape(label), "(none registered)", NONE, NONE)
            for target in group.targets:
                targets.add_row(
                    escape(label),
                    escape(target.label()),
                    _state(target),
                    escape(target.reason or NONE),
                )
    console.print(targets)

    if status.alarms:
        alarms = Table(title="Alarms in ALARM", title_justify="left")
        for column in ("alarm", "since", "what it means"):
            alarms.add_column(column)
        for alarm in status.alarms:
            alarms.add_row(
                f"[red]{escape(alarm.name)}[/]",
                alarm.since.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if alarm.since else NONE,
                escape(alarm.description or alarm.reason or NONE),
            )
        console.print("Runbook: docs/operations.md, one section per alarm.")
        console.print(alarms)
    else:
        console.print("Alarms in ALARM: none")

    missing = status.without_healthy_target
    if missing:
        console.print(f"[bold red]No healthy target:[/] {escape(', '.join(missing))}")
    else:
        console.print("[bold green]Every service has a healthy target.[/]")

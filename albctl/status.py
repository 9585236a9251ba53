"""``albctl status``: every service's targets and last hour, the ALB's 5XX, the alarms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from albctl.alarms import Alarm, stack_alarms
from albctl.aws import Aws
from albctl.metrics import GroupMetrics, last_hour
from albctl.outputs import Service, StackOutputs, TargetGroup
from albctl.targets import Target, describe_targets


@dataclass(frozen=True)
class GroupHealth:
    """One target group of a service: its colour (``""`` without colours) and targets."""

    colour: str
    group: TargetGroup
    targets: list[Target]

    @property
    def healthy(self) -> int:
        return sum(target.serving for target in self.targets)

    @property
    def unhealthy(self) -> int:
        return sum(target.failing for target in self.targets)


def service_health(aws: Aws, service: Service) -> list[GroupHealth]:
    return [
        GroupHealth(colour, group, describe_targets(aws, group, service.name))
        for colour, group in service.groups().items()
    ]


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    groups: list[GroupHealth]
    metrics: dict[str, GroupMetrics]
    """By target group ARN."""

    @property
    def healthy(self) -> int:
        return sum(group.healthy for group in self.groups)

    @property
    def unhealthy(self) -> int:
        return sum(group.unhealthy for group in self.groups)

    @property
    def coloured(self) -> bool:
        return any(group.colour for group in self.groups)

    def totals(self) -> GroupMetrics:
        """The service's last hour over all its target groups; p99 is the slower colour's."""
        metrics = [self.metrics[group.group.arn] for group in self.groups]
        latencies = [m.p99_seconds for m in metrics if m.p99_seconds is not None]
        return GroupMetrics(
            requests=sum(m.requests for m in metrics),
            target_5xx=sum(m.target_5xx for m in metrics),
            p99_seconds=max(latencies, default=None),
        )

    def to_json(self) -> dict[str, Any]:
        document = _group_json(
            self.groups[0].group.arn,
            self.healthy,
            self.unhealthy,
            [target for group in self.groups for target in group.targets],
            self.totals(),
        )
        if self.coloured:
            document["colours"] = {
                group.colour: _group_json(
                    group.group.arn,
                    group.healthy,
                    group.unhealthy,
                    group.targets,
                    self.metrics[group.group.arn],
                )
                for group in self.groups
            }
        return document


def _group_json(
    arn: str, healthy: int, unhealthy: int, targets: list[Target], metrics: GroupMetrics
) -> dict[str, Any]:
    return {
        "targetGroupArn": arn,
        "healthy": healthy,
        "unhealthy": unhealthy,
        "targets": [target.to_json() for target in targets],
        "requests": metrics.requests,
        "target5xx": metrics.target_5xx,
        "p99Seconds": metrics.p99_seconds,
    }


@dataclass(frozen=True)
class StackStatus:
    outputs: StackOutputs
    services: list[ServiceStatus]
    elb_5xx: int
    alarms: list[Alarm]

    @property
    def without_healthy_target(self) -> list[str]:
        return [service.name for service in self.services if service.healthy == 0]

    def to_json(self) -> dict[str, Any]:
        return {
            "services": {service.name: service.to_json() for service in self.services},
            "loadBalancer": {"arn": self.outputs.alb_arn, "elb5xx": self.elb_5xx},
            "alarms": [alarm.to_json() for alarm in self.alarms],
        }


def collect(aws: Aws, outputs: StackOutputs, now: datetime) -> StackStatus:
    health = {name: service_health(aws, service) for name, service in outputs.services.items()}
    metrics = last_hour(
        aws,
        outputs.alb_arn_suffix,
        [group.group for groups in health.values() for group in groups],
        now,
    )
    return StackStatus(
        outputs=outputs,
        services=[ServiceStatus(name, groups, metrics.groups) for name, groups in health.items()],
        elb_5xx=metrics.elb_5xx,
        alarms=stack_alarms(aws, outputs.alb_arn_suffix, outputs.alarm_topic_arn),
    )

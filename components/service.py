"""One service behind the load balancer: its target group (its listener rule is planned in
components/routing.py and created by components/listener_rules.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.config import ServiceConfig


@dataclass(frozen=True)
class ServiceArgs:
    service: ServiceConfig
    """The service's port, protocol, conditions, health check and draining settings."""
    vpc_id: str
    """Where the targets live (not used by lambda target groups)."""
    tags: dict[str, str]
    """Tags for every resource."""


def _health_check(service: ServiceConfig) -> aws.lb.TargetGroupHealthCheckArgsDict:
    check = service.health_check
    if service.target_type == "lambda":
        # A lambda target group's health check is off unless asked for, and takes no port.
        return {"enabled": False}
    return {
        "enabled": True,
        "protocol": service.protocol,
        "port": "traffic-port",
        "path": check.path,
        "matcher": check.matcher,
        "interval": check.interval_seconds,
        "timeout": check.timeout_seconds,
        "healthy_threshold": check.healthy_threshold,
        "unhealthy_threshold": check.unhealthy_threshold,
    }


class Service(pulumi.ComponentResource):
    """An autonamed target group (replaced create-before-delete)."""

    resource_name: str
    target_group: aws.lb.TargetGroup
    config: ServiceConfig

    def __init__(
        self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("alb:index:Service", name, None, opts)
        self.resource_name = name
        service = self.config = args.service
        is_lambda = service.target_type == "lambda"
        stickiness: aws.lb.TargetGroupStickinessArgsDict | None = (
            {
                "enabled": True,
                "type": "lb_cookie",
                "cookie_duration": service.stickiness.duration_seconds,
            }
            if service.stickiness and not is_lambda
            else None
        )
        self.target_group = aws.lb.TargetGroup(
            name,
            target_type=service.target_type,
            port=None if is_lambda else service.port,
            protocol=None if is_lambda else service.protocol,
            protocol_version=None if is_lambda else "HTTP1",
            vpc_id=None if is_lambda else args.vpc_id,
            health_check=_health_check(service),
            deregistration_delay=service.deregistration_delay_seconds,
            slow_start=None if is_lambda else service.slow_start_seconds,
            load_balancing_algorithm_type=None if is_lambda else service.algorithm,
            load_balancing_cross_zone_enabled="true",
            stickiness=stickiness,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"targetGroupArn": self.target_group.arn})

    def contract(self) -> pulumi.Output[dict[str, Any]]:
        """The service's entry in the `targetGroups` stack output (SPEC §3).

        Port, protocol and type come from the configuration, so they are known in a preview
        (a lambda target group has neither port nor protocol: they are null).
        """
        service = self.config
        is_lambda = service.target_type == "lambda"
        group = self.target_group
        return pulumi.Output.all(group.arn, group.arn_suffix, group.name).apply(
            lambda values: {
                "arn": values[0],
                "arnSuffix": values[1],
                "name": values[2],
                "port": service.port,
                "protocol": None if is_lambda else service.protocol,
                "targetType": service.target_type,
                "healthCheckPath": None if is_lambda else service.health_check.path,
            }
        )

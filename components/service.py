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


# Lambda invokes functions for ELB only with a resource-based policy statement that allows it
# ("Use Lambda functions as targets of an Application Load Balancer": add-permission with
# principal elasticloadbalancing.amazonaws.com and --source-arn, the target group's ARN).
ELB_PRINCIPAL = "elasticloadbalancing.amazonaws.com"


def _register_targets(
    name: str, service: ServiceConfig, group: aws.lb.TargetGroup, parent: pulumi.Resource
) -> None:
    """One attachment per configured target; for a Lambda function also the permission that
    lets this target group, and only it, invoke the function."""
    for target in service.targets:
        if target.kind == "lambda":
            function, qualifier = target.function
            permission = aws.lambda_.Permission(
                f"{name}-lambda-invoke",
                action="lambda:InvokeFunction",
                function=function,
                qualifier=qualifier,
                principal=ELB_PRINCIPAL,
                source_arn=group.arn,
                opts=pulumi.ResourceOptions(parent=parent),
            )
            # AWS refuses to register a function ELB may not invoke, so the permission comes
            # first. A target group holds one function ("You can register one Lambda function
            # per target group"): the name stays when the function changes, and the old
            # registration goes before the new one is made.
            aws.lb.TargetGroupAttachment(
                f"{name}-lambda",
                target_group_arn=group.arn,
                target_id=target.id,
                opts=pulumi.ResourceOptions(
                    parent=parent, depends_on=[permission], delete_before_replace=True
                ),
            )
            continue
        # Named after the target (and its port, when it has its own), so adding or removing
        # one target never renames another's attachment.
        suffix = target.id if target.port is None else f"{target.id}-{target.port}"
        aws.lb.TargetGroupAttachment(
            f"{name}-target-{suffix}",
            target_group_arn=group.arn,
            target_id=target.id,
            port=target.port,
            availability_zone=target.availability_zone,
            opts=pulumi.ResourceOptions(parent=parent),
        )


class Service(pulumi.ComponentResource):
    """An autonamed target group (replaced create-before-delete)."""

    resource_name: str
    target_group: aws.lb.TargetGroup
    """The service's target group; blue when the service has a deployment."""
    green_group: aws.lb.TargetGroup | None
    """The second group of a deployment (ECS's alternate target group)."""
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
        settings: dict[str, Any] = {
            "target_type": service.target_type,
            "port": None if is_lambda else service.port,
            "protocol": None if is_lambda else service.protocol,
            "protocol_version": None if is_lambda else "HTTP1",
            "vpc_id": None if is_lambda else args.vpc_id,
            "health_check": _health_check(service),
            "deregistration_delay": service.deregistration_delay_seconds,
            "slow_start": None if is_lambda else service.slow_start_seconds,
            "load_balancing_algorithm_type": None if is_lambda else service.algorithm,
            "load_balancing_cross_zone_enabled": "true",
            "stickiness": stickiness,
            "tags": args.tags,
        }
        # The service's own group is blue: turning a deployment on keeps it (no replacement,
        # no re-registration) and adds green beside it, with the same settings.
        self.target_group = aws.lb.TargetGroup(
            name, **settings, opts=pulumi.ResourceOptions(parent=self)
        )
        self.green_group = (
            aws.lb.TargetGroup(
                f"{name}-green", **settings, opts=pulumi.ResourceOptions(parent=self)
            )
            if service.deployment is not None
            else None
        )
        _register_targets(name, service, self.target_group, self)
        self.register_outputs({"targetGroupArn": self.target_group.arn})

    def contract(
        self, rule_arn: pulumi.Input[str] | None, test_rule_arn: pulumi.Input[str] | None
    ) -> pulumi.Output[dict[str, Any]]:
        """The service's entry in the `targetGroups` stack output (SPEC §3 and §6).

        Port, protocol and type come from the configuration, so they are known in a preview
        (a lambda target group has neither port nor protocol: they are null). A deployment adds
        `alternate` (the green group) and, with a test listener, `testListenerRuleArn`.
        """
        service = self.config
        is_lambda = service.target_type == "lambda"

        def group_entry(group: aws.lb.TargetGroup) -> pulumi.Output[dict[str, Any]]:
            return pulumi.Output.all(group.arn, group.arn_suffix, group.name).apply(
                lambda values: {"arn": values[0], "arnSuffix": values[1], "name": values[2]}
            )

        entry: dict[str, Any] = {
            "port": service.port,
            "protocol": None if is_lambda else service.protocol,
            "targetType": service.target_type,
            "healthCheckPath": None if is_lambda else service.health_check.path,
            "listenerRuleArn": rule_arn,
        }
        if self.green_group is not None:
            entry["alternate"] = group_entry(self.green_group)
        if test_rule_arn is not None:
            entry["testListenerRuleArn"] = test_rule_arn
        return pulumi.Output.all(group_entry(self.target_group), entry).apply(
            lambda values: {**values[0], **values[1]}
        )

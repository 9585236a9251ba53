"""The HTTPS listener's rules, one Pulumi resource per priority (see components/routing.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.routing import Conditions, FixedResponse, Forward, Rule
from components.service import Service


@dataclass(frozen=True)
class ListenerRulesArgs:
    listener_arn: pulumi.Input[str]
    """The HTTPS listener the rules belong to."""
    rules: tuple[Rule, ...]
    """The planned rules, each with its priority."""
    services: Mapping[str, Service]
    """Each service, whose target group its rule forwards to. A service's rule used to be its
    child, named like it: the alias keeps an existing stack's rule in place (one resource)
    instead of creating a second rule at a priority the first still holds."""
    tags: dict[str, str]
    """Tags for every rule."""


def conditions_args(conditions: Conditions) -> list[aws.lb.ListenerRuleConditionArgsDict]:
    args: list[aws.lb.ListenerRuleConditionArgsDict] = []
    if conditions.path_patterns:
        args.append({"path_pattern": {"values": list(conditions.path_patterns)}})
    if conditions.host_headers:
        args.append({"host_header": {"values": list(conditions.host_headers)}})
    if conditions.source_cidrs:
        args.append({"source_ip": {"values": list(conditions.source_cidrs)}})
    return args


class ListenerRules(pulumi.ComponentResource):
    """Every rule of the HTTPS listener, keyed by priority so that no update can move a
    priority onto a rule that still holds it."""

    by_service: dict[str, aws.lb.ListenerRule]
    """Each service's forwarding rule."""

    def __init__(
        self, name: str, args: ListenerRulesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("alb:index:ListenerRules", name, None, opts)
        self.by_service = {}
        for rule in args.rules:
            aliases: list[pulumi.Input[pulumi.Alias]] = []
            action: aws.lb.ListenerRuleActionArgsDict
            if isinstance(rule.action, Forward):
                action = {
                    "type": "forward",
                    "target_group_arn": args.services[rule.action.service].target_group.arn,
                }
                aliases.append(
                    pulumi.Alias(
                        name=args.services[rule.service].resource_name,
                        parent=args.services[rule.service],
                    )
                )
            else:
                action = _fixed_response(rule.action)
            resource = aws.lb.ListenerRule(
                f"{name}-{rule.priority}",
                listener_arn=args.listener_arn,
                priority=rule.priority,
                actions=[action],
                conditions=conditions_args(rule.conditions),
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self, aliases=aliases),
            )
            if isinstance(rule.action, Forward):
                self.by_service[rule.service] = resource
        self.register_outputs({})


def _fixed_response(response: FixedResponse) -> aws.lb.ListenerRuleActionArgsDict:
    return {
        "type": "fixed-response",
        "fixed_response": {
            "content_type": response.content_type,
            "message_body": response.body,
            "status_code": str(response.status_code),
        },
    }

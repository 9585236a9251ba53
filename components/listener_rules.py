"""The HTTPS listener's rules, one Pulumi resource per priority (see components/routing.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import AuthConfig, RewriteConfig
from components.routing import Conditions, FixedResponse, Forward, Redirect, Rule
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
    test_listener_arn: pulumi.Input[str] | None = None
    """The test listener of blue-green, canary and external services, if any."""


def conditions_args(conditions: Conditions) -> list[aws.lb.ListenerRuleConditionArgsDict]:
    args: list[aws.lb.ListenerRuleConditionArgsDict] = []
    if conditions.path_patterns:
        args.append({"path_pattern": {"values": list(conditions.path_patterns)}})
    if conditions.host_headers:
        args.append({"host_header": {"values": list(conditions.host_headers)}})
    for name, values in conditions.http_headers:
        args.append({"http_header": {"http_header_name": name, "values": list(values)}})
    if conditions.methods:
        args.append({"http_request_method": {"values": list(conditions.methods)}})
    if conditions.query_strings:
        args.append(
            {
                "query_strings": [
                    {"value": q.value} if q.key is None else {"key": q.key, "value": q.value}
                    for q in conditions.query_strings
                ]
            }
        )
    if conditions.source_cidrs:
        args.append({"source_ip": {"values": list(conditions.source_cidrs)}})
    return args


def authenticate_action(auth: AuthConfig) -> aws.lb.ListenerRuleActionArgsDict:
    """The action before the forward: OIDC or Cognito sign-in, or JWT validation."""
    if auth.oidc is not None:
        oidc = auth.oidc
        return {
            "type": "authenticate-oidc",
            "authenticate_oidc": {
                "issuer": oidc.issuer,
                "authorization_endpoint": oidc.authorization_endpoint,
                "token_endpoint": oidc.token_endpoint,
                "user_info_endpoint": oidc.user_info_endpoint,
                "client_id": oidc.client_id,
                # Secret in the plan and the state, whatever the program received.
                "client_secret": pulumi.Output.secret(oidc.client_secret),
                "scope": oidc.scope,
                "on_unauthenticated_request": oidc.on_unauthenticated,
                "session_timeout": oidc.session_timeout_seconds,
            },
        }
    if auth.cognito is not None:
        cognito = auth.cognito
        return {
            "type": "authenticate-cognito",
            "authenticate_cognito": {
                "user_pool_arn": cognito.user_pool_arn,
                "user_pool_client_id": cognito.user_pool_client_id,
                "user_pool_domain": cognito.user_pool_domain,
                "scope": cognito.scope,
                "on_unauthenticated_request": cognito.on_unauthenticated,
                "session_timeout": cognito.session_timeout_seconds,
            },
        }
    assert auth.jwt is not None
    jwt = auth.jwt
    validation: aws.lb.ListenerRuleActionJwtValidationArgsDict = {
        "issuer": jwt.issuer,
        "jwks_endpoint": jwt.jwks_endpoint,
    }
    if jwt.additional_claims:
        validation["additional_claims"] = [
            {"name": claim.name, "format": claim.format, "values": list(claim.values)}
            for claim in jwt.additional_claims
        ]
    return {"type": "jwt-validation", "jwt_validation": validation}


def transforms_args(rewrite: RewriteConfig | None) -> list[aws.lb.ListenerRuleTransformArgsDict]:
    if rewrite is None:
        return []
    transforms: list[aws.lb.ListenerRuleTransformArgsDict] = []
    if rewrite.host is not None:
        transforms.append(
            {
                "type": "host-header-rewrite",
                "host_header_rewrite_config": {
                    "rewrite": {"regex": rewrite.host.regex, "replace": rewrite.host.replace}
                },
            }
        )
    if rewrite.url is not None:
        transforms.append(
            {
                "type": "url-rewrite",
                "url_rewrite_config": {
                    "rewrite": {"regex": rewrite.url.regex, "replace": rewrite.url.replace}
                },
            }
        )
    return transforms


def forward_action(
    service: Service, *, weights: tuple[int, int] | None = None
) -> aws.lb.ListenerRuleActionArgsDict:
    """Forward to the service's group, or for a deployment to blue and green by weight."""
    green = service.green_group
    deployment = service.config.deployment
    if green is None or deployment is None:
        return {"type": "forward", "target_group_arn": service.target_group.arn}
    blue_weight, green_weight = weights or deployment.weights
    forward: aws.lb.ListenerRuleActionForwardArgsDict = {
        "target_groups": [
            {"arn": service.target_group.arn, "weight": blue_weight},
            {"arn": green.arn, "weight": green_weight},
        ]
    }
    stickiness = service.config.stickiness
    if stickiness is not None and stickiness.across_groups is not None:
        forward["stickiness"] = {
            "enabled": True,
            "duration": stickiness.across_groups.duration_seconds,
        }
    return {"type": "forward", "forward": forward}


def _weights_owned_by_ecs(forward_index: int) -> list[str]:
    """With ``deployment.strategy: external``, ECS (or CodeDeploy) shifts traffic by changing
    the two weights of the rule's forward action, and nothing else: the platform ignores
    exactly those, so a later ``pulumi up`` never reverts a shift."""
    return [f"actions[{forward_index}].forward.targetGroups[{i}].weight" for i in (0, 1)]


class ListenerRules(pulumi.ComponentResource):
    """Every rule of the HTTPS listener (and of the test listener), keyed by priority so that
    no update can move a priority onto a rule that still holds it."""

    by_service: dict[str, aws.lb.ListenerRule]
    """Each service's forwarding rule."""
    test_by_service: dict[str, aws.lb.ListenerRule]
    """The test listener's rule of each service that has one (it forwards to green)."""

    def __init__(
        self, name: str, args: ListenerRulesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("alb:index:ListenerRules", name, None, opts)
        self.by_service = {}
        self.test_by_service = {}
        for rule in args.rules:
            if isinstance(rule.action, Forward):
                service = args.services[rule.action.service]
                self.by_service[rule.action.service] = self._service_rule(
                    f"{name}-{rule.priority}",
                    args.listener_arn,
                    rule,
                    service,
                    args.tags,
                    aliases=[pulumi.Alias(name=service.resource_name, parent=service)],
                )
                deployment = service.config.deployment
                if (
                    args.test_listener_arn is not None
                    and deployment
                    and (deployment.test_listener_port is not None)
                ):
                    # Test traffic always reaches green: all of it, or for ECS the weights it
                    # flips after each deployment.
                    self.test_by_service[rule.action.service] = self._service_rule(
                        f"{name}-test-{rule.priority}",
                        args.test_listener_arn,
                        rule,
                        service,
                        args.tags,
                        weights=(0, 100),
                        test=True,
                    )
                continue
            action = (
                _fixed_response(rule.action)
                if isinstance(rule.action, FixedResponse)
                else _redirect(rule.action)
            )
            aws.lb.ListenerRule(
                f"{name}-{rule.priority}",
                listener_arn=args.listener_arn,
                priority=rule.priority,
                actions=[action],
                conditions=conditions_args(rule.conditions),
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})

    def _service_rule(
        self,
        resource_name: str,
        listener_arn: pulumi.Input[str],
        rule: Rule,
        service: Service,
        tags: dict[str, str],
        *,
        aliases: list[pulumi.Input[pulumi.Alias]] | None = None,
        weights: tuple[int, int] | None = None,
        test: bool = False,
    ) -> aws.lb.ListenerRule:
        config = service.config
        actions: list[aws.lb.ListenerRuleActionArgsDict] = []
        if config.auth is not None:
            actions.append(authenticate_action(config.auth))
        external = config.deployment is not None and config.deployment.strategy == "external"
        if test and not external and service.green_group is not None:
            actions.append({"type": "forward", "target_group_arn": service.green_group.arn})
        else:
            actions.append(forward_action(service, weights=weights))
        if len(actions) > 1:
            # The authenticate action comes first, the forward last (CreateRule Order).
            for order, action in enumerate(actions, start=1):
                action["order"] = order
        return aws.lb.ListenerRule(
            resource_name,
            listener_arn=listener_arn,
            priority=rule.priority,
            actions=actions,
            conditions=conditions_args(rule.conditions),
            transforms=transforms_args(config.rewrite) or None,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                aliases=aliases or [],
                ignore_changes=_weights_owned_by_ecs(len(actions) - 1) if external else None,
            ),
        )


def _fixed_response(response: FixedResponse) -> aws.lb.ListenerRuleActionArgsDict:
    return {
        "type": "fixed-response",
        "fixed_response": {
            "content_type": response.content_type,
            "message_body": response.body,
            "status_code": str(response.status_code),
        },
    }


def _redirect(redirect: Redirect) -> aws.lb.ListenerRuleActionArgsDict:
    return {
        "type": "redirect",
        "redirect": {
            "protocol": redirect.protocol,
            "host": redirect.host,
            "port": redirect.port,
            "path": redirect.path,
            "query": redirect.query,
            "status_code": redirect.status_code,
        },
    }

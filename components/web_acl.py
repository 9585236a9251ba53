"""The WAFv2 web ACL in front of the load balancer, with its logging and association."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import WafConfig


@dataclass(frozen=True)
class WebAclArgs:
    waf: WafConfig
    """Mode, rate limit, managed rule groups, blocked countries, log retention and keeping."""
    load_balancer_arn: pulumi.Input[str]
    """The ALB to protect."""
    protect: bool
    """Production safety: Pulumi protect on the ACL."""
    tags: dict[str, str]
    """Tags for every resource."""


def _visibility(metric: str) -> aws.wafv2.WebAclVisibilityConfigArgsDict:
    return {
        "cloudwatch_metrics_enabled": True,
        "metric_name": metric,
        "sampled_requests_enabled": True,
    }


def _rules(name: str, waf: WafConfig) -> list[aws.wafv2.WebAclRuleArgsDict]:
    counting = waf.mode == "count"
    action: aws.wafv2.WebAclRuleActionArgsDict = {"count": {}} if counting else {"block": {}}
    rules: list[aws.wafv2.WebAclRuleArgsDict] = []
    if waf.blocked_countries:
        rules.append(
            {
                "name": "geo-block",
                "priority": 0,
                "action": action,
                "statement": {"geo_match_statement": {"country_codes": waf.blocked_countries}},
                "visibility_config": _visibility(f"{name}-geo-block"),
            }
        )
    rules.append(
        {
            "name": "rate-limit-per-ip",
            "priority": 0,
            "action": action,
            "statement": {
                "rate_based_statement": {
                    "limit": waf.rate_limit,
                    "aggregate_key_type": "IP",
                    "evaluation_window_sec": 300,
                }
            },
            "visibility_config": _visibility(f"{name}-rate-limit"),
        }
    )
    for group in waf.managed_rule_groups:
        rules.append(
            {
                "name": group,
                "priority": 0,
                "override_action": {"count": {}} if counting else {"none": {}},
                "statement": {
                    "managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}
                },
                "visibility_config": _visibility(f"{name}-{group}"),
            }
        )
    for priority, rule in enumerate(rules):
        rule["priority"] = priority
    return rules


class WebAcl(pulumi.ComponentResource):
    """A REGIONAL web ACL: geo block, per-IP rate limit, AWS managed rule groups."""

    acl: aws.wafv2.WebAcl

    def __init__(
        self, name: str, args: WebAclArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("alb:index:WebAcl", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.acl = aws.wafv2.WebAcl(
            name,
            scope="REGIONAL",
            default_action={"allow": {}},
            rules=_rules(name, args.waf),
            visibility_config=_visibility(name),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        # WAF only logs to log groups whose name starts with "aws-waf-logs-" (AWS WAF
        # developer guide, "Sending web ACL traffic logs to CloudWatch Logs").
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name_prefix=f"aws-waf-logs-{name}-",
            retention_in_days=args.waf.log_retention_days,
            tags=args.tags,
            # The WAF logs are audit records like the access logs: kept when the stack is
            # destroyed unless the stack says otherwise, whatever `protect` is. The Pulumi
            # option, as on the log bucket, rather than the provider's skipDestroy, so that
            # `preflight --compare` shows it.
            opts=pulumi.ResourceOptions(
                parent=self, retain_on_delete=args.waf.keep_logs_on_destroy
            ),
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging",
            resource_arn=self.acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[
                {"single_header": {"name": "authorization"}},
                {"single_header": {"name": "cookie"}},
            ],
            opts=child,
        )
        aws.wafv2.WebAclAssociation(
            f"{name}-association",
            resource_arn=args.load_balancer_arn,
            web_acl_arn=self.acl.arn,
            opts=child,
        )
        self.register_outputs({"webAclArn": self.acl.arn})

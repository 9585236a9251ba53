"""waf-managed-rules: web ACLs run AWS's baseline managed rule groups and a rate limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import (
    UNKNOWN,
    WEB_ACL,
    config_flag,
    config_list,
    elements,
    flag_setting,
    list_setting,
    lookup,
    text,
)

NAME = "waf-managed-rules"

# AWS Managed Rules baseline groups: the core rule set and known bad inputs (which includes the
# Log4j JNDI lookup rules checkov's CKV_AWS_192 looks for).
# https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
DEFAULT_REQUIRED_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")


def _statements(props: Any) -> Iterator[tuple[str, Any]] | None:
    """(statement kind, statement) for each top-level rule; None when the rules are unknown.

    Rules come either from ``rules`` (camelCase inputs) or from ``ruleJson`` (the WAF API's own
    JSON, PascalCase).
    """
    rule_json = lookup(props, "ruleJson")
    if rule_json is UNKNOWN:
        return None
    if text(rule_json):
        try:
            api_rules = json.loads(rule_json)
        except ValueError:
            return None
        # Anything but a list of rule objects holds no rule this policy can count.
        api_statements = (
            [rule.get("Statement") for rule in api_rules if isinstance(rule, dict)]
            if isinstance(api_rules, list)
            else []
        )
        return (
            (kind[:1].lower() + kind[1:], statement)
            for api_statement in api_statements
            if isinstance(api_statement, dict)
            for kind, statement in api_statement.items()
        )
    rules = elements(lookup(props, "rules"))
    if rules is UNKNOWN:
        return None
    assert isinstance(rules, list)
    pairs: list[tuple[str, Any]] = []
    for rule in rules:
        statement = lookup(rule, "statement")
        if statement is UNKNOWN or rule is UNKNOWN:
            return None
        if statement is not None:
            pairs.extend((str(kind), lookup(statement, kind)) for kind in statement)
    return iter(pairs)


def _field(statement: Any, name: str) -> Any:
    """A statement field in either spelling (camelCase inputs, PascalCase rule JSON)."""
    value = lookup(statement, name)
    return value if value is not None else lookup(statement, name[0].upper() + name[1:])


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in WEB_ACL:
        return
    statements = _statements(args.props)
    if statements is None:
        return
    config = args.get_config()
    required = config_list(config, "requiredManagedRuleGroups", DEFAULT_REQUIRED_GROUPS)
    managed: set[str] = set()
    rate_based = False
    for kind, statement in statements:
        if kind == "managedRuleGroupStatement":
            vendor, name = _field(statement, "vendorName"), _field(statement, "name")
            if vendor is UNKNOWN or name is UNKNOWN:
                return
            if vendor == "AWS" and isinstance(name, str):
                managed.add(name)
        elif kind == "rateBasedStatement":
            rate_based = True
    missing = [group for group in required if group not in managed]
    if missing:
        report_violation(
            f"Web ACL {args.name!r} lacks the AWS managed rule group(s) {', '.join(missing)}.", None
        )
    if config_flag(config, "requireRateBasedRule", default=True) and not rate_based:
        report_violation(f"Web ACL {args.name!r} has no rate-based rule.", None)


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "Web ACLs have the Common and KnownBadInputs AWS managed rule groups and a "
            "rate-based rule."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.MEDIUM,
        tags=["WAF.10", "CKV_AWS_192"],
        config_schema=PolicyConfigSchema(
            properties={
                "requiredManagedRuleGroups": list_setting(
                    DEFAULT_REQUIRED_GROUPS, "AWS managed rule groups every web ACL must include."
                ),
                "requireRateBasedRule": flag_setting(
                    True, "Whether every web ACL needs a rate-based rule."
                ),
            }
        ),
        remediation_steps=(
            "Add rules with managed_rule_group_statement {vendor_name: 'AWS', name: "
            "'AWSManagedRulesCommonRuleSet'} and {... 'AWSManagedRulesKnownBadInputsRuleSet'} "
            "(override_action none) and a rule with rate_based_statement {limit: 2000, "
            "aggregate_key_type: 'IP'} and action block."
        ),
        url="https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html",
    )

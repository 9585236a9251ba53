"""waf-managed-rules: web ACLs run AWS's baseline managed rule groups and a rate limit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

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
    Unknown,
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

# The rules of those groups that must keep blocking (the Log4j and Java deserialization RCE
# rules, SSRF, file inclusion), with their source, in a data file.
CRITICAL_RULES: Final[dict[str, tuple[str, ...]]] = {
    group: tuple(names)
    for group, names in json.loads(
        Path(__file__).with_name("aws_managed_rules.json").read_text(encoding="utf-8")
    )["criticalRules"].items()
}
# Actions that let a request through: a rule or group set to them blocks nothing.
_NOT_BLOCKING: Final = frozenset({"count", "allow"})


def _rules(props: Any) -> list[Any] | None:
    """The web ACL's rules; None when they are unknown.

    Rules come either from ``rules`` (camelCase inputs) or from ``ruleJson`` (the WAF API's own
    JSON, PascalCase); :func:`_field` reads both spellings.
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
        return (
            [rule for rule in api_rules if isinstance(rule, dict)]
            if isinstance(api_rules, list)
            else []
        )
    rules = elements(lookup(props, "rules"))
    if isinstance(rules, Unknown) or any(rule is UNKNOWN for rule in rules):
        return None
    return rules


def _field(value: Any, name: str) -> Any:
    """A field in either spelling (camelCase inputs, PascalCase rule JSON)."""
    found = lookup(value, name)
    return found if found is not None else lookup(value, name[0].upper() + name[1:])


def _action(value: Any) -> str | Unknown | None:
    """The action an action block chooses (``{"count": {}}`` -> ``count``), lower-case."""
    if value is UNKNOWN:
        return UNKNOWN
    if not isinstance(value, Mapping):
        return None
    kinds = [str(kind).lower() for kind in value]
    return kinds[0] if len(kinds) == 1 else None


def _counted_rules(statement: Any) -> list[str] | None:
    """The rules of a managed group that overrides set to count or allow (None: unknown)."""
    overrides = elements(_field(statement, "ruleActionOverrides"))
    excluded = elements(lookup(statement, "ExcludedRules"))  # the API's older form of count
    if isinstance(overrides, Unknown) or isinstance(excluded, Unknown):
        return None
    names = []
    for override in overrides:
        action = _action(_field(override, "actionToUse"))
        name = _field(override, "name")
        if action is UNKNOWN or name is UNKNOWN or override is UNKNOWN:
            return None
        if action in _NOT_BLOCKING and isinstance(name, str):
            names.append(name)
    for rule in excluded:
        name = lookup(rule, "Name")
        if name is UNKNOWN:
            return None
        if isinstance(name, str):
            names.append(name)
    return names


@dataclass
class _Findings:
    """What a web ACL's rules do, as far as this policy is concerned."""

    blocking_groups: set[str] = field(default_factory=set)
    counting_groups: list[str] = field(default_factory=list)
    counted_rules: dict[str, list[str]] = field(default_factory=dict)
    rate_limits: bool = False
    counting_rate_rules: list[str] = field(default_factory=list)


def _read(rules: list[Any]) -> _Findings | None:
    found = _Findings()
    for rule in rules:
        statement = _field(rule, "statement")
        if statement is UNKNOWN:
            return None
        group = _field(statement, "managedRuleGroupStatement")
        if group is not None:
            vendor, name = _field(group, "vendorName"), _field(group, "name")
            override = _action(_field(rule, "overrideAction"))
            counted = _counted_rules(group)
            if UNKNOWN in (vendor, name, override) or counted is None:
                return None
            if vendor != "AWS" or not isinstance(name, str):
                continue
            if override in _NOT_BLOCKING:
                found.counting_groups.append(name)
                continue
            found.blocking_groups.add(name)
            critical = set(CRITICAL_RULES.get(name, ()))
            weakened = [rule_name for rule_name in counted if rule_name in critical]
            if weakened:
                found.counted_rules.setdefault(name, []).extend(weakened)
        elif _field(statement, "rateBasedStatement") is not None:
            action = _action(_field(rule, "action"))
            if action is UNKNOWN:
                return None
            if action in _NOT_BLOCKING:
                found.counting_rate_rules.append(str(_field(rule, "name")))
            else:
                found.rate_limits = True
    return found


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in WEB_ACL:
        return
    rules = _rules(args.props)
    found = _read(rules) if rules is not None else None
    if found is None:
        return
    config = args.get_config()
    required = config_list(config, "requiredManagedRuleGroups", DEFAULT_REQUIRED_GROUPS)
    counting = [group for group in required if group in found.counting_groups]
    missing = [
        group for group in required if group not in found.blocking_groups and group not in counting
    ]
    if missing:
        report_violation(
            f"Web ACL {args.name!r} lacks the AWS managed rule group(s) {', '.join(missing)}.", None
        )
    if counting:
        report_violation(
            f"Web ACL {args.name!r} runs {', '.join(counting)} with overrideAction count, so the "
            "group only counts matching requests and blocks none; set overrideAction to none.",
            None,
        )
    for group, names in found.counted_rules.items():
        report_violation(
            f"Web ACL {args.name!r} overrides {group} rule(s) {', '.join(names)} to count, so "
            "they block nothing; remove those ruleActionOverrides.",
            None,
        )
    if config_flag(config, "requireRateBasedRule", default=True) and not found.rate_limits:
        if found.counting_rate_rules:
            report_violation(
                f"Web ACL {args.name!r} has no rate-based rule that blocks: "
                f"{', '.join(repr(n) for n in found.counting_rate_rules)} only "
                f"count{'s' if len(found.counting_rate_rules) == 1 else ''}.",
                None,
            )
        else:
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

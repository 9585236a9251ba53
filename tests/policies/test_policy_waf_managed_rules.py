"""waf-managed-rules: Common, KnownBadInputs and a rate-based rule."""

import json

import pytest

from tests.policies.policy_harness import UNKNOWN, compliant_stack, hits, managed_rule

POLICY = "waf-managed-rules"


def test_passes_with_both_groups_and_a_rate_limit(run):
    assert hits(run(compliant_stack()), POLICY) == set()


def test_fails_without_known_bad_inputs(run):
    stack = compliant_stack()
    stack["waf"].inputs["rules"].pop(1)
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("waf", "advisory")}
    assert "AWSManagedRulesKnownBadInputsRuleSet" in findings[0].message


def test_fails_without_a_rate_based_rule(run):
    stack = compliant_stack()
    stack["waf"].inputs["rules"].pop(2)
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert ["rate-based" in f.message for f in findings] == [True]
    assert hits(run(stack, {POLICY: {"requireRateBasedRule": False}}), POLICY) == set()


def test_reads_rules_given_as_waf_json(run):
    stack = compliant_stack()
    del stack["waf"].inputs["rules"]
    stack["waf"].inputs["ruleJson"] = json.dumps(
        [
            {
                "Name": "common",
                "Priority": 1,
                "Statement": {
                    "ManagedRuleGroupStatement": {
                        "VendorName": "AWS",
                        "Name": "AWSManagedRulesCommonRuleSet",
                    }
                },
            },
            {"Name": "rate", "Priority": 2, "Statement": {"RateBasedStatement": {"Limit": 100}}},
        ]
    )
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert [f.message.split("\n")[-1] for f in findings] == [
        "Web ACL 'waf' lacks the AWS managed rule group(s) AWSManagedRulesKnownBadInputsRuleSet."
    ]


@pytest.mark.parametrize(
    "rule_json",
    [
        '{"Name": "not-a-list"}',
        "5",
        '[{"Name": "x", "Statement": ["ManagedRuleGroupStatement"]}]',
        '[{"Name": "x", "Statement": {"ManagedRuleGroupStatement": "AWS"}}]',
    ],
)
def test_rule_json_of_an_unexpected_shape_is_reported_not_a_crash(run, rule_json):
    stack = compliant_stack()
    del stack["waf"].inputs["rules"]
    stack["waf"].inputs["ruleJson"] = rule_json
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("waf", "advisory")}
    assert "AWSManagedRulesCommonRuleSet" in findings[0].message


# ------------------------------------------------------------------- rules that only count


def messages(findings):
    return [f.message.split("\n")[-1] for f in findings if f.policy == POLICY]


def test_a_managed_group_in_count_mode_blocks_nothing(run):
    stack = compliant_stack()
    stack["waf"].inputs["rules"][1]["overrideAction"] = {"count": {}}
    findings = run(stack)
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {("waf", "advisory")}
    assert messages(findings) == [
        "Web ACL 'waf' runs AWSManagedRulesKnownBadInputsRuleSet with overrideAction count, so "
        "the group only counts matching requests and blocks none; set overrideAction to none."
    ]
    # prod makes the policy mandatory.
    assert {f.level for f in run(stack, {POLICY: "mandatory"}) if f.policy == POLICY} == {
        "mandatory"
    }


@pytest.mark.parametrize("action", [{"count": {}}, {"allow": {}}])
def test_overrides_that_set_the_log4j_rules_to_count_are_seen_through(run, action):
    stack = compliant_stack()
    statement = stack["waf"].inputs["rules"][1]["statement"]["managedRuleGroupStatement"]
    statement["ruleActionOverrides"] = [
        {"name": "Log4JRCE_HEADER", "actionToUse": action},
        {"name": "Log4JRCE_BODY", "actionToUse": action},
        # Tuning a rule outside the critical list is a team's own call.
        {"name": "Host_localhost_HEADER", "actionToUse": {"count": {}}},
    ]
    assert messages(run(stack)) == [
        "Web ACL 'waf' overrides AWSManagedRulesKnownBadInputsRuleSet rule(s) Log4JRCE_HEADER, "
        "Log4JRCE_BODY to count, so they block nothing; remove those ruleActionOverrides."
    ]


def test_overrides_that_keep_blocking_or_touch_other_rules_pass(run):
    stack = compliant_stack()
    common = stack["waf"].inputs["rules"][0]["statement"]["managedRuleGroupStatement"]
    common["ruleActionOverrides"] = [
        {"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}},
        {"name": "GenericRFI_BODY", "actionToUse": {"block": {}}},
        {"name": "EC2MetaDataSSRF_BODY", "actionToUse": {"captcha": {}}},
    ]
    assert hits(run(stack), POLICY) == set()


def test_counting_rules_are_seen_through_in_waf_json(run):
    stack = compliant_stack()
    del stack["waf"].inputs["rules"]
    stack["waf"].inputs["ruleJson"] = json.dumps(
        [
            {
                "Name": "common",
                "Priority": 1,
                "OverrideAction": {"None": {}},
                "Statement": {
                    "ManagedRuleGroupStatement": {
                        "VendorName": "AWS",
                        "Name": "AWSManagedRulesCommonRuleSet",
                        "ExcludedRules": [{"Name": "EC2MetaDataSSRF_URIPATH"}],
                    }
                },
            },
            {
                "Name": "bad-inputs",
                "Priority": 2,
                "OverrideAction": {"Count": {}},
                "Statement": {
                    "ManagedRuleGroupStatement": {
                        "VendorName": "AWS",
                        "Name": "AWSManagedRulesKnownBadInputsRuleSet",
                    }
                },
            },
            {
                "Name": "rate",
                "Priority": 3,
                "Action": {"Count": {}},
                "Statement": {"RateBasedStatement": {"Limit": 100}},
            },
        ]
    )
    assert messages(run(stack)) == [
        "Web ACL 'waf' runs AWSManagedRulesKnownBadInputsRuleSet with overrideAction count, so "
        "the group only counts matching requests and blocks none; set overrideAction to none.",
        "Web ACL 'waf' overrides AWSManagedRulesCommonRuleSet rule(s) EC2MetaDataSSRF_URIPATH to "
        "count, so they block nothing; remove those ruleActionOverrides.",
        "Web ACL 'waf' has no rate-based rule that blocks: 'rate' only counts.",
    ]


def test_a_rate_based_rule_that_only_counts_limits_nothing(run):
    stack = compliant_stack()
    stack["waf"].inputs["rules"][2]["action"] = {"count": {}}
    assert messages(run(stack)) == [
        "Web ACL 'waf' has no rate-based rule that blocks: 'rate-limit' only counts."
    ]


def test_unknown_overrides_are_not_a_violation(run):
    stack = compliant_stack()
    statement = stack["waf"].inputs["rules"][1]["statement"]["managedRuleGroupStatement"]
    statement["ruleActionOverrides"] = UNKNOWN
    stack["waf"].inputs["rules"][0]["overrideAction"] = UNKNOWN
    assert hits(run(stack), POLICY) == set()


def test_every_missing_or_counting_group_and_rate_rule_is_listed(run):
    stack = compliant_stack()
    rules = stack["waf"].inputs["rules"]
    rate = rules[2]
    rules[:] = [
        {**rate, "name": "rate-a", "action": {"count": {}}},
        {**rate, "name": "rate-b", "priority": 3, "action": {"count": {}}},
    ]
    assert messages(run(stack)) == [
        "Web ACL 'waf' lacks the AWS managed rule group(s) AWSManagedRulesCommonRuleSet, "
        "AWSManagedRulesKnownBadInputsRuleSet.",
        "Web ACL 'waf' has no rate-based rule that blocks: 'rate-a', 'rate-b' only count.",
    ]
    rules[:] = [
        {**managed_rule("AWSManagedRulesCommonRuleSet", 0), "overrideAction": {"count": {}}},
        {
            **managed_rule("AWSManagedRulesKnownBadInputsRuleSet", 1),
            "overrideAction": {"count": {}},
        },
        {**rate, "priority": 2},
    ]
    assert messages(run(stack)) == [
        "Web ACL 'waf' runs AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet "
        "with overrideAction count, so the group only counts matching requests and blocks none; "
        "set overrideAction to none."
    ]


def test_only_aws_managed_groups_count_as_the_required_ones(run):
    stack = compliant_stack()
    rules = stack["waf"].inputs["rules"]
    for rule in rules[:2]:
        rule["statement"]["managedRuleGroupStatement"]["vendorName"] = "F5"
    assert messages(run(stack)) == [
        "Web ACL 'waf' lacks the AWS managed rule group(s) AWSManagedRulesCommonRuleSet, "
        "AWSManagedRulesKnownBadInputsRuleSet."
    ]

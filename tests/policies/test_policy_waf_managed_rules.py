"""waf-managed-rules: Common, KnownBadInputs and a rate-based rule."""

import json

import pytest

from tests.policies.policy_harness import compliant_stack, hits

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

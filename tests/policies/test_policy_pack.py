"""The pack as the engine loads it: its policies, levels, metadata and CI policy configs."""

from __future__ import annotations

import re

import pytest

from tests.harness import POLICY_PACK, REPO
from tests.policies.policy_harness import ProtocolRunner, compliant_stack

# SPEC §5: the policies and their default enforcement levels.
MANDATORY = {
    "alb-https-required",
    "alb-http-redirect-only",
    "alb-access-logs-enabled",
    "alb-cross-zone-enabled",
    "alb-tls-policy",
    "alb-drop-invalid-headers",
    "alb-desync-mitigation",
    "alb-multi-az",
    "alb-waf-attached",
    "alb-log-bucket-secure",
    "alb-security-group-ingress",
    # Issue 11: redirects and authentication actions.
    "alb-redirect-https-only",
    "alb-authenticate-https-only",
    "alb-action-order",
    "alb-authenticate-https-endpoints",
    # On the stacks in its protectedStacks only (test_policy_deletion_protection.py).
    "alb-deletion-protection",
}
ADVISORY = {
    "waf-managed-rules",
    "waf-logging-enabled",
    "alb-target-group-health-check",
    "alb-listener-rule-reachable",
    "alb-target-group-autonamed",
    "alb-cross-zone-setting-ignored",
    "alb-authenticate-no-anonymous",
    # Issue 12: Lambda targets and mutual TLS.
    "alb-lambda-permission-scoped",
    "alb-mtls-certificate-expiry",
}
# Switched on by organisations that encrypt to every target.
DISABLED = {"alb-target-group-encryption"}


@pytest.fixture(scope="module")
def runner():
    runner = ProtocolRunner()
    yield runner
    runner.close()


def test_the_pack_declares_every_policy_at_its_default_level(runner):
    session = runner.session("dev", None)
    policies = {policy.name: policy for policy in session.wait_ready()}
    assert {name: p.enforcement_level for name, p in policies.items()} == {
        **dict.fromkeys(MANDATORY, "mandatory"),
        **dict.fromkeys(ADVISORY, "advisory"),
        **dict.fromkeys(DISABLED, "disabled"),
    }


def test_every_policy_has_a_description_severity_and_remediation(runner):
    for policy in runner.session("dev", None).wait_ready():
        assert policy.description, policy.name
        assert policy.severity in ("low", "medium", "high", "critical"), policy.name
        assert len(policy.remediation_steps) > 40, policy.name
        assert policy.url.startswith("https://"), policy.name


def test_policies_with_choices_publish_a_config_schema(runner):
    policies = {p.name: p for p in runner.session("dev", None).wait_ready()}
    expected = {
        "alb-tls-policy": {"allowedPolicies", "securityHubStrict"},
        "alb-deletion-protection": {"protectedStacks"},
        "waf-managed-rules": {"requiredManagedRuleGroups", "requireRateBasedRule"},
        "alb-security-group-ingress": {"publicCidrs"},
        "alb-multi-az": {"minAvailabilityZones"},
        "alb-waf-attached": {"includeInternal"},
    }
    for name, keys in expected.items():
        schema = policies[name].config_schema
        assert schema is not None and keys <= set(schema["properties"]), name
    assert policies["alb-deletion-protection"].properties["protectedStacks"] == ["prod"]


def test_the_pack_reports_its_name_and_the_version_in_pulumipolicy_yaml(runner):
    result = runner.analyze(compliant_stack())
    assert result.pack_name == "alb-guardrails"
    version = re.search(r"^version:\s*(\S+)", (POLICY_PACK / "PulumiPolicy.yaml").read_text(), re.M)
    assert version and result.pack_version == version.group(1)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_ci_policy_configs_are_valid_and_name_only_known_policies_and_settings(stack):
    from preflight.analyzer import PolicyPackSession, StackContext, load_policy_config
    from preflight.analyzer.config import PolicySchema, unknown_entries

    config = load_policy_config(POLICY_PACK / "config" / f"{stack}.json")
    with PolicyPackSession.start(
        POLICY_PACK, context=StackContext(project="alb", stack=stack), policy_config=config
    ) as session:
        policies = session.wait_ready()
    levels = {p.name: p.enforcement_level for p in policies}
    # Mandatory everywhere; it applies on the stacks in protectedStacks (prod).
    assert levels["alb-deletion-protection"] == "mandatory"
    assert {p.name: p.properties for p in policies}["alb-deletion-protection"] == {
        "protectedStacks": ["prod"]
    }
    assert {name for name, value in levels.items() if value == "mandatory"} >= MANDATORY
    schemas = [PolicySchema(p.name, p.enforcement_level, p.config_schema) for p in policies]
    assert config is not None and unknown_entries(config, schemas) == []


def test_an_invalid_policy_config_is_refused_with_the_policy_named():
    from preflight.analyzer import PolicyPackError, PolicyPackSession, StackContext
    from preflight.analyzer.config import parse_policy_config

    config = parse_policy_config({"alb-tls-policy": {"securityHubStrict": "yes"}})
    with (
        PolicyPackSession.start(
            POLICY_PACK, context=StackContext(project="alb", stack="dev"), policy_config=config
        ) as session,
        pytest.raises(PolicyPackError, match="alb-tls-policy"),
    ):
        session.wait_ready()


def test_the_pack_is_documented_policy_by_policy():
    doc = (REPO / "docs" / "policies.md").read_text(encoding="utf-8")
    import alb_guardrails

    for policy in alb_guardrails.all_policies():
        rows = [line for line in doc.splitlines() if line.startswith(f"| `{policy.name}`")]
        assert len(rows) == 1, policy.name
        assert policy.enforcement_level.value in rows[0], policy.name
        for control in policy.tags or []:
            assert control in rows[0], (policy.name, control)


def _array(default, description):
    return {
        "type": "array",
        "items": {"type": "string"},
        "default": default,
        "description": description,
    }


def _flag(default, description):
    return {"type": "boolean", "default": default, "description": description}


# What each policy declares to the engine (GetAnalyzerInfo), read in-process: the level, the
# severity, the Security Hub and checkov IDs it covers (docs/policies.md) and its settings.
DECLARATIONS = {
    "alb-https-required": ("mandatory", "high", ["ELB.18"], None),
    "alb-http-redirect-only": ("mandatory", "high", ["ELB.1", "CKV2_AWS_20", "CKV_AWS_2"], None),
    "alb-access-logs-enabled": ("mandatory", "medium", ["ELB.5", "CKV_AWS_91"], None),
    "alb-cross-zone-enabled": ("mandatory", "medium", [], None),
    "alb-tls-policy": (
        "mandatory",
        "high",
        ["ELB.17", "CKV_AWS_103"],
        "TLS",
    ),
    "alb-drop-invalid-headers": ("mandatory", "medium", ["ELB.4", "CKV_AWS_131"], None),
    "alb-desync-mitigation": ("mandatory", "medium", ["ELB.12", "CKV_AWS_328"], None),
    "alb-multi-az": (
        "mandatory",
        "medium",
        ["ELB.13"],
        {
            "minAvailabilityZones": {
                "type": "integer",
                "minimum": 2,
                "maximum": 6,
                "default": 2,
                "description": "The fewest Availability Zones a load balancer may span.",
            }
        },
    ),
    "alb-waf-attached": (
        "mandatory",
        "high",
        ["ELB.16", "CKV2_AWS_28"],
        {
            "includeInternal": _flag(
                False, "Require a web ACL on internal load balancers too, as ELB.16 does."
            )
        },
    ),
    "alb-log-bucket-secure": (
        "mandatory",
        "medium",
        ["S3.5", "S3.8", "S3.12", "S3.13", "CKV2_AWS_6", "CKV2_AWS_61", "CKV2_AWS_65"],
        None,
    ),
    "alb-security-group-ingress": (
        "mandatory",
        "high",
        ["EC2.18"],
        {"publicCidrs": _array(["0.0.0.0/0", "::/0"], "Source CIDRs that count as the internet.")},
    ),
    "alb-deletion-protection": (
        "mandatory",
        "medium",
        ["ELB.6", "CKV_AWS_150"],
        {"protectedStacks": _array(["prod"], "Stacks whose load balancers must be protected.")},
    ),
    "waf-managed-rules": (
        "advisory",
        "medium",
        ["WAF.10", "CKV_AWS_192"],
        {
            "requiredManagedRuleGroups": _array(
                ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"],
                "AWS managed rule groups every web ACL must include.",
            ),
            "requireRateBasedRule": _flag(True, "Whether every web ACL needs a rate-based rule."),
        },
    ),
    "waf-logging-enabled": ("advisory", "low", ["WAF.11", "CKV2_AWS_31"], None),
    "alb-target-group-health-check": ("advisory", "low", ["CKV_AWS_261"], None),
    "alb-listener-rule-reachable": ("advisory", "low", [], None),
    "alb-target-group-autonamed": ("advisory", "low", [], None),
    "alb-cross-zone-setting-ignored": ("advisory", "low", [], None),
    "alb-target-group-encryption": ("disabled", "medium", ["ELB.21", "ELB.22"], None),
    "alb-redirect-https-only": ("mandatory", "high", [], None),
    "alb-authenticate-https-only": ("mandatory", "high", [], None),
    "alb-action-order": ("mandatory", "medium", [], None),
    "alb-authenticate-https-endpoints": ("mandatory", "high", [], None),
    "alb-authenticate-no-anonymous": ("advisory", "medium", [], None),
    "alb-lambda-permission-scoped": ("advisory", "medium", ["CKV_AWS_364"], None),
    "alb-mtls-certificate-expiry": ("advisory", "medium", [], None),
}


def test_every_policy_declares_its_level_severity_ids_and_settings():
    from alb_guardrails import all_policies
    from alb_guardrails.tls_policy import TLS12_OR_LATER_POLICIES

    tls_settings = {
        "allowedPolicies": _array(
            list(TLS12_OR_LATER_POLICIES), "ELB security policies an HTTPS listener may use."
        ),
        "securityHubStrict": _flag(
            False,
            "Allow only Security Hub ELB.17's recommended policies instead of allowedPolicies.",
        ),
    }
    declared = {
        policy.name: (
            policy.enforcement_level.value,
            policy.severity.value,
            list(policy.tags or []),
            policy.config_schema.properties if policy.config_schema else None,
        )
        for policy in all_policies()
    }
    expected = {
        name: (level, severity, tags, tls_settings if settings == "TLS" else settings)
        for name, (level, severity, tags, settings) in DECLARATIONS.items()
    }
    assert declared == expected

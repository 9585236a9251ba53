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

"""alb-deletion-protection: mandatory on every stack in the configured protectedStacks."""

import json

import yaml

from tests.harness import REPO, copy_program, run_preflight, write_stack
from tests.policies.policy_harness import compliant_stack, hits

POLICY = "alb-deletion-protection"


def unprotected():
    stack = compliant_stack()
    stack["alb"].inputs["enableDeletionProtection"] = False
    stack["alb"].protect = False
    return stack


def findings_on(run, stack_name, config=None):
    return [f for f in run(unprotected(), config, stack_name=stack_name) if f.policy == POLICY]


def test_passes_with_deletion_protection_and_protect(run):
    assert hits(run(compliant_stack(), stack_name="prod"), POLICY) == set()


def test_is_mandatory_on_a_protected_stack(run):
    [finding] = findings_on(run, "prod")
    assert (finding.resource, finding.level) == ("alb", "mandatory")
    assert finding.message.endswith(
        "Load balancer 'alb' lacks enableDeletionProtection: true and the Pulumi resource "
        "option protect=True (stack 'prod' is listed in protectedStacks, so this is required)."
    )


def test_does_not_apply_to_a_stack_outside_protected_stacks(run):
    assert findings_on(run, "dev") == []


def test_protect_alone_is_not_enough(run):
    stack = compliant_stack()
    del stack["alb"].inputs["enableDeletionProtection"]  # AWS default: off
    assert hits(run(stack, stack_name="prod"), POLICY) == {"alb"}


def test_a_stack_listed_only_in_the_config_is_mandatory_without_setting_the_level(run):
    # The policy config lists the stack and nothing else: no enforcementLevel beside it.
    config = {POLICY: {"protectedStacks": ["staging", "prod"]}}
    [finding] = findings_on(run, "staging", config)
    assert (finding.resource, finding.level) == ("alb", "mandatory")
    assert "(stack 'staging' is listed in protectedStacks, so this is required)" in finding.message


def test_a_configured_list_replaces_the_default(run):
    config = {POLICY: {"protectedStacks": ["staging"]}}
    assert findings_on(run, "prod", config) == []


def test_an_explicit_level_in_the_config_still_wins(run):
    config = {POLICY: {"enforcementLevel": "advisory", "protectedStacks": ["staging"]}}
    [finding] = findings_on(run, "staging", config)
    assert finding.level == "advisory"


def test_preflight_fails_a_stack_that_its_policy_config_protects(tmp_path):
    # The platform's own program, as CI runs it: a staging stack (prod's settings without
    # alb:protect) and a policy config that lists staging, with no level beside it.
    program = copy_program(tmp_path)
    document = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
    document["config"]["alb:protect"] = False
    write_stack(program, "staging", document)
    policy_config = tmp_path / "staging.json"
    policy_config.write_text(json.dumps({POLICY: {"protectedStacks": ["staging", "prod"]}}))

    run = run_preflight(
        "--program", program, "--stack", "staging", "--policy-config", policy_config, "--json"
    )

    assert run.returncode == 1, run.stderr
    violations = run.document["violations"]
    assert [(v["policy"], v["enforcementLevel"]) for v in violations] == [(POLICY, "mandatory")]
    assert violations[0]["urn"].endswith("aws:lb/loadBalancer:LoadBalancer::alb-staging")

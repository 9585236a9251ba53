"""alb-deletion-protection: mandatory on protected stacks, advisory elsewhere."""

from tests.policies.policy_harness import compliant_stack, hits

POLICY = "alb-deletion-protection"


def unprotected():
    stack = compliant_stack()
    stack["alb"].inputs["enableDeletionProtection"] = False
    stack["alb"].protect = False
    return stack


def test_passes_with_deletion_protection_and_protect(run):
    assert hits(run(compliant_stack(), stack_name="prod"), POLICY) == set()


def test_is_mandatory_on_a_protected_stack(run):
    findings = [f for f in run(unprotected(), stack_name="prod") if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb", "mandatory")}
    assert "enableDeletionProtection" in findings[0].message
    assert "protect=True" in findings[0].message
    assert "'prod' is listed in protectedStacks" in findings[0].message


def test_is_advisory_elsewhere(run):
    findings = [f for f in run(unprotected(), stack_name="dev") if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb", "advisory")}


def test_protect_alone_is_not_enough(run):
    stack = compliant_stack()
    del stack["alb"].inputs["enableDeletionProtection"]  # AWS default: off
    assert hits(run(stack, stack_name="prod"), POLICY) == {"alb"}


def test_protected_stacks_come_from_config(run):
    config = {POLICY: {"enforcementLevel": "mandatory", "protectedStacks": ["staging"]}}
    findings = [f for f in run(unprotected(), config, stack_name="staging") if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb", "mandatory")}
    assert "'staging' is listed in protectedStacks" in findings[0].message

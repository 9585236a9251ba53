"""waf-logging-enabled: every web ACL has a logging configuration."""

from tests.policies.policy_harness import as_preview, compliant_stack, hits

POLICY = "waf-logging-enabled"


def test_passes_with_a_logging_configuration(run):
    assert hits(run(compliant_stack()), POLICY) == set()
    assert hits(run(as_preview(compliant_stack())), POLICY) == set()


def test_fails_without_one(run):
    stack = compliant_stack()
    del stack["waf-logging"]
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("waf", "advisory")}
    assert hits(run(as_preview(stack)), POLICY) == {"waf"}

"""alb-target-group-health-check: explicit path and matcher on HTTP(S) target groups."""

from tests.policies.policy_harness import compliant_stack, hits

POLICY = "alb-target-group-health-check"


def test_passes_with_path_and_matcher(run):
    assert hits(run(compliant_stack()), POLICY) == set()


def test_fails_when_left_to_the_defaults(run):
    stack = compliant_stack()
    del stack["api"].inputs["healthCheck"]
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("api", "advisory")}
    assert "healthCheck.path and healthCheck.matcher" in findings[0].message


def test_fails_when_turned_off(run):
    stack = compliant_stack()
    stack["api"].inputs["healthCheck"]["enabled"] = False
    assert hits(run(stack), POLICY) == {"api"}


def test_lambda_target_groups_are_out_of_scope(run):
    stack = compliant_stack()
    stack["api"].inputs = {"targetType": "lambda"}
    assert hits(run(stack), POLICY) == set()

"""alb-waf-attached: internet-facing ALBs have a WAFv2 web ACL association."""

from tests.policies.policy_harness import as_preview, compliant_stack, hits

POLICY = "alb-waf-attached"


def without_association():
    stack = compliant_stack()
    del stack["waf-association"]
    return stack


def test_passes_with_an_association(run):
    assert hits(run(compliant_stack()), POLICY) == set()
    assert hits(run(as_preview(compliant_stack())), POLICY) == set()


def test_fails_without_an_association(run):
    findings = [f for f in run(without_association()) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb", "mandatory")}
    assert hits(run(as_preview(without_association())), POLICY) == {"alb"}


def test_internal_load_balancers_need_none(run):
    stack = without_association()
    stack["alb"].inputs["internal"] = True
    assert hits(run(stack), POLICY) == set()

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


def test_internal_load_balancers_need_a_web_acl_with_include_internal(run):
    # Security Hub ELB.16 has no exemption for internal ALBs; the pack's default has one.
    stack = compliant_stack()
    stack["alb"].inputs["internal"] = True
    del stack["waf-association"]
    assert hits(run(stack), POLICY) == set()
    findings = run(stack, {POLICY: {"includeInternal": True}})
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {("alb", "mandatory")}
    assert [f.message.split("\n")[-1] for f in findings if f.policy == POLICY] == [
        "Internal load balancer 'alb' has no WAFv2 web ACL association."
    ]


def last_lines(findings):
    return [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in findings if f.policy == POLICY
    ]


def test_the_message_says_whether_the_load_balancer_is_internet_facing_or_internal(run):
    stack = compliant_stack()
    del stack["waf-association"]
    assert last_lines(run(stack)) == [
        (
            "alb",
            "mandatory",
            "Internet-facing load balancer 'alb' has no WAFv2 web ACL association.",
        )
    ]
    stack["alb"].inputs["internal"] = True
    assert last_lines(run(stack)) == []
    assert last_lines(run(stack, {POLICY: {"includeInternal": True}})) == [
        ("alb", "mandatory", "Internal load balancer 'alb' has no WAFv2 web ACL association.")
    ]

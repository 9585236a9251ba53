"""alb-target-group-autonamed: no explicit load balancer or target group names."""

from alb_guardrails.autonaming import is_autoname

from tests.policies.policy_harness import compliant_stack, hits

POLICY = "alb-target-group-autonamed"


def test_passes_with_autonamed_resources(run):
    assert hits(run(compliant_stack()), POLICY) == set()


def test_fails_with_explicit_names(run):
    stack = compliant_stack()
    stack["alb"].inputs["name"] = "walkthrough-alb"
    stack["api"].inputs["name"] = "api-tg"
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb", "advisory"), ("api", "advisory")}


def test_name_prefix_passes(run):
    stack = compliant_stack()
    del stack["api"].inputs["name"]
    stack["api"].inputs["namePrefix"] = "api-"
    assert hits(run(stack), POLICY) == set()


def test_recognises_truncated_autonames():
    assert is_autoname("api-9a8b7c6", "api")
    assert is_autoname("a-very-long-logical-name-1234567", "a-very-long-logical-name-for-a-group")
    assert not is_autoname("api", "api")
    assert not is_autoname("orders-9a8b7c6", "api")


def test_the_message_names_the_kind_and_the_fix(run):
    stack = compliant_stack()
    stack["alb"].inputs["name"] = "walkthrough-alb"
    stack["api"].inputs["name"] = "api-tg"
    findings = sorted(
        (f.resource, f.level, f.message.splitlines()[-1]) for f in run(stack) if f.policy == POLICY
    )
    assert findings == [
        (
            "alb",
            "advisory",
            "Load balancer 'alb' has the explicit name 'walkthrough-alb'; a replacement would "
            "have to delete it first. Remove `name` (or use `name_prefix`).",
        ),
        (
            "api",
            "advisory",
            "Target group 'api' has the explicit name 'api-tg'; a replacement would have to "
            "delete it first. Remove `name` (or use `name_prefix`).",
        ),
    ]


def test_a_name_prefix_hands_the_name_to_aws_even_beside_a_filled_in_name(run):
    # The checked inputs may carry the name the provider made of the prefix.
    stack = compliant_stack()
    stack["api"].inputs["namePrefix"] = "api-"
    stack["api"].inputs["name"] = "api-20261201000000000000000001"
    assert hits(run(stack), POLICY) == set()

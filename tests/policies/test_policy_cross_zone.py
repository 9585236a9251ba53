"""alb-cross-zone-enabled: cross-zone load balancing is never turned off."""

from tests.policies.policy_harness import compliant_stack, hits

POLICY = "alb-cross-zone-enabled"


def test_passes_when_left_to_the_defaults(run):
    assert hits(run(compliant_stack()), POLICY) == set()


def test_passes_when_the_target_group_follows_the_load_balancer(run):
    stack = compliant_stack()
    stack["api"].inputs["loadBalancingCrossZoneEnabled"] = "use_load_balancer_configuration"
    stack["alb"].inputs["enableCrossZoneLoadBalancing"] = True
    assert hits(run(stack), POLICY) == set()


def test_fails_when_a_target_group_turns_it_off(run):
    stack = compliant_stack()
    stack["api"].inputs["loadBalancingCrossZoneEnabled"] = "false"
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("api", "mandatory")}


def test_fails_when_the_load_balancer_turns_it_off(run):
    stack = compliant_stack()
    stack["alb"].inputs["enableCrossZoneLoadBalancing"] = False
    assert hits(run(stack), POLICY) == {"alb"}

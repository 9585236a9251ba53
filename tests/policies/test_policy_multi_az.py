"""alb-multi-az: subnets in at least two Availability Zones."""

from tests.policies.policy_harness import UNKNOWN, compliant_stack, hits

POLICY = "alb-multi-az"


def test_passes_with_two_subnets(run):
    assert hits(run(compliant_stack()), POLICY) == set()


def test_passes_with_subnet_mappings(run):
    stack = compliant_stack()
    subnets = stack["alb"].inputs.pop("subnets")
    stack["alb"].inputs["subnetMappings"] = [{"subnetId": subnet} for subnet in subnets]
    assert hits(run(stack), POLICY) == set()


def test_fails_with_one_subnet(run):
    stack = compliant_stack()
    stack["alb"].inputs["subnets"] = ["subnet-0aa11bb22"]
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb", "mandatory")}
    assert "1 Availability Zone" in findings[0].message


def test_unknown_subnet_ids_count_as_separate_zones(run):
    stack = compliant_stack()
    stack["alb"].inputs["subnets"] = [UNKNOWN, UNKNOWN]
    assert hits(run(stack), POLICY) == set()


def test_the_minimum_is_configurable(run):
    assert hits(run(compliant_stack(), {POLICY: {"minAvailabilityZones": 3}}), POLICY) == {"alb"}

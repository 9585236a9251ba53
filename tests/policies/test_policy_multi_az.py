"""alb-multi-az: subnets in at least two Availability Zones."""

import pytest

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


def last_lines(findings):
    return [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in findings if f.policy == POLICY
    ]


@pytest.mark.parametrize(
    "placement",
    [
        {"subnets": ["subnet-0aa11bb22", "subnet-0aa11bb22"]},
        {"subnetMappings": [{"subnetId": "subnet-0aa11bb22"}, {"subnetId": "subnet-0aa11bb22"}]},
        {"subnets": ["subnet-0aa11bb22"], "subnetMappings": [{"subnetId": "subnet-0aa11bb22"}]},
    ],
    ids=["subnets", "mappings", "both"],
)
def test_a_subnet_listed_twice_is_one_zone(run, placement):
    stack = compliant_stack()
    del stack["alb"].inputs["subnets"]
    stack["alb"].inputs.update(placement)
    assert last_lines(run(stack)) == [
        (
            "alb",
            "mandatory",
            "Load balancer 'alb' is in 1 Availability Zone(s) (subnet-0aa11bb22); give it "
            "subnets in at least 2 zones.",
        )
    ]


def test_no_subnets_at_all_is_named(run):
    stack = compliant_stack()
    stack["alb"].inputs["subnets"] = []
    assert last_lines(run(stack)) == [
        (
            "alb",
            "mandatory",
            "Load balancer 'alb' is in 0 Availability Zone(s) (no subnets); give it subnets in "
            "at least 2 zones.",
        )
    ]


def test_mappings_and_subnets_add_up_to_the_configured_minimum(run):
    stack = compliant_stack()
    stack["alb"].inputs["subnetMappings"] = [{"subnetId": "subnet-0ee55ff66"}]
    assert hits(run(stack, {POLICY: {"minAvailabilityZones": 3}}), POLICY) == set()
    assert hits(run(stack, {POLICY: {"minAvailabilityZones": 4}}), POLICY) == {"alb"}

"""alb-https-required: an HTTPS listener with a certificate on every application load balancer."""

import pytest

from tests.policies.policy_harness import LB, LISTENER, UNKNOWN, as_preview, compliant_stack, hits

POLICY = "alb-https-required"


def without_https_listener():
    stack = compliant_stack()
    del stack["https"], stack["api-route"]
    return stack


def test_passes_with_an_https_listener_and_certificate(run):
    assert hits(run(compliant_stack()), POLICY) == set()


def test_fails_without_an_https_listener(run):
    findings = [f for f in run(without_https_listener()) if f.policy == POLICY]
    assert {f.resource for f in findings} == {"alb"}
    assert {f.level for f in findings} == {"mandatory"}
    assert "no HTTPS listener" in findings[0].message


def test_fails_when_the_https_listener_has_no_certificate(run):
    stack = compliant_stack()
    del stack["https"].inputs["certificateArn"]
    assert hits(run(stack), POLICY) == {"alb"}


def test_an_unknown_certificate_is_not_a_violation(run):
    stack = compliant_stack()
    stack["https"].inputs["certificateArn"] = UNKNOWN
    assert hits(run(stack), POLICY) == set()


def test_preview_resolves_listeners_through_property_dependencies(run):
    assert hits(run(as_preview(compliant_stack())), POLICY) == set()
    assert hits(run(as_preview(without_https_listener())), POLICY) == {"alb"}


def test_matches_the_aws_alb_alias_tokens(run):
    stack = without_https_listener()
    stack["alb"].type = LB.replace("aws:lb/", "aws:alb/")
    stack["http"].type = LISTENER.replace("aws:lb/", "aws:alb/")
    stack["http"].refs = {}
    assert hits(run(stack), POLICY) == {"alb"}


def test_network_load_balancers_are_out_of_scope(run):
    stack = without_https_listener()
    stack["alb"].inputs["loadBalancerType"] = "network"
    assert hits(run(stack), POLICY) == set()


def last_lines(findings):
    return [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in findings if f.policy == POLICY
    ]


def test_no_https_listener_is_named_whole(run):
    assert last_lines(run(without_https_listener())) == [
        (
            "alb",
            "mandatory",
            "Load balancer 'alb' has no HTTPS listener; add a listener with protocol HTTPS, an "
            "ACM certificate and an allowed TLS policy.",
        )
    ]


@pytest.mark.parametrize("certificate", [None, ""], ids=["absent", "empty"])
def test_an_https_listener_without_a_certificate_is_named_whole(run, certificate):
    stack = compliant_stack()
    if certificate is None:
        del stack["https"].inputs["certificateArn"]
    else:
        stack["https"].inputs["certificateArn"] = certificate
    assert last_lines(run(stack)) == [
        (
            "alb",
            "mandatory",
            "Load balancer 'alb' has an HTTPS listener without a certificate; set certificateArn "
            "to an ACM certificate.",
        )
    ]

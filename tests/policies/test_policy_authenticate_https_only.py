"""alb-authenticate-https-only: authentication actions run on HTTPS listeners only."""

import pytest

from tests.policies.listener_actions import (
    cognito,
    findings,
    forward,
    jwt,
    oidc,
    with_tokens,
)
from tests.policies.policy_harness import UNKNOWN, add_rule, as_preview, compliant_stack, hits

POLICY = "alb-authenticate-https-only"

AUTHENTICATIONS = {
    "authenticate-oidc": oidc,
    "authenticate-cognito": cognito,
    "jwt-validation": jwt,
}


@pytest.mark.parametrize("kind", sorted(AUTHENTICATIONS))
@pytest.mark.parametrize("module", ["lb", "alb"])
def test_authentication_on_the_https_listener_passes(run, module, kind):
    stack = compliant_stack()
    add_rule(
        stack,
        "admin",
        5,
        {"pathPattern": {"values": ["/admin/*"]}},
        actions=[AUTHENTICATIONS[kind](), forward()],
    )
    stack["https"].inputs["defaultActions"] = [AUTHENTICATIONS[kind](), forward()]
    with_tokens(stack, module)
    assert findings(run, stack, POLICY) == []
    assert findings(run, as_preview(stack), POLICY) == []


@pytest.mark.parametrize("kind", sorted(AUTHENTICATIONS))
@pytest.mark.parametrize("module", ["lb", "alb"])
def test_a_rule_authenticating_on_the_http_listener_fails(run, module, kind):
    stack = compliant_stack()
    add_rule(
        stack,
        "admin",
        5,
        {"pathPattern": {"values": ["/admin/*"]}},
        listener="http",
        actions=[AUTHENTICATIONS[kind](), forward()],
    )
    with_tokens(stack, module)
    assert findings(run, stack, POLICY) == [
        (
            "admin",
            "mandatory",
            f"Rule 'admin' on HTTP listener 'http' authenticates clients ('{kind}') over HTTP: "
            "authentication actions run on HTTPS listeners only, so that tokens and session "
            "cookies never cross the network in clear text.",
        )
    ]
    # At preview the rule's listenerArn is unknown; its dependency names the listener.
    assert hits(run(as_preview(stack)), POLICY) == {"admin"}


def test_an_http_listener_whose_default_action_authenticates_fails(run):
    stack = compliant_stack()
    stack["http"].inputs["defaultActions"] = [jwt(), oidc(), forward()]
    assert findings(run, stack, POLICY) == [
        (
            "http",
            "mandatory",
            "The default action of HTTP listener 'http' authenticates clients "
            "('authenticate-oidc', 'jwt-validation') over HTTP: authentication actions run on "
            "HTTPS listeners only, so that tokens and session cookies never cross the network in "
            "clear text.",
        )
    ]


def test_protocols_and_action_types_in_any_case(run):
    stack = compliant_stack()
    stack["https"].inputs["protocol"] = "https"
    stack["https"].inputs["defaultActions"] = [oidc(), forward()]
    add_rule(
        stack,
        "admin",
        5,
        {"pathPattern": {"values": ["/admin/*"]}},
        listener="http",
        actions=[{**cognito(), "type": "Authenticate-Cognito"}, forward()],
    )
    stack["http"].inputs["protocol"] = "http"
    assert hits(run(stack), POLICY) == {"admin"}


def test_a_listener_without_a_protocol_is_http_on_an_application_load_balancer(run):
    stack = compliant_stack()
    del stack["http"].inputs["protocol"]
    add_rule(
        stack,
        "admin",
        5,
        {"pathPattern": {"values": ["/admin/*"]}},
        listener="http",
        actions=[oidc(), forward()],
    )
    assert hits(run(stack), POLICY) == {"admin"}


def test_unknown_protocols_types_and_listeners_are_decided_at_deployment(run):
    stack = compliant_stack()
    stack["http"].inputs["protocol"] = UNKNOWN
    stack["http"].inputs["defaultActions"] = [oidc(), forward()]
    elsewhere = add_rule(
        stack, "elsewhere", 6, {"pathPattern": {"values": ["/b/*"]}}, actions=[oidc(), forward()]
    )
    elsewhere.inputs["listenerArn"] = "arn:aws:elasticloadbalancing:ap-northeast-2:1:listener/x"
    elsewhere.refs = {}
    assert findings(run, stack, POLICY) == []
    stack = compliant_stack()
    add_rule(
        stack,
        "unknown-type",
        5,
        {"pathPattern": {"values": ["/a/*"]}},
        listener="http",
        actions=[{**oidc(), "type": UNKNOWN}, forward()],
    )
    add_rule(
        stack,
        "unknown-actions",
        6,
        {"pathPattern": {"values": ["/c/*"]}},
        listener="http",
        actions=UNKNOWN,
    )
    assert findings(run, stack, POLICY) == []

"""alb-authenticate-https-endpoints: identity provider URLs are https:// URLs."""

import pytest

from tests.policies.listener_actions import (
    IDP,
    cognito,
    findings,
    forward,
    jwt,
    oidc,
    with_tokens,
)
from tests.policies.policy_harness import UNKNOWN, add_rule, as_preview, compliant_stack

POLICY = "alb-authenticate-https-endpoints"


@pytest.mark.parametrize("module", ["lb", "alb"])
def test_https_endpoints_pass(run, module):
    stack = compliant_stack()
    add_rule(
        stack,
        "admin",
        5,
        {"pathPattern": {"values": ["/admin/*"]}},
        actions=[oidc(issuer="HTTPS://idp.example.com"), forward()],
    )
    stack["https"].inputs["defaultActions"] = [jwt(), cognito(), forward()]
    with_tokens(stack, module)
    assert findings(run, stack, POLICY) == []
    assert findings(run, as_preview(stack), POLICY) == []


@pytest.mark.parametrize(
    "key", ["issuer", "authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint"]
)
@pytest.mark.parametrize("module", ["lb", "alb"])
def test_a_plain_http_oidc_endpoint_fails(run, module, key):
    stack = compliant_stack()
    add_rule(
        stack,
        "admin",
        5,
        {"pathPattern": {"values": ["/admin/*"]}},
        actions=[oidc(**{key: "Http://idp.example.com/oidc"}), forward()],
    )
    with_tokens(stack, module)
    assert findings(run, stack, POLICY) == [
        (
            "admin",
            "mandatory",
            "The actions of rule 'admin' reach the identity provider of authenticate-oidc "
            f"without HTTPS: authenticateOidc.{key} 'Http://idp.example.com/oidc'. Each must be "
            "an https:// URL with a host.",
        )
    ]


def test_every_plain_endpoint_is_named(run):
    stack = compliant_stack()
    stack["https"].inputs["defaultActions"] = [
        oidc(tokenEndpoint="idp.example.com/token", userInfoEndpoint="https:///userinfo"),
        forward(),
    ]
    assert findings(run, stack, POLICY) == [
        (
            "https",
            "mandatory",
            "The default actions of listener 'https' reach the identity provider of "
            "authenticate-oidc without HTTPS: authenticateOidc.tokenEndpoint "
            "'idp.example.com/token'; authenticateOidc.userInfoEndpoint 'https:///userinfo'. Each "
            "must be an https:// URL with a host.",
        )
    ]


def test_a_plain_http_jwks_endpoint_fails(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "api",
        5,
        {"pathPattern": {"values": ["/v1/*"]}},
        actions=[
            {**jwt(jwksEndpoint="http://idp.example.com/jwks.json"), "type": "JWT-Validation"},
            forward(),
        ],
    )
    assert findings(run, stack, POLICY) == [
        (
            "api",
            "mandatory",
            "The actions of rule 'api' reach the identity provider of jwt-validation without "
            "HTTPS: jwtValidation.jwksEndpoint 'http://idp.example.com/jwks.json'. Each must be "
            "an https:// URL with a host.",
        )
    ]


def test_a_jwt_issuer_need_not_be_a_url(run):
    # JwtValidationActionConfig.Issuer is the expected `iss` claim, any string up to 256
    # characters; only the JWKS endpoint must be an HTTPS URL.
    stack = compliant_stack()
    stack["https"].inputs["defaultActions"] = [jwt(issuer="urn:example:issuer"), forward()]
    assert findings(run, stack, POLICY) == []


def test_unknown_endpoints_are_decided_at_deployment(run):
    stack = compliant_stack()
    stack["https"].inputs["defaultActions"] = [
        oidc(issuer=UNKNOWN, tokenEndpoint=UNKNOWN),
        {**jwt(jwksEndpoint="http://x"), "type": UNKNOWN},
        forward(),
    ]
    add_rule(stack, "u", 5, {"pathPattern": {"values": ["/u/*"]}}, actions=UNKNOWN)
    assert findings(run, stack, POLICY) == []
    assert IDP.startswith("https://")


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://[2001:db8::1/token",  # an unclosed IPv6 literal: no URL at all
        "https:///token",  # no host
        "idp.example.com/token",  # no scheme
    ],
)
def test_a_token_endpoint_that_is_no_https_url_with_a_host_fails(run, endpoint):
    stack = compliant_stack()
    add_rule(
        stack,
        "admin",
        5,
        {"pathPattern": {"values": ["/admin/*"]}},
        actions=[oidc(tokenEndpoint=endpoint), forward()],
    )
    assert findings(run, stack, POLICY) == [
        (
            "admin",
            "mandatory",
            "The actions of rule 'admin' reach the identity provider of authenticate-oidc "
            f"without HTTPS: authenticateOidc.tokenEndpoint {endpoint!r}. Each must be an "
            "https:// URL with a host.",
        )
    ]

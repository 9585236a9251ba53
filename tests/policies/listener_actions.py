"""Listener actions for the redirect and authentication policies' tests, shaped as pulumi-aws
sends them, and how those tests read the results."""

from __future__ import annotations

from typing import Any

from tests.policies.policy_harness import ACCOUNT, REGION, add_rule, compliant_stack

IDP = "https://idp.example.com"


def oidc(**settings: Any) -> dict[str, Any]:
    return {
        "type": "authenticate-oidc",
        "authenticateOidc": {
            "issuer": IDP,
            "authorizationEndpoint": f"{IDP}/oauth2/authorize",
            "tokenEndpoint": f"{IDP}/oauth2/token",
            "userInfoEndpoint": f"{IDP}/oauth2/userinfo",
            "clientId": "alb-client",
            "clientSecret": "s3cr3t-value",
            **settings,
        },
    }


def cognito(**settings: Any) -> dict[str, Any]:
    return {
        "type": "authenticate-cognito",
        "authenticateCognito": {
            "userPoolArn": f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_AbCdEf123",
            "userPoolClientId": "5u7o0a1b2c3d4e5f6g7h8i9j0k",
            "userPoolDomain": "auth.example.com",
            **settings,
        },
    }


def jwt(**settings: Any) -> dict[str, Any]:
    return {
        "type": "jwt-validation",
        "jwtValidation": {
            "issuer": IDP,
            "jwksEndpoint": f"{IDP}/.well-known/jwks.json",
            **settings,
        },
    }


def forward() -> dict[str, Any]:
    return {"type": "forward", "targetGroupArn": compliant_stack()["api"].computed["arn"]}


def fixed_response() -> dict[str, Any]:
    return {
        "type": "fixed-response",
        "fixedResponse": {"contentType": "text/plain", "statusCode": "403"},
    }


def with_tokens(stack: Any, module: str) -> Any:
    """The stack with its ELBv2 resources under ``aws:<module>/`` (pulumi-aws has lb and alb)."""
    for res in stack.values():
        res.type = res.type.replace("aws:lb/", f"aws:{module}/")
    return stack


def findings(run: Any, stack: Any, policy: str) -> list[tuple[str | None, str, str]]:
    """(resource, level, message) of each violation of ``policy``; over the protocol the
    engine's message starts with the policy's description on a line of its own."""
    return [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in run(stack) if f.policy == policy
    ]


def every_action_stack() -> Any:
    """The compliant stack with every kind of action the redirect and authentication policies
    read, on the HTTPS listener's default actions and on rules."""
    stack = compliant_stack()
    audience = {"format": "single-string", "name": "aud", "values": ["api"]}
    stack["https"].inputs["defaultActions"] = [
        {**jwt(additionalClaims=[audience]), "order": 1},
        {**forward(), "order": 2},
    ]
    routes = {
        "oidc": [oidc(onUnauthenticatedRequest="deny", scope="openid email"), forward()],
        "cognito": [cognito(sessionTimeout=3600), fixed_response()],
        "www": [
            {
                "type": "redirect",
                "redirect": {"host": "example.com", "port": "443", "statusCode": "HTTP_301"},
            }
        ],
    }
    for priority, (name, actions) in enumerate(routes.items(), start=5):
        add_rule(
            stack, name, priority, {"pathPattern": {"values": [f"/{name}/*"]}}, actions=actions
        )
    return stack

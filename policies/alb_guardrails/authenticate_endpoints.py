"""alb-authenticate-https-endpoints: the load balancer reaches identity providers over HTTPS.

The OIDC issuer and the authorization, token and user info endpoints, and a JWT validation's
JWKS endpoint, "must be a full URL, including the HTTPS protocol, the domain, and the path"
(ELBv2 API reference, AuthenticateOidcActionConfig and JwtValidationActionConfig). Over plain
HTTP the client secret, the authorization code and the signing keys could be read or replaced
on the way; AWS refuses such a URL only when the rule is created, after the preview passed.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlsplit

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .actions import action_lists, action_type, actions_subject
from .common import lookup, text

NAME = "alb-authenticate-https-endpoints"

# Per action type: the block holding its settings and the URL settings in it.
_ENDPOINTS: Final = {
    "authenticate-oidc": (
        "authenticateOidc",
        ("issuer", "authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint"),
    ),
    "jwt-validation": ("jwtValidation", ("jwksEndpoint",)),
}


def _is_https_url(value: str) -> bool:
    """Whether ``value`` is an absolute https:// URL with a host (schemes ignore case)."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname)


def _plain_endpoints(action: Any) -> list[str]:
    """The URL settings of an authentication action that are not https:// URLs."""
    kind = action_type(action)
    if not isinstance(kind, str) or kind not in _ENDPOINTS:
        return []
    block, keys = _ENDPOINTS[kind]
    found = []
    for key in keys:
        # Absent, unknown or not a string (which the provider refuses): nothing to judge.
        url = text(lookup(action, block, key))
        if url is not None and not _is_https_url(url):
            found.append(f"{block}.{key} {url!r}")
    return found


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    actions = action_lists(args.resource_type, args.props)
    if not isinstance(actions, list):
        return
    for action in actions:
        plain = _plain_endpoints(action)
        if plain:
            report_violation(
                f"{actions_subject(args.resource_type, args.name)} reach the identity provider "
                f"of {action_type(action)} without HTTPS: {'; '.join(plain)}. Each must be an "
                "https:// URL with a host.",
                None,
            )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "The OIDC issuer, authorization, token and user info endpoints and the JWT "
            "validation JWKS endpoint are https:// URLs."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        remediation_steps=(
            "Use the identity provider's https:// URLs, as its discovery document "
            "(/.well-known/openid-configuration) lists them: issuer, authorization_endpoint, "
            "token_endpoint, userinfo_endpoint and jwks_uri."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AuthenticateOidcActionConfig.html",
    )

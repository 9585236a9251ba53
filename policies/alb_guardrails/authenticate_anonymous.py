"""alb-authenticate-no-anonymous: an authentication action does not let anonymous requests
through.

``onUnauthenticatedRequest`` decides what an OIDC or Cognito action does with a request that
has no session: ``authenticate`` (the default) sends the client to the identity provider,
``deny`` answers 401, and ``allow`` forwards the request without any identity (ELBv2 API
reference, AuthenticateOidcActionConfig and AuthenticateCognitoActionConfig). ``allow`` suits
an application that serves public pages and checks the ``x-amzn-oidc-*`` headers itself, so
this policy is advisory.
"""

from __future__ import annotations

from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .actions import action_lists, action_type, actions_subject
from .common import lookup, text

NAME = "alb-authenticate-no-anonymous"

# The settings block of each action type that has onUnauthenticatedRequest.
_BLOCKS: Final = {
    "authenticate-oidc": "authenticateOidc",
    "authenticate-cognito": "authenticateCognito",
}


def _lets_anonymous_through(action: Any) -> bool:
    kind = action_type(action)
    if not isinstance(kind, str) or kind not in _BLOCKS:
        return False
    # The provider accepts the value in any case.
    setting = text(lookup(action, _BLOCKS[kind], "onUnauthenticatedRequest"))
    return setting is not None and setting.strip().lower() == "allow"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    actions = action_lists(args.resource_type, args.props)
    if not isinstance(actions, list):
        return
    for action in actions:
        if _lets_anonymous_through(action):
            report_violation(
                f"{actions_subject(args.resource_type, args.name)} let anonymous requests "
                f"through: {action_type(action)} sets onUnauthenticatedRequest to 'allow', so "
                "requests without a session reach the targets with no identity. Use "
                "'authenticate' (the default) or 'deny' unless the application checks the "
                "x-amzn-oidc-* headers itself.",
                None,
            )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "OIDC and Cognito authentication actions do not forward unauthenticated requests "
            "(onUnauthenticatedRequest is 'authenticate' or 'deny', not 'allow')."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Remove onUnauthenticatedRequest (AWS then sends clients to the identity provider) "
            "or set it to 'deny' for APIs; keep 'allow' only for applications that serve "
            "anonymous users on purpose and verify the signed x-amzn-oidc-data header."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html",
    )

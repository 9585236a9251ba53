"""alb-authenticate-no-anonymous: authentication does not let anonymous requests through."""

import pytest

from tests.policies.listener_actions import cognito, findings, forward, jwt, oidc, with_tokens
from tests.policies.policy_harness import UNKNOWN, add_rule, as_preview, compliant_stack

POLICY = "alb-authenticate-no-anonymous"


@pytest.mark.parametrize(
    "setting",
    [{}, {"onUnauthenticatedRequest": "deny"}, {"onUnauthenticatedRequest": "authenticate"}],
    ids=["absent", "deny", "authenticate"],
)
@pytest.mark.parametrize("module", ["lb", "alb"])
def test_authenticating_or_denying_passes(run, module, setting):
    stack = compliant_stack()
    add_rule(
        stack,
        "admin",
        5,
        {"pathPattern": {"values": ["/admin/*"]}},
        actions=[oidc(**setting), forward()],
    )
    stack["https"].inputs["defaultActions"] = [cognito(**setting), jwt(), forward()]
    with_tokens(stack, module)
    assert findings(run, stack, POLICY) == []
    assert findings(run, as_preview(stack), POLICY) == []


@pytest.mark.parametrize("value", ["allow", "Allow", "ALLOW"])
@pytest.mark.parametrize("module", ["lb", "alb"])
def test_allowing_anonymous_requests_is_advised_against(run, module, value):
    stack = compliant_stack()
    add_rule(
        stack,
        "admin",
        5,
        {"pathPattern": {"values": ["/admin/*"]}},
        actions=[oidc(onUnauthenticatedRequest=value), forward()],
    )
    stack["https"].inputs["defaultActions"] = [
        cognito(onUnauthenticatedRequest=value),
        forward(),
    ]
    with_tokens(stack, module)
    advice = (
        "sets onUnauthenticatedRequest to 'allow', so requests without a session reach the "
        "targets with no identity. Use 'authenticate' (the default) or 'deny' unless the "
        "application checks the x-amzn-oidc-* headers itself."
    )
    assert findings(run, stack, POLICY) == [
        (
            "https",
            "advisory",
            "The default actions of listener 'https' let anonymous requests through: "
            f"authenticate-cognito {advice}",
        ),
        (
            "admin",
            "advisory",
            "The actions of rule 'admin' let anonymous requests through: authenticate-oidc "
            f"{advice}",
        ),
    ]


def test_an_unknown_setting_is_decided_at_deployment(run):
    stack = compliant_stack()
    stack["https"].inputs["defaultActions"] = [oidc(onUnauthenticatedRequest=UNKNOWN), forward()]
    assert findings(run, stack, POLICY) == []


def test_the_level_is_configurable(run):
    stack = compliant_stack()
    stack["https"].inputs["defaultActions"] = [oidc(onUnauthenticatedRequest="allow"), forward()]
    assert {f.level for f in run(stack, {POLICY: "mandatory"}) if f.policy == POLICY} == {
        "mandatory"
    }

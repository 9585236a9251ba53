"""alb-action-order: authentication first, then exactly one routing action, last."""

import pytest

from tests.policies.listener_actions import (
    cognito,
    every_action_stack,
    findings,
    fixed_response,
    forward,
    jwt,
    oidc,
    with_tokens,
)
from tests.policies.policy_harness import UNKNOWN, add_rule, as_preview, compliant_stack
from tests.policies.test_policy_unknowns import every_input_unknown, every_leaf_unknown

POLICY = "alb-action-order"


def redirect():
    return {"type": "redirect", "redirect": {"protocol": "HTTPS", "statusCode": "HTTP_301"}}


@pytest.mark.parametrize(
    "actions",
    [
        [forward()],
        [oidc(), forward()],
        [cognito(), fixed_response()],
        [jwt(), redirect()],
        [jwt(), oidc(), forward()],
    ],
    ids=["forward", "oidc-forward", "cognito-fixed", "jwt-redirect", "jwt-oidc-forward"],
)
@pytest.mark.parametrize("module", ["lb", "alb"])
def test_authentication_then_one_routing_action_passes(run, module, actions):
    stack = compliant_stack()
    add_rule(stack, "admin", 5, {"pathPattern": {"values": ["/admin/*"]}}, actions=actions)
    stack["https"].inputs["defaultActions"] = actions
    with_tokens(stack, module)
    assert findings(run, stack, POLICY) == []
    assert findings(run, as_preview(stack), POLICY) == []


@pytest.mark.parametrize("module", ["lb", "alb"])
def test_authentication_without_a_routing_action_fails(run, module):
    stack = compliant_stack()
    add_rule(stack, "admin", 5, {"pathPattern": {"values": ["/admin/*"]}}, actions=[oidc()])
    stack["https"].inputs["defaultActions"] = [jwt(), {**cognito(), "type": "Authenticate-Cognito"}]
    with_tokens(stack, module)
    assert findings(run, stack, POLICY) == [
        (
            "https",
            "mandatory",
            "The default actions of listener 'https' authenticate ('jwt-validation', "
            "'authenticate-cognito') but never route: no forward, redirect or fixed-response "
            "action follows, so AWS refuses them.",
        ),
        (
            "admin",
            "mandatory",
            "The actions of rule 'admin' authenticate ('authenticate-oidc') but never route: no "
            "forward, redirect or fixed-response action follows, so AWS refuses them.",
        ),
    ]


def test_authentication_listed_after_the_routing_action_fails(run):
    stack = compliant_stack()
    add_rule(
        stack, "admin", 5, {"pathPattern": {"values": ["/admin/*"]}}, actions=[forward(), oidc()]
    )
    assert findings(run, stack, POLICY) == [
        (
            "admin",
            "mandatory",
            "The actions of rule 'admin' run 'authenticate-oidc' after the 'forward' routing "
            "action; authentication comes first and the routing action last.",
        )
    ]


def test_the_order_field_decides_the_sequence(run):
    # An action's `order` runs it before or after the others, whatever its place in the list.
    stack = compliant_stack()
    add_rule(
        stack,
        "ordered",
        5,
        {"pathPattern": {"values": ["/ok/*"]}},
        actions=[{**forward(), "order": 2}, {**oidc(), "order": 1}],
    )
    add_rule(
        stack,
        "misordered",
        6,
        {"pathPattern": {"values": ["/no/*"]}},
        actions=[{**jwt(), "order": 20}, {**forward(), "order": 10}],
    )
    assert findings(run, stack, POLICY) == [
        (
            "misordered",
            "mandatory",
            "The actions of rule 'misordered' run 'jwt-validation' after the 'forward' routing "
            "action; authentication comes first and the routing action last.",
        )
    ]


def test_two_routing_actions_fail(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "twice",
        5,
        {"pathPattern": {"values": ["/t/*"]}},
        actions=[forward(), fixed_response()],
    )
    assert findings(run, stack, POLICY) == [
        (
            "twice",
            "mandatory",
            "The actions of rule 'twice' have 2 routing actions ('forward', 'fixed-response'); "
            "AWS requires exactly one, performed last.",
        )
    ]


def test_unknown_actions_types_and_orders_are_decided_at_deployment(run):
    stack = compliant_stack()
    add_rule(stack, "a", 5, {"pathPattern": {"values": ["/a/*"]}}, actions=[oidc(), UNKNOWN])
    add_rule(
        stack,
        "b",
        6,
        {"pathPattern": {"values": ["/b/*"]}},
        actions=[{**forward(), "order": UNKNOWN}, oidc()],
    )
    add_rule(
        stack,
        "c",
        7,
        {"pathPattern": {"values": ["/c/*"]}},
        actions=[oidc(), {**forward(), "type": UNKNOWN}],
    )
    add_rule(stack, "d", 8, {"pathPattern": {"values": ["/d/*"]}}, actions=UNKNOWN)
    assert findings(run, stack, POLICY) == []


@pytest.mark.parametrize("unknowns", [every_leaf_unknown, every_input_unknown])
def test_every_action_shape_passes_and_its_unknowns_neither_crash_nor_fire(run, unknowns):
    # Every policy, not only this one: an exception in a policy surfaces as a violation.
    assert run(every_action_stack()) == []
    assert run(unknowns(every_action_stack)) == []
    assert run(as_preview(every_action_stack())) == []


def test_every_action_after_the_routing_one_is_named(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "admin",
        5,
        {"pathPattern": {"values": ["/admin/*"]}},
        actions=[jwt(), forward(), oidc(), cognito()],
    )
    assert findings(run, stack, POLICY) == [
        (
            "admin",
            "mandatory",
            "The actions of rule 'admin' run 'authenticate-oidc', 'authenticate-cognito' after "
            "the 'forward' routing action; authentication comes first and the routing action "
            "last.",
        )
    ]

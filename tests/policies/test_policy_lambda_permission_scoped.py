"""alb-lambda-permission-scoped: a Lambda permission for ELB names its target group."""

import pytest

from tests.policies import listener_actions
from tests.policies.policy_harness import Res, as_preview, compliant_stack, tg_arn

POLICY = "alb-lambda-permission-scoped"
PERMISSION = "aws:lambda/permission:Permission"
FUNCTION = "arn:aws:lambda:ap-northeast-2:123456789012:function:hello"


def with_permission(**inputs):
    stack = compliant_stack()
    stack.add(
        Res(
            PERMISSION,
            "hello-invoke",
            {"action": "lambda:InvokeFunction", "function": FUNCTION, **inputs},
            refs={"sourceArn": ["api"]} if "sourceArn" in inputs else {},
        )
    )
    return stack


def findings(run, stack):
    return listener_actions.findings(run, stack, POLICY)


def test_a_permission_scoped_to_its_target_group_passes(run):
    stack = with_permission(
        principal="elasticloadbalancing.amazonaws.com", sourceArn=tg_arn("api-9a8b7c6")
    )
    assert findings(run, stack) == []
    # In a first preview the target group's ARN is not known yet: it is still set.
    assert findings(run, as_preview(stack)) == []


@pytest.mark.parametrize(
    "principal", ["elasticloadbalancing.amazonaws.com", "ElasticLoadBalancing.amazonaws.com"]
)
def test_a_permission_for_every_target_group_is_advised_against(run, principal):
    assert findings(run, with_permission(principal=principal)) == [
        (
            "hello-invoke",
            "advisory",
            f"Lambda permission 'hello-invoke' lets Elastic Load Balancing invoke {FUNCTION} "
            "for any target group in the account: it has no sourceArn. Set source_arn to the "
            "ARN of the target group that forwards to the function.",
        )
    ]


def test_an_empty_source_arn_is_no_scope(run):
    stack = with_permission(principal="elasticloadbalancing.amazonaws.com", sourceArn="")
    assert [resource for resource, _, _ in findings(run, stack)] == ["hello-invoke"]


def test_permissions_for_other_principals_are_out_of_scope(run):
    stack = with_permission(principal="s3.amazonaws.com")
    assert findings(run, stack) == []

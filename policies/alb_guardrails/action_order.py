"""alb-action-order: authentication first, then exactly one routing action, last.

"Each rule must include exactly one of the following routing actions: forward, redirect, or
fixed-response, and it must be the last action to be performed", and authentication actions
run before it (Application Load Balancer guide, "Action types for listener rules", Action
basics); a listener's default actions follow the same rules. An authentication action with no
routing action after it is refused by AWS at deployment, after the preview said nothing; one
ordered after the routing action would never run.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .actions import (
    AUTHENTICATING,
    ROUTING,
    action_lists,
    action_type,
    actions_subject,
    in_order,
)

NAME = "alb-action-order"


def _problem(kinds: list[str]) -> str | None:
    """What is wrong with action types in the order they run; None when they are in order."""
    routing = [kind for kind in kinds if kind in ROUTING]
    if not routing:
        authenticating = [kind for kind in kinds if kind in AUTHENTICATING]
        if not authenticating:
            return None
        return (
            f"authenticate ({', '.join(map(repr, authenticating))}) but never route: no forward, "
            "redirect or fixed-response action follows, so AWS refuses them"
        )
    if len(routing) > 1:
        return (
            f"have {len(routing)} routing actions ({', '.join(map(repr, routing))}); AWS "
            "requires exactly one, performed last"
        )
    if kinds[-1] not in ROUTING:
        after = kinds[kinds.index(routing[0]) + 1 :]
        return (
            f"run {', '.join(map(repr, after))} after the {routing[0]!r} routing action; "
            "authentication comes first and the routing action last"
        )
    return None


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    actions = action_lists(args.resource_type, args.props)
    if not isinstance(actions, list):
        return
    ordered = in_order(actions)
    if ordered is None:
        return
    kinds = [action_type(action) for action in ordered]
    if not all(isinstance(kind, str) for kind in kinds):
        return
    problem = _problem([kind for kind in kinds if isinstance(kind, str)])
    if problem:
        report_violation(f"{actions_subject(args.resource_type, args.name)} {problem}.", None)


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "A listener's default actions and a rule's actions run their authentication "
            "actions first and end with exactly one routing action (forward, redirect or "
            "fixed-response)."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "List (or order) the authenticate-oidc, authenticate-cognito or jwt-validation "
            "action first and a single forward, redirect or fixed-response action last; give "
            "each action's 'order' in that sequence, or leave 'order' out to use the list's."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-action-types.html",
    )

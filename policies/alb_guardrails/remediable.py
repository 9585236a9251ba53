"""Load balancer settings with one safe value, which the pack can set itself.

Such a policy reports a weak setting at its configured level and, at the ``remediate`` level,
returns the resource's inputs with the safe value in place of the weak one (SPEC §5: offered for
``dropInvalidHeaderFields`` and the desync mitigation mode).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceRemediation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import checks_application_load_balancer, updated_props

# (logical name, inputs) -> what is wrong with the load balancer, or None when it is fine or
# not yet known.
Problem = Callable[[str, Mapping[str, Any]], "str | None"]


def load_balancer_setting_policy(
    *,
    name: str,
    description: str,
    problem: Problem,
    safe_inputs: Mapping[str, Any],
    tags: Sequence[str],
    remediation_steps: str,
    url: str,
) -> ResourceValidationPolicy:
    """A mandatory policy on application load balancers that ``safe_inputs`` always satisfy."""

    def problem_of(args: ResourceValidationArgs) -> str | None:
        if not checks_application_load_balancer(args):
            return None
        return problem(args.name, args.props)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        message = problem_of(args)
        if message is not None:
            report_violation(message, None)

    def remediate(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
        if problem_of(args) is None:
            return None
        return updated_props(args.props, safe_inputs)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        # pulumi-policy takes the new props directly, though its type only names awaitables.
        remediate=cast(ResourceRemediation, remediate),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        tags=list(tags),
        remediation_steps=remediation_steps,
        url=url,
    )

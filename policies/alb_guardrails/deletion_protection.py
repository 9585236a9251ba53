"""alb-deletion-protection: protected stacks' load balancers cannot be deleted by accident.

Both guards are checked: AWS deletion protection (``enableDeletionProtection``) stops a delete
through the API, and Pulumi ``protect`` stops ``pulumi destroy`` or a replacement.

The requirement holds on the stacks listed in ``protectedStacks``, and there it is mandatory.
pulumi-policy reports every violation of a policy at one level, which the engine settles
before the pack sees its config: it takes the level from ``GetAnalyzerInfo``, then overrides it
from the policy config, and only then sends ``protectedStacks`` in ``Configure``. A level that
depended on the list could therefore only follow the built-in default list, and a stack added
to ``protectedStacks`` in a policy config would stay advisory. So the level is mandatory on
every stack, and the policy decides where it applies: on a stack in the configured list
(``PULUMI_STACK``, which the engine and preflight set for the pack), and nowhere else.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import (
    UNKNOWN,
    checks_application_load_balancer,
    config_list,
    current_stack,
    list_setting,
    lookup,
    truth,
)

NAME = "alb-deletion-protection"
DEFAULT_PROTECTED_STACKS = ("prod",)


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not checks_application_load_balancer(args):
        return
    missing = []
    # enable_deletion_protection defaults to false (pulumi-aws lb docs).
    deletion_protection = truth(lookup(args.props, "enableDeletionProtection"), default=False)
    if deletion_protection is not UNKNOWN and not deletion_protection:
        missing.append("enableDeletionProtection: true")
    if not args.opts.protect:
        missing.append("the Pulumi resource option protect=True")
    if not missing:
        return
    stack = current_stack()
    protected = config_list(args.get_config(), "protectedStacks", DEFAULT_PROTECTED_STACKS)
    if stack is None or stack not in protected:
        return
    report_violation(
        f"Load balancer {args.name!r} lacks {' and '.join(missing)} (stack {stack!r} is listed "
        "in protectedStacks, so this is required).",
        None,
    )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "Application load balancers have deletion protection and Pulumi protect on the "
            "stacks listed in protectedStacks."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        tags=["ELB.6", "CKV_AWS_150"],
        config_schema=PolicyConfigSchema(
            properties={
                "protectedStacks": list_setting(
                    DEFAULT_PROTECTED_STACKS, "Stacks whose load balancers must be protected."
                )
            }
        ),
        remediation_steps=(
            "Set enable_deletion_protection=True on the load balancer and pass "
            "opts=pulumi.ResourceOptions(protect=True) (this project: alb:protect: true)."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#deletion-protection",
    )

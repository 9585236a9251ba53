"""alb-deletion-protection: protected stacks' load balancers cannot be deleted by accident.

Both guards are checked: AWS deletion protection (``enableDeletionProtection``) stops a delete
through the API, and Pulumi ``protect`` stops ``pulumi destroy`` or a replacement.

The engine reports a violation at the policy's configured level, one level per policy. The
stacks listed in ``protectedStacks`` are where the requirement is mandatory, so the policy's
default level follows the stack the pack is started for (the engine sets ``PULUMI_STACK``):
mandatory on a stack in the default list, advisory elsewhere. A stack whose policy config
changes ``protectedStacks`` sets the level there too (see ``policies/config/``).
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
    if stack is not None and stack in protected:
        why = f"stack {stack!r} is listed in protectedStacks, so this is required"
    else:
        why = "recommended before the stack serves production traffic"
    report_violation(f"Load balancer {args.name!r} lacks {' and '.join(missing)} ({why}).", None)


def policy() -> ResourceValidationPolicy:
    protected_here = current_stack() in DEFAULT_PROTECTED_STACKS
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "Application load balancers have deletion protection and Pulumi protect; mandatory "
            "on the stacks listed in protectedStacks."
        ),
        validate=validate,
        enforcement_level=(
            EnforcementLevel.MANDATORY if protected_here else EnforcementLevel.ADVISORY
        ),
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

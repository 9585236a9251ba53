"""alb-target-group-autonamed: target groups and load balancers use Pulumi autonaming.

Load balancer and target group names are unique per region and account, and changing most of
their settings replaces them. With an explicit name the replacement cannot be created while the
old one exists, so Pulumi must delete first and the service is down in between; an autonamed
resource is replaced create-before-delete.
"""

from __future__ import annotations

import re

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import LOAD_BALANCER, TARGET_GROUP, lookup, text

NAME = "alb-target-group-autonamed"

# pulumi-aws autonames both with the logical name, "-", and 7 random hex characters, cut to the
# 32-character limit of ELB names.
_AUTONAME = re.compile(r"(?P<prefix>.+)[0-9a-f]{7}")


def is_autoname(name: str, logical_name: str) -> bool:
    """Whether ``name`` is what Pulumi's autonaming makes of ``logical_name``."""
    match = _AUTONAME.fullmatch(name)
    return match is not None and f"{logical_name}-".startswith(match.group("prefix"))


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LOAD_BALANCER and args.resource_type not in TARGET_GROUP:
        return
    # The engine shows a policy the checked inputs, where autonaming has already filled in
    # `name`; a namePrefix hands the naming to AWS, which is just as safe.
    if text(lookup(args.props, "namePrefix")):
        return
    name = text(lookup(args.props, "name"))
    if name and not is_autoname(name, args.name):
        kind = "Load balancer" if args.resource_type in LOAD_BALANCER else "Target group"
        report_violation(
            f"{kind} {args.name!r} has the explicit name {name!r}; a replacement would have to "
            "delete it first. Remove `name` (or use `name_prefix`).",
            None,
        )


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=NAME,
        description=(
            "Target groups and load balancers use autonaming, so a replacement can be created "
            "before the old one is deleted."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        remediation_steps=(
            "Drop the `name` argument so Pulumi autonames the resource (or use `name_prefix`); "
            "read the generated name from the resource's `name` output."
        ),
        url="https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming",
    )

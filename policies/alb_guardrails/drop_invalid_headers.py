"""alb-drop-invalid-headers: application load balancers drop invalid HTTP header fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from .common import lookup, truth
from .remediable import load_balancer_setting_policy

NAME = "alb-drop-invalid-headers"


def problem(name: str, props: Mapping[str, Any]) -> str | None:
    """Why the load balancer forwards invalid headers; None when it drops them or is unknown."""
    # Absent means false: the API default (pulumi-aws lb docs).
    if truth(lookup(props, "dropInvalidHeaderFields"), default=False) is not False:
        return None
    return (
        f"Load balancer {name!r} forwards invalid HTTP header fields; set "
        "dropInvalidHeaderFields to true."
    )


def policy() -> ResourceValidationPolicy:
    return load_balancer_setting_policy(
        name=NAME,
        description="Application load balancers drop invalid HTTP header fields.",
        problem=problem,
        safe_inputs={"dropInvalidHeaderFields": True},
        tags=["ELB.4", "CKV_AWS_131"],
        remediation_steps=(
            "Set drop_invalid_header_fields=True on the load balancer (the API default is "
            "false). At the 'remediate' enforcement level the pack sets it for you."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes",
    )

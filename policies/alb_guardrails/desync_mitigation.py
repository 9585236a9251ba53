"""alb-desync-mitigation: application load balancers mitigate HTTP desync (request smuggling)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from .common import lookup, text
from .remediable import load_balancer_setting_policy

NAME = "alb-desync-mitigation"

# Security Hub ELB.12 accepts exactly these (not customizable); AWS's default is "defensive".
ALLOWED_MODES = ("defensive", "strictest")
DEFAULT_MODE = "defensive"


def problem(name: str, props: Mapping[str, Any]) -> str | None:
    """Why the configured mode is too weak; None when fine, absent (the default) or unknown."""
    mode = text(lookup(props, "desyncMitigationMode"))
    if mode is None or mode in ALLOWED_MODES:
        return None
    return (
        f"Load balancer {name!r} uses desync mitigation mode {mode!r}; use 'defensive' or "
        "'strictest'."
    )


def policy() -> ResourceValidationPolicy:
    return load_balancer_setting_policy(
        name=NAME,
        description="Application load balancers use desync mitigation mode defensive or strictest.",
        problem=problem,
        safe_inputs={"desyncMitigationMode": DEFAULT_MODE},
        tags=["ELB.12", "CKV_AWS_328"],
        remediation_steps=(
            "Remove desync_mitigation_mode (AWS defaults to 'defensive') or set it to "
            "'defensive' or 'strictest'. At the 'remediate' enforcement level the pack sets "
            "'defensive' for you."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#desync-mitigation-mode",
    )

"""The alb-guardrails policy pack: `pulumi preview --policy-pack policies` runs this file."""

from alb_guardrails import PACK_NAME, all_policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name=PACK_NAME,
    policies=all_policies(),
    enforcement_level=EnforcementLevel.ADVISORY,
    description=(
        "Guardrails for AWS Application Load Balancers: HTTPS only, logged, cross-zone, behind WAF."
    ),
)

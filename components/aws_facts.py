"""AWS facts the program depends on, each with the document it comes from."""

from __future__ import annotations

import json
from pathlib import Path

# ELB security policies that negotiate TLS 1.2 or newer only, from "Security policies for your
# Application Load Balancer" (the table and its source live with the policy pack, so that the
# config validation and the alb-tls-policy policy accept exactly the same names).
_ELB_SECURITY_POLICIES = json.loads(
    (
        Path(__file__).parents[1] / "policies" / "alb_guardrails" / "elb_security_policies.json"
    ).read_text(encoding="utf-8")
)
TLS12_PLUS_POLICIES: frozenset[str] = frozenset(_ELB_SECURITY_POLICIES["tls12OrLater"])

# Regions launched before August 2022 deliver ALB access logs as the regional ELB account;
# newer regions use the logdelivery.elasticloadbalancing.amazonaws.com service principal.
# "Enable access logs for your Application Load Balancer", section "Step 2: Attach a policy
# to your S3 bucket" (docs.aws.amazon.com/elasticloadbalancing/latest/application/
# enable-access-logging.html). The account IDs themselves come from the provider's
# aws.elb.get_service_account data source.
ELB_ACCOUNT_REGIONS: frozenset[str] = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "af-south-1",
        "ap-east-1",
        "ap-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ca-central-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-south-1",
        "eu-north-1",
        "me-south-1",
        "sa-east-1",
        "us-gov-west-1",
        "us-gov-east-1",
        "cn-north-1",
        "cn-northwest-1",
    }
)

# "Quotas for your Application Load Balancers": 100 rules per load balancer (not counting
# default rules) and 5 condition values per rule
# (docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html).
MAX_RULES_PER_ALB = 100
MAX_CONDITION_VALUES_PER_RULE = 5

# Listener rule priorities: "1-50000" (ELBv2 API reference, CreateRule Priority).
MIN_RULE_PRIORITY = 1
MAX_RULE_PRIORITY = 50_000

# AWS WAF rate-based rule limit: 10 to 2,000,000,000 requests per evaluation window
# (AWS WAF API reference, RateBasedStatement Limit).
MIN_WAF_RATE_LIMIT = 10
MAX_WAF_RATE_LIMIT = 2_000_000_000

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

# Regions launched before August 2022 deliver ALB access logs as the regional ELB account too;
# the logdelivery.elasticloadbalancing.amazonaws.com service principal works everywhere.
# "Enable access logs for your Application Load Balancer", section "Step 2: Attach a policy
# to your S3 bucket". The table and its sources live with the policy pack, whose
# alb-log-bucket-secure policy checks the same grant; the account IDs themselves come from the
# provider's aws.elb.get_service_account data source.
_ELB_LOG_DELIVERY = json.loads(
    (Path(__file__).parents[1] / "policies" / "alb_guardrails" / "elb_log_delivery.json").read_text(
        encoding="utf-8"
    )
)
ELB_ACCOUNT_REGIONS: frozenset[str] = frozenset(_ELB_LOG_DELIVERY["accountIds"])

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

# "Quotas for your Application Load Balancers", Rules: 5 condition wildcards per rule; and
# "Condition types for listener rules", Condition basics: "up to three match evaluations per
# condition" (so at most 3 values in one path-pattern, host-header or source-ip condition).
MAX_WILDCARDS_PER_RULE = 5
MAX_VALUES_PER_CONDITION = 3

# "Quotas for your Application Load Balancers", Load balancers: "Certificates per Application
# Load Balancer (excluding default certificates)": 25.
MAX_CERTIFICATES_PER_ALB = 25

# "Amazon VPC quotas", Security groups: 60 inbound and 60 outbound rules per security group,
# "enforced separately for IPv4 rules and IPv6 rules".
MAX_RULES_PER_SECURITY_GROUP = 60

# ELBv2 CreateLoadBalancer / CreateTargetGroup Name: "a maximum of 32 characters, must contain
# only alphanumeric characters or hyphens, and must not begin or end with a hyphen". pulumi-aws
# autonames both as the logical name, "-", and 7 random hex characters, and fails when that is
# longer than 32 (tfbridge resource.NewUniqueName; preflight/aws_model.py AUTONAMES).
MAX_ELB_NAME_LENGTH = 32
AUTONAME_SUFFIX_LENGTH = len("-") + 7

# ACM RequestCertificate DomainName: "The first domain name you enter cannot exceed 64 octets,
# including periods" (the X.509 upper bound of a common name, RFC 5280 ub-common-name).
MAX_CERTIFICATE_COMMON_NAME_LENGTH = 64

# WAF reference data (country codes, AWS managed rule groups), each list with its source.
_WAF = json.loads((Path(__file__).parent / "waf_reference.json").read_text(encoding="utf-8"))
WAF_COUNTRY_CODES: frozenset[str] = frozenset(_WAF["countryCodes"]["values"])
AWS_MANAGED_RULE_GROUPS: frozenset[str] = frozenset(_WAF["managedRuleGroups"]["values"])
# Each group that cannot run without a ManagedRuleGroupConfig, with the settings it requires.
MANAGED_RULE_GROUPS_NEEDING_CONFIG: dict[str, tuple[str, ...]] = {
    group: tuple(settings)
    for group, settings in _WAF["managedRuleGroupsNeedingConfig"]["values"].items()
}

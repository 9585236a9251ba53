"""AWS facts the program depends on, each with the document it comes from."""

from __future__ import annotations

# ELB security policies that negotiate TLS 1.2 or newer only (no TLS 1.0/1.1), from the
# "Protocols by policy" tables of "Security policies for your Application Load Balancer"
# (docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html):
# the TLS, FIPS, FS and post-quantum (PQ) families.
TLS12_PLUS_POLICIES: frozenset[str] = frozenset(
    {
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
        "ELBSecurityPolicy-FS-1-2-2019-08",
        "ELBSecurityPolicy-FS-1-2-Res-2019-08",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    }
)

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

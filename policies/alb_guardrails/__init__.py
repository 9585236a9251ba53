"""The alb-guardrails policies: one module per policy, in the order SPEC §5 lists them, then
the ones added since."""

from __future__ import annotations

from pulumi_policy import Policy

from . import (
    access_logs,
    action_order,
    authenticate_anonymous,
    authenticate_endpoints,
    authenticate_https_only,
    autonaming,
    cross_zone,
    cross_zone_ignored,
    deletion_protection,
    desync_mitigation,
    drop_invalid_headers,
    health_check,
    http_redirect_only,
    https_required,
    lambda_permission_scoped,
    listener_rule_reachable,
    log_bucket_secure,
    mtls_certificate_expiry,
    multi_az,
    redirect_https_only,
    security_group_ingress,
    target_group_encryption,
    tls_policy,
    waf_attached,
    waf_logging,
    waf_managed_rules,
)

PACK_NAME = "alb-guardrails"

MODULES = (
    https_required,
    http_redirect_only,
    access_logs,
    cross_zone,
    tls_policy,
    drop_invalid_headers,
    desync_mitigation,
    multi_az,
    waf_attached,
    log_bucket_secure,
    security_group_ingress,
    deletion_protection,
    waf_managed_rules,
    waf_logging,
    health_check,
    listener_rule_reachable,
    autonaming,
    cross_zone_ignored,
    target_group_encryption,
    redirect_https_only,
    authenticate_https_only,
    action_order,
    authenticate_endpoints,
    authenticate_anonymous,
    lambda_permission_scoped,
    mtls_certificate_expiry,
)


def all_policies() -> list[Policy]:
    """A fresh instance of every policy (built when the pack starts, for its stack)."""
    return [module.policy() for module in MODULES]

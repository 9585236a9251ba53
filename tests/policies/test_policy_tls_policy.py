"""alb-tls-policy: HTTPS listeners use an allowed TLS 1.2+ security policy."""

import json
from pathlib import Path

import pytest

from tests.policies.policy_harness import UNKNOWN, compliant_stack, hits

POLICY = "alb-tls-policy"


def with_policy(name):
    stack = compliant_stack()
    if name is None:
        del stack["https"].inputs["sslPolicy"]
    else:
        stack["https"].inputs["sslPolicy"] = name
    return stack


@pytest.mark.parametrize(
    "name",
    [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    ],
)
def test_passes_with_a_tls12_or_later_policy(run, name):
    assert hits(run(with_policy(name)), POLICY) == set()


@pytest.mark.parametrize(
    "name", ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-0-2021-06", None]
)
def test_fails_with_an_old_or_default_policy(run, name):
    findings = [f for f in run(with_policy(name)) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("https", "mandatory")}
    assert "ELBSecurityPolicy-2016-08" in findings[0].message or name in findings[0].message


def test_an_unknown_policy_is_not_a_violation(run):
    assert hits(run(with_policy(UNKNOWN)), POLICY) == set()


def test_security_hub_strict_applies_elb17s_list(run):
    strict = {POLICY: {"securityHubStrict": True}}
    assert hits(run(with_policy("ELBSecurityPolicy-TLS13-1-2-2021-06"), strict), POLICY) == {
        "https"
    }
    assert (
        hits(run(with_policy("ELBSecurityPolicy-TLS13-1-2-Res-2021-06"), strict), POLICY) == set()
    )


def test_the_allowed_list_is_configurable(run):
    only_tls13 = {POLICY: {"allowedPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]}}
    assert hits(run(with_policy("ELBSecurityPolicy-TLS13-1-2-2021-06"), only_tls13), POLICY) == {
        "https"
    }


# ---------------------------------------------------------------- the table against its sources

# Every ELB security policy an Application Load Balancer offers, with the lowest TLS version it
# negotiates. Sources: AWS CDK's SslPolicy enum (aws-cdk-lib aws-elasticloadbalancingv2
# lib/shared/enums.ts, "TLS1.2 and 1.3", "TLS1.0 through 1.3", ...) and, for the RFC 9151
# policies and ELBSecurityPolicy-2015-05 that the enum lacks, the "Protocols by policy" tables of
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
LOWEST_TLS_VERSION = {
    "ELBSecurityPolicy-TLS13-1-2-2021-06": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-2016-08": "1.0",
    "ELBSecurityPolicy-2015-05": "1.0",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": "1.2",
    "ELBSecurityPolicy-TLS13-1-0-2021-06": "1.0",
    "ELBSecurityPolicy-TLS13-1-1-2021-06": "1.1",
    "ELBSecurityPolicy-TLS13-1-3-2021-06": "1.3",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09": "1.3",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09": "1.0",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04": "1.3",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04": "1.2",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04": "1.1",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04": "1.0",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09": "1.3",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-PQ-2025-09": "1.1",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09": "1.0",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07": "1.2",
    "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07": "1.3",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP1-FIPS-2023-07": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP2-FIPS-2023-07": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP3-FIPS-2023-07": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP4-FIPS-2023-07": "1.2",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10": "1.2",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08": "1.2",
    "ELBSecurityPolicy-FS-1-2-2019-08": "1.2",
    "ELBSecurityPolicy-FS-1-1-2019-08": "1.1",
    "ELBSecurityPolicy-FS-2018-06": "1.0",
    "ELBSecurityPolicy-TLS-1-2-2017-01": "1.2",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": "1.2",
    "ELBSecurityPolicy-TLS-1-1-2017-01": "1.1",
    "ELBSecurityPolicy-TLS-1-0-2015-04": "1.0",
}


def _table() -> dict[str, list[str]]:
    from alb_guardrails import tls_policy

    return json.loads(
        Path(tls_policy.__file__).with_name("elb_security_policies.json").read_text("utf-8")
    )


def test_the_tls12_list_is_exactly_the_policies_whose_lowest_protocol_is_tls12_or_later():
    table = _table()["tls12OrLater"]
    assert len(table) == len(set(table)), "a policy is listed twice"
    expected = {name for name, lowest in LOWEST_TLS_VERSION.items() if lowest in ("1.2", "1.3")}
    assert set(table) == expected


def test_security_hub_elb17s_list_only_names_tls12_or_later_policies():
    table = _table()
    assert set(table["securityHubElb17"]) <= set(table["tls12OrLater"])
    assert {LOWEST_TLS_VERSION[name] for name in table["securityHubElb17"]} <= {"1.2", "1.3"}


@pytest.mark.parametrize(
    "name", sorted(name for name, lowest in LOWEST_TLS_VERSION.items() if lowest < "1.2")
)
def test_every_policy_that_still_accepts_tls10_or_tls11_fails(run, name):
    findings = [f for f in run(with_policy(name)) if f.policy == POLICY]
    assert [(f.resource, f.level, f.message.splitlines()[-1]) for f in findings] == [
        (
            "https",
            "mandatory",
            f"HTTPS listener 'https': sslPolicy {name!r}, which is not in the allowed TLS 1.2+ "
            "policies; use for example 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' or "
            "'ELBSecurityPolicy-TLS13-1-2-2021-06'.",
        )
    ]


def test_an_unset_policy_and_security_hubs_list_are_named_in_the_message(run):
    stack = with_policy(None)
    assert [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in run(stack) if f.policy == POLICY
    ] == [
        (
            "https",
            "mandatory",
            "HTTPS listener 'https': sslPolicy is not set, so AWS applies "
            "'ELBSecurityPolicy-2016-08', which is not in the allowed TLS 1.2+ policies; use for "
            "example 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' or "
            "'ELBSecurityPolicy-TLS13-1-2-2021-06'.",
        )
    ]
    strict = {POLICY: {"securityHubStrict": True}}
    stack = with_policy("ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert [
        (f.resource, f.level, f.message.splitlines()[-1])
        for f in run(stack, strict)
        if f.policy == POLICY
    ] == [
        (
            "https",
            "mandatory",
            "HTTPS listener 'https': sslPolicy 'ELBSecurityPolicy-TLS13-1-2-2021-06', which is "
            "not in Security Hub ELB.17's list; use for example "
            "'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' or 'ELBSecurityPolicy-TLS13-1-2-2021-06'.",
        )
    ]

"""Bad input, all of it (issue 5 part 1): broken stack files are refused before anything is
registered, with every problem on its own line naming its key path, and no traceback.

Every case is a ``Pulumi.<stack>.yaml`` in a copy of the program. All of them are read by
preflight's own stack-file loader and run through the worker's code path in-process (fast);
a representative set also runs as a user runs it, ``python -m preflight``, in parallel.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight.aws_model import availability_zones, subnet_availability_zone
from preflight.project import ProjectError
from tests.harness import REPO, Run, copy_program, run_preflight, write_stack
from tests.program.program_harness import run_in_process, stack_values

REGION = "ap-northeast-2"
DEV = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text(encoding="utf-8"))
ACM = f"arn:aws:acm:{REGION}:123456789012:certificate/8d1c2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f"


def _subnets_in_one_zone() -> list[str]:
    """Two well-formed subnet IDs that the AWS model places in the same AZ."""
    zone = availability_zones(REGION)[0]
    candidates = (f"subnet-0aa{index:014x}" for index in range(1000))
    found = [s for s in candidates if subnet_availability_zone(REGION, s) == zone]
    return found[:2]


Edit = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Case:
    name: str
    edit: Edit | str  # a change to the dev stack's config, or the whole file as text
    problems: tuple[str, ...]  # fragments: one per expected problem line
    cli: bool = False  # also run through `python -m preflight`
    stack: str = "bad"  # the stack name (part of the names AWS gives resources)

    def document(self) -> Any:
        if isinstance(self.edit, str):
            return self.edit
        document = copy.deepcopy(DEV)
        self.edit(document["config"])
        return document


def sets(**values: Any) -> Edit:
    """Set (or with None, remove) ``alb:`` keys."""

    def edit(config: dict[str, Any]) -> None:
        for name, value in values.items():
            key = name if ":" in name else f"alb:{name}"
            if value is None:
                config.pop(key, None)
            else:
                config[key] = value

    return edit


def service(name: str, **fields: Any) -> Edit:
    """Change fields of one service of the dev stack (None removes a field)."""

    def edit(config: dict[str, Any]) -> None:
        target = config["alb:services"].setdefault(name, {})
        for field, value in fields.items():
            if value is None:
                target.pop(field, None)
            else:
                target[field] = value

    return edit


def services(value: Any) -> Edit:
    return sets(services=value, defaultService=None)


def both(*edits: Edit) -> Edit:
    def edit(config: dict[str, Any]) -> None:
        for change in edits:
            change(config)

    return edit


CASES = [
    # aws:region and unknown keys
    Case("region-malformed", sets(**{"aws:region": "mars-north"}), ("aws:region:",)),
    Case(
        "unknown-key-typo",
        sets(servics={"x": {"port": 1}}),
        ("alb:servics: unknown key (did you mean 'services'?)",),
        cli=True,
    ),
    Case("alb-region", sets(region="eu-west-1"), ("alb:region: unknown key",)),
    # alb:network
    Case(
        "network-malformed-ids",
        sets(network={"vpcId": "vpc-xyz", "subnetIds": ["subnet-1", "subnet-0abc12345"]}),
        ("alb:network.vpcId:", "alb:network.subnetIds[0]:"),
    ),
    Case(
        "network-one-subnet",
        sets(network={"vpcId": "vpc-0f1e2d3c4b5a69788", "subnetIds": ["subnet-0abc12345"]}),
        ("alb:network.subnetIds:",),
    ),
    Case(
        "network-one-az",
        sets(network={"vpcId": "vpc-0f1e2d3c4b5a69788", "subnetIds": _subnets_in_one_zone()}),
        ("alb:network.subnetIds: an Application Load Balancer needs subnets in at least two",),
        cli=True,
    ),
    Case(
        "network-field-typo",
        sets(network={"vpcId": "vpc-0f1e2d3c4b5a69788", "subnets": ["subnet-0abc12345"]}),
        (
            "alb:network.subnets: unknown key (did you mean 'subnetIds'?)",
            "alb:network.subnetIds: required",
        ),
    ),
    # scalars declared in Pulumi.yaml are type-checked as the CLI does
    Case("internal-not-bool", sets(internal="maybe"), ("alb:internal",), cli=True),
    Case("ip-address-type", sets(ipAddressType="ipv6"), ("alb:ipAddressType:",)),
    Case("idle-timeout-range", sets(idleTimeoutSeconds=4001), ("alb:idleTimeoutSeconds:",)),
    Case("idle-timeout-zero", sets(idleTimeoutSeconds=0), ("alb:idleTimeoutSeconds:",)),
    Case("tls-policy-tls10", sets(tlsPolicy="ELBSecurityPolicy-2016-08"), ("alb:tlsPolicy:",)),
    Case("tls-policy-unknown", sets(tlsPolicy="MyPolicy"), ("alb:tlsPolicy:",)),
    # alb:ingressCidrs
    Case(
        "ingress-cidrs-malformed",
        sets(ingressCidrs=["10.0.0.0/33", "10.0.0.1/8", "anywhere"]),
        ("alb:ingressCidrs[0]:", "alb:ingressCidrs[1]:", "alb:ingressCidrs[2]:"),
        cli=True,
    ),
    Case("ingress-cidrs-empty", sets(ingressCidrs=[]), ("alb:ingressCidrs:",)),
    Case("ingress-cidrs-not-list", sets(ingressCidrs="10.0.0.0/8"), ("alb:ingressCidrs:",)),
    Case(
        "dualstack-on-the-default-vpc",
        sets(ipAddressType="dualstack"),
        ("alb:ipAddressType: dualstack needs IPv6 CIDR blocks",),
    ),
    Case(
        "ingress-ipv6-on-ipv4",
        sets(ingressCidrs=["::/0"]),
        ("alb:ingressCidrs: IPv6 CIDRs need alb:ipAddressType dualstack",),
    ),
    # alb:targetCidrs
    Case(
        "target-cidrs-malformed",
        sets(targetCidrs=["10.0.0.1/8", "peered-vpc", "10.20.0.0/33"]),
        ("alb:targetCidrs[0]:", "alb:targetCidrs[1]:", "alb:targetCidrs[2]:"),
        cli=True,
    ),
    Case("target-cidrs-not-list", sets(targetCidrs="10.20.0.0/16"), ("alb:targetCidrs:",)),
    Case(
        "target-cidrs-repeated",
        sets(targetCidrs=["10.20.0.0/16", "192.168.10.0/24", "10.20.0.0/16"]),
        ("alb:targetCidrs[2]: 10.20.0.0/16 is already listed as alb:targetCidrs[0]",),
    ),
    Case(
        # Written differently, the same block: IPv6 CIDRs are compared in canonical form.
        "target-cidrs-repeated-ipv6-mixed-case",
        sets(ipAddressType="dualstack", targetCidrs=["fd00:10::/48", "FD00:0010:0::/48"]),
        ("alb:targetCidrs[1]: fd00:10::/48 is already listed as alb:targetCidrs[0]",),
    ),
    Case(
        "target-cidrs-ipv6-on-ipv4",
        sets(targetCidrs=["10.20.0.0/16", "fd00:10::/48"]),
        (
            "alb:targetCidrs[1]: fd00:10::/48 is IPv6, but an ipv4 load balancer reaches its "
            "targets over IPv4 only (IPv6 target groups need a dualstack load balancer)",
        ),
    ),
    # alb:certificate, alb:additionalCertificateArns, alb:domain
    Case("certificate-missing", sets(certificate=None), ("alb:certificate",)),
    Case(
        "certificate-two-modes",
        sets(certificate={"arn": ACM, "issue": "dns"}),
        ('alb:certificate: give exactly one of "arn" or "issue"',),
        cli=True,
    ),
    Case(
        "certificate-not-acm",
        sets(certificate={"arn": "arn:aws:iam::123456789012:server-certificate/x"}),
        ("alb:certificate.arn:",),
    ),
    Case(
        "certificate-issue-unknown",
        sets(certificate={"issue": "email"}),
        ("alb:certificate.issue:",),
    ),
    Case(
        "certificate-dns-without-domain",
        sets(certificate={"issue": "dns"}),
        ("alb:certificate.issue: dns validation needs alb:domain",),
    ),
    Case(
        "certificate-self-signed-protected",
        sets(protect=True),
        ("alb:certificate.issue: a self-signed certificate is refused when alb:protect is true",),
        cli=True,
    ),
    Case(
        "additional-certificate-malformed",
        sets(additionalCertificateArns=[ACM, "arn:aws:acm:us-east-1:12345:certificate/x"]),
        ("alb:additionalCertificateArns[1]:",),
    ),
    Case(
        "certificate-in-another-region",
        sets(
            certificate={"arn": ACM.replace(REGION, "us-east-1")},
            additionalCertificateArns=[ACM, ACM.replace(REGION, "eu-west-1")],
        ),
        (
            "alb:certificate.arn: the certificate is in us-east-1, but the load balancer is in "
            "ap-northeast-2",
            "alb:additionalCertificateArns[1]: the certificate is in eu-west-1",
        ),
    ),
    Case(
        "domain-malformed",
        sets(domain={"name": "app_example", "hostedZoneId": "zone-1"}),
        ("alb:domain.name:", "alb:domain.hostedZoneId:"),
    ),
    Case(
        "domain-missing-zone",
        sets(domain={"name": "app.example.com"}),
        ("alb:domain.hostedZoneId: required",),
    ),
    Case("protect-not-bool", sets(protect="yes please"), ("alb:protect",)),
    # alb:accessLogs
    Case(
        "access-logs",
        sets(accessLogs={"retentionDays": 0, "prefix": "/logs/"}),
        ("alb:accessLogs.retentionDays:", "alb:accessLogs.prefix:"),
    ),
    Case(
        "access-logs-awslogs", sets(accessLogs={"prefix": "x/AWSLogs"}), ("alb:accessLogs.prefix:",)
    ),
    # alb:waf
    Case(
        "waf-values",
        sets(waf={"mode": "deny", "rateLimit": 5, "logRetentionDays": 10}),
        ("alb:waf.mode:", "alb:waf.rateLimit:", "alb:waf.logRetentionDays:"),
        cli=True,
    ),
    Case(
        "waf-lists",
        sets(waf={"blockedCountries": ["XX", "DEU"], "managedRuleGroups": ["CommonRuleSet"]}),
        (
            "alb:waf.blockedCountries[0]:",
            "alb:waf.blockedCountries[1]:",
            "alb:waf.managedRuleGroups[0]:",
        ),
    ),
    Case(
        "waf-groups-needing-config",
        sets(
            waf={
                "managedRuleGroups": [
                    "AWSManagedRulesCommonRuleSet",
                    "AWSManagedRulesATPRuleSet",
                    "AWSManagedRulesBotControlRuleSet",
                    "AWSManagedRulesACFPRuleSet",
                    "AWSManagedRulesAntiDDoSRuleSet",
                    "AWSManagedRulesAISecurityRuleSet",
                ]
            }
        ),
        (
            "alb:waf.managedRuleGroups[1]: AWSManagedRulesATPRuleSet cannot run without its "
            "ManagedRuleGroupConfig (LoginPath), which this stack has no place for",
            "alb:waf.managedRuleGroups[2]: AWSManagedRulesBotControlRuleSet cannot run without "
            "its ManagedRuleGroupConfig (InspectionLevel)",
            "alb:waf.managedRuleGroups[3]: AWSManagedRulesACFPRuleSet cannot run without its "
            "ManagedRuleGroupConfig (CreationPath, RegistrationPagePath, RequestInspection)",
            "alb:waf.managedRuleGroups[4]: AWSManagedRulesAntiDDoSRuleSet cannot run without its "
            "ManagedRuleGroupConfig (ClientSideActionConfig)",
            "alb:waf.managedRuleGroups[5]: AWSManagedRulesAISecurityRuleSet cannot run without "
            "its ManagedRuleGroupConfig (BedrockGuardrails)",
        ),
        cli=True,
    ),
    Case(
        "waf-group-not-an-aws-managed-group",
        sets(waf={"managedRuleGroups": ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesFooSet"]}),
        (
            "alb:waf.managedRuleGroups[1]: must be the name of an AWS managed rule group, such as "
            'AWSManagedRulesCommonRuleSet (got "AWSManagedRulesFooSet")',
        ),
    ),
    Case(
        "waf-duplicates",
        sets(
            waf={
                "blockedCountries": ["de", "XK", "DE"],
                "managedRuleGroups": ["AWSManagedRulesSQLiRuleSet", "AWSManagedRulesSQLiRuleSet"],
            }
        ),
        (
            "alb:waf.blockedCountries: DE is listed more than once (codes ignore case)",
            "alb:waf.managedRuleGroups: AWSManagedRulesSQLiRuleSet is listed more than once",
        ),
    ),
    Case(
        "waf-country-not-in-the-waf-list",
        sets(waf={"blockedCountries": ["XK", "EU", "UK"]}),
        (
            "alb:waf.blockedCountries[1]: must be a country code that AWS WAF geo match knows, "
            'such as DE or XK (got "EU")',
            "alb:waf.blockedCountries[2]: must be a country code that AWS WAF geo match knows, "
            'such as DE or XK (got "UK")',
        ),
    ),
    Case(
        "waf-typo",
        sets(waf={"ratelimit": 100}),
        ("alb:waf.ratelimit: unknown key (did you mean 'rateLimit'?)",),
    ),
    Case(
        "waf-rate-limit-too-high", sets(waf={"rateLimit": 2_000_000_001}), ("alb:waf.rateLimit:",)
    ),
    # alb:services: the map
    Case("services-empty", services({}), ("alb:services:",), cli=True),
    Case("services-missing", services(None), ("alb:services: required",)),
    Case(
        "service-names",
        services({"API_v1": {"port": 1}, "a-very-long-service-name": {"port": 2}}),
        ("alb:services.API_v1: name", "alb:services.a-very-long-service-name: name"),
    ),
    Case(
        "services-over-quota",
        services({f"s{i}": {"port": 1000 + i, "pathPatterns": [f"/s{i}"]} for i in range(101)}),
        ("alb:services:",),
    ),
    Case(
        "default-service-unknown",
        sets(defaultService="www"),
        ("alb:defaultService: must name a service in alb:services",),
    ),
    # a service's fields
    Case("port-zero", service("api", port=0), ("alb:services.api.port:",)),
    Case("port-high", service("api", port=70000), ("alb:services.api.port:",)),
    Case("port-text", service("api", port="http"), ("alb:services.api.port:",)),
    Case("port-bool", service("api", port=True), ("alb:services.api.port: must be a number",)),
    Case("port-missing", service("api", port=None), ("alb:services.api: port: required",)),
    Case(
        "lambda-with-port",
        service("api", targetType="lambda"),
        ("alb:services.api: port: must be absent for a lambda target group",),
    ),
    Case("protocol", service("api", protocol="TCP"), ("alb:services.api.protocol:",)),
    Case("target-type", service("api", targetType="alb"), ("alb:services.api.targetType:",)),
    Case(
        "path-patterns",
        service("api", pathPatterns=["api/*", "/" + "x" * 128]),
        ("alb:services.api.pathPatterns[0]:", "alb:services.api.pathPatterns[1]:"),
    ),
    Case(
        "path-patterns-not-list",
        service("api", pathPatterns="/api/*"),
        ("alb:services.api.pathPatterns:",),
    ),
    Case(
        "host-headers",
        service("api", hostHeaders=["bad host!", "-"]),
        ("alb:services.api.hostHeaders[0]:",),
    ),
    Case(
        "source-cidrs",
        service("admin", sourceCidrs=["10.0.0.0/40"]),
        ("alb:services.admin.sourceCidrs[0]:",),
    ),
    Case(
        "source-cidrs-private-on-internet-facing",
        service("admin", sourceCidrs=["10.0.0.0/8", "211.45.60.128/28", "fd00::/8"]),
        (
            "alb:services.admin.sourceCidrs[0]: 10.0.0.0/8 is not a public address range "
            "(10.0.0.0/8 is private-use (RFC 1918) address space), and an internet-facing load "
            "balancer (alb:internal false) only sees public client addresses, so the rule would "
            "never match; use the public addresses the clients connect from (such as an "
            "office's NAT egress), or set alb:internal true",
            "alb:services.admin.sourceCidrs[2]: fd00::/8 is not a public address range "
            "(fc00::/7 is unique local (RFC 4193) address space)",
        ),
        cli=True,
    ),
    Case(
        "source-cidrs-non-routable-on-internet-facing",
        service("api", sourceCidrs=["100.64.0.0/10", "127.0.0.1/32"]),
        (
            "alb:services.api.sourceCidrs[0]: 100.64.0.0/10 is not a public address range "
            "(100.64.0.0/10 is shared address space for carrier-grade NAT (RFC 6598) address "
            "space)",
            "alb:services.api.sourceCidrs[1]: 127.0.0.1/32 is not a public address range "
            "(127.0.0.0/8 is loopback (RFC 1122) address space)",
        ),
    ),
    Case("priority-range", service("api", priority=50001), ("alb:services.api.priority:",)),
    Case(
        "priority-duplicate",
        both(service("api", priority=10), service("admin", priority=10)),
        ("alb:services.api.priority: 10 is already used by alb:services.admin",),
        cli=True,
    ),
    Case(
        "priority-shadowing",
        both(
            service("api", priority=10),
            service("admin", priority=20, pathPatterns=["/api/admin/*"], sourceCidrs=None),
        ),
        (
            "alb:services.admin: can never receive traffic (priority 20): alb:services.api "
            "(priority 10) is evaluated before it",
        ),
        cli=True,
    ),
    Case(
        "too-many-conditions",
        service(
            "api",
            pathPatterns=["/a", "/b", "/c"],
            hostHeaders=["a.example.com"],
            sourceCidrs=["10.0.0.0/8", "10.1.0.0/16"],
        ),
        ("alb:services.api: at most 5 condition values per listener rule (got 6)",),
    ),
    Case(
        "no-condition",
        service("api", pathPatterns=None),
        ("alb:services.api: needs at least one of pathPatterns, hostHeaders or sourceCidrs",),
    ),
    Case(
        "health-check-path",
        service("api", healthCheck={"path": "health"}),
        ('alb:services.api.healthCheck.path: must be a path starting with "/" (got "health")',),
    ),
    Case(
        "health-check-values",
        service(
            "api", healthCheck={"matcher": "600", "intervalSeconds": 4, "healthyThreshold": 11}
        ),
        (
            "alb:services.api.healthCheck.matcher:",
            "alb:services.api.healthCheck.intervalSeconds:",
            "alb:services.api.healthCheck.healthyThreshold:",
        ),
    ),
    Case(
        "health-check-timeout",
        service("api", healthCheck={"intervalSeconds": 10, "timeoutSeconds": 10}),
        (
            "alb:services.api.healthCheck: timeoutSeconds (10) must be less than "
            "intervalSeconds (10)",
        ),
    ),
    Case(
        "draining",
        service("api", deregistrationDelaySeconds=3601, slowStartSeconds=10),
        ("alb:services.api.deregistrationDelaySeconds:",),
    ),
    Case(
        "slow-start",
        service("api", slowStartSeconds=10),
        ("alb:services.api: slowStartSeconds: must be 0 (off) or 30-900",),
    ),
    Case(
        "slow-start-with-least-outstanding-requests",
        service("api", slowStartSeconds=60, algorithm="least_outstanding_requests"),
        (
            "alb:services.api: slowStartSeconds: slow start cannot be combined with algorithm "
            "least_outstanding_requests",
        ),
    ),
    Case(
        "stickiness",
        service("api", stickiness={"durationSeconds": 0}),
        ("alb:services.api.stickiness.durationSeconds:",),
    ),
    Case("algorithm", service("api", algorithm="random"), ("alb:services.api.algorithm:",)),
    Case(
        "service-field-typo",
        service("api", healthcheck={"path": "/x"}),
        ("alb:services.api.healthcheck: unknown key (did you mean 'healthCheck'?)",),
    ),
    # alb:alarms and alb:tags
    Case(
        "alarms",
        sets(
            alarms={
                "email": "oncall",
                "topicArn": "arn:aws:sqs:x",
                "latencyP99Seconds": 0,
                "error5xxPercent": 150,
            }
        ),
        (
            "alb:alarms.email:",
            "alb:alarms.topicArn:",
            "alb:alarms.latencyP99Seconds:",
            "alb:alarms.error5xxPercent:",
        ),
    ),
    Case("tags", sets(tags={"": "x", "Owner": "y" * 257}), ("alb:tags.", "alb:tags.Owner:")),
    Case("tags-not-map", sets(tags=["a", "b"]), ("alb:tags:",)),
    # what AWS refuses that a schema of types and ranges lets through (issue 10 section 3)
    Case(
        "host-headers-not-host-names",
        service("api", hostHeaders=["localhost", "api.example.c0m", "*.example.*"]),
        (
            "alb:services.api.hostHeaders[0]: must be a host name such as api.example.com or "
            "*.example.com: letters, digits, '-', '.', '*' and '?', with at least one '.' and "
            'only letters after the last one (got "localhost")',
            "alb:services.api.hostHeaders[1]: must be a host name such as api.example.com",
            "alb:services.api.hostHeaders[2]: must be a host name such as api.example.com",
        ),
        cli=True,
    ),
    Case(
        "condition-values-per-condition",
        service("api", pathPatterns=["/a/*", "/b/*", "/c/*", "/d/*"]),
        (
            "alb:services.api.pathPatterns: at most 3 values in one listener-rule condition "
            "(got 4); split the service or use a broader pattern",
        ),
    ),
    Case(
        "condition-values-repeated",
        service(
            "api",
            pathPatterns=["/api/*", "/api/*"],
            hostHeaders=["API.example.com", "api.example.COM"],
            sourceCidrs=["2001:db8::/32", "2001:0DB8:0::/32"],
        ),
        (
            "alb:services.api.pathPatterns: /api/* is listed more than once",
            "alb:services.api.hostHeaders: api.example.COM is listed more than once (host names "
            "ignore case)",
            "alb:services.api.sourceCidrs: 2001:db8::/32 is listed more than once (compared as "
            "networks)",
        ),
    ),
    Case(
        "wildcards-per-rule",
        service("api", pathPatterns=["/a*/*", "/b?/*"], hostHeaders=["*.ex?mple.com"]),
        (
            "alb:services.api: at most 5 wildcards (* and ?) per listener rule, across "
            "pathPatterns, hostHeaders, httpHeaders and queryStrings (got 6)",
        ),
    ),
    Case(
        "weighted-random-combinations",
        both(
            service("api", algorithm="weighted_random", stickiness={"durationSeconds": 60}),
            service("web", algorithm="weighted_random", slowStartSeconds=30),
        ),
        (
            "alb:services.api.algorithm: weighted_random cannot be combined with stickiness "
            "(remove one of them)",
            "alb:services.web.algorithm: weighted_random cannot be combined with slowStartSeconds",
        ),
        cli=True,
    ),
    Case(
        "health-check-matcher-range-downwards",
        service("api", healthCheck={"matcher": "399-200"}),
        ("alb:services.api.healthCheck.matcher: must be HTTP codes 200-499",),
    ),
    Case(
        "ingress-cidrs-repeated",
        sets(ingressCidrs=["203.0.113.0/24", "198.51.100.0/24", "203.0.113.0/24"]),
        ("alb:ingressCidrs: 203.0.113.0/24 is listed more than once (compared as networks)",),
    ),
    Case(
        "ingress-cidrs-over-the-security-group-quota",
        sets(ingressCidrs=[f"10.{i}.0.0/16" for i in range(31)]),
        (
            "alb:ingressCidrs: 31 IPv4 CIDRs need 62 inbound security group rules (one per "
            "listener port); AWS allows 60 per address family",
        ),
        cli=True,
    ),
    Case(
        "service-ports-over-the-security-group-quota",
        services(
            {
                f"s{i}": {"port": 9000 + i, "pathPatterns": [f"/s{i}/*"], "priority": i + 1}
                for i in range(61)
            }
        ),
        (
            "alb:services: 61 distinct target ports need at least 61 outbound IPv4 security "
            "group rules (one per port and VPC CIDR block); AWS allows 60 per address family",
        ),
    ),
    Case(
        "certificates-over-quota",
        sets(
            additionalCertificateArns=[
                ACM.replace("8d1c2e3f", f"{index:08x}") for index in range(26)
            ]
        ),
        (
            "alb:additionalCertificateArns: at most 25 certificates besides the default one "
            "(got 26)",
        ),
    ),
    Case(
        "certificates-repeated",
        sets(certificate={"arn": ACM}, additionalCertificateArns=[ACM.replace("8d", "9d"), ACM]),
        (
            "alb:additionalCertificateArns[1]: is alb:certificate.arn, the listener's default "
            "certificate, already",
        ),
    ),
    Case(
        "certificates-listed-twice",
        sets(additionalCertificateArns=[ACM, ACM]),
        (f"alb:additionalCertificateArns: {ACM} is listed more than once",),
    ),
    Case(
        "subnets-listed-twice",
        sets(
            network={
                "vpcId": "vpc-0f1e2d3c4b5a69788",
                "subnetIds": ["subnet-01a2b3c4d5e6f7008", "subnet-01a2b3c4d5e6f7008"],
            }
        ),
        ("alb:network.subnetIds: subnet-01a2b3c4d5e6f7008 is listed more than once",),
    ),
    Case(
        "common-name-too-long",
        sets(domain={"name": "a" * 53 + ".example.com", "hostedZoneId": "Z0123456789ABCDEFGHIJ"}),
        (
            "alb:domain.name: a certificate's common name is at most 64 characters (got 65); use "
            "a shorter name or bring a certificate with alb:certificate.arn",
        ),
    ),
    Case(
        "tags-characters-and-reserved-prefix",
        sets(tags={"Team#": "x", "Owner": "a,b", "Aws:Team": "x", "Stage": "AWS:prod"}),
        (
            "alb:tags.Team#: name must contain only letters, digits, spaces and _ . : / = + - @",
            "alb:tags.Owner: must contain only letters, digits, spaces and _ . : / = + - @ "
            '(got "a,b")',
            "alb:tags.Aws:Team: name must not start with aws: (reserved for AWS, in any case)",
            "alb:tags.Stage: must not start with aws: (reserved for AWS, in any case) "
            '(got "AWS:prod")',
        ),
    ),
    Case(
        "stack-name-characters",
        sets(),
        (
            "stack 'my_stack': a stack name becomes part of load balancer, target group, bucket "
            "and web ACL names: use only letters, digits and hyphens",
        ),
        stack="my_stack",
        cli=True,
    ),
    Case(
        "stack-name-too-long",
        sets(),
        (
            "stack 'production-eu-central': target group names "
            "(alb-production-eu-central-x-xxxxxxx for a one-letter service) would be at least 35 "
            "characters; ELB allows 32: use a stack name of at most 18 characters",
        ),
        stack="production-eu-central",
    ),
    Case(
        "service-name-too-long-for-the-stack",
        service("notifications-v2", port=9000, pathPatterns=["/notifications/*"]),
        (
            "alb:services.notifications-v2: the target group's name "
            "alb-staging-eu-notifications-v2-xxxxxxx would be 39 characters; ELB allows 32: use "
            "a service name of at most 9 characters in stack 'staging-eu'",
        ),
        stack="staging-eu",
    ),
    # the file itself
    Case(
        "file-not-a-mapping",
        "- config\n- dev\n",
        ("Pulumi.bad.yaml: expected a mapping",),
        cli=True,
    ),
    Case(
        "config-not-a-mapping", "config: [1, 2]\n", ("Pulumi.bad.yaml: 'config' must be a mapping",)
    ),
    # Routing (SPEC §6): conditions, routes, rewrites, authentication.
    Case(
        "route-redirect-to-http",
        sets(
            routes={
                "old": {
                    "pathPatterns": ["/old/*"],
                    "then": {"redirect": {"protocol": "http", "statusCode": "HTTP_301"}},
                }
            }
        ),
        ("alb:routes.old.then.redirect.protocol: a redirect may only send clients to HTTPS",),
    ),
    Case(
        "route-two-actions",
        sets(
            routes={
                "old": {
                    "pathPatterns": ["/old/*"],
                    "then": {
                        "redirect": {"statusCode": "HTTP_301"},
                        "fixedResponse": {"statusCode": "404"},
                    },
                }
            }
        ),
        ('alb:routes.old.then: give exactly one of "fixedResponse" or "redirect"',),
    ),
    Case(
        "route-without-condition",
        sets(routes={"old": {"then": {"fixedResponse": {"statusCode": "404"}}}}),
        ("alb:routes.old: a route needs at least one condition",),
    ),
    Case(
        "route-fixed-response-status",
        sets(
            routes={
                "old": {"pathPatterns": ["/old"], "then": {"fixedResponse": {"statusCode": "302"}}}
            }
        ),
        (
            "alb:routes.old.then.fixedResponse.statusCode: must be an HTTP status code 2XX, 4XX "
            "or 5XX",
        ),
    ),
    Case(
        "route-shadowed-by-route",
        sets(
            routes={
                **DEV["config"]["alb:routes"],
                "any-host": {
                    "hostHeaders": ["*.example.com"],
                    "priority": 1,
                    "then": {"fixedResponse": {"statusCode": "404"}},
                },
            }
        ),
        (
            "alb:routes.www: can never receive traffic (priority 28091): alb:routes.any-host "
            "(priority 1) is evaluated before it and matches every request it matches",
        ),
    ),
    Case(
        "header-name",
        service("api", httpHeaders={"X Tenant": ["a"]}),
        ("alb:services.api.httpHeaders.X Tenant: name must be an HTTP header name",),
    ),
    Case(
        "header-host",
        service("api", httpHeaders={"HOST": ["a.example.com"]}),
        ("alb:services.api: httpHeaders: use hostHeaders to match the Host header",),
    ),
    Case(
        "method-lower-case",
        service("api", methods=["get"]),
        ("alb:services.api.methods[0]: must be an HTTP method in upper case, such as GET",),
    ),
    Case(
        "query-strings-too-many",
        service("api", queryStrings=[{"value": str(n)} for n in range(4)]),
        ("alb:services.api.queryStrings:",),
    ),
    Case(
        "rewrite-lookahead",
        service("api", rewrite={"url": {"regex": "^/api/(?!internal)(.*)$", "replace": "/$1"}}),
        (
            "alb:services.api.rewrite.url.regex: ALB regular expressions do not support "
            "lookaheads and lookbehinds",
        ),
    ),
    Case(
        "auth-two-kinds",
        service(
            "api",
            auth={
                "jwt": {"issuer": "i", "jwksEndpoint": "https://auth.example.com/jwks"},
                "cognito": {
                    "userPoolArn": (
                        f"arn:aws:cognito-idp:{REGION}:123456789012:userpool/{REGION}_abc"
                    ),
                    "userPoolClientId": "client",
                    "userPoolDomain": "login",
                },
            },
        ),
        ('alb:services.api.auth: give exactly one of "oidc", "cognito" or "jwt"',),
    ),
    Case(
        "auth-oidc-plain-secret-and-http-issuer",
        service(
            "api",
            auth={
                "oidc": {
                    "issuer": "http://login.example.com",
                    "authorizationEndpoint": "https://login.example.com/authorize",
                    "tokenEndpoint": "https://login.example.com/token",
                    "userInfoEndpoint": "https://login.example.com/userinfo",
                    "clientId": "alb",
                    "clientSecret": "hunter2",
                }
            },
        ),
        ("alb:services.api.auth.oidc.issuer: must be an https:// URL",),
    ),
    Case(
        "auth-oidc-plain-secret",
        service(
            "api",
            auth={
                "oidc": {
                    "issuer": "https://login.example.com",
                    "authorizationEndpoint": "https://login.example.com/authorize",
                    "tokenEndpoint": "https://login.example.com/token",
                    "userInfoEndpoint": "https://login.example.com/userinfo",
                    "clientId": "alb",
                    "clientSecret": "hunter2",
                }
            },
        ),
        (
            "alb:services.api.auth.oidc.clientSecret: must be a Pulumi secret, not plain text; "
            "set it with `pulumi config set --secret --path "
            "'alb:services.api.auth.oidc.clientSecret' VALUE`",
        ),
    ),
    Case(
        "deny-other-sources",
        service("admin", denyOtherSources="sometimes"),
        ("alb:services.admin.denyOtherSources:",),
    ),
    Case(
        "deployment-weights",
        service("api", deployment={"strategy": "canary", "weights": {"blue": 1000, "green": 0}}),
        ("alb:services.api.deployment.weights.blue: Input should be less than or equal to 999",),
    ),
    Case(
        "deployment-external-weights-and-test-port",
        both(
            service(
                "api",
                deployment={"strategy": "external", "weights": {"blue": 50, "green": 50}},
            ),
            service("admin", deployment={"strategy": "blue-green", "testListenerPort": 8443}),
        ),
        (
            "alb:services.api.deployment: weights: with strategy external, ECS or CodeDeploy "
            "set the weights",
            "alb:services.admin.deployment: testListenerPort and testCidrs go together",
        ),
    ),
    # Static and Lambda targets (SPEC §6 `targets`).
    Case(
        "target-id-malformed",
        service("api", targets=[{"id": "web-1"}, {"id": "10.0.0.300"}]),
        (
            "alb:services.api.targets[0].id: must be an EC2 instance ID (i-0abc12345def67890), "
            "an IPv4 address or a Lambda function ARN",
            "alb:services.api.targets[1].id: must be an EC2 instance ID",
        ),
        cli=True,
    ),
    Case(
        "target-ipv6",
        service("api", targets=[{"id": "2001:db8::10"}]),
        (
            "alb:services.api.targets[0].id: is an IPv6 address, but the service's target group "
            "is IPv4; register the target's IPv4 address",
        ),
    ),
    Case(
        "target-port-and-zone",
        service("api", targets=[{"id": "10.0.0.5", "port": 70000, "availabilityZone": "a"}]),
        (
            "alb:services.api.targets[0].port: Input should be less than or equal to 65535",
            "alb:services.api.targets[0].availabilityZone: Input should be 'all'",
        ),
    ),
    Case(
        "target-type-mismatch",
        both(
            service(
                "api",
                targets=[
                    {"id": "i-0abc12345def67890"},
                    {"id": "172.31.0.9"},
                    {"id": f"arn:aws:lambda:{REGION}:123456789012:function:hello"},
                ],
            ),
            service("web", targetType="instance", targets=[{"id": "172.31.0.10"}]),
        ),
        (
            "alb:services.api.targets[0].id: an instance ID needs targetType instance, but "
            "alb:services.api.targetType is ip",
            "alb:services.api.targets[2].id: a Lambda function ARN needs targetType lambda, but "
            "alb:services.api.targetType is ip",
            "alb:services.web.targets[0].id: an IP address needs targetType ip, but "
            "alb:services.web.targetType is instance",
        ),
    ),
    Case(
        "target-repeated",
        service(
            "api",
            targetType="instance",
            targets=[
                {"id": "i-0abc12345def67890"},
                {"id": "I-0ABC12345DEF67890", "port": 8080},
                {"id": "i-0abc12345def67890", "port": 9090, "availabilityZone": "all"},
            ],
        ),
        (
            "alb:services.api.targets[1]: i-0abc12345def67890 on port 8080 is already "
            "alb:services.api.targets[0]",
            "alb:services.api.targets[2].availabilityZone: not for instance targets",
        ),
    ),
    Case(
        "target-lambda",
        service(
            "api",
            port=None,
            targetType="lambda",
            targets=[
                {"id": "arn:aws:lambda:us-east-1:123456789012:function:hello", "port": 80},
                {"id": f"arn:aws:lambda:{REGION}:123456789012:function:other:live"},
            ],
        ),
        (
            "alb:services.api.targets: a lambda target group takes one function (got 2)",
            "alb:services.api.targets[0].port: a Lambda function is invoked, not reached on a port",
            "alb:services.api.targets[0].id: the function is in us-east-1, but the load balancer "
            f"is in {REGION}",
        ),
    ),
    Case(
        "target-with-deployment",
        service("api", deployment={"strategy": "blue-green"}, targets=[{"id": "172.31.0.9"}]),
        ("alb:services.api.targets: a service with a deployment has two target groups",),
    ),
    Case(
        # The dev stack's default VPC is 172.31.0.0/16 (preflight's AWS model).
        "target-outside-the-vpc",
        both(
            sets(targetCidrs=["192.168.0.0/16"]),
            service(
                "api",
                targets=[
                    {"id": "8.8.8.8", "availabilityZone": "all"},
                    {"id": "10.20.0.5"},
                    {"id": "172.31.0.9", "availabilityZone": "all"},
                    {"id": "192.168.1.1", "availabilityZone": "all"},
                ],
            ),
        ),
        (
            "(172.31.0.0/16) and not a private address (10.0.0.0/8, 100.64.0.0/10, "
            "172.16.0.0/12, 192.168.0.0/16); AWS registers no publicly routable IP address as a "
            "target",
            '(172.31.0.0/16), so AWS needs availabilityZone "all" to register it',
            "(172.31.0.0/16) and outside alb:targetCidrs, so the load balancer's security group "
            "lets no traffic reach it; add its network to alb:targetCidrs",
            "(172.31.0.0/16), where AWS finds the target's zone itself; remove availabilityZone",
        ),
        cli=True,
    ),
    # Mutual TLS (SPEC §6 `alb:mtls`).
    Case(
        "mtls-mode",
        sets(mtls={"mode": "optional"}),
        ("alb:mtls.mode: Input should be 'verify' or 'passthrough'",),
    ),
    Case(
        "mtls-verify-without-bundle",
        sets(mtls={"mode": "verify"}),
        ("alb:mtls: caBundle: required in verify mode",),
    ),
    Case(
        "mtls-bundle-both-and-bad-uris",
        sets(
            mtls={
                "mode": "verify",
                "caBundle": {"s3Uri": "s3://Bucket/ca.pem", "file": "/etc/ssl/ca.pem"},
                "revocationLists": ["https://pki.example.com/crl", "s3://pki/a.crl"],
            }
        ),
        (
            "alb:mtls.caBundle.s3Uri: must be an S3 URI such as s3://my-bucket/path/ca-bundle.pem",
            "alb:mtls.caBundle.file: must be a path inside the program's directory",
            "alb:mtls.revocationLists[0]: must be an S3 URI",
        ),
    ),
    Case(
        "mtls-bundle-both",
        sets(
            mtls={
                "mode": "verify",
                "caBundle": {
                    "s3Uri": "s3://pki/ca.pem",
                    "file": "tests/fixtures/mtls/client-ca.pem",
                },
                "revocationLists": ["s3://pki/a.crl", "s3://pki/a.crl"],
            }
        ),
        (
            'alb:mtls.caBundle: give exactly one of "s3Uri" or "file"',
            "alb:mtls.revocationLists: s3://pki/a.crl is listed more than once",
        ),
    ),
    Case(
        "mtls-bundle-file-missing",
        sets(mtls={"mode": "verify", "caBundle": {"file": "certs/client-ca.pem"}}),
        ("alb:mtls.caBundle.file: certs/client-ca.pem does not exist in the program's directory",),
        cli=True,
    ),
    Case(
        "mtls-bundle-file-not-a-certificate",
        sets(
            mtls={
                "mode": "verify",
                "caBundle": {"file": "tests/fixtures/mtls/not-a-certificate.pem"},
            }
        ),
        (
            "alb:mtls.caBundle.file: tests/fixtures/mtls/not-a-certificate.pem holds no PEM "
            "certificate (-----BEGIN CERTIFICATE-----)",
        ),
    ),
    Case(
        "mtls-passthrough-with-verify-settings",
        sets(
            mtls={
                "mode": "passthrough",
                "revocationLists": ["s3://pki/a.crl"],
                "advertiseCaNames": False,
            }
        ),
        (
            "alb:mtls: revocationLists, advertiseCaNames: only with mode verify; in passthrough "
            "mode the load balancer checks nothing",
        ),
    ),
    Case(
        "several-keys-at-once",
        both(sets(idleTimeoutSeconds=0, ipAddressType="ipv5"), service("web", port=-1)),
        ("alb:idleTimeoutSeconds:", "alb:ipAddressType:", "alb:services.web.port:"),
    ),
]

STACK = "bad"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_program(tmp_path_factory.mktemp("bad-input"))


def test_the_corpus_covers_every_key_of_the_spec() -> None:
    """Every SPEC §2 key and service field appears in at least one broken case."""
    text = " ".join(" ".join(case.problems) for case in CASES)
    keys = [
        "aws:region", "network", "internal", "ipAddressType", "ingressCidrs", "targetCidrs",
        "certificate",
        "additionalCertificateArns", "domain", "tlsPolicy", "protect", "idleTimeoutSeconds",
        "accessLogs", "waf", "services", "defaultService", "routes", "alarms", "tags", "mtls",
    ]  # fmt: skip
    fields = [
        "port", "protocol", "targetType", "pathPatterns", "hostHeaders", "sourceCidrs",
        "priority", "healthCheck", "deregistrationDelaySeconds", "slowStartSeconds",
        "stickiness", "algorithm", "httpHeaders", "methods", "queryStrings", "rewrite", "auth",
        "denyOtherSources", "deployment", "targets",
    ]  # fmt: skip
    assert [k for k in keys if (k if ":" in k else f"alb:{k}") not in text] == []
    assert [f for f in fields if f not in text] == []
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_refused_before_anything_is_registered(case: Case, workdir: Path) -> None:
    write_stack(workdir, case.stack, case.document())
    try:
        values = stack_values(case.stack, workdir)
    except ProjectError as exc:
        # Refused while reading the stack file, as the Pulumi CLI does: the program never runs.
        message = str(exc)
    else:
        plan = run_in_process(values, case.stack)
        assert plan.error is not None, f"{case.name}: accepted"
        assert plan.registered == [], [r.urn for r in plan.registered]
        message = plan.error
    assert "Traceback" not in message
    for fragment in case.problems:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    if not isinstance(case.edit, str) and message.startswith("invalid configuration"):
        # One line per problem, each naming its key path.
        lines = message.splitlines()[1:]
        assert all(line.strip().startswith(("alb:", "aws:", "stack '")) for line in lines), message
        assert len(lines) >= len(case.problems)


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """The representative cases as a user runs them, each in its own copy, two at a time."""
    chosen = [case for case in CASES if case.cli]
    root = tmp_path_factory.mktemp("bad-input-cli")

    def run(case: Case) -> Run:
        directory = copy_program(root)
        write_stack(directory, case.stack, case.document())
        return run_preflight(
            "--program", directory, "--stack", case.stack, "--policy-pack", "none", "--json"
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip([c.name for c in chosen], pool.map(run, chosen), strict=True))


@pytest.mark.parametrize("case", [c for c in CASES if c.cli], ids=lambda case: case.name)
def test_preflight_exits_2_with_every_problem(case: Case, cli_runs: dict[str, Run]) -> None:
    run = cli_runs[case.name]
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""  # no plan, no resources
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("preflight: error:")
    for fragment in case.problems:
        assert fragment in run.stderr, f"{fragment!r} not in:\n{run.stderr}"


# --- values as `pulumi config set --path` stores them --------------------------------------


def test_numbers_and_booleans_given_as_strings_are_accepted(workdir: Path) -> None:
    document = copy.deepcopy(DEV)
    config = document["config"]
    config["alb:idleTimeoutSeconds"] = "120"
    config["alb:internal"] = "true"
    config["alb:waf"]["rateLimit"] = "5000"
    config["alb:accessLogs"]["retentionDays"] = "14"
    api = config["alb:services"]["api"]
    api.update(port="9090", priority="42", deregistrationDelaySeconds="5")
    api["healthCheck"].update(intervalSeconds="20", matcher=200)
    config["alb:alarms"]["latencyP99Seconds"] = "1.5"
    config["alb:tags"]["Version"] = 2
    write_stack(workdir, STACK, document)
    plan = run_in_process(stack_values(STACK, workdir), STACK)
    assert plan.error is None, plan.error
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer")
    assert (alb.inputs["idleTimeout"], alb.inputs["internal"]) == (120, True)
    assert alb.inputs["tags"]["Version"] == "2"
    group = plan.one("aws:lb/targetGroup:TargetGroup", "alb-bad-api")
    assert group.inputs["port"] == 9090
    assert group.inputs["deregistrationDelay"] == 5
    assert group.inputs["healthCheck"]["interval"] == 20
    assert group.inputs["healthCheck"]["matcher"] == "200"
    # The priority given as text reaches AWS as a number (rules are named by priority).
    priorities = [r.inputs["priority"] for r in plan.of_type("aws:lb/listenerRule:ListenerRule")]
    assert 42 in priorities
    acl = plan.one("aws:wafv2/webAcl:WebAcl")
    assert acl.inputs["rules"][0]["statement"]["rateBasedStatement"]["limit"] == 5000

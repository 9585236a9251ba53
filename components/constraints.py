"""The one table of what the stack configuration refuses: key, rule, source, message.

The config model (``components/config.py``) takes the messages and limits of its own checks
from the entries here, and ``docs/validation.md`` is generated from them
(``python -m components.constraints``, ``make docs``). Each entry carries a broken example
that runs through the real model, so the page quotes the messages a user actually sees, and
a test fails when the checked-in page differs from what the generator writes.

Provider sources were read in terraform-provider-aws at commit 032c4f0 (``main`` on the v6
line that pulumi-aws 7.x bridges; ``listener_rule.go``, ``target_group.go``); AWS API
shapes in botocore 1.44.8 (``elbv2`` 2015-12-01, ``wafv2`` 2019-07-29). Where the provider
and the API disagree, the stricter rule is the one enforced.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_core import PydanticCustomError

from components import aws_facts

PAGE = Path(__file__).resolve().parents[1] / "docs" / "validation.md"


@dataclass(frozen=True)
class Constraint:
    """One refusal: where it applies, what is allowed, where the limit comes from, and the
    message. ``message`` is a ``str.format`` template for the model's own checks; refusals
    that pydantic words itself (ranges, enumerations) leave it empty."""

    key: str
    rule: str
    source: str
    example: Mapping[str, Any]
    """Overrides of :data:`BASE` (full config keys) that break exactly this rule."""
    message: str = ""
    stack: str = "dev"
    """The stack name the example runs as."""

    def error(self, **fields: Any) -> PydanticCustomError:
        """The refusal inside a field validator (pydantic adds the key path and the value)."""
        return PydanticCustomError("aws_constraint", self.message.format(**fields))

    def line(self, key: str, **fields: Any) -> str:
        """The refusal as a whole ``key: message`` line."""
        return f"{key}: {self.message.format(**fields)}"


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    rows: list[Constraint] = field(default_factory=list)


# --- the examples' starting point: a small valid stack ------------------------------------

_SERVICES: dict[str, Any] = {
    "web": {"port": 3000},
    "api": {"port": 8080, "pathPatterns": ["/api/*"]},
    "admin": {"port": 8081, "pathPatterns": ["/admin/*"]},
}
BASE: dict[str, Any] = {
    "aws:region": "ap-northeast-2",
    "alb:certificate": {"issue": "self-signed"},
    "alb:defaultService": "web",
    "alb:services": _SERVICES,
}
_ACM = "arn:aws:acm:ap-northeast-2:123456789012:certificate/8d1c2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f"


def _acm(index: int) -> str:
    return f"arn:aws:acm:ap-northeast-2:123456789012:certificate/{index:08d}-aaaa-bbbb-cccc-0000"


def api(**fields: Any) -> dict[str, Any]:
    """An example: the base stack with fields of service ``api`` changed (None removes)."""
    service = {**_SERVICES["api"], **fields}
    changed = {key: value for key, value in service.items() if value is not None}
    return {"alb:services": {**_SERVICES, "api": changed}}


# --- sources --------------------------------------------------------------------------------

_TF = "terraform-provider-aws 032c4f0"
_ELB_API = "botocore elbv2 2015-12-01"
_WAF_API = "botocore wafv2 2019-07-29"
_QUOTAS = '"Quotas for your Application Load Balancers"'
_CONDITIONS = '"Condition types for listener rules" (ALB user guide)'
_TG_ATTRIBUTES = '"Edit target group attributes" (ALB user guide)'
_TAGGING = '"Tag naming limits and requirements" (Tagging AWS Resources user guide)'

# --- the checks the model words itself ------------------------------------------------------

HOST_HEADER = Constraint(
    key="alb:services.NAME.hostHeaders[i]",
    rule="1-128 characters of letters, digits, `-`, `.`, `*`, `?`; at least one `.`, "
    "only letters after the last one",
    source=f"{_ELB_API} HostHeaderConditionConfig.Values; {_TF} listener_rule.go "
    "(1-128); " + _CONDITIONS,
    message="must be a host name such as api.example.com or *.example.com: letters, digits, "
    "'-', '.', '*' and '?', with at least one '.' and only letters after the last one",
    example=api(hostHeaders=["localhost"]),
)
PATH_PATTERN = Constraint(
    key="alb:services.NAME.pathPatterns[i]",
    rule="starts with `/`; 1-128 characters of letters, digits and `_-.$/~\"'@:+&*?`",
    source=f"{_ELB_API} PathPatternConditionConfig.Values; {_TF} listener_rule.go "
    "(1-128); " + _CONDITIONS,
    message='must be a path pattern starting with "/" (letters, digits and _-.$/~"\'@:+&*?)',
    example=api(pathPatterns=["api/*"]),
)
CONDITION_VALUES = Constraint(
    key="`alb:services.NAME.pathPatterns`, `.hostHeaders`, `.sourceCidrs`, `.methods`, "
    "`.queryStrings`, `.httpHeaders.NAME` (and the same of `alb:routes.NAME`)",
    rule=f"at most {aws_facts.MAX_VALUES_PER_CONDITION} values in one condition",
    source=f'{_CONDITIONS}: "up to three match evaluations per condition"',
    message=f"at most {aws_facts.MAX_VALUES_PER_CONDITION} values in one listener-rule "
    "condition (got {count}); split the service or use a broader pattern",
    example=api(pathPatterns=["/a/*", "/b/*", "/c/*", "/d/*"]),
)
DUPLICATE_VALUES = Constraint(
    key="every list: `ingressCidrs`, `additionalCertificateArns`, `network.subnetIds`, "
    "`…pathPatterns`, `…hostHeaders`, `…sourceCidrs`, `waf.blockedCountries`, "
    "`waf.managedRuleGroups`",
    rule="each entry once, compared as AWS compares them (CIDRs normalised, host names and "
    "country codes without case)",
    source=f"{_TF}: condition values, CIDRs and certificates are sets (a duplicate never "
    "converges); one Pulumi resource per CIDR and certificate (a duplicate URN)",
    message="{value} is listed more than once{how}",
    example={"alb:ingressCidrs": ["2001:db8::/32", "2001:0db8:0::/32"]},
)
COUNTRY = Constraint(
    key="alb:waf.blockedCountries[i]",
    rule="a code of WAF's CountryCode list (ISO 3166 alpha-2 and XK); case is ignored",
    source=f"{_WAF_API} CountryCode (components/waf_reference.json)",
    message="must be a country code that AWS WAF geo match knows, such as DE or XK",
    example={"alb:waf": {"blockedCountries": ["XX"]}},
)
MANAGED_RULE_GROUP = Constraint(
    key="alb:waf.managedRuleGroups[i]",
    rule="the name of an AWS managed rule group",
    source='AWS WAF developer guide, "AWS Managed Rules rule groups list" '
    "(components/waf_reference.json)",
    message="must be the name of an AWS managed rule group, such as AWSManagedRulesCommonRuleSet",
    example={"alb:waf": {"managedRuleGroups": ["AWSManagedRulesCommonRules"]}},
)
MANAGED_RULE_GROUP_CONFIG = Constraint(
    key="alb:waf.managedRuleGroups[i]",
    rule="not a group that requires a ManagedRuleGroupConfig (Bot Control, ATP, ACFP, "
    "Anti-DDoS, AI security)",
    source=f"{_WAF_API} ManagedRuleGroupConfig: the members named after a rule group, each "
    "with required settings",
    message="{group} cannot run without its ManagedRuleGroupConfig ({settings}), which "
    "this stack has no place for",
    example={"alb:waf": {"managedRuleGroups": ["AWSManagedRulesBotControlRuleSet"]}},
)
TAG_TEXT = Constraint(
    key="`alb:tags.KEY` (keys and values)",
    rule="letters, digits, spaces and `_ . : / = + - @` (Unicode letters too); keys 1-128, "
    "values up to 256 characters; no `aws:` prefix in any case",
    source=f"{_ELB_API} TagKey, TagValue; {_TAGGING}",
    message="must contain only letters, digits, spaces and _ . : / = + - @",
    example={"alb:tags": {"Team": "platform#1"}},
)
TAG_RESERVED = Constraint(
    key="`alb:tags.KEY` (keys and values)",
    rule="no `aws:` prefix, in any case",
    source=_TAGGING,
    message="must not start with aws: (reserved for AWS, in any case)",
    example={"alb:tags": {"AWS:team": "platform"}},
)
HEALTH_CHECK_MATCHER = Constraint(
    key="alb:services.NAME.healthCheck.matcher",
    rule="HTTP codes 200-499: single codes, ascending ranges, comma-separated",
    source=f"{_ELB_API} Matcher.HttpCode",
    message='must be HTTP codes 200-499 such as "200", "200,302" or "200-399"',
    example=api(healthCheck={"matcher": "600"}),
)

# --- the checks that relate several keys ------------------------------------------------------

CERTIFICATE_QUOTA = Constraint(
    key="alb:additionalCertificateArns",
    rule=f"at most {aws_facts.MAX_CERTIFICATES_PER_ALB} (the default certificate not counted)",
    source=f"{_QUOTAS}: certificates per Application Load Balancer (excluding default "
    "certificates)",
    message=f"at most {aws_facts.MAX_CERTIFICATES_PER_ALB} certificates besides the default "
    "one (got {count})",
    example={
        "alb:additionalCertificateArns": [
            _acm(i) for i in range(aws_facts.MAX_CERTIFICATES_PER_ALB + 1)
        ]
    },
)
DEFAULT_CERTIFICATE_REPEATED = Constraint(
    key="alb:additionalCertificateArns[i]",
    rule="not the default certificate again",
    source=f"{_ELB_API} AddListenerCertificates: the default certificate is already in the "
    "listener's list; removing the copy would remove it",
    message="is alb:certificate.arn, the listener's default certificate, already",
    example={"alb:certificate": {"arn": _ACM}, "alb:additionalCertificateArns": [_ACM]},
)
SECURITY_GROUP_INBOUND = Constraint(
    key="alb:ingressCidrs",
    rule=f"at most {aws_facts.MAX_RULES_PER_SECURITY_GROUP} inbound rules per address "
    "family: each CIDR takes one rule per listener port (80 and 443)",
    source='"Amazon VPC quotas": inbound rules per security group, per address family',
    message="{count} {family} CIDRs need {rules} inbound security group rules (one per "
    "listener port); AWS allows "
    f"{aws_facts.MAX_RULES_PER_SECURITY_GROUP} per address family",
    example={"alb:ingressCidrs": [f"10.{i}.0.0/16" for i in range(31)]},
)
SECURITY_GROUP_OUTBOUND = Constraint(
    key="alb:services",
    rule=f"at most {aws_facts.MAX_RULES_PER_SECURITY_GROUP} outbound rules per address "
    "family: one per distinct target port and VPC CIDR block",
    source='"Amazon VPC quotas": outbound rules per security group, per address family',
    message="{ports} distinct target ports need at least {rules} outbound {family} security "
    "group rules (one per port and VPC CIDR block); AWS allows "
    f"{aws_facts.MAX_RULES_PER_SECURITY_GROUP} per address family: share ports",
    example={
        "alb:services": {
            **{
                f"s{i}": {"port": 9000 + i, "pathPatterns": [f"/s{i}/*"], "priority": i + 1}
                for i in range(aws_facts.MAX_RULES_PER_SECURITY_GROUP)
            },
            "web": {"port": 3000},
        }
    },
)
WILDCARDS = Constraint(
    key="`alb:services.NAME`, `alb:routes.NAME`",
    rule=f"at most {aws_facts.MAX_WILDCARDS_PER_RULE} wildcards (`*`, `?`) across the "
    "rule's path patterns, host names, header values and query strings",
    source=f"{_QUOTAS}: condition wildcards per rule",
    message=f"at most {aws_facts.MAX_WILDCARDS_PER_RULE} wildcards (* and ?) per listener "
    "rule, across pathPatterns, hostHeaders, httpHeaders and queryStrings (got {count})",
    example=api(pathPatterns=["/a*/*", "/b*/*"], hostHeaders=["*.ex?mple.com"]),
)
WEIGHTED_RANDOM = Constraint(
    key="alb:services.NAME.algorithm",
    rule="`weighted_random` without stickiness and without slow start",
    source=f"{_TG_ATTRIBUTES}, routing algorithms: weighted random supports neither slow "
    "start mode nor sticky sessions",
    message="weighted_random cannot be combined with {other} (remove one of them)",
    example=api(algorithm="weighted_random", stickiness={"durationSeconds": 60}),
)
LEAST_OUTSTANDING_SLOW_START = Constraint(
    key="alb:services.NAME",
    rule="slow start not with `least_outstanding_requests`",
    source=f'{_TG_ATTRIBUTES}: "you cannot enable both slow start mode and least '
    'outstanding requests"',
    message="slowStartSeconds: slow start cannot be combined with algorithm "
    "least_outstanding_requests (set one of them back to its default)",
    example=api(algorithm="least_outstanding_requests", slowStartSeconds=60),
)
COMMON_NAME = Constraint(
    key="alb:domain.name",
    rule=f"at most {aws_facts.MAX_CERTIFICATE_COMMON_NAME_LENGTH} characters when the "
    "stack issues the certificate (`issue: dns` or `self-signed`)",
    source='ACM RequestCertificate DomainName: "The first domain name ... cannot exceed 64 octets"',
    message=f"a certificate's common name is at most "
    f"{aws_facts.MAX_CERTIFICATE_COMMON_NAME_LENGTH} characters (got {{length}}); use a "
    "shorter name or bring a certificate with alb:certificate.arn",
    example={
        "alb:domain": {
            "name": "a-very-long-application-name-for-the-platform-team.eu.example.com",
            "hostedZoneId": "Z0123456789ABCDEFGHIJ",
        }
    },
)
KEEP_LOGS = Constraint(
    key="`alb:accessLogs.keepOnDestroy`, `alb:waf.keepLogsOnDestroy`",
    rule="true while `alb:protect` is true",
    source="SPEC §2 (`alb:protect`: logs kept on delete)",
    message="a protected stack keeps its logs when it is destroyed; set {protect} false "
    "before turning this off",
    example={
        "alb:protect": True,
        "alb:certificate": {"arn": _ACM},
        "alb:accessLogs": {"keepOnDestroy": False},
    },
)
REGION_REQUIRED = Constraint(
    key="aws:region",
    rule="set in the stack file",
    source="the Pulumi AWS provider (without it, the region comes from the environment: "
    "`AWS_REGION`, the AWS profile)",
    message="required: without it the provider deploys to the environment's region "
    "(AWS_REGION or the AWS profile), which the certificate and alarm checks here cannot "
    "know; set it with `pulumi config set aws:region REGION`",
    example={"aws:region": None},
)

# --- names derived from the stack name ---------------------------------------------------------

STACK_CHARACTERS = Constraint(
    key="the stack name",
    rule="letters, digits and hyphens only",
    source=f"{_ELB_API} CreateLoadBalancer/CreateTargetGroup Name (alphanumerics and hyphens); "
    "S3 bucket naming rules; WAF EntityName `^[\\w\\-]+$`",
    message="a stack name becomes part of load balancer, target group, bucket and web ACL "
    "names: use only letters, digits and hyphens",
    example={},
    stack="my_stack",
)
_LONGEST_STACK = aws_facts.MAX_ELB_NAME_LENGTH - len("alb--x") - aws_facts.AUTONAME_SUFFIX_LENGTH
STACK_LENGTH = Constraint(
    key="the stack name",
    rule=f"at most {_LONGEST_STACK} characters: target groups are autonamed "
    "`alb-STACK-SERVICE-xxxxxxx` (and the load balancer `alb-STACK-xxxxxxx`)",
    source=f"{_ELB_API} CreateLoadBalancer Name (32 characters); pulumi-aws autonaming "
    "(name, `-`, 7 random characters)",
    message="target group names ({name} for a one-letter service) would be at least {length} "
    f"characters; ELB allows {aws_facts.MAX_ELB_NAME_LENGTH}: use a stack name of at most "
    "{most} characters",
    example={},
    stack="production-eu-central",
)
TARGET_GROUP_NAME = Constraint(
    key="alb:services.NAME",
    rule="`alb-STACK-NAME-xxxxxxx` fits in 32 characters: stack and service names together "
    f"at most {aws_facts.MAX_ELB_NAME_LENGTH - len('alb--') - aws_facts.AUTONAME_SUFFIX_LENGTH}",
    source=f"{_ELB_API} CreateTargetGroup Name (32 characters); pulumi-aws autonaming",
    message="the target group's name {name} would be {length} characters; ELB allows "
    f"{aws_facts.MAX_ELB_NAME_LENGTH}: use a service name of at most {{most}} characters "
    "in stack {stack}",
    example={
        "alb:services": {**_SERVICES, "notifications-v2": {"port": 9000, "pathPatterns": ["/n"]}}
    },
    stack="staging-eu",
)


def row(key: str, rule: str, source: str, example: Mapping[str, Any]) -> Constraint:
    """A refusal that pydantic words itself (a range, a list of values, a type)."""
    return Constraint(key=key, rule=rule, source=source, example=example)


_PULUMI_YAML = "Pulumi.yaml and SPEC §2"
_OIDC = {
    "issuer": "https://login.example.com",
    "authorizationEndpoint": "https://login.example.com/authorize",
    "tokenEndpoint": "https://login.example.com/token",
    "userInfoEndpoint": "https://login.example.com/userinfo",
    "clientId": "alb",
    "clientSecret": "plain-text",
}
_TG_API = f"{_ELB_API} CreateTargetGroup"
_CA_FILE = "tests/fixtures/mtls/client-ca.pem"


def _function(name: str) -> str:
    return f"arn:aws:lambda:ap-northeast-2:123456789012:function:{name}"


# --- the page ----------------------------------------------------------------------------------

SECTIONS = [
    Section(
        "Unknown keys and typos",
        "A misspelt key would otherwise be ignored and its setting silently lost (a typo in "
        "`healthCheck` would leave the default health check in place).",
        [
            row("an unknown `alb:` key", "the keys of SPEC §2", _PULUMI_YAML,
                {"alb:servics": {"x": {"port": 1}}}),
            row("an unknown field", "the fields of SPEC §2", _PULUMI_YAML,
                api(healthcheck={"path": "/x"})),
            row("an unknown field", "the fields of SPEC §2", _PULUMI_YAML,
                {"alb:waf": {"ratelimit": 100}}),
            row("`alb:region`", "the region is `aws:region`", "the Pulumi AWS provider",
                {"alb:region": "eu-west-1"}),
        ],
    ),
    Section(
        "Types",
        "Numbers given as text (`\"8080\"`, as `pulumi config set --path` may store them) are "
        "accepted, and so are YAML numbers where text is expected (`matcher: 200`). What cannot "
        "be read as the expected type is refused:",
        [
            row("text for a number", "a number", _PULUMI_YAML, api(port="http")),
            row("a boolean for a number", "a number, not true or false", _PULUMI_YAML,
                api(port=True)),
            row("a string for a list", "a list", _PULUMI_YAML, api(pathPatterns="/api/*")),
            row("a list for a map", "a mapping", _PULUMI_YAML, {"alb:tags": ["a", "b"]}),
        ],
    ),
    Section(
        "Ranges and formats",
        "Each limit is the one AWS or the provider enforces; catching it here turns a failed "
        "deployment halfway through into a message before anything starts.",
        [
            REGION_REQUIRED,
            row("`aws:region`", "a region name", "AWS regions", {"aws:region": "mars-north"}),
            row("`alb:network.vpcId`, `.subnetIds[i]`", "`vpc-…`, `subnet-…` IDs",
                "EC2 resource IDs",
                {"alb:network": {"vpcId": "vpc-xyz",
                                 "subnetIds": ["subnet-0abc12345", "subnet-0abc12346"]}}),
            row("`alb:ipAddressType`", "`ipv4` or `dualstack`", "SPEC §2",
                {"alb:ipAddressType": "ipv6"}),
            row("`alb:ingressCidrs[i]`", "a network address in CIDR form",
                f"{_TF} verify.ValidCIDRNetworkAddress",
                {"alb:ingressCidrs": ["10.0.0.1/8"]}),
            row("`alb:ingressCidrs`", "not empty", "SPEC §2", {"alb:ingressCidrs": []}),
            row("`alb:certificate.arn`, `alb:additionalCertificateArns[i]`",
                "an ACM certificate ARN", "ACM ARN format",
                {"alb:certificate": {"arn": "arn:aws:iam::123456789012:server-certificate/x"}}),
            row("`alb:certificate.issue`", "`dns` or `self-signed`", "SPEC §2",
                {"alb:certificate": {"issue": "email"}}),
            row("`alb:domain.name`", "a DNS name, at most 253 characters",
                "ACM RequestCertificate DomainName; Route 53",
                {"alb:domain": {"name": "app_example", "hostedZoneId": "Z0123456789ABCDEFGHIJ"}}),
            row("`alb:tlsPolicy`", "an ELB policy allowing only TLS 1.2+",
                '"Security policies for your Application Load Balancer"',
                {"alb:tlsPolicy": "ELBSecurityPolicy-2016-08"}),
            row("`alb:idleTimeoutSeconds`", "1-4000", f"{_ELB_API} load balancer attributes",
                {"alb:idleTimeoutSeconds": "4001"}),
            row("`alb:accessLogs.retentionDays`", "1-3650", "SPEC §2",
                {"alb:accessLogs": {"retentionDays": 0}}),
            row("`alb:accessLogs.prefix`", "no leading or trailing `/`, no `AWSLogs`",
                '"Enable access logs for your Application Load Balancer"',
                {"alb:accessLogs": {"prefix": "/logs/"}}),
            row("`alb:waf.mode`", "`block` or `count`", "SPEC §2", {"alb:waf": {"mode": "deny"}}),
            row("`alb:waf.rateLimit`", "10-2,000,000,000", f"{_WAF_API} RateBasedStatement.Limit",
                {"alb:waf": {"rateLimit": 5}}),
            MANAGED_RULE_GROUP,
            MANAGED_RULE_GROUP_CONFIG,
            COUNTRY,
            row("`alb:waf.logRetentionDays`", "a CloudWatch Logs retention period",
                "CloudWatch Logs PutRetentionPolicy", {"alb:waf": {"logRetentionDays": 10}}),
            row("`alb:services`", "1-100 services", f"{_QUOTAS}: rules per load balancer",
                {"alb:services": {}, "alb:defaultService": None}),
            row("a service name", "1-20 lowercase letters, digits, hyphens", "SPEC §2",
                {"alb:services": {**_SERVICES, "API_v1": {"port": 1, "pathPatterns": ["/v1"]}}}),
            row("`…port`", "1-65535", f"{_TG_API} Port", api(port=70000)),
            row("`…protocol`, `…targetType`, `…algorithm`", "the listed values", _TG_API,
                api(protocol="TCP")),
            PATH_PATTERN,
            HOST_HEADER,
            CONDITION_VALUES,
            row("`…sourceCidrs[i]`", "a CIDR block", f"{_TF} verify.ValidCIDRNetworkAddress",
                api(sourceCidrs=["10.0.0.0/40"])),
            DUPLICATE_VALUES,
            row("`…priority`", "1-50000", f"{_ELB_API} RulePriority", api(priority=50001)),
            row("`…healthCheck.path`", "starts with `/`, 1-1024 characters",
                f"{_ELB_API} Path; {_TF} target_group.go", api(healthCheck={"path": "health"})),
            HEALTH_CHECK_MATCHER,
            row("`…healthCheck.*Seconds`, `…Threshold`", "interval 5-300, timeout 2-120, "
                "thresholds 2-10", f"{_TF} target_group.go",
                api(healthCheck={"intervalSeconds": 4})),
            row("`…deregistrationDelaySeconds`", "0-3600", f"{_TF} target_group.go",
                api(deregistrationDelaySeconds=3601)),
            row("`…stickiness.durationSeconds`", "1-604800", f"{_TF} listener_rule.go",
                api(stickiness={"durationSeconds": 0})),
            row("`alb:alarms.*`", "an email; an SNS topic ARN; thresholds > 0", "SNS ARN format",
                {"alb:alarms": {"topicArn": "arn:aws:sqs:x"}}),
            row("`alb:tags.*`", "keys 1-128, values at most 256 characters, at most 40 tags",
                f"{_ELB_API} TagKey, TagValue", {"alb:tags": {"Owner": "y" * 257}}),
            TAG_TEXT,
            TAG_RESERVED,
        ],
    ),
    Section(
        "Rules that relate several keys",
        "These are what a schema alone cannot say; each one names every key involved. They are "
        "checked once every key is valid on its own, so they appear in the run after the "
        "problems above are fixed.",
        [
            row("both or neither of `arn` and `issue`", "the listener has one default "
                "certificate", "SPEC §2", {"alb:certificate": {"arn": _ACM, "issue": "dns"}}),
            row("`issue: dns` without `alb:domain`", "DNS validation needs the name and its "
                "zone", "ACM DNS validation", {"alb:certificate": {"issue": "dns"}}),
            row("`issue: self-signed` with `alb:protect: true`", "a protected (production) "
                "stack must not serve a certificate browsers reject", "SPEC §2",
                {"alb:protect": True}),
            KEEP_LOGS,
            row("a certificate in another region", "ACM certificates are regional",
                '"Supported Regions" (ACM user guide)',
                {"alb:certificate": {"arn": _ACM.replace("ap-northeast-2", "us-east-1")}}),
            CERTIFICATE_QUOTA,
            DEFAULT_CERTIFICATE_REPEATED,
            COMMON_NAME,
            row("IPv6 `ingressCidrs` on an `ipv4` load balancer", "the rule could never match",
                "ALB IP address types", {"alb:ingressCidrs": ["::/0"]}),
            SECURITY_GROUP_INBOUND,
            SECURITY_GROUP_OUTBOUND,
            row("`alb:defaultService` not in `alb:services`", "the default action would "
                "forward nowhere", "SPEC §2",
                {"alb:defaultService": "www",
                 "alb:services": {**_SERVICES, "web": {"port": 3000, "pathPatterns": ["/w/*"]}}}),
            row("a routed service without conditions", "its rule would match everything",
                "SPEC §2", api(pathPatterns=None)),
            row("more than 5 condition values", "the ALB quota per rule",
                f"{_QUOTAS}: condition values per rule",
                api(pathPatterns=["/a", "/b", "/c"], hostHeaders=["a.example.com"],
                    sourceCidrs=["10.0.0.0/8", "10.1.0.0/16"])),
            WILDCARDS,
            row("`port` with `targetType: lambda`", "lambda target groups have no port",
                _TG_API, api(targetType="lambda")),
            row("`slowStartSeconds` 1-29", "AWS accepts 0 or 30-900",
                f"{_TF} target_group.go slow_start", api(slowStartSeconds=10)),
            LEAST_OUTSTANDING_SLOW_START,
            WEIGHTED_RANDOM,
            row("`timeoutSeconds` ≥ `intervalSeconds`", "the timeout must be shorter",
                _TG_API, api(healthCheck={"intervalSeconds": 10, "timeoutSeconds": 10})),
            row("an unreachable service", "a rule evaluated before it matches every request it "
                "matches: its traffic would silently go elsewhere", "ALB rule evaluation order",
                {"alb:services": {**_SERVICES,
                                  "api": {**_SERVICES["api"], "priority": 10},
                                  "admin": {"port": 8081, "pathPatterns": ["/api/admin/*"],
                                            "priority": 20}}}),
            row("duplicate explicit priorities", "priorities are unique per listener",
                f"{_ELB_API} CreateRule (PriorityInUse)",
                {"alb:services": {**_SERVICES,
                                  "api": {**_SERVICES["api"], "priority": 10},
                                  "admin": {**_SERVICES["admin"], "priority": 10}}}),
        ],
    ),
    Section(
        "Routing: conditions, routes, rewrites, authentication and priorities",
        "Services and `alb:routes` share one priority space and one reachability analysis "
        "([configuration](configuration.md#listener-rule-priorities)). Where automatic "
        "priorities cannot give a valid order, the message names the `priority` to set.",
        [
            row("`…httpHeaders` names", "an HTTP header name, at most 40 characters",
                f"{_ELB_API} HttpHeaderConditionConfig; RFC 9110 token",
                api(httpHeaders={"X Tenant": ["a"]})),
            row("`…httpHeaders.Host`", "the host has its own condition type", _CONDITIONS,
                api(httpHeaders={"host": ["a.example.com"]})),
            row("`…methods[i]`", "upper-case letters, `_` and `-`, matched exactly", _CONDITIONS,
                api(methods=["get"])),
            row("`…rewrite.url.regex`, `…rewrite.host.regex`", "no lookarounds, "
                "backreferences, atomic groups, possessive quantifiers, subroutines, recursion "
                "or Unicode classes", '"Listener rules for your Application Load Balancer", '
                "rule basics", api(rewrite={"url": {"regex": "^/api/(?!x)(.*)$",
                                                     "replace": "/$1"}})),
            row("`…auth`", "exactly one of `oidc`, `cognito`, `jwt`", "SPEC §6",
                api(auth={})),
            row("`…auth.oidc.*Endpoint`, `…issuer`", "https:// URLs",
                f"{_ELB_API} AuthenticateOidcActionConfig",
                api(auth={"oidc": {**_OIDC, "tokenEndpoint": "http://login.example.com/t"}})),
            row("`…auth.oidc.clientSecret` in plain text", "a Pulumi secret "
                "(`pulumi config set --secret --path …`)", "SPEC §6",
                api(auth={"oidc": _OIDC})),
            row("`alb:routes.NAME`", "at least one condition", "SPEC §6",
                {"alb:routes": {"x": {"then": {"fixedResponse": {"statusCode": "404"}}}}}),
            row("`alb:routes.NAME.then`", "exactly one of `fixedResponse`, `redirect`", "SPEC §6",
                {"alb:routes": {"x": {"pathPatterns": ["/x"], "then": {}}}}),
            row("`…then.redirect.protocol`", "`HTTPS`: a redirect never sends clients to HTTP",
                "SPEC §6", {"alb:routes": {"x": {"pathPatterns": ["/x"], "then": {
                    "redirect": {"protocol": "HTTP", "statusCode": "HTTP_301"}}}}}),
            row("`…then.fixedResponse.statusCode`", "2XX, 4XX or 5XX",
                f"{_ELB_API} FixedResponseActionConfig",
                {"alb:routes": {"x": {"pathPatterns": ["/x"], "then": {
                    "fixedResponse": {"statusCode": "302"}}}}}),
            row("two services on one automatic priority", "automatic priorities never move "
                "an existing rule: pin one", f"{_ELB_API} CreateRule (PriorityInUse)",
                {"alb:services": {**_SERVICES, "svc17": {"port": 1, "pathPatterns": ["/x/*"]},
                                  "svc8": {"port": 2, "pathPatterns": ["/y/*"]}}}),
            row("a narrower rule hashed after a broader one", "pin the narrower one before it",
                "ALB rule evaluation order",
                {"alb:services": {**_SERVICES, "one": {"port": 1, "pathPatterns": ["/v/?"]},
                                  "any": {"port": 2, "pathPatterns": ["/v/*"]}}}),
            row("a 403 rule on a taken priority", "a source-restricted service's 403 rule "
                "takes `priority + 1`", f"{_ELB_API} CreateRule (PriorityInUse)",
                {"alb:services": {
                    **_SERVICES,
                    "api": {**_SERVICES["api"], "sourceCidrs": ["81.2.69.0/24"], "priority": 7},
                    "admin": {**_SERVICES["admin"], "priority": 8}}}),
            row("more than 100 listener rules", "services, their 403 rules and routes",
                f"{_QUOTAS}: rules per load balancer",
                {"alb:routes": {f"r{n}": {"pathPatterns": [f"/r{n}"], "then": {
                    "fixedResponse": {"statusCode": "404"}}} for n in range(99)}}),
        ],
    ),
    Section(
        "Delivery: blue-green, canary and external deployments",
        "A `deployment` gives a service a second (green) target group behind one weighted "
        "forward ([configuration](configuration.md#deployments-blue-green-canary-and-ecs)).",
        [
            row("`…deployment.weights.*`", "0-999 each, not both 0",
                f"{_ELB_API} TargetGroupTuple.Weight",
                api(deployment={"strategy": "canary", "weights": {"blue": 0, "green": 0}})),
            row("`…deployment.weights` with `external`", "ECS or CodeDeploy own the weights",
                "ECS blue/green deployments", api(deployment={
                    "strategy": "external", "weights": {"blue": 50, "green": 50}})),
            row("`…deployment.testListenerPort` without `testCidrs`", "the test listener is "
                "reachable only from `testCidrs`", "SPEC §6",
                api(deployment={"strategy": "blue-green", "testListenerPort": 8443})),
            row("`…deployment.testListenerPort` 80 or 443", "the load balancer's own listeners",
                f"{_ELB_API} CreateListener (DuplicateListener)",
                api(deployment={"strategy": "blue-green", "testListenerPort": 443,
                                "testCidrs": ["81.2.69.0/24"]})),
            row("two test listener ports", "one test listener per load balancer", "SPEC §6",
                {"alb:services": {
                    **_SERVICES,
                    "api": {**_SERVICES["api"], "deployment": {
                        "strategy": "blue-green", "testListenerPort": 8443,
                        "testCidrs": ["81.2.69.0/24"]}},
                    "admin": {**_SERVICES["admin"], "deployment": {
                        "strategy": "blue-green", "testListenerPort": 9443,
                        "testCidrs": ["81.2.69.0/24"]}}}}),
            row("a deployment on a service without conditions", "the weighted forward and the "
                "ECS hand-over are listener rules", "ECS blue/green deployments",
                {"alb:services": {**_SERVICES, "web": {"port": 3000, "deployment": {
                    "strategy": "blue-green"}}}}),
            row("`…stickiness.acrossGroups` without a deployment", "stickiness across the "
                "groups of a deployment", f"{_ELB_API} TargetGroupStickinessConfig",
                api(stickiness={"acrossGroups": {"durationSeconds": 60}})),
            row("`external` with `targetType: lambda`", "ECS and CodeDeploy deploy "
                "containers", "ECS blue/green deployments",
                api(port=None, targetType="lambda", deployment={"strategy": "external"})),
        ],
    ),
    Section(
        "Static and Lambda targets",
        "`targets` registers instances, IP addresses or one Lambda function with the service's "
        "target group ([configuration](configuration.md#static-and-lambda-targets)); where an IP "
        "address lies relative to the VPC is checked with the network, below.",
        [
            row("`…targets[i].id`", "an instance ID (`i-` and 8 or 17 hex digits, any case), "
                "an IPv4 address or a Lambda function ARN", f"{_ELB_API} TargetDescription.Id",
                api(targets=[{"id": "web-1"}])),
            row("`…targets[i].id` IPv6", "an IPv4 address: the target groups are IPv4",
                '"Target groups for your Application Load Balancers", IP address type',
                api(targets=[{"id": "2001:db8::10"}])),
            row("`…targets[i].port`", "1-65535", f"{_ELB_API} TargetDescription.Port",
                api(targets=[{"id": "10.0.0.5", "port": 0}])),
            row("`…targets[i].availabilityZone`", "`all` (cross-zone target groups ignore a "
                "zone; outside the VPC only `all` is accepted)",
                f"{_ELB_API} TargetDescription.AvailabilityZone",
                api(targets=[{"id": "10.0.0.5", "availabilityZone": "ap-northeast-2a"}])),
            row("a target of another type", "instance IDs need `targetType: instance`, "
                "addresses `ip`, a function `lambda`", f"{_ELB_API} RegisterTargets",
                api(targets=[{"id": "i-0abc12345def67890"}])),
            row("a target listed twice", "each target and port once (an absent port is the "
                "service's)", "one attachment per target and port",
                api(targets=[{"id": "10.0.0.5"}, {"id": "10.0.0.5", "port": 8080}])),
            row("`availabilityZone` on an instance", "ELB takes the zone from the instance",
                f"{_ELB_API} TargetDescription.AvailabilityZone",
                api(targetType="instance", targets=[{"id": "i-0abc12345def67890",
                                                     "availabilityZone": "all"}])),
            row("two Lambda functions", "one function per target group",
                '"Use Lambda functions as targets of an Application Load Balancer"',
                api(port=None, targetType="lambda", targets=[{"id": _function("a")},
                                                             {"id": _function("b")}])),
            row("`port` on a Lambda target", "a function is invoked, not reached on a port",
                f"{_ELB_API} TargetDescription.Port",
                api(port=None, targetType="lambda", targets=[{"id": _function("a"),
                                                              "port": 80}])),
            row("a Lambda function in another region", "the function and the target group "
                "are in the same account and Region",
                '"Use Lambda functions as targets of an Application Load Balancer", Limits',
                api(port=None, targetType="lambda",
                    targets=[{"id": _function("a").replace("ap-northeast-2", "us-east-1")}])),
            row("`targets` with a `deployment`", "the deployment decides which of its two "
                "groups targets join", "SPEC §6",
                api(deployment={"strategy": "blue-green"}, targets=[{"id": "10.0.0.5"}])),
        ],
    ),
    Section(
        "Mutual TLS",
        "`alb:mtls` turns on mutual TLS on the HTTPS listener "
        "([configuration](configuration.md#mutual-tls-albmtls)). A CA bundle `file` is read "
        "when the configuration is checked, so a missing or empty bundle stops the run before "
        "anything is created.",
        [
            row("`alb:mtls.mode`", "`verify` or `passthrough`",
                f"{_ELB_API} MutualAuthenticationAttributes.Mode",
                {"alb:mtls": {"mode": "on"}}),
            row("`verify` without `caBundle`", "the trust store needs the CA certificates",
                f"{_ELB_API} CreateTrustStore",
                {"alb:mtls": {"mode": "verify"}}),
            row("`alb:mtls.caBundle`", "exactly one of `s3Uri` and `file`", "SPEC §6",
                {"alb:mtls": {"mode": "verify", "caBundle": {"s3Uri": "s3://pki/ca.pem",
                                                             "file": _CA_FILE}}}),
            row("`…caBundle.s3Uri`, `alb:mtls.revocationLists[i]`", "`s3://BUCKET/KEY` with an "
                "S3 bucket name", '"Bucket naming rules" (S3 user guide)',
                {"alb:mtls": {"mode": "verify",
                              "caBundle": {"s3Uri": "https://pki.example.com/ca.pem"}}}),
            row("`…caBundle.file` outside the program", "a relative path inside the program's "
                "directory", "the repository is what `pulumi up` deploys",
                {"alb:mtls": {"mode": "verify", "caBundle": {"file": "../ca.pem"}}}),
            row("`…caBundle.file` missing", "the file exists", "SPEC §6",
                {"alb:mtls": {"mode": "verify", "caBundle": {"file": "certs/client-ca.pem"}}}),
            row("`…caBundle.file` without certificates", "at least one PEM certificate",
                f"{_ELB_API} CreateTrustStore (InvalidCaCertificatesBundle)",
                {"alb:mtls": {"mode": "verify", "caBundle": {
                    "file": "tests/fixtures/mtls/not-a-certificate.pem"}}}),
            row("`passthrough` with `verify` settings", "`caBundle`, `revocationLists`, "
                "`ignoreClientCertificateExpiry`, `advertiseCaNames` only with `verify`",
                f"{_ELB_API} MutualAuthenticationAttributes",
                {"alb:mtls": {"mode": "passthrough", "caBundle": {"s3Uri": "s3://pki/ca.pem"}}}),
        ],
    ),
    Section(
        "Names derived from the stack name",
        "Load balancers and target groups are autonamed from the stack and service names "
        "(`alb-STACK` and `alb-STACK-SERVICE`, then `-` and 7 random characters), and ELB "
        "names are at most 32 characters of letters, digits and hyphens. A name that cannot "
        "fit is refused here, naming the stack or the service, instead of failing in the "
        "provider halfway through `pulumi up`.",
        [STACK_CHARACTERS, STACK_LENGTH, TARGET_GROUP_NAME],
    ),
]  # fmt: skip

# Everything the model words itself from this module, so a test can check each is on the page.
MODEL_CONSTRAINTS = [
    HOST_HEADER, PATH_PATTERN, CONDITION_VALUES, DUPLICATE_VALUES, COUNTRY, MANAGED_RULE_GROUP,
    MANAGED_RULE_GROUP_CONFIG, TAG_TEXT, TAG_RESERVED, HEALTH_CHECK_MATCHER, CERTIFICATE_QUOTA,
    DEFAULT_CERTIFICATE_REPEATED, SECURITY_GROUP_INBOUND, SECURITY_GROUP_OUTBOUND, WILDCARDS,
    WEIGHTED_RANDOM, LEAST_OUTSTANDING_SLOW_START, COMMON_NAME, STACK_CHARACTERS, STACK_LENGTH,
    TARGET_GROUP_NAME, KEEP_LOGS, REGION_REQUIRED,
]  # fmt: skip


def example_config(constraint: Constraint) -> dict[str, Any]:
    """The example's raw config: :data:`BASE` with its overrides (None removes a key)."""
    raw = copy.deepcopy(BASE)
    for key, value in constraint.example.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = copy.deepcopy(value)
    return raw


def example_problems(constraint: Constraint) -> list[str]:
    """What the config model says about the example (empty if it is accepted)."""
    from components.config import ConfigError, parse_stack_config

    try:
        parse_stack_config(example_config(constraint), stack=constraint.stack)
    except ConfigError as error:
        return error.problems
    return []


# The page around the generated tables: what the stack file and the network lookup refuse
# (checked outside the config model), in a template beside this module.
_TEMPLATE = Path(__file__).with_name("validation_page.md")
_MARKER = "<!-- the table of constraints -->\n"
_GENERATED = (
    "<!-- Generated by `python -m components.constraints` (make docs) from\n"
    "     components/constraints.py and components/validation_page.md. Edit those, not this\n"
    "     page: a test fails when the two differ. -->\n"
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{_cell(text)}{pad}{fence}"


def render() -> str:
    """The whole page, every message produced by running its example through the model."""
    head, tail = _TEMPLATE.read_text(encoding="utf-8").split(_MARKER)
    parts = [_GENERATED, head]
    for section in SECTIONS:
        parts.append(f"\n## {section.title}\n\n{section.intro}\n\n")
        parts.append("| key | rule | source | message |\n|---|---|---|---|\n")
        for constraint in section.rows:
            problems = example_problems(constraint)
            if not problems:
                raise ValueError(f"the example of {constraint.key!r} is accepted")
            message = "<br>".join(_code(problem) for problem in problems)
            key = (
                constraint.key
                if "`" in constraint.key or " " in constraint.key
                else (f"`{constraint.key}`")
            )
            parts.append(
                f"| {_cell(key)} | {_cell(constraint.rule)} | {_cell(constraint.source)} "
                f"| {message} |\n"
            )
    parts.append(tail)
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m components.constraints",
        description=f"Write {PAGE.relative_to(PAGE.parents[1])} from the table of constraints.",
    )
    parser.add_argument("--check", action="store_true", help="only say whether the page is current")
    args = parser.parse_args(argv)
    page = render()
    if args.check:
        if PAGE.read_text(encoding="utf-8") != page:
            print(f"{PAGE}: out of date; run `make docs`", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

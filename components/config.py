"""The stack configuration (SPEC §2), parsed once at the edge into frozen, validated objects.

`parse_stack_config` takes the raw Pulumi config (full keys such as ``alb:services`` mapped to
the strings the engine passes) and returns a :class:`StackConfig`, or raises
:class:`ConfigError` with every problem found, one line each, each naming its key path.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import json
import re
import zlib
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from components import aws_facts

NAMESPACE = "alb"
DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
DEFAULT_REGION = "us-east-1"


class ConfigError(Exception):
    """Invalid stack configuration: one problem per line, each naming its key path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as exc:
        raise _fail("cidr", f"must be a CIDR block such as 10.0.0.0/16 ({exc})") from None


def _country(value: str) -> str:
    # pycountry matches case-insensitively; WAF's geo match takes the upper-case code only
    # (CountryCodes enum, AWS WAFv2 API reference), so "de" is read as "DE".
    country = pycountry.countries.get(alpha_2=value) if len(value) == 2 else None
    if country is None:
        raise _fail("country", "must be an ISO 3166 alpha-2 country code such as DE")
    return str(country.alpha_2)


def _tls_policy(value: str) -> str:
    if value not in aws_facts.TLS12_PLUS_POLICIES:
        raise _fail(
            "tls_policy",
            "must be an ELB security policy that allows only TLS 1.2 or newer, "
            f"for example {DEFAULT_TLS_POLICY}",
        )
    return value


def _regex(pattern: str, description: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise _fail("pattern", f"must be {description}")
        return value

    return AfterValidator(check)


Cidr = Annotated[str, AfterValidator(_cidr)]
AcmArn = Annotated[
    str,
    _regex(
        r"arn:aws(-[a-z]+)*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+",
        "an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)",
    ),
]
SnsTopicArn = Annotated[
    str,
    _regex(r"arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}", "an SNS topic ARN"),
]
# DNS names: labels of letters, digits and hyphens, at most 253 characters in all.
DnsName = Annotated[
    str,
    StringConstraints(max_length=253),
    _regex(
        r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}",
        "a DNS name such as app.example.com",
    ),
]
# Host-header condition values: up to 128 characters of a-z, A-Z, 0-9, "-", ".", and the
# wildcards "*" and "?" ("Host conditions", ALB listener rule conditions documentation).
HostHeader = Annotated[
    str,
    StringConstraints(max_length=128),
    _regex(r"[A-Za-z0-9*?][A-Za-z0-9.*?-]*", "a host name; letters, digits, '-', '.', '*', '?'"),
]
# Path-pattern values: start with "/", at most 128 characters of the characters the ALB
# accepts ("Path conditions", ALB listener rule conditions documentation).
PathPattern = Annotated[
    str,
    StringConstraints(max_length=128),
    _regex(r"/[A-Za-z0-9_\-.$/~\"'@:+&*?]*", 'a path pattern starting with "/"'),
]
ServiceName = Annotated[
    str,
    _regex(
        r"[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?",
        "1-20 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
    ),
]
Region = Annotated[str, _regex(r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d", "an AWS region name")]


def _numeric(annotation: Any) -> bool:
    """Whether a field holds a number (int, float, a Literal of ints, or Optional of those)."""
    if annotation in (int, float):
        return True
    args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
    if getattr(annotation, "__origin__", None) is Literal:
        return all(isinstance(a, int | float) and not isinstance(a, bool) for a in args)
    return bool(args) and all(_numeric(a) for a in args)


class _Model(BaseModel):
    """Frozen, camelCase in config, snake_case in Python, and no unknown keys.

    Scalars are read the way a user writes them: YAML numbers where text is expected
    (``matcher: 200``, a tag value ``2024``) become text, and numeric strings (what
    ``pulumi config set --path`` stores) become numbers; a boolean is never a number.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        str_strip_whitespace=True,
        coerce_numbers_to_str=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and _numeric(field.annotation):
            raise _fail("number_type", "must be a number, not true or false")
        return value


class NetworkConfig(_Model):
    vpc_id: Annotated[str, _regex(r"vpc-[0-9a-f]{8,17}", "a VPC ID such as vpc-0abc1234")]
    subnet_ids: list[
        Annotated[str, _regex(r"subnet-[0-9a-f]{8,17}", "a subnet ID such as subnet-0abc1234")]
    ] = Field(min_length=2)

    @model_validator(mode="after")
    def _distinct_subnets(self) -> Self:
        if len(set(self.subnet_ids)) != len(self.subnet_ids):
            raise ValueError("subnetIds: each subnet may be listed once")
        return self


class CertificateConfig(_Model):
    arn: AcmArn | None = None
    issue: Literal["dns", "self-signed"] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.arn is None) == (self.issue is None):
            raise ValueError('give exactly one of "arn" or "issue" (dns or self-signed)')
        return self


class DomainConfig(_Model):
    name: DnsName
    hosted_zone_id: Annotated[str, _regex(r"Z[A-Z0-9]{1,31}", "a Route 53 hosted zone ID")]


class AccessLogsConfig(_Model):
    retention_days: int = Field(default=90, ge=1, le=3650)
    # The prefix must not start or end with "/" nor contain "AWSLogs", which ELB adds itself
    # ("Enable access logs for your Application Load Balancer", bucket requirements).
    prefix: Annotated[
        str,
        StringConstraints(max_length=200),
        _regex(
            r"(?!.*AWSLogs)[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*",
            'a key prefix without leading or trailing "/" and without "AWSLogs"',
        ),
    ] = "alb"


_WAF_GROUPS_NEEDING_CONFIG = frozenset({"AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet"})


class WafConfig(_Model):
    mode: Literal["block", "count"] = "block"
    rate_limit: int = Field(
        default=2000, ge=aws_facts.MIN_WAF_RATE_LIMIT, le=aws_facts.MAX_WAF_RATE_LIMIT
    )
    managed_rule_groups: list[
        Annotated[str, _regex(r"AWSManagedRules[A-Za-z0-9]+", "an AWS managed rule group name")]
    ] = Field(
        default_factory=lambda: [
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList",
        ]
    )
    blocked_countries: list[Annotated[str, AfterValidator(_country)]] = Field(default_factory=list)
    log_retention_days: Literal[
        # CloudWatch Logs accepts only these retention periods (PutRetentionPolicy API).
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
        2557, 2922, 3288, 3653,
    ] = 90  # fmt: skip

    @model_validator(mode="after")
    def _distinct_groups(self) -> Self:
        if len(set(self.managed_rule_groups)) != len(self.managed_rule_groups):
            raise ValueError("managedRuleGroups: each rule group may be listed once")
        # These groups cannot run without a ManagedRuleGroupConfig naming the application's
        # login or sign-up pages (WAFV2 API reference: AWSManagedRulesATPRuleSet LoginPath and
        # AWSManagedRulesACFPRuleSet CreationPath/RegistrationPagePath are "Required: Yes"),
        # which this configuration has no place for.
        needs_config = sorted(set(self.managed_rule_groups) & _WAF_GROUPS_NEEDING_CONFIG)
        if needs_config:
            raise ValueError(
                f"managedRuleGroups: {', '.join(needs_config)} needs application-specific "
                "configuration (login or sign-up pages) that this stack cannot provide"
            )
        return self


class AlarmsConfig(_Model):
    email: EmailStr | None = None
    topic_arn: SnsTopicArn | None = None
    latency_p99_seconds: float = Field(default=1.0, gt=0, le=4000)
    error5xx_percent: float = Field(default=5, gt=0, le=100, alias="error5xxPercent")


class HealthCheckConfig(_Model):
    # Target group health checks, ELBv2 CreateTargetGroup API reference: path up to 1024
    # characters, interval 5-300 s, timeout 2-120 s, thresholds 2-10, HTTP codes 200-499.
    path: Annotated[
        str,
        StringConstraints(max_length=1024),
        _regex(r"/\S*", 'a path starting with "/"'),
    ] = "/"
    matcher: Annotated[
        str,
        _regex(
            r"(2\d\d|3\d\d|4\d\d)(-(2\d\d|3\d\d|4\d\d))?(,(2\d\d|3\d\d|4\d\d)(-(2\d\d|3\d\d|4\d\d))?)*",
            'HTTP codes 200-499 such as "200", "200,302" or "200-399"',
        ),
    ] = "200-399"
    interval_seconds: int = Field(default=15, ge=5, le=300)
    timeout_seconds: int = Field(default=5, ge=2, le=120)
    healthy_threshold: int = Field(default=3, ge=2, le=10)
    unhealthy_threshold: int = Field(default=3, ge=2, le=10)

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> Self:
        if self.timeout_seconds >= self.interval_seconds:
            raise ValueError(
                f"timeoutSeconds ({self.timeout_seconds}) must be less than "
                f"intervalSeconds ({self.interval_seconds})"
            )
        return self


class StickinessConfig(_Model):
    # lb_cookie duration: 1 second to 7 days (ELBv2 target group attributes).
    duration_seconds: int = Field(default=86400, ge=1, le=604800)


class ServiceConfig(_Model):
    port: int | None = Field(default=None, ge=1, le=65535)
    protocol: Literal["HTTP", "HTTPS"] = "HTTP"
    target_type: Literal["instance", "ip", "lambda"] = "ip"
    path_patterns: list[PathPattern] = Field(default_factory=list)
    host_headers: list[HostHeader] = Field(default_factory=list)
    source_cidrs: list[Cidr] = Field(default_factory=list)
    priority: int | None = Field(
        default=None, ge=aws_facts.MIN_RULE_PRIORITY, le=aws_facts.MAX_RULE_PRIORITY
    )
    health_check: HealthCheckConfig = Field(default_factory=HealthCheckConfig)
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3600)
    slow_start_seconds: int = Field(default=0, ge=0, le=900)
    stickiness: StickinessConfig | None = None
    algorithm: Literal["round_robin", "least_outstanding_requests", "weighted_random"] = (
        "round_robin"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = []
        if self.target_type == "lambda" and self.port is not None:
            problems.append("port: must be absent for a lambda target group")
        if self.target_type != "lambda" and self.port is None:
            problems.append("port: required (1-65535) unless targetType is lambda")
        if 0 < self.slow_start_seconds < 30:
            problems.append("slowStartSeconds: must be 0 (off) or 30-900")
        # "You cannot enable both slow start mode and least outstanding requests" (ALB user
        # guide, "Edit target group attributes": slow start mode considerations).
        if self.slow_start_seconds and self.algorithm == "least_outstanding_requests":
            problems.append(
                "slowStartSeconds: slow start cannot be combined with algorithm "
                "least_outstanding_requests (set one of them back to its default)"
            )
        if self.condition_count > aws_facts.MAX_CONDITION_VALUES_PER_RULE:
            problems.append(
                f"at most {aws_facts.MAX_CONDITION_VALUES_PER_RULE} condition values per "
                f"listener rule (got {self.condition_count})"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def condition_count(self) -> int:
        return len(self.path_patterns) + len(self.host_headers) + len(self.source_cidrs)

    @property
    def has_conditions(self) -> bool:
        return self.condition_count > 0


class StackConfig(_Model):
    """Everything under the ``alb:`` namespace, plus the AWS region."""

    region: Region = DEFAULT_REGION
    network: NetworkConfig | None = None
    internal: bool = False
    ip_address_type: Literal["ipv4", "dualstack"] = "ipv4"
    ingress_cidrs_: list[Cidr] | None = Field(default=None, alias="ingressCidrs", min_length=1)
    certificate: CertificateConfig
    additional_certificate_arns: list[AcmArn] = Field(default_factory=list)
    domain: DomainConfig | None = None
    tls_policy: Annotated[str, AfterValidator(_tls_policy)] = DEFAULT_TLS_POLICY
    protect: bool = False
    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    access_logs: AccessLogsConfig = Field(default_factory=AccessLogsConfig)
    waf: WafConfig = Field(default_factory=WafConfig)
    services: dict[ServiceName, ServiceConfig] = Field(
        min_length=1, max_length=aws_facts.MAX_RULES_PER_ALB
    )
    default_service: str | None = None
    alarms: AlarmsConfig = Field(default_factory=AlarmsConfig)
    tags: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=128)],
        Annotated[str, StringConstraints(max_length=256)],
    ] = Field(default_factory=dict, max_length=40)

    @property
    def ingress_cidrs(self) -> list[str]:
        """Who may reach ports 80 and 443: the configured CIDRs, or the whole internet."""
        if self.ingress_cidrs_ is not None:
            return self.ingress_cidrs_
        return ["0.0.0.0/0", "::/0"] if self.ip_address_type == "dualstack" else ["0.0.0.0/0"]

    @property
    def rule_priorities(self) -> dict[str, int]:
        """Listener-rule priority per non-default service (explicit or by specificity)."""
        return assign_priorities(self.services, self.default_service)


def _cross_field_problems(config: StackConfig) -> list[str]:
    """Rules that relate several keys; returned as complete ``key: message`` lines."""
    problems: list[str] = []
    services = config.services
    if config.default_service is not None and config.default_service not in services:
        problems.append(
            f"{NAMESPACE}:defaultService: must name a service in {NAMESPACE}:services "
            f"(got {config.default_service!r}; services: {', '.join(sorted(services))})"
        )
    if config.certificate.issue == "dns" and config.domain is None:
        problems.append(
            f"{NAMESPACE}:certificate.issue: dns validation needs {NAMESPACE}:domain "
            "(name and hostedZoneId)"
        )
    if config.certificate.issue == "self-signed" and config.protect:
        problems.append(
            f"{NAMESPACE}:certificate.issue: a self-signed certificate is refused when "
            f"{NAMESPACE}:protect is true; use an ACM certificate (arn) or issue: dns"
        )
    # "Certificates in ACM are regional resources. To use a certificate with Elastic Load
    # Balancing ... in more than one AWS Region, you must request or import a certificate for
    # each Region" (ACM user guide, "Supported Regions"): a listener refuses another Region's.
    certificate_keys = [("certificate.arn", config.certificate.arn)] + [
        (f"additionalCertificateArns[{index}]", arn)
        for index, arn in enumerate(config.additional_certificate_arns)
    ]
    for key, arn in certificate_keys:
        if arn is not None and arn.split(":")[3] != config.region:
            problems.append(
                f"{NAMESPACE}:{key}: the certificate is in {arn.split(':')[3]}, but the load "
                f"balancer is in {config.region}; ACM certificates are regional"
            )
    if config.ip_address_type == "ipv4" and any(
        ipaddress.ip_network(cidr).version == 6 for cidr in config.ingress_cidrs
    ):
        problems.append(
            f"{NAMESPACE}:ingressCidrs: IPv6 CIDRs need {NAMESPACE}:ipAddressType dualstack"
        )
    explicit: dict[int, str] = {}
    for name, service in services.items():
        path = f"{NAMESPACE}:services.{name}"
        is_default = name == config.default_service
        if not is_default and not service.has_conditions:
            problems.append(
                f"{path}: needs at least one of pathPatterns, hostHeaders or sourceCidrs "
                f"(only {NAMESPACE}:defaultService may have no condition)"
            )
        if service.priority is not None:
            if service.priority in explicit:
                problems.append(
                    f"{path}.priority: {service.priority} is already used by "
                    f"{NAMESPACE}:services.{explicit[service.priority]}"
                )
            else:
                explicit[service.priority] = name
    if not problems:
        problems.extend(_shadowing_problems(config))
    return problems


def _shadowing_problems(config: StackConfig) -> list[str]:
    ordered = sorted(config.rule_priorities.items(), key=lambda item: item[1])
    problems = []
    for index, (later, later_priority) in enumerate(ordered):
        for earlier, earlier_priority in ordered[:index]:
            if rule_covers(config.services[earlier], config.services[later]):
                problems.append(
                    f"{NAMESPACE}:services.{later}: can never receive traffic (priority "
                    f"{later_priority}): {NAMESPACE}:services.{earlier} (priority "
                    f"{earlier_priority}) is evaluated before it and matches every request "
                    "it matches"
                )
                break
    return problems


def _pattern_covers(general: str, specific: str, *, case_sensitive: bool) -> bool:
    """True when every value matched by the ALB pattern ``specific`` is matched by ``general``.

    ALB patterns use ``*`` (any characters) and ``?`` (exactly one). The check is sound: it
    answers True only when the inclusion holds for every value, so a rule is never reported
    as unreachable by mistake (it may miss a contrived inclusion such as ``?*`` over ``*?``).
    """
    if not case_sensitive:
        general, specific = general.lower(), specific.lower()

    @functools.cache
    def covers(i: int, j: int) -> bool:
        if j == len(specific):
            return all(char == "*" for char in general[i:])
        if i == len(general):
            return False
        wanted, given = general[i], specific[j]
        if wanted == "*":
            # The star matches nothing here, or takes the specific pattern's next piece.
            return covers(i + 1, j) or covers(i, j + 1)
        if given == "*":
            return False  # "?" or a literal cannot match a string of any length
        if wanted in ("?", given):
            return covers(i + 1, j + 1)
        return False

    return covers(0, 0)


def rule_covers(earlier: ServiceConfig, later: ServiceConfig) -> bool:
    """True when ``earlier`` matches every request ``later`` matches (conditions are ANDed,
    the values of one condition ORed)."""
    checks: list[tuple[list[str], list[str], Any]] = [
        (
            earlier.path_patterns,
            later.path_patterns,
            lambda g, s: _pattern_covers(g, s, case_sensitive=True),
        ),
        (
            earlier.host_headers,
            later.host_headers,
            lambda g, s: _pattern_covers(g, s, case_sensitive=False),
        ),
        (
            earlier.source_cidrs,
            later.source_cidrs,
            lambda g, s: _subnet_of(ipaddress.ip_network(s), ipaddress.ip_network(g)),
        ),
    ]
    for general_values, specific_values, covers in checks:
        if not general_values:
            continue  # the earlier rule does not constrain this dimension
        if not specific_values:
            return False  # the later rule accepts values the earlier one rejects
        if not all(any(covers(g, s) for g in general_values) for s in specific_values):
            return False
    return True


def _subnet_of(inner: Any, outer: Any) -> bool:
    return bool(inner.version == outer.version and inner.subnet_of(outer))


def _specificity(service: ServiceConfig) -> int:
    """0-99, higher is more specific: exact hosts, long literal path prefixes, source limits."""
    score = 0
    if service.host_headers:
        exact = all("*" not in h and "?" not in h for h in service.host_headers)
        score += 30 if exact else 15
    if service.path_patterns:
        prefixes = [re.split(r"[*?]", p, maxsplit=1)[0] for p in service.path_patterns]
        score += min(*(len(p) for p in prefixes), 40)
        if all("*" not in p and "?" not in p for p in service.path_patterns):
            score += 10
    if service.source_cidrs:
        score += 10
    return min(score, 99)


# Automatic priorities: 100 specificity bands of 400 slots. A service's slot depends only on
# its own conditions and name, so adding or removing another service never moves it.
_BAND_WIDTH = 400


def assign_priorities(
    services: Mapping[str, ServiceConfig], default_service: str | None
) -> dict[str, int]:
    taken = {s.priority for s in services.values() if s.priority is not None}
    priorities: dict[str, int] = {}
    bands: dict[int, list[str]] = {}
    for name in sorted(services):
        service = services[name]
        if name == default_service and not service.has_conditions:
            continue
        if service.priority is not None:
            priorities[name] = service.priority
            continue
        band = 100 - _specificity(service)
        candidate = band * _BAND_WIDTH + zlib.crc32(name.encode()) % _BAND_WIDTH + 1
        while candidate in taken:
            candidate += 1
        taken.add(candidate)
        priorities[name] = candidate
        bands.setdefault(band, []).append(name)
    for names in bands.values():
        _narrower_first(names, services, priorities)
    return priorities


def _narrower_first(
    names: list[str], services: Mapping[str, ServiceConfig], priorities: dict[str, int]
) -> None:
    """Within one specificity band, a rule that matches a subset of another's requests must
    be evaluated first; swap the two slots where the hash put them the other way round.

    Across bands this holds already: a rule covered by another scores at least as high.
    Only the two services concerned move, so other services keep their priorities.
    """
    for _ in range(len(names) ** 2):
        swapped = False
        for broad in names:
            for narrow in names:
                if (
                    priorities[broad] < priorities[narrow]
                    and rule_covers(services[broad], services[narrow])
                    and not rule_covers(services[narrow], services[broad])
                ):
                    priorities[broad], priorities[narrow] = priorities[narrow], priorities[broad]
                    swapped = True
        if not swapped:
            return


def _format_location(loc: tuple[int | str, ...]) -> str:
    """("services", "api", "healthCheck", "path") -> "alb:services.api.healthCheck.path"."""
    if loc and loc[0] == "region":
        return "aws:region"
    path = NAMESPACE + ":"
    for index, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if index else "") + str(part)
    return path


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that holds the mapping at ``loc`` (walking dict keys and list items)."""
    current: Any = StackConfig
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for n, f in current.model_fields.items() if (f.alias or n) == part), None
            )
            if field is None:
                return None
            current = field.annotation
        else:
            current = _element_type(current)
        while not (isinstance(current, type) and issubclass(current, BaseModel)):
            inner = _element_type(current)
            if inner is None or inner is current:
                break
            if getattr(current, "__origin__", None) in (dict, list):
                break
            current = inner
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _element_type(annotation: Any) -> Any:
    """Unwrap Optional/Union to the model inside, or a container to its element type."""
    args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
    origin = getattr(annotation, "__origin__", None)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and args:
        return args[0]
    models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
    return models[0] if models else (args[0] if args else None)


def _describe(error: Any) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if loc and loc[-1] == "[key]":  # pydantic's marker for an invalid mapping key
        return f"{_format_location(loc[:-1])}: name {error['msg'].removeprefix('Value error, ')}"
    path = _format_location(loc)
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        known = [f.alias or n for n, f in model.model_fields.items()] if model else []
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        return f"{path}: unknown key{hint}"
    if kind == "missing":
        return f"{path}: required"
    message = error["msg"].removeprefix("Value error, ")
    got = error.get("input")
    if kind == "value_error" or isinstance(got, dict | list):
        return f"{path}: {message}"
    shown = json.dumps(got, default=str)
    if len(shown) > _SHOWN_VALUE_LENGTH:
        shown = shown[: _SHOWN_VALUE_LENGTH - 4] + '..."'
    return f"{path}: {message} (got {shown})"


# A rejected value is quoted back up to this length, so one problem stays one readable line.
_SHOWN_VALUE_LENGTH = 60


def _decode(value: Any) -> Any:
    """Config values arrive as strings; structured ones are JSON, as the CLI serializes them."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def parse_stack_config(raw: Mapping[str, Any]) -> StackConfig:
    """Validate the raw stack config; raise ConfigError listing every problem."""
    data: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        namespace, _, name = key.partition(":")
        if namespace != NAMESPACE:
            continue
        if name == "region":
            problems.append(f"{key}: unknown key (the region is set with aws:region)")
        else:
            data[name] = _decode(value)
    if "aws:region" in raw:
        data["region"] = raw["aws:region"]
    try:
        config = StackConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_unique(problems + [_describe(e) for e in exc.errors()])) from None
    problems += _cross_field_problems(config)
    if problems:
        raise ConfigError(_unique(problems))
    return config


def _unique(problems: list[str]) -> list[str]:
    return list(dict.fromkeys(problems))


def current_pulumi_config() -> dict[str, Any]:
    """Every config value of the running stack, keyed by full name (``alb:services``).

    The language host hands the program its config in ``PULUMI_CONFIG`` and loads it into the
    SDK's config map; ``pulumi.Config`` cannot list keys, and unknown keys must be reported.
    """
    from pulumi.runtime import config as runtime_config

    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}

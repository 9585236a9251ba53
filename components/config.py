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
import unicodedata
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from components import aws_facts, routing
from components import constraints as limits

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


# Blocks that no client on the internet has as its source address. The table and its source
# live with the policy pack, so this check and alb-listener-rule-reachable refuse the same blocks.
_NON_PUBLIC_NETWORKS: dict[ipaddress.IPv4Network | ipaddress.IPv6Network, str] = {
    ipaddress.ip_network(cidr): description
    for cidr, description in json.loads(
        (
            Path(__file__).parents[1] / "policies" / "alb_guardrails" / "non_public_networks.json"
        ).read_text(encoding="utf-8")
    )["networks"].items()
}


def non_public_block(cidr: str) -> tuple[str, str] | None:
    """The special-purpose block holding every address of ``cidr`` and what it is, or None when
    ``cidr`` has a public address (0.0.0.0/0 overlaps private space, and is public)."""
    network = ipaddress.ip_network(cidr)
    for block, description in _NON_PUBLIC_NETWORKS.items():
        if network.version == block.version and network.subnet_of(block):  # type: ignore[arg-type]
            return str(block), description
    return None


def _country(value: str) -> str:
    # WAF's geo match takes the upper-case codes of its own CountryCode list (which has XK,
    # Kosovo, beside ISO 3166), so "de" is read as "DE".
    if value.upper() not in aws_facts.WAF_COUNTRY_CODES:
        raise limits.COUNTRY.error()
    return value.upper()


def _managed_rule_group(value: str) -> str:
    if value not in aws_facts.AWS_MANAGED_RULE_GROUPS:
        raise limits.MANAGED_RULE_GROUP.error()
    settings = aws_facts.MANAGED_RULE_GROUPS_NEEDING_CONFIG.get(value)
    if settings:
        raise limits.MANAGED_RULE_GROUP_CONFIG.error(group=value, settings=", ".join(settings))
    return value


def _host_header(value: str) -> str:
    # Letters, digits, "-", ".", "*", "?"; at least one "." and only letters after the last one
    # (ELBv2 API HostHeaderConditionConfig.Values).
    if not re.fullmatch(r"[A-Za-z0-9*?][A-Za-z0-9.*?-]*\.[A-Za-z]+", value):
        raise limits.HOST_HEADER.error()
    return value


def _tag_text(value: str) -> str:
    # Unicode letters, digits and spaces (\p{L}, \p{N}, \p{Z}) and _ . : / = + - @ (ELBv2 API
    # TagKey/TagValue pattern); "aws:" in any case is reserved for keys and values alike.
    if not all(unicodedata.category(char)[0] in "LNZ" or char in "_.:/=+-@" for char in value):
        raise limits.TAG_TEXT.error()
    if value.lower().startswith("aws:"):
        raise limits.TAG_RESERVED.error()
    return value


def _matcher(value: str) -> str:
    # ALB health checks: HTTP codes 200-499, one code, a range or a comma-separated list of
    # them (ELBv2 API Matcher.HttpCode); a range runs upwards.
    for part in value.split(","):
        low, _, high = part.partition("-")
        codes = [low, high] if high else [low]
        if not all(re.fullmatch(r"[2-4]\d\d", code) for code in codes) or codes != sorted(codes):
            raise limits.HEALTH_CHECK_MATCHER.error()
    return value


def _distinct(what: str = "", *, fold: Any = None) -> AfterValidator:
    """A list whose entries may each appear once (compared after ``fold``)."""

    def check(values: list[Any]) -> list[Any]:
        seen: set[Any] = set()
        for value in values:
            folded = fold(value) if fold else value
            if folded in seen:
                raise limits.DUPLICATE_VALUES.error(value=value, how=what)
            seen.add(folded)
        return values

    return AfterValidator(check)


def _path_pattern(value: str) -> str:
    if not re.fullmatch(r"/[A-Za-z0-9_\-.$/~\"'@:+&*?]*", value):
        raise limits.PATH_PATTERN.error()
    return value


def _condition_values(values: list[str]) -> list[str]:
    if len(values) > aws_facts.MAX_VALUES_PER_CONDITION:
        raise limits.CONDITION_VALUES.error(count=len(values))
    return values


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


def _email(value: str) -> str:
    """pydantic's EmailStr check (email-validator, no DNS lookup), normalised the same way; its
    module loads email-validator on the first address, not with the program."""
    from pydantic.networks import validate_email

    return validate_email(value)[1]


Email = Annotated[str, AfterValidator(_email)]
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
# Host-header condition values: up to 128 characters (see _host_header).
HostHeader = Annotated[str, StringConstraints(max_length=128), AfterValidator(_host_header)]
# Path-pattern values: start with "/", at most 128 characters of the characters the ALB
# accepts ("Path conditions", ALB listener rule conditions documentation).
PathPattern = Annotated[str, StringConstraints(max_length=128), AfterValidator(_path_pattern)]
_NETWORKS = "compared as networks"
# One condition's values: each once, at most three (ELB quota); host names ignore case.
PathPatterns = Annotated[list[PathPattern], _distinct(), AfterValidator(_condition_values)]
HostHeaders = Annotated[
    list[HostHeader], _distinct(" (host names ignore case)", fold=str.lower),
    AfterValidator(_condition_values),
]  # fmt: skip
Cidrs = Annotated[list[Cidr], _distinct(f" ({_NETWORKS})"), AfterValidator(_condition_values)]
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
    subnet_ids: Annotated[
        list[
            Annotated[str, _regex(r"subnet-[0-9a-f]{8,17}", "a subnet ID such as subnet-0abc1234")]
        ],
        _distinct(),
    ] = Field(min_length=2)


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
    keep_on_destroy: bool = True
    """Keep the log bucket (retained, never force-emptied) when the stack is destroyed; logs
    are audit records, so this is on unless a stack turns it off, whatever alb:protect says."""


class WafConfig(_Model):
    mode: Literal["block", "count"] = "block"
    rate_limit: int = Field(
        default=2000, ge=aws_facts.MIN_WAF_RATE_LIMIT, le=aws_facts.MAX_WAF_RATE_LIMIT
    )
    managed_rule_groups: Annotated[
        list[Annotated[str, AfterValidator(_managed_rule_group)]], _distinct()
    ] = Field(
        default_factory=lambda: [
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList",
        ]
    )
    blocked_countries: Annotated[
        list[Annotated[str, AfterValidator(_country)]], _distinct(" (codes ignore case)")
    ] = Field(default_factory=list)
    log_retention_days: Literal[
        # CloudWatch Logs accepts only these retention periods (PutRetentionPolicy API).
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
        2557, 2922, 3288, 3653,
    ] = 90  # fmt: skip
    keep_logs_on_destroy: bool = True
    """Keep the WAF log group when the stack is destroyed (see AccessLogsConfig)."""


class AlarmsConfig(_Model):
    email: Email | None = None
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
    matcher: Annotated[str, AfterValidator(_matcher)] = "200-399"
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


class AcrossGroupsConfig(_Model):
    # Forward-action target group stickiness: 1 second to 7 days (ELBv2 API
    # TargetGroupStickinessConfig.DurationSeconds).
    duration_seconds: int = Field(default=3600, ge=1, le=604800)


class StickinessConfig(_Model):
    # lb_cookie duration: 1 second to 7 days (ELBv2 target group attributes).
    duration_seconds: int = Field(default=86400, ge=1, le=604800)
    across_groups: AcrossGroupsConfig | None = None
    """Keep a client on the blue or the green group of a deployment (the forward action's
    own stickiness), beside the lb_cookie stickiness to one target within the group."""


class WeightsConfig(_Model):
    # ELBv2 API TargetGroupTuple.Weight: 0-999.
    blue: int = Field(ge=0, le=999)
    green: int = Field(ge=0, le=999)

    @model_validator(mode="after")
    def _some_traffic(self) -> Self:
        if self.blue == 0 and self.green == 0:
            raise ValueError("blue and green cannot both be 0: the rule would send traffic nowhere")
        return self


# What each strategy starts with when `weights` is not given.
_DEFAULT_WEIGHTS = {"blue-green": (100, 0), "canary": (90, 10), "external": (100, 0)}


class DeploymentConfig(_Model):
    """Two target groups, blue (the service's own) and green, behind one weighted forward."""

    strategy: Literal["blue-green", "canary", "external"]
    weights_: WeightsConfig | None = Field(default=None, alias="weights")
    test_listener_port: int | None = Field(default=None, ge=1, le=65535)
    test_cidrs: (
        Annotated[list[Cidr], _distinct(" (compared as networks)"), Field(min_length=1)] | None
    ) = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.strategy == "external" and self.weights_ is not None:
            raise ValueError(
                "weights: with strategy external, ECS or CodeDeploy set the weights; remove "
                "weights (the rule starts with all traffic on blue)"
            )
        if (self.test_listener_port is None) != (self.test_cidrs is None):
            raise ValueError(
                "testListenerPort and testCidrs go together: the test listener is reachable "
                "only from testCidrs"
            )
        if self.test_listener_port in (80, 443):
            raise ValueError("testListenerPort: 80 and 443 are the load balancer's own listeners")
        return self

    @property
    def weights(self) -> tuple[int, int]:
        """(blue, green)."""
        if self.weights_ is not None:
            return self.weights_.blue, self.weights_.green
        return _DEFAULT_WEIGHTS[self.strategy]


# HTTP header names are RFC 9110 tokens of at most 40 characters; methods are upper-case
# letters, "_" and "-" of at most 40 characters, matched exactly ("Condition types for
# listener rules", ALB user guide; ELBv2 API HttpHeaderConditionConfig, HttpRequestMethod
# ConditionConfig).
HeaderName = Annotated[
    str,
    StringConstraints(max_length=40),
    _regex(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", "an HTTP header name (letters, digits, -, _ ...)"),
]
ConditionValue = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Method = Annotated[
    str,
    StringConstraints(max_length=40),
    _regex(r"[A-Z_-]+", "an HTTP method in upper case, such as GET"),
]
HttpsUrl = Annotated[
    str,
    StringConstraints(max_length=2048),
    _regex(r"https://[^\s/?#]+[^\s]*", "an https:// URL"),
]


class QueryStringConfig(_Model):
    key: ConditionValue | None = None
    value: ConditionValue


class RuleConditionsConfig(_Model):
    """What a listener rule matches; shared by services and routes."""

    path_patterns: PathPatterns = Field(default_factory=list)
    host_headers: HostHeaders = Field(default_factory=list)
    source_cidrs: Cidrs = Field(default_factory=list)
    http_headers: dict[
        HeaderName,
        Annotated[list[ConditionValue], Field(min_length=1), AfterValidator(_condition_values)],
    ] = Field(default_factory=dict)
    methods: Annotated[list[Method], _distinct(), AfterValidator(_condition_values)] = Field(
        default_factory=list
    )
    query_strings: Annotated[list[QueryStringConfig], AfterValidator(_condition_values)] = Field(
        default_factory=list
    )
    priority: int | None = Field(
        default=None, ge=aws_facts.MIN_RULE_PRIORITY, le=aws_facts.MAX_RULE_PRIORITY
    )

    @model_validator(mode="after")
    def _header_conditions(self) -> Self:
        # One http-header condition per header; the host has its own condition type.
        names = [name.lower() for name in self.http_headers]
        if len(set(names)) != len(names):
            raise ValueError("httpHeaders: each header may be listed once (names ignore case)")
        if "host" in names:
            raise ValueError("httpHeaders: use hostHeaders to match the Host header")
        return self

    @property
    def condition_count(self) -> int:
        """Match evaluations of the rule (AWS counts each value of each condition)."""
        return (
            len(self.path_patterns)
            + len(self.host_headers)
            + len(self.source_cidrs)
            + sum(len(values) for values in self.http_headers.values())
            + len(self.methods)
            + len(self.query_strings)
        )

    @property
    def wildcard_values(self) -> list[str]:
        """The values that may hold wildcards (AWS counts them per rule)."""
        return [
            *self.path_patterns,
            *self.host_headers,
            *(value for values in self.http_headers.values() for value in values),
            *(q.value for q in self.query_strings),
            *(q.key for q in self.query_strings if q.key is not None),
        ]

    @property
    def has_conditions(self) -> bool:
        return self.condition_count > 0


# Rule transforms: "The regular expressions used in rule conditions and rule transforms do not
# support the following features: lookaheads, lookbehinds, backreferences, atomic groups,
# possessive quantifiers, subroutines, recursion, and Unicode character classes (such as
# \p{L})" ("Listener rules for your Application Load Balancer", rule basics).
_UNSUPPORTED_REGEX = (
    (r"\\[pPX]", "Unicode character classes"),
    (r"\(\?<?[=!]", "lookaheads and lookbehinds"),
    (r"\\[1-9]|\\k[<{']|\(\?P=|\\g[<{'0-9-]", "backreferences"),
    (r"\(\?>", "atomic groups"),
    (r"(?<!\\)[*+?}]\+", "possessive quantifiers"),
    (r"\(\?(R|[+-]?\d|&|P>)", "subroutines and recursion"),
)


def _rewrite_regex(value: str) -> str:
    for pattern, feature in _UNSUPPORTED_REGEX:
        if re.search(pattern, value):
            raise _fail("regex", f"ALB regular expressions do not support {feature}")
    try:
        re.compile(value)
    except re.error as exc:
        raise _fail("regex", f"is not a valid regular expression ({exc})") from None
    return value


class RewriteRuleConfig(_Model):
    regex: Annotated[
        str, StringConstraints(min_length=1, max_length=1024), AfterValidator(_rewrite_regex)
    ]
    replace: Annotated[str, StringConstraints(max_length=1024)]


class RewriteConfig(_Model):
    url: RewriteRuleConfig | None = None
    host: RewriteRuleConfig | None = None


OnUnauthenticated = Literal["deny", "allow", "authenticate"]


class OidcConfig(_Model):
    # ELBv2 AuthenticateOidcActionConfig: the endpoints must be HTTPS; session timeout 1 s to
    # 7 days (default 604800).
    issuer: HttpsUrl
    authorization_endpoint: HttpsUrl
    token_endpoint: HttpsUrl
    user_info_endpoint: HttpsUrl
    client_id: Annotated[str, StringConstraints(min_length=1)]
    client_secret: Annotated[str, StringConstraints(min_length=1)]
    scope: str = "openid"
    on_unauthenticated: OnUnauthenticated = "authenticate"
    session_timeout_seconds: int = Field(default=604800, ge=1, le=604800)


class CognitoConfig(_Model):
    user_pool_arn: Annotated[
        str,
        _regex(
            r"arn:aws(-[a-z]+)*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[\w-]+_[0-9a-zA-Z]+",
            "a Cognito user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID)",
        ),
    ]
    user_pool_client_id: Annotated[str, _regex(r"[\w+]{1,128}", "a Cognito app client ID")]
    user_pool_domain: Annotated[
        str, _regex(r"[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?", "a Cognito user pool domain prefix")
    ]
    scope: str = "openid"
    on_unauthenticated: OnUnauthenticated = "authenticate"
    session_timeout_seconds: int = Field(default=604800, ge=1, le=604800)


class JwtClaimConfig(_Model):
    name: Annotated[str, StringConstraints(min_length=1)]
    format: Literal["single-string", "string-array", "space-separated-values"] = "single-string"
    values: list[Annotated[str, StringConstraints(min_length=1)]] = Field(min_length=1)


class JwtConfig(_Model):
    # The ALB's jwt-validation action (ELBv2 JwtValidationActionConfig): the issuer's "iss"
    # and the HTTPS JWKS endpoint its keys come from.
    issuer: Annotated[str, StringConstraints(min_length=1)]
    jwks_endpoint: HttpsUrl
    additional_claims: list[JwtClaimConfig] = Field(default_factory=list)


class AuthConfig(_Model):
    oidc: OidcConfig | None = None
    cognito: CognitoConfig | None = None
    jwt: JwtConfig | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if sum(given is not None for given in (self.oidc, self.cognito, self.jwt)) != 1:
            raise ValueError('give exactly one of "oidc", "cognito" or "jwt"')
        return self


class FixedResponseConfig(_Model):
    # ELBv2 FixedResponseActionConfig: status 2XX, 4XX or 5XX; body up to 1024 characters.
    status_code: Annotated[str, _regex(r"[245]\d\d", "an HTTP status code 2XX, 4XX or 5XX")]
    content_type: Literal[
        "text/plain", "text/css", "text/html", "application/javascript", "application/json"
    ] = "text/plain"
    body: Annotated[str, StringConstraints(max_length=1024, strip_whitespace=False)] = ""


class RedirectConfig(_Model):
    # ELBv2 RedirectActionConfig. A redirect never sends clients to plain HTTP: only HTTPS.
    protocol: Literal["HTTPS"] = "HTTPS"
    host: Annotated[str, StringConstraints(min_length=1, max_length=128)] = "#{host}"
    port: Annotated[str, _regex(r"#\{port\}|[1-9]\d{0,4}", "a port or #{port}")] = "#{port}"
    path: Annotated[
        str, StringConstraints(max_length=128), _regex(r"/.*", 'a path starting with "/"')
    ] = "/#{path}"
    query: Annotated[str, StringConstraints(max_length=128)] = "#{query}"
    status_code: Literal["HTTP_301", "HTTP_302"]

    @field_validator("protocol", mode="before")
    @classmethod
    def _never_http(cls, value: Any) -> Any:
        if isinstance(value, str) and value.upper() != "HTTPS":
            raise _fail("protocol", "a redirect may only send clients to HTTPS")
        return value.upper() if isinstance(value, str) else value


class ThenConfig(_Model):
    fixed_response: FixedResponseConfig | None = None
    redirect: RedirectConfig | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.fixed_response is None) == (self.redirect is None):
            raise ValueError('give exactly one of "fixedResponse" or "redirect"')
        return self

    def action(self) -> routing.Action:
        if self.fixed_response is not None:
            response = self.fixed_response
            return routing.FixedResponse(
                int(response.status_code), response.content_type, response.body
            )
        assert self.redirect is not None
        r = self.redirect
        return routing.Redirect(r.status_code, r.protocol, r.host, r.port, r.path, r.query)


class RouteConfig(RuleConditionsConfig):
    """A rule without targets: a fixed response or a redirect."""

    then: ThenConfig

    @model_validator(mode="after")
    def _has_conditions(self) -> Self:
        if not self.has_conditions:
            raise ValueError("a route needs at least one condition")
        if self.condition_count > aws_facts.MAX_CONDITION_VALUES_PER_RULE:
            raise ValueError(
                f"at most {aws_facts.MAX_CONDITION_VALUES_PER_RULE} condition values per "
                f"listener rule (got {self.condition_count})"
            )
        return self


TargetKind = Literal["instance", "ip", "lambda"]
# EC2 instance IDs: "i-" and 8 or 17 hexadecimal digits (EC2 API reference, resource IDs).
_INSTANCE_ID = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
# Lambda function ARNs, optionally with a version or alias (Lambda API reference, Invoke
# FunctionName and Qualifier patterns): name up to 64 characters; $LATEST, a version number or
# an alias name up to 128 characters.
_FUNCTION_ARN = re.compile(
    r"(?P<function>arn:aws(?:-[a-z]+)*:lambda:(?P<region>[a-z0-9-]+):\d{12}:function:"
    r"[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]{1,128}))?"
)


def _target_id(value: str) -> str:
    """An instance ID (read in lower case), an IPv4 address (normalised) or a function ARN."""
    if _INSTANCE_ID.fullmatch(value.lower()):
        return value.lower()
    if _FUNCTION_ARN.fullmatch(value):
        return value
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise _fail(
            "target_id",
            "must be an EC2 instance ID (i-0abc12345def67890), an IPv4 address or a Lambda "
            "function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)",
        ) from None
    if address.version == 6:
        # The platform's target groups are IPv4 (lb.TargetGroup ip_address_type, default
        # ipv4), and "you can't register IPv6 targets with an IPv4 target group" ("Target
        # groups for your Application Load Balancers", IP address type).
        raise _fail(
            "target_id",
            "is an IPv6 address, but the service's target group is IPv4; register the "
            "target's IPv4 address",
        )
    return str(address)


class TargetConfig(_Model):
    """A target registered with the service's target group by the platform."""

    id: Annotated[str, AfterValidator(_target_id)]
    port: int | None = Field(default=None, ge=1, le=65535)
    """The target's port, when it is not the service's."""
    # Our target groups are cross-zone (alb-cross-zone-enabled), where "the specified
    # Availability Zone value is ... ignored and treated as all", and an IP address outside the
    # VPC accepts only "all" (ELBv2 API reference, TargetDescription.AvailabilityZone).
    availability_zone: Literal["all"] | None = None

    @property
    def kind(self) -> TargetKind:
        """Which targetType this target needs."""
        if _INSTANCE_ID.fullmatch(self.id):
            return "instance"
        return "lambda" if self.id.startswith("arn:") else "ip"

    @property
    def function(self) -> tuple[str, str | None]:
        """A Lambda target's unqualified function ARN and its qualifier (version or alias)."""
        match = _FUNCTION_ARN.fullmatch(self.id)
        assert match is not None, self.id
        return match["function"], match["qualifier"]


_S3_URI = re.compile(
    # S3 bucket naming rules (3-63 lowercase letters, digits, dots and hyphens) and object
    # keys of at most 1024 characters ("Bucket naming rules", "Naming Amazon S3 objects").
    r"s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>[^\s].{0,1023})"
)


def _s3_uri(value: str) -> str:
    if not _S3_URI.fullmatch(value):
        raise _fail("s3_uri", "must be an S3 URI such as s3://my-bucket/path/ca-bundle.pem")
    return value


S3Uri = Annotated[str, AfterValidator(_s3_uri)]


def s3_location(uri: str) -> tuple[str, str]:
    """(bucket, key) of an ``s3://`` URI the model accepted."""
    match = _S3_URI.fullmatch(uri)
    assert match is not None, uri
    return match["bucket"], match["key"]


# A file named in the configuration is read from the program's directory (the one holding
# Pulumi.yaml, __main__.py and components/); callers may name another (the config model's tests).
PROGRAM_DIR = Path(__file__).resolve().parents[1]


class CaBundleConfig(_Model):
    """Where the trust store's CA certificates come from: an S3 object, or a PEM file in the
    repository that the platform uploads to a private bucket of its own."""

    s3_uri: S3Uri | None = None
    file: Annotated[str, StringConstraints(min_length=1)] | None = None
    _pem: str = PrivateAttr(default="")

    @field_validator("file")
    @classmethod
    def _pem_in_the_program(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            if Path(value).is_absolute() or ".." in Path(value).parts:
                raise _fail("file", "must be a path inside the program's directory, relative to it")
            _pem_bundle(_program_dir(info), value)
        return value

    @model_validator(mode="after")
    def _exactly_one(self, info: ValidationInfo) -> Self:
        if (self.s3_uri is None) == (self.file is None):
            raise ValueError('give exactly one of "s3Uri" or "file"')
        if self.file is not None:
            self._pem = _pem_bundle(_program_dir(info), self.file)
        return self

    @property
    def pem(self) -> str:
        """The PEM text of ``file`` (empty for an S3 bundle), read once, when parsed."""
        return self._pem


def _program_dir(info: ValidationInfo) -> Path:
    return Path((info.context or {}).get("program_dir", PROGRAM_DIR))


def _pem_bundle(root: Path, name: str) -> str:
    """The text of a CA bundle file, which must hold at least one PEM certificate."""
    path = root / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{name} does not exist in the program's directory") from None
    except (UnicodeDecodeError, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise ValueError(f"{name} cannot be read as a PEM file ({reason})") from None
    # Imported here: only a stack with a CA bundle pays for loading cryptography's x509.
    from cryptography import x509

    try:
        x509.load_pem_x509_certificates(text.encode())
    except ValueError:
        raise ValueError(
            f"{name} holds no PEM certificate (-----BEGIN CERTIFICATE-----); the trust store "
            "needs the CA certificates that sign the clients' certificates"
        ) from None
    return text


class MtlsConfig(_Model):
    """Mutual TLS on the HTTPS listener ("Mutual authentication with TLS in Application Load
    Balancer"): ``verify`` checks client certificates against a trust store, ``passthrough``
    hands them to the targets unchecked."""

    mode: Literal["verify", "passthrough"]
    ca_bundle: CaBundleConfig | None = None
    revocation_lists: Annotated[list[S3Uri], _distinct()] = Field(default_factory=list)
    ignore_client_certificate_expiry: bool = False
    advertise_ca_names: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.mode == "verify" and self.ca_bundle is None:
            raise ValueError(
                "caBundle: required in verify mode (the CA certificates that clients' "
                "certificates must chain to)"
            )
        if self.mode == "passthrough":
            given = [
                key
                for key, field in (
                    ("caBundle", "ca_bundle"),
                    ("revocationLists", "revocation_lists"),
                    ("ignoreClientCertificateExpiry", "ignore_client_certificate_expiry"),
                    ("advertiseCaNames", "advertise_ca_names"),
                )
                if field in self.model_fields_set
            ]
            if given:
                raise ValueError(
                    f"{', '.join(given)}: only with mode verify; in passthrough mode the load "
                    "balancer checks nothing and hands the client's certificate chain to the "
                    "targets"
                )
        return self


class ServiceConfig(RuleConditionsConfig):
    port: int | None = Field(default=None, ge=1, le=65535)
    protocol: Literal["HTTP", "HTTPS"] = "HTTP"
    target_type: Literal["instance", "ip", "lambda"] = "ip"
    health_check: HealthCheckConfig = Field(default_factory=HealthCheckConfig)
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3600)
    slow_start_seconds: int = Field(default=0, ge=0, le=900)
    stickiness: StickinessConfig | None = None
    algorithm: Literal["round_robin", "least_outstanding_requests", "weighted_random"] = (
        "round_robin"
    )
    # With sourceCidrs: answer other sources with 403 instead of letting them fall through to
    # the rules after this one (and finally the default service).
    deny_other_sources: bool = True
    rewrite: RewriteConfig | None = None
    auth: AuthConfig | None = None
    deployment: DeploymentConfig | None = None
    targets: list[TargetConfig] = Field(default_factory=list)
    """Targets the platform registers: instances, IP addresses, or one Lambda function."""

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
            problems.append(limits.LEAST_OUTSTANDING_SLOW_START.message)
        if self.stickiness and self.stickiness.across_groups and self.deployment is None:
            problems.append(
                "stickiness.acrossGroups: needs a deployment (blue-green, canary or external), "
                "which gives the service two target groups"
            )
        if (
            self.deployment
            and self.deployment.strategy == "external"
            and (self.target_type == "lambda")
        ):
            problems.append(
                "deployment.strategy: external hands the weights to ECS or CodeDeploy, which do "
                "not deploy lambda targets; use blue-green or canary"
            )
        if self.condition_count > aws_facts.MAX_CONDITION_VALUES_PER_RULE:
            problems.append(
                f"at most {aws_facts.MAX_CONDITION_VALUES_PER_RULE} condition values per "
                f"listener rule (got {self.condition_count})"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class StackConfig(_Model):
    """Everything under the ``alb:`` namespace, plus the AWS region."""

    region: Region = DEFAULT_REGION
    network: NetworkConfig | None = None
    internal: bool = False
    ip_address_type: Literal["ipv4", "dualstack"] = "ipv4"
    ingress_cidrs_: (
        Annotated[list[Cidr], Field(min_length=1), _distinct(f" ({_NETWORKS})")] | None
    ) = Field(default=None, alias="ingressCidrs")
    target_cidrs: list[Cidr] = Field(default_factory=list)
    """Targets outside the VPC (peered VPCs, on premises) the ALB may reach on service ports."""
    certificate: CertificateConfig
    additional_certificate_arns: Annotated[list[AcmArn], _distinct()] = Field(default_factory=list)
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
    routes: dict[ServiceName, RouteConfig] = Field(default_factory=dict)
    alarms: AlarmsConfig = Field(default_factory=AlarmsConfig)
    mtls: MtlsConfig | None = None
    """Mutual TLS on the HTTPS listener; absent: clients present no certificate."""
    tags: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(_tag_text)],
        Annotated[str, StringConstraints(max_length=256), AfterValidator(_tag_text)],
    ] = Field(default_factory=dict, max_length=40)

    @property
    def ingress_cidrs(self) -> list[str]:
        """Who may reach ports 80 and 443: the configured CIDRs, or the whole internet."""
        if self.ingress_cidrs_ is not None:
            return self.ingress_cidrs_
        return ["0.0.0.0/0", "::/0"] if self.ip_address_type == "dualstack" else ["0.0.0.0/0"]

    @property
    def target_ports(self) -> list[int]:
        """Every port the load balancer reaches targets on: the services' ports and the ports
        of their static targets, each once, in order."""
        ports = [
            port
            for service in self.services.values()
            for port in (service.port, *(target.port for target in service.targets))
            if port is not None
        ]
        return sorted(set(ports))

    @property
    def test_listener_port(self) -> int | None:
        """The test listener of the services' deployments (one port for all of them)."""
        ports = [
            s.deployment.test_listener_port
            for s in self.services.values()
            if s.deployment is not None and s.deployment.test_listener_port is not None
        ]
        return min(ports) if ports else None

    @property
    def test_cidrs(self) -> list[str]:
        """Who may reach the test listener: every deployment's testCidrs, each once."""
        cidrs = [
            cidr
            for _, s in sorted(self.services.items())
            if s.deployment is not None
            for cidr in s.deployment.test_cidrs or []
        ]
        return list(dict.fromkeys(cidrs))

    @functools.cached_property
    def rules(self) -> list[routing.Rule]:
        """Every rule of the HTTPS listener, in priority order (planned once: the model is
        frozen)."""
        return routing.plan_rules(self.services, self.default_service, self.routes)

    @property
    def rule_priorities(self) -> dict[str, int]:
        """The priority of each service's own (forwarding) rule."""
        return {rule.owner: rule.priority for rule in self.rules if rule.service is not None}


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
    if config.protect:
        for key, keep in (
            ("accessLogs.keepOnDestroy", config.access_logs.keep_on_destroy),
            ("waf.keepLogsOnDestroy", config.waf.keep_logs_on_destroy),
        ):
            if not keep:
                problems.append(limits.KEEP_LOGS.line(f"{NAMESPACE}:{key}", protect="alb:protect"))
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
    problems.extend(_target_cidr_problems(config))
    problems.extend(_static_target_problems(config))
    if not config.internal:
        problems.extend(_private_source_problems(config))
    test_ports = {
        name: service.deployment.test_listener_port
        for name, service in sorted(services.items())
        if service.deployment is not None and service.deployment.test_listener_port is not None
    }
    if len(set(test_ports.values())) > 1:
        problems.append(
            f"{NAMESPACE}:services: the test listener is one listener; give every "
            "deployment.testListenerPort the same port (got "
            + ", ".join(f"{name}: {port}" for name, port in test_ports.items())
            + ")"
        )
    for name, service in services.items():
        if service.deployment is not None and not service.has_conditions:
            problems.append(
                f"{NAMESPACE}:services.{name}.deployment: needs a listener rule, so the service "
                "needs a condition (the weighted forward and the ECS hand-over work on rules)"
            )
        if name != config.default_service and not service.has_conditions:
            problems.append(
                f"{NAMESPACE}:services.{name}: needs at least one of pathPatterns, hostHeaders "
                f"or sourceCidrs (only {NAMESPACE}:defaultService may have no condition)"
            )
    # Clashing priorities are reported with everything else; whether a rule can match is
    # only worth asking of an otherwise valid configuration.
    rules = config.rules
    if len(rules) > aws_facts.MAX_RULES_PER_ALB:
        # "Quotas for your Application Load Balancers": rules per load balancer, not counting
        # default rules; a source-restricted service takes two (its 403 rule).
        problems.append(
            f"{NAMESPACE}:services: {len(rules)} listener rules (services, their 403 rules for "
            f"other sources and {NAMESPACE}:routes), more than AWS's "
            f"{aws_facts.MAX_RULES_PER_ALB} per load balancer"
        )
        return problems
    problems.extend(routing.clashes(rules))
    if not problems:
        problems.extend(routing.shadowed(rules))
    return problems


def _target_cidr_problems(config: StackConfig) -> list[str]:
    problems = []
    first_index: dict[str, int] = {}
    for index, cidr in enumerate(config.target_cidrs):
        key = f"{NAMESPACE}:targetCidrs[{index}]"
        if cidr in first_index:
            problems.append(
                f"{key}: {cidr} is already listed as {NAMESPACE}:targetCidrs[{first_index[cidr]}]"
            )
        first_index.setdefault(cidr, index)
        # "The load balancer communicates with targets based on the IP address type of the
        # target group" ("IP address types for your Application Load Balancer"), and an IPv6
        # target group needs a dualstack load balancer ("Target groups for your Application
        # Load Balancers", IP address type): an ipv4 load balancer never connects to IPv6.
        if config.ip_address_type == "ipv4" and ipaddress.ip_network(cidr).version == 6:
            problems.append(
                f"{key}: {cidr} is IPv6, but an ipv4 load balancer reaches its targets over IPv4 "
                f"only (IPv6 target groups need a dualstack load balancer); set "
                f"{NAMESPACE}:ipAddressType dualstack or list IPv4 blocks only"
            )
    return problems


def _static_target_problems(config: StackConfig) -> list[str]:
    """Each service's ``targets`` against its targetType, each other and its deployment (the
    addresses are checked against the VPC in components/network.py, where its blocks are
    known)."""
    problems = []
    for name, service in sorted(config.services.items()):
        key = f"{NAMESPACE}:services.{name}.targets"
        if not service.targets:
            continue
        if service.deployment is not None:
            problems.append(
                f"{key}: a service with a deployment has two target groups (blue and green), "
                "and the deployment decides which group its targets join; register them with "
                "the deployment (ECS) instead, or remove deployment"
            )
        if service.target_type == "lambda" and len(service.targets) > 1:
            # "You can register one Lambda function per target group" ("Use Lambda functions
            # as targets of an Application Load Balancer").
            problems.append(
                f"{key}: a lambda target group takes one function (got {len(service.targets)})"
            )
        first: dict[tuple[str, int | None], int] = {}
        for index, target in enumerate(service.targets):
            at = f"{key}[{index}]"
            if target.kind != service.target_type:
                what = {"instance": "an instance ID", "ip": "an IP address", "lambda": "a "
                        "Lambda function ARN"}[target.kind]  # fmt: skip
                problems.append(
                    f"{at}.id: {what} needs targetType {target.kind}, but "
                    f"{NAMESPACE}:services.{name}.targetType is {service.target_type}"
                )
                continue
            if target.kind == "lambda":
                if target.port is not None:
                    problems.append(
                        f"{at}.port: a Lambda function is invoked, not reached on a port"
                    )
                # "The Lambda function and target group must be in the same account and in the
                # same Region" ("Use Lambda functions as targets of an Application Load
                # Balancer", Limits).
                region = target.id.split(":")[3]
                if region != config.region:
                    problems.append(
                        f"{at}.id: the function is in {region}, but the load balancer is in "
                        f"{config.region}; a Lambda target must be in the load balancer's region"
                    )
            if target.kind == "instance" and target.availability_zone is not None:
                problems.append(
                    f"{at}.availabilityZone: not for instance targets (ELB takes the zone from "
                    "the instance)"
                )
            registered = (target.id, target.port or service.port)
            if registered in first:
                port = f" on port {registered[1]}" if registered[1] else ""
                problems.append(f"{at}: {target.id}{port} is already {key}[{first[registered]}]")
            first.setdefault(registered, index)
    return problems


def _private_source_problems(config: StackConfig) -> list[str]:
    """Source CIDRs an internet-facing load balancer never sees: its clients connect over the
    internet, and a source-ip condition matches the address of the connection, never
    X-Forwarded-For (ELBv2 API reference, SourceIpConditionConfig)."""
    problems = []
    for name, service in config.services.items():
        for index, cidr in enumerate(service.source_cidrs):
            block = non_public_block(cidr)
            if block is not None:
                problems.append(
                    f"{NAMESPACE}:services.{name}.sourceCidrs[{index}]: {cidr} is not a public "
                    f"address range ({block[0]} is {block[1]} address space), and an "
                    f"internet-facing load balancer ({NAMESPACE}:internal false) only sees "
                    "public client addresses, so the rule would never match; use the public "
                    "addresses the clients connect from (such as an office's NAT egress), or set "
                    f"{NAMESPACE}:internal true"
                )
    return problems


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
    message = error["msg"].removeprefix("Value error, ")
    if loc and loc[-1] == "[key]":  # pydantic's marker for an invalid mapping key
        return f"{_format_location(loc[:-1])}: name {message}"
    path = _format_location(loc)
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        known = [f.alias or n for n, f in model.model_fields.items()] if model else []
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        return f"{path}: unknown key{hint}"
    if kind == "missing":
        return f"{path}: required"
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


def _plain_secret_problems(config: StackConfig, secret_keys: Collection[str]) -> list[str]:
    """Secrets must reach the program as Pulumi secrets: a value written in plain text in the
    stack file is in the repository. A ``--secret --path`` value makes its whole top-level key
    secret, which is what the language host reports."""
    if f"{NAMESPACE}:services" in secret_keys:
        return []
    return [
        f"{NAMESPACE}:services.{name}.auth.oidc.clientSecret: must be a Pulumi secret, not plain "
        f"text; set it with `pulumi config set --secret --path "
        f"'{NAMESPACE}:services.{name}.auth.oidc.clientSecret' VALUE`"
        for name, service in sorted(config.services.items())
        if service.auth is not None and service.auth.oidc is not None
    ]


def parse_stack_config(
    raw: Mapping[str, Any],
    *,
    stack: str | None = None,
    secret_keys: Collection[str] = (),
    program_dir: Path = PROGRAM_DIR,
) -> StackConfig:
    """Validate the raw stack config; raise ConfigError listing every problem.

    Files the config names (``alb:mtls.caBundle.file``) are read from ``program_dir``.

    ``stack`` is the stack's name, part of the names AWS gives the load balancer and target
    groups; without it those names are not checked, and a missing ``aws:region`` is
    :data:`DEFAULT_REGION` (a stack that deploys must set it).
    """
    data: dict[str, Any] = {}
    stack_problems = _stack_name_problems(stack)
    problems: list[str] = list(stack_problems)
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
    elif stack is not None:
        # A stack that deploys names its region: only the model's own callers (tests, docs
        # examples), which pass no stack, get DEFAULT_REGION.
        problems.append(limits.REGION_REQUIRED.line("aws:region"))
    try:
        config = StackConfig.model_validate(data, context={"program_dir": program_dir})
    except ValidationError as exc:
        raise ConfigError(_unique(problems + [_describe(e) for e in exc.errors()])) from None
    problems += _cross_field_problems(config) + _aws_limit_problems(config)
    problems += _plain_secret_problems(config, secret_keys)
    if stack is not None and not stack_problems:
        problems += _target_group_name_problems(config, stack)
    if problems:
        raise ConfigError(_unique(problems))
    return config


def _aws_limit_problems(config: StackConfig) -> list[str]:
    """AWS quotas and combinations that relate several keys, as complete lines."""
    problems = []
    additional = config.additional_certificate_arns
    if len(additional) > aws_facts.MAX_CERTIFICATES_PER_ALB:
        problems.append(
            limits.CERTIFICATE_QUOTA.line(
                f"{NAMESPACE}:additionalCertificateArns", count=len(additional)
            )
        )
    if config.certificate.arn in additional:
        index = additional.index(config.certificate.arn)
        problems.append(
            limits.DEFAULT_CERTIFICATE_REPEATED.line(
                f"{NAMESPACE}:additionalCertificateArns[{index}]"
            )
        )
    if (
        config.certificate.issue is not None
        and config.domain is not None
        and len(config.domain.name) > aws_facts.MAX_CERTIFICATE_COMMON_NAME_LENGTH
    ):
        problems.append(
            limits.COMMON_NAME.line(f"{NAMESPACE}:domain.name", length=len(config.domain.name))
        )
    problems += _security_group_problems(config)
    routed: list[tuple[str, RuleConditionsConfig]] = [
        *((f"{NAMESPACE}:services.{name}", s) for name, s in sorted(config.services.items())),
        *((f"{NAMESPACE}:routes.{name}", r) for name, r in sorted(config.routes.items())),
    ]
    for key, conditions in routed:
        wildcards = sum(value.count("*") + value.count("?") for value in conditions.wildcard_values)
        if wildcards > aws_facts.MAX_WILDCARDS_PER_RULE:
            problems.append(limits.WILDCARDS.line(key, count=wildcards))
    for name, service in sorted(config.services.items()):
        key = f"{NAMESPACE}:services.{name}"
        if service.algorithm == "weighted_random":
            others = [
                setting
                for setting, used in (
                    ("stickiness", service.stickiness is not None),
                    ("slowStartSeconds", service.slow_start_seconds > 0),
                )
                if used
            ]
            if others:
                problems.append(
                    limits.WEIGHTED_RANDOM.line(f"{key}.algorithm", other=" or ".join(others))
                )
    return problems


def _security_group_problems(config: StackConfig) -> list[str]:
    """The load balancer's security group gets one inbound rule per ingress CIDR and listener
    port (80, 443), and one outbound rule per distinct target port and target block (the VPC's
    blocks, at least one per address family it uses, and alb:targetCidrs); AWS counts each
    direction and address family separately (components/load_balancer.py builds them)."""
    problems = []
    families = {4: "IPv4", 6: "IPv6"}
    inbound: list[int] = [ipaddress.ip_network(cidr).version for cidr in config.ingress_cidrs]
    listener_ports = 2
    for version, family in families.items():
        count = inbound.count(version)
        if count * listener_ports > aws_facts.MAX_RULES_PER_SECURITY_GROUP:
            problems.append(
                limits.SECURITY_GROUP_INBOUND.line(
                    f"{NAMESPACE}:ingressCidrs",
                    count=count,
                    family=family,
                    rules=count * listener_ports,
                )
            )
    ports = set(config.target_ports)
    targets: list[int] = [ipaddress.ip_network(cidr).version for cidr in config.target_cidrs]
    used = [4, 6] if config.ip_address_type == "dualstack" else [4]
    for version in used:
        # The VPC has at least one block of each family the load balancer uses (network.py
        # refuses dualstack without IPv6); more blocks only add rules.
        rules = len(ports) * (1 + targets.count(version))
        if rules > aws_facts.MAX_RULES_PER_SECURITY_GROUP:
            problems.append(
                limits.SECURITY_GROUP_OUTBOUND.line(
                    f"{NAMESPACE}:services", ports=len(ports), rules=rules, family=families[version]
                )
            )
    return problems


# The platform's names (components/platform.py, __main__.py): the load balancer is
# "alb-<stack>", each target group "alb-<stack>-<service>"; pulumi-aws appends "-" and 7
# random characters. Stack names may hold "." and "_", which ELB and S3 names refuse.
_PLATFORM_PREFIX = "alb-"
_STACK_NAME = re.compile(r"[A-Za-z0-9-]+")


def _autoname(logical_name: str) -> str:
    return logical_name + "-" + "x" * (aws_facts.AUTONAME_SUFFIX_LENGTH - 1)


def _stack_name_problems(stack: str | None) -> list[str]:
    if stack is None:
        return []
    key = f"stack {stack!r}"
    if not _STACK_NAME.fullmatch(stack):
        return [limits.STACK_CHARACTERS.line(key)]
    # The shortest target group name (a one-letter service) is longer than the load balancer's.
    name = _autoname(f"{_PLATFORM_PREFIX}{stack}-x")
    if len(name) > aws_facts.MAX_ELB_NAME_LENGTH:
        most = len(stack) - (len(name) - aws_facts.MAX_ELB_NAME_LENGTH)
        return [limits.STACK_LENGTH.line(key, name=name, length=len(name), most=most)]
    return []


def _target_group_name_problems(config: StackConfig, stack: str) -> list[str]:
    problems = []
    for service in sorted(config.services):
        name = _autoname(f"{_PLATFORM_PREFIX}{stack}-{service}")
        if len(name) > aws_facts.MAX_ELB_NAME_LENGTH:
            most = len(service) - (len(name) - aws_facts.MAX_ELB_NAME_LENGTH)
            problems.append(
                limits.TARGET_GROUP_NAME.line(
                    f"{NAMESPACE}:services.{service}",
                    name=name,
                    length=len(name),
                    most=most,
                    stack=repr(stack),
                )
            )
    return problems


def _unique(problems: list[str]) -> list[str]:
    return list(dict.fromkeys(problems))


def current_pulumi_config() -> dict[str, Any]:
    """Every config value of the running stack, keyed by full name (``alb:services``).

    The language host hands the program its config in ``PULUMI_CONFIG`` and loads it into the
    SDK's config map; ``pulumi.Config`` cannot list keys, and unknown keys must be reported.
    """
    from pulumi.runtime import config as runtime_config

    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def current_secret_keys() -> set[str]:
    """The config keys of the running stack whose values are secrets."""
    from pulumi.runtime import config as runtime_config

    return {key for key in current_pulumi_config() if runtime_config.is_config_secret(key)}

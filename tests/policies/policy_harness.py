"""Run the alb-guardrails pack against small hand-described stacks, two ways.

``protocol``: the real pack process, driven by preflight's Analyzer client exactly as the
engine drives it (GetAnalyzerInfo, Configure, Remediate, Analyze, AnalyzeStack). ``direct``:
the policy functions called in-process with arguments built the way pulumi-policy's server
builds them (protobuf Struct round trip, so numbers are floats, wrapped in the
unknown-checking proxies), remediations first, as its ``Remediate`` runs them. Both return the
same :class:`Finding` tuples, and the same :class:`Fix` records for the remediations.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from inspect import isawaitable
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties, serialize_properties
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from tests.harness import POLICY_PACK, run_preflight

PROJECT = "alb"
REGION = "ap-northeast-2"
ACCOUNT = "123456789012"
CERTIFICATE_ARN = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


# A value the engine would only know after deployment (as during `pulumi preview`).
UNKNOWN = _Unknown()


@dataclass
class Res:
    """A resource of a described stack."""

    type: str
    name: str
    inputs: dict[str, Any]
    # What the provider computes (arn, id), added to the inputs to make the state.
    computed: dict[str, Any] = field(default_factory=dict)
    # Property -> logical names of the resources its value comes from.
    refs: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    # The logical name of the provider resource (type ``pulumi:providers:aws``) that manages it.
    provider: str | None = None

    @property
    def urn(self) -> str:
        return urn(self.type, self.name)


def urn(resource_type: str, name: str, stack: str = "dev") -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{resource_type}::{name}"


@dataclass(frozen=True)
class Finding:
    """One violation: which policy, at what level, on which resource (logical name)."""

    policy: str
    level: str
    resource: str | None
    message: str = field(compare=False)


@dataclass(frozen=True)
class Fix:
    """One remediation: a policy's new inputs for a resource (logical name), in place of the
    inputs it was given (the program's, or the previous remediation's)."""

    policy: str
    resource: str
    before: dict[str, Any]
    after: dict[str, Any]


class Stack(dict[str, Res]):
    """Resources by logical name, in registration order."""

    def add(self, res: Res) -> Res:
        self[res.name] = res
        return res

    def copy_stack(self) -> Stack:
        return Stack({name: copy.deepcopy(res) for name, res in self.items()})


# ----------------------------------------------------------------------------- describing stacks

LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
AWS_PROVIDER = "pulumi:providers:aws"
PROVIDER_ID = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

ELB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}"


def lb_arn(name: str) -> str:
    return f"{ELB_ARN}:loadbalancer/app/{name}/50dc6c495c0c9188"


def listener_arn(lb: str, name: str) -> str:
    return f"{ELB_ARN}:listener/app/{lb}/50dc6c495c0c9188/{name}"


def tg_arn(name: str) -> str:
    return f"{ELB_ARN}:targetgroup/{name}/73e2d6bc24d8a067"


def web_acl_arn(name: str) -> str:
    return f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/{name}/a1b2c3d4-5678-90ab-cdef"


def tls_only_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowElbLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{bucket}/alb/AWSLogs/{ACCOUNT}/*",
                },
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )


def compliant_stack() -> Stack:
    """An internet-facing ALB that every alb-guardrails policy accepts, advisory ones included."""
    stack = Stack()
    bucket_name = "alb-logs-3c1f0a9"
    stack.add(
        Res(
            SECURITY_GROUP,
            "alb-sg",
            {
                "vpcId": "vpc-0a1b2c3d",
                "ingress": [
                    {"protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrBlocks": ["0.0.0.0/0"]},
                    {
                        "protocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrBlocks": ["0.0.0.0/0"],
                        "ipv6CidrBlocks": ["::/0"],
                    },
                ],
            },
            {"id": "sg-0a1b2c3d4e5f60718"},
        )
    )
    stack.add(Res(BUCKET, "alb-logs", {"bucket": bucket_name}, {"id": bucket_name}))
    for res in (
        Res(
            PUBLIC_ACCESS_BLOCK,
            "alb-logs-public-access",
            {
                "bucket": bucket_name,
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
        ),
        Res(
            OWNERSHIP,
            "alb-logs-ownership",
            {"bucket": bucket_name, "rule": {"objectOwnership": "BucketOwnerEnforced"}},
        ),
        Res(
            ENCRYPTION,
            "alb-logs-encryption",
            {
                "bucket": bucket_name,
                "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
            },
        ),
        Res(
            BUCKET_POLICY,
            "alb-logs-policy",
            {"bucket": bucket_name, "policy": tls_only_policy(bucket_name)},
        ),
        Res(
            LIFECYCLE,
            "alb-logs-lifecycle",
            {
                "bucket": bucket_name,
                "rules": [
                    {
                        "id": "expire-logs",
                        "status": "Enabled",
                        "filter": {"prefix": ""},
                        "expiration": {"days": 90},
                    }
                ],
            },
        ),
    ):
        res.refs = {"bucket": ["alb-logs"]}
        stack.add(res)
    stack.add(
        Res(
            LB,
            "alb",
            {
                "name": "alb-5d2e8f1",
                "loadBalancerType": "application",
                "subnets": ["subnet-0aa11bb22", "subnet-0cc33dd44"],
                "securityGroups": ["sg-0a1b2c3d4e5f60718"],
                "dropInvalidHeaderFields": True,
                "desyncMitigationMode": "defensive",
                "enableDeletionProtection": True,
                "accessLogs": {"enabled": True, "bucket": bucket_name, "prefix": "alb"},
            },
            {"arn": lb_arn("alb-5d2e8f1"), "dnsName": "alb-5d2e8f1-1.elb.amazonaws.com"},
            refs={"securityGroups": ["alb-sg"], "accessLogs": ["alb-logs"]},
            protect=True,
        )
    )
    stack.add(
        Res(
            TARGET_GROUP,
            "api",
            {
                "name": "api-9a8b7c6",
                "port": 8080,
                "protocol": "HTTP",
                "targetType": "ip",
                "vpcId": "vpc-0a1b2c3d",
                "healthCheck": {"path": "/healthz", "matcher": "200-399"},
            },
            {"arn": tg_arn("api-9a8b7c6")},
        )
    )
    stack.add(
        Res(
            LISTENER,
            "http",
            {
                "loadBalancerArn": lb_arn("alb-5d2e8f1"),
                "port": 80,
                "protocol": "HTTP",
                "defaultActions": [
                    {
                        "type": "redirect",
                        "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
                    }
                ],
            },
            {"arn": listener_arn("alb-5d2e8f1", "http")},
            refs={"loadBalancerArn": ["alb"]},
        )
    )
    stack.add(
        Res(
            LISTENER,
            "https",
            {
                "loadBalancerArn": lb_arn("alb-5d2e8f1"),
                "port": 443,
                "protocol": "HTTPS",
                "certificateArn": CERTIFICATE_ARN,
                "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "defaultActions": [
                    {
                        "type": "fixed-response",
                        "fixedResponse": {"contentType": "text/plain", "statusCode": "404"},
                    }
                ],
            },
            {"arn": listener_arn("alb-5d2e8f1", "https")},
            refs={"loadBalancerArn": ["alb"]},
        )
    )
    add_rule(stack, "api-route", 10, {"pathPattern": {"values": ["/api/*"]}})
    stack.add(
        Res(
            WEB_ACL,
            "waf",
            {
                "scope": "REGIONAL",
                "defaultAction": {"allow": {}},
                "rules": [
                    managed_rule("AWSManagedRulesCommonRuleSet", 10),
                    managed_rule("AWSManagedRulesKnownBadInputsRuleSet", 20),
                    {
                        "name": "rate-limit",
                        "priority": 30,
                        "action": {"block": {}},
                        "statement": {
                            "rateBasedStatement": {"limit": 2000, "aggregateKeyType": "IP"}
                        },
                        "visibilityConfig": visibility("rate-limit"),
                    },
                ],
                "visibilityConfig": visibility("waf"),
            },
            {"arn": web_acl_arn("waf")},
        )
    )
    stack.add(
        Res(
            WEB_ACL_ASSOCIATION,
            "waf-association",
            {"resourceArn": lb_arn("alb-5d2e8f1"), "webAclArn": web_acl_arn("waf")},
            refs={"resourceArn": ["alb"], "webAclArn": ["waf"]},
        )
    )
    stack.add(
        Res(
            WEB_ACL_LOGGING,
            "waf-logging",
            {
                "resourceArn": web_acl_arn("waf"),
                "logDestinationConfigs": [
                    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:aws-waf-logs-alb"
                ],
            },
            refs={"resourceArn": ["waf"]},
        )
    )
    return stack


def add_rule(
    stack: Stack,
    name: str,
    priority: int | None,
    *conditions: dict[str, Any],
    listener: str = "https",
    actions: list[dict[str, Any]] | None = None,
) -> Res:
    inputs: dict[str, Any] = {
        "listenerArn": stack[listener].computed["arn"],
        "conditions": list(conditions),
        "actions": actions
        if actions is not None
        else [{"type": "forward", "targetGroupArn": stack["api"].computed["arn"]}],
    }
    if priority is not None:
        inputs["priority"] = priority
    return stack.add(
        Res(
            RULE,
            name,
            inputs,
            {"arn": f"{stack[listener].computed['arn']}/{priority}"},
            refs={"listenerArn": [listener]},
        )
    )


def managed_rule(group: str, priority: int) -> dict[str, Any]:
    return {
        "name": group,
        "priority": priority,
        "overrideAction": {"none": {}},
        "statement": {"managedRuleGroupStatement": {"vendorName": "AWS", "name": group}},
        "visibilityConfig": visibility(group),
    }


def visibility(metric: str) -> dict[str, Any]:
    return {
        "cloudwatchMetricsEnabled": True,
        "metricName": metric,
        "sampledRequestsEnabled": True,
    }


# ----------------------------------------------------------------------------- running


def _replace_unknowns(value: Any, marker: Any, unknown: Any = UNKNOWN) -> Any:
    """``value`` with every ``unknown`` (the harness's marker, or another side's) as ``marker``."""
    if type(value) is type(unknown) and value == unknown:
        return marker
    if isinstance(value, dict):
        return {key: _replace_unknowns(item, marker, unknown) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_unknowns(item, marker, unknown) for item in value]
    return value


def _struct(props: Mapping[str, Any]) -> dict[str, Any]:
    """Props as they leave a protobuf Struct: numbers as floats, unknowns as the sentinel."""
    struct = struct_pb2.Struct()
    struct.update(_replace_unknowns(dict(props), UNKNOWN_STRING_VALUE))
    return json_format.MessageToDict(struct)


def wire(props: Mapping[str, Any], *, keep_secrets: bool = False) -> Mapping[str, Any]:
    """Props as pulumi-policy's server hands them to a policy (see its ``Analyze``; its
    ``Remediate`` keeps secrets)."""
    return unknown_checking_proxy(deserialize_properties(_struct(props), keep_secrets))


def _state(res: Res, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The planned state: the inputs (remediated ones included) and what the provider computes
    (which, in these stacks, never shares a key with an input)."""
    return {**inputs, **res.computed}


@contextmanager
def stack_environment(stack_name: str) -> Iterator[None]:
    """PULUMI_STACK as the engine sets it for a policy pack process."""
    previous = os.environ.get("PULUMI_STACK")
    os.environ["PULUMI_STACK"] = stack_name
    try:
        yield
    finally:
        if previous is None:
            del os.environ["PULUMI_STACK"]
        else:
            os.environ["PULUMI_STACK"] = previous


def _reconciled(policy: Any, config: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The level and properties the engine would send in Configure (schema defaults first)."""
    level = (policy.enforcement_level or EnforcementLevel.ADVISORY).value
    properties: dict[str, Any] = {}
    if policy.config_schema is not None:
        for key, schema in policy.config_schema.properties.items():
            if "default" in schema:
                properties[key] = schema["default"]
    entry = config.get(policy.name)
    if isinstance(entry, str):
        level = entry
    elif isinstance(entry, Mapping):
        entry = dict(entry)
        level = entry.pop("enforcementLevel", level)
        properties.update(entry)
    struct = struct_pb2.Struct()
    struct.update(properties)
    return level, json_format.MessageToDict(struct)


class _Reports(list[tuple[str, str | None]]):
    """The ``report_violation`` callback pulumi-policy hands a policy: (message, URN) pairs."""

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.append((message, urn))


def run_direct(
    stack: Stack, config: Mapping[str, Any] | None = None, stack_name: str = "dev"
) -> list[Finding]:
    """Every policy over the stack, in-process, called as pulumi-policy's server calls them."""
    return remediate_direct(stack, config, stack_name)[1]


def remediate_direct(
    stack: Stack, config: Mapping[str, Any] | None = None, stack_name: str = "dev"
) -> tuple[list[Fix], list[Finding]]:
    """What the remediate-level policies rewrite, and every policy's findings on the result:
    the engine's Remediate, Analyze and AnalyzeStack, in-process."""
    from alb_guardrails import all_policies

    config = config or {}
    with stack_environment(stack_name):
        policies = all_policies()
        configured = {policy.name: _reconciled(policy, config) for policy in policies}
        providers = {name: _provider(stack, res) for name, res in stack.items()}
        fixes: list[Fix] = []
        inputs = {
            name: _remediated(res, policies, configured, providers[name], fixes)
            for name, res in stack.items()
        }
        findings: list[Finding] = []
        # The server deserializes each request once and hands the same arguments to every
        # policy (and the proxies are read-only), so the wired values are built once per run.
        wired = {name: wire(inputs[name]) for name in stack}
        stack_resources: list[PolicyResource] | None = None
        for policy in policies:
            level, properties = configured[policy.name]
            if level == "disabled":
                continue
            level = "mandatory" if level == "remediate" else level
            if isinstance(policy, ResourceValidationPolicy):
                for res in stack.values():
                    messages = _Reports()
                    args = ResourceValidationArgs(
                        res.type,
                        wired[res.name],
                        res.urn,
                        res.name,
                        _options(res),
                        providers[res.name],
                        properties,
                    )
                    policy.validate(args, messages)
                    findings.extend(Finding(policy.name, level, res.name, m) for m, _ in messages)
            elif isinstance(policy, StackValidationPolicy):
                reports = _Reports()
                if stack_resources is None:
                    stack_resources = _policy_resources(stack, inputs)
                stack_args = StackValidationArgs(stack_resources, properties)
                policy.validate(stack_args, reports)
                by_urn = {res.urn: res.name for res in stack.values()}
                findings.extend(
                    Finding(policy.name, level, by_urn.get(urn or ""), message)
                    for message, urn in reports
                )
    return fixes, findings


def _remediated(
    res: Res,
    policies: list[Any],
    configured: Mapping[str, tuple[str, dict[str, Any]]],
    provider: PolicyProviderResource | None,
    fixes: list[Fix],
) -> dict[str, Any]:
    """The resource's inputs after pulumi-policy's ``Remediate``: each resource policy at the
    remediate level, in order, gets the props the one before returned; new props that are not
    empty replace them, and reach the engine as a Struct."""
    current = res.inputs
    props: Mapping[str, Any] = wire(current, keep_secrets=True)
    for policy in policies:
        level, properties = configured[policy.name]
        if level != "remediate" or not isinstance(policy, ResourceValidationPolicy):
            continue
        if not policy.has_remediation():
            continue  # the server reports it as not applicable
        args = ResourceValidationArgs(
            res.type, props, res.urn, res.name, _options(res), provider, properties
        )
        result = policy.remediate(args)
        if isawaitable(result):
            loop = asyncio.new_event_loop()
            try:
                result = loop.run_until_complete(result)
            finally:
                loop.close()
        if result:
            props = result
            struct = struct_pb2.Struct()
            for key, value in serialize_properties(result).items():
                struct[key] = value
            after = _replace_unknowns(
                json_format.MessageToDict(struct), UNKNOWN, unknown=UNKNOWN_STRING_VALUE
            )
            fixes.append(Fix(policy.name, res.name, current, after))
            current = after
    return current


def preflight_with_pack(*arguments: str | Path) -> tuple[int, dict[str, Any]]:
    """``python -m preflight ... --policy-pack policies --json`` as a user runs it.

    Returns the exit status (0, or 1 for a mandatory violation) and the JSON report.
    """
    run = run_preflight(*arguments, "--policy-pack", POLICY_PACK, "--json", timeout=240)
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, run.document


def _options(res: Res) -> PolicyResourceOptions:
    return PolicyResourceOptions(res.protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def _provider(stack: Stack, res: Res) -> PolicyProviderResource | None:
    """The provider as the engine describes it to a policy: its own inputs."""
    if res.provider is None:
        return None
    provider = stack[res.provider]
    return PolicyProviderResource(provider.type, wire(provider.inputs), provider.urn, provider.name)


def _policy_resources(
    stack: Stack, inputs: Mapping[str, Mapping[str, Any]]
) -> list[PolicyResource]:
    resources = {
        name: PolicyResource(
            res.type,
            wire(_state(res, inputs[name])),
            res.urn,
            res.name,
            _options(res),
            _provider(stack, res),
            None,
            [],
            {},
        )
        for name, res in stack.items()
    }
    for name, res in stack.items():
        resource = resources[name]
        for prop, names in res.refs.items():
            resource.property_dependencies[prop] = [resources[n] for n in names if n in resources]
            resource.dependencies.extend(resources[n] for n in names if n in resources)
    return list(resources.values())


class ProtocolRunner:
    """Stacks through the real pack process, one session per (stack name, policy config)."""

    def __init__(self) -> None:
        from preflight.analyzer import PolicyPackSession

        self._session_type = PolicyPackSession
        self._sessions: dict[tuple[str, str], Any] = {}

    def session(self, stack_name: str, config: Mapping[str, Any] | None) -> Any:
        from preflight.analyzer import StackContext
        from preflight.analyzer.config import parse_policy_config

        key = (stack_name, json.dumps(config or {}, sort_keys=True))
        if key not in self._sessions:
            self._sessions[key] = self._session_type.start(
                POLICY_PACK,
                context=StackContext(project=PROJECT, stack=stack_name),
                policy_config=parse_policy_config(config) if config else None,
            )
        return self._sessions[key]

    def analyze(
        self, stack: Stack, config: Mapping[str, Any] | None = None, stack_name: str = "dev"
    ) -> Any:
        return self.session(stack_name, config).analyze(records(stack, stack_name))

    def run(
        self, stack: Stack, config: Mapping[str, Any] | None = None, stack_name: str = "dev"
    ) -> list[Finding]:
        return self.remediate(stack, config, stack_name)[1]

    def remediate(
        self, stack: Stack, config: Mapping[str, Any] | None = None, stack_name: str = "dev"
    ) -> tuple[list[Fix], list[Finding]]:
        from preflight.records import UNKNOWN as RECORD_UNKNOWN

        result = self.analyze(stack, config, stack_name)
        names = {urn(res.type, res.name, stack_name): res.name for res in stack.values()}
        fixes = [
            Fix(
                fix.policy,
                names[fix.urn],
                _replace_unknowns(fix.before, UNKNOWN, unknown=RECORD_UNKNOWN),
                _replace_unknowns(fix.after, UNKNOWN, unknown=RECORD_UNKNOWN),
            )
            for fix in result.remediations
        ]
        findings = [
            Finding(v.policy, v.enforcement_level, names.get(v.urn or ""), v.message)
            for v in result.violations
        ]
        return fixes, findings

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()


def records(stack: Stack, stack_name: str = "dev") -> list[Any]:
    """The stack as preflight records: checked inputs, state, dependencies, options."""
    from preflight.records import UNKNOWN as RECORD_UNKNOWN
    from preflight.records import ResourceRecord

    result = []
    for res in stack.values():
        deps = {
            prop: tuple(urn(stack[n].type, n, stack_name) for n in names)
            for prop, names in res.refs.items()
        }
        result.append(
            ResourceRecord(
                urn=urn(res.type, res.name, stack_name),
                type=res.type,
                name=res.name,
                custom=True,
                dependencies=tuple(sorted({u for us in deps.values() for u in us})),
                property_dependencies=deps,
                protect=res.protect,
                provider=(
                    f"{urn(stack[res.provider].type, res.provider, stack_name)}::{PROVIDER_ID}"
                    if res.provider
                    else None
                ),
                inputs=_replace_unknowns(res.inputs, RECORD_UNKNOWN),
                outputs=_replace_unknowns(_state(res, res.inputs), RECORD_UNKNOWN),
            )
        )
    return result


def fired(findings: list[Finding]) -> set[tuple[str, str | None]]:
    """The (policy, resource) pairs that fired."""
    return {(finding.policy, finding.resource) for finding in findings}


def hits(findings: list[Finding], policy: str) -> set[str | None]:
    """The resources one policy fired on."""
    return {finding.resource for finding in findings if finding.policy == policy}


def as_preview(stack: Stack) -> Stack:
    """The stack as a first `pulumi preview` sees it: every computed value is unknown.

    ARNs and IDs are unknown, and so is every input that refers to one (a listener's
    ``loadBalancerArn``, a bucket policy's ``bucket``); property dependencies still say where
    each unknown comes from.
    """
    computed = {
        value for res in stack.values() for value in res.computed.values() if isinstance(value, str)
    }

    def blank(value: Any, own: set[Any]) -> Any:
        if isinstance(value, str) and value in computed and value not in own:
            return UNKNOWN
        if isinstance(value, dict):
            return {key: blank(item, own) for key, item in value.items()}
        if isinstance(value, list):
            return [blank(item, own) for item in value]
        return value

    preview = stack.copy_stack()
    for res in preview.values():
        # A resource's own name input (a bucket's `bucket`) is known: it is not computed.
        res.inputs = blank(res.inputs, set(res.computed.values()))
        if res.type == BUCKET_POLICY:
            res.inputs["policy"] = UNKNOWN  # built from the bucket's ARN with .apply
        res.computed = {key: UNKNOWN for key in res.computed}
    return preview

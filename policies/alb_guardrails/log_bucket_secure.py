"""alb-log-bucket-secure: the bucket that receives an ALB's logs is private, owned and kept tidy.

For each bucket a load balancer logs to (``accessLogs.bucket``, ``connectionLogs.bucket``) that
the stack creates, its companion resources are checked:

- public access stays blocked (``aws:s3/bucketPublicAccessBlock``, all four settings);
- the bucket owner owns every object (``aws:s3/bucketOwnershipControls``: BucketOwnerEnforced);
- default encryption is SSE-S3: "The only server-side encryption option that's supported is
  Amazon S3-managed keys (SSE-S3)" for ALB access logs
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html),
  so a KMS key makes log delivery fail;
- the bucket policy, read as AWS evaluates it: no Allow reaches everyone (``"*"``,
  ``{"AWS": "*"}``, a ``"*"`` in a list, ``NotPrincipal``) without a condition naming accounts
  or networks; a Deny refuses every principal every S3 action (``s3:*``) on the bucket and its
  objects without TLS (``aws:SecureTransport`` false, Security Hub S3.5); and ELB log delivery
  may put objects where each load balancer writes: the service principal
  ``logdelivery.elasticloadbalancing.amazonaws.com`` (accepted in every region), or the
  region's ELB account in regions opened before August 2022 (``elb_log_delivery.json``).
  Without that grant AWS refuses to turn logging on, so the deployment fails;
- a lifecycle rule expires old logs.

A companion that is absent leaves the AWS default in force, and new buckets default to Block
Public Access on, ACLs disabled (BucketOwnerEnforced) and SSE-S3
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-overview.html); nothing
defaults to a TLS-only policy or a lifecycle rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import (
    BUCKET,
    BUCKET_ENCRYPTION,
    BUCKET_LIFECYCLE,
    BUCKET_OWNERSHIP_CONTROLS,
    BUCKET_POLICY,
    BUCKET_PUBLIC_ACCESS_BLOCK,
    UNKNOWN,
    StackView,
    describe,
    elements,
    known_elements,
    lookup,
    region_of,
    text,
    truth,
)
from .policy_document import Statement, condition_is_only, statements

NAME = "alb-log-bucket-secure"

_PUBLIC_ACCESS_SETTINGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
_PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})

Problem = tuple[str, PolicyResource]

# Who Elastic Load Balancing writes logs as, with the AWS sources, in one data file that the
# program's log bucket component reads too.
_LOG_DELIVERY: Final = json.loads(
    Path(__file__).with_name("elb_log_delivery.json").read_text(encoding="utf-8")
)
LOG_DELIVERY_SERVICE: Final[str] = _LOG_DELIVERY["servicePrincipal"]
ELB_ACCOUNT_IDS: Final[Mapping[str, str]] = _LOG_DELIVERY["accountIds"]
# Security Hub S3.5 reads the TLS-only statement's condition as Bool aws:SecureTransport false;
# BoolIfExists is the same for S3, which always sets the key.
_SECURE_TRANSPORT_OPERATORS: Final = ("Bool", "BoolIfExists")


def log_buckets(stack: StackView) -> list[PolicyResource]:
    """The stack's buckets that some application load balancer writes logs to."""
    found: list[PolicyResource] = []
    for load_balancer in stack.load_balancers():
        for block in ("accessLogs", "connectionLogs"):
            if truth(lookup(load_balancer.props, block, "enabled"), default=False) is False:
                continue
            for bucket in stack.referenced(load_balancer, BUCKET, block, "bucket"):
                if bucket not in found:
                    found.append(bucket)
    return found


def _public_access(stack: StackView, bucket: PolicyResource) -> Iterator[Problem]:
    acl = text(lookup(bucket.props, "acl"))
    if acl in _PUBLIC_CANNED_ACLS:
        yield f"bucket {describe(bucket)} has the public canned ACL {acl!r}", bucket
    for block in stack.referring(bucket, BUCKET_PUBLIC_ACCESS_BLOCK, "bucket"):
        # On the resource itself each setting defaults to false.
        off = [
            setting
            for setting in _PUBLIC_ACCESS_SETTINGS
            if truth(lookup(block.props, setting), default=False) is False
        ]
        if off:
            yield f"public access block {describe(block)} leaves {', '.join(off)} off", block


def _ownership(stack: StackView, bucket: PolicyResource) -> Iterator[Problem]:
    for controls in stack.referring(bucket, BUCKET_OWNERSHIP_CONTROLS, "bucket"):
        ownership = lookup(controls.props, "rule", "objectOwnership")
        if ownership is not UNKNOWN and ownership != "BucketOwnerEnforced":
            yield (
                f"ownership controls {describe(controls)} set {ownership!r} instead of "
                "'BucketOwnerEnforced'",
                controls,
            )


def _encryption(stack: StackView, bucket: PolicyResource) -> Iterator[Problem]:
    settings: list[tuple[Any, PolicyResource]] = [
        (
            lookup(bucket.props, "serverSideEncryptionConfiguration", "rule"),
            bucket,
        )
    ]
    for config in stack.referring(bucket, BUCKET_ENCRYPTION, "bucket"):
        settings.extend((rule, config) for rule in known_elements(lookup(config.props, "rules")))
    for rule, declared_on in settings:
        algorithm = lookup(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
        if algorithm is None or algorithm is UNKNOWN or algorithm == "AES256":
            continue
        yield (
            f"{describe(declared_on)} encrypts with {algorithm!r}; ALB access logs support only "
            "SSE-S3 (sseAlgorithm 'AES256'), so log delivery would fail",
            declared_on,
        )


_LOGS: Final = {"accessLogs": "access logs", "connectionLogs": "connection logs"}


def _destinations(stack: StackView, bucket: PolicyResource) -> list[tuple[PolicyResource, str]]:
    """(load balancer, ``accessLogs``/``connectionLogs``) for each log that goes to ``bucket``."""
    return [
        (load_balancer, block)
        for load_balancer in stack.load_balancers()
        for block in _LOGS
        if truth(lookup(load_balancer.props, block, "enabled"), default=False) is not False
        and bucket in stack.referenced(load_balancer, BUCKET, block, "bucket")
    ]


def _policy(stack: StackView, bucket: PolicyResource) -> Iterator[Problem]:
    """The bucket policy, read as AWS reads it: no public grant, TLS-only, ELB may write."""
    documents = [(bucket, lookup(bucket.props, "policy"))] + [
        (policy, lookup(policy.props, "policy"))
        for policy in stack.referring(bucket, BUCKET_POLICY, "bucket")
    ]
    parsed: list[tuple[PolicyResource, list[Statement]]] = []
    for declared_on, document in documents:
        if document is None:
            continue
        found = statements(document)
        if found is None:
            return  # decided at deployment
        parsed.append((declared_on, found))
    for declared_on, found in parsed:
        for statement in found:
            if statement.grants_publicly():
                yield _public_grant(declared_on, statement), declared_on
    every = [statement for _, found in parsed for statement in found]
    problem = _tls_only_problem(bucket, every, bool(parsed))
    if problem:
        yield problem, bucket
    problem = _log_delivery_problem(stack, bucket, every)
    if problem:
        yield problem, bucket


def _public_grant(declared_on: PolicyResource, statement: Statement) -> str:
    actions = ", ".join(statement.actions or ()) or "every action but its NotAction"
    if statement.not_principal is not None:
        whom = "every principal but those in NotPrincipal"
    else:
        whom = f"every principal (Principal {json.dumps(statement.principal)})"
    return (
        f"{describe(declared_on)} allows {actions} to {whom} with no condition that limits it to "
        "known accounts or networks, which makes the log bucket public"
    )


def _bucket_arns(bucket: PolicyResource) -> tuple[str, str] | None:
    """The bucket's ARN and the pattern of all its objects, when its name is known."""
    name = text(lookup(bucket.props, "bucket"))
    if not name:
        return None
    arn = f"arn:{_partition(bucket)}:s3:::{name}"
    return arn, f"{arn}/*"


def _partition(resource: PolicyResource) -> str:
    arn = text(lookup(resource.props, "arn"))
    return arn.split(":")[1] if arn and arn.count(":") >= 5 else "aws"


def _tls_only_shortfalls(statement: Statement, arns: tuple[str, str] | None) -> list[str]:
    """What keeps a Deny from refusing every request made without TLS (Security Hub S3.5)."""
    shortfalls = []
    if not statement.applies_to_everyone():
        shortfalls.append('it does not name every principal (Principal "*")')
    if not statement.covers_every_action_of("s3"):
        shortfalls.append("it does not cover every S3 action (s3:*)")
    if arns is not None and not all(statement.covers_resource(arn) for arn in arns):
        shortfalls.append(f"its Resource does not cover both {arns[0]} and {arns[1]}")
    if not condition_is_only(
        statement, _SECURE_TRANSPORT_OPERATORS, "aws:SecureTransport", "false"
    ):
        shortfalls.append("its Condition is not only Bool aws:SecureTransport false")
    return shortfalls


def _tls_only_problem(
    bucket: PolicyResource, every: list[Statement], has_policy: bool
) -> str | None:
    arns = _bucket_arns(bucket)
    candidates = [
        statement
        for statement in every
        if statement.effect == "Deny"
        and "securetransport" in json.dumps(statement.condition).lower()
    ]
    partial = [_tls_only_shortfalls(statement, arns) for statement in candidates]
    if any(not shortfalls for shortfalls in partial):
        return None
    # What the statement must deny, after "deny" or "denies".
    wanted = (
        'every principal (Principal "*") every S3 action (s3:*) on the bucket and its '
        "objects when aws:SecureTransport is false (Security Hub S3.5)"
    )
    if partial:
        return f"bucket {describe(bucket)}: its bucket policy must deny {wanted}, but " + "; ".join(
            partial[0]
        )
    what = (
        "its bucket policy does not deny" if has_policy else "it has no bucket policy that denies"
    )
    return f"bucket {describe(bucket)}: {what} {wanted}"


def _log_object(bucket: PolicyResource, load_balancer: PolicyResource, block: str) -> str | None:
    """The first object ELB writes for a log (its test file, AWSLogs/<account>/...), when known.

    "Enable access logs for your Application Load Balancer", Step 4: bucket/prefix/AWSLogs/
    <account>/ELBAccessLogTestFile.
    """
    arns = _bucket_arns(bucket)
    prefix = lookup(load_balancer.props, block, "prefix")
    lb_arn = text(lookup(load_balancer.props, "arn"))
    if arns is None or prefix is UNKNOWN or not lb_arn or lb_arn.count(":") < 5:
        return None
    account = lb_arn.split(":")[4]
    folder = f"{prefix.strip('/')}/" if isinstance(prefix, str) and prefix.strip("/") else ""
    return f"{arns[0]}/{folder}AWSLogs/{account}/ELBAccessLogTestFile"


def _delivery_principals(region: str | None) -> list[tuple[str, str]]:
    """(principal type, value) that ELB log delivery uses in a region (any region when None)."""
    accepted = [("Service", LOG_DELIVERY_SERVICE)]
    if region is None:
        accounts = list(ELB_ACCOUNT_IDS.values())
    else:
        accounts = [ELB_ACCOUNT_IDS[region]] if region in ELB_ACCOUNT_IDS else []
    for account in accounts:
        accepted.append(("AWS", account))
        accepted.extend(
            ("AWS", f"arn:{partition}:iam::{account}:root")
            for partition in ("aws", "aws-cn", "aws-us-gov")
        )
    return accepted


def _grants(every: list[Statement], principal: tuple[str, str], target: str | None) -> bool:
    kind, value = principal

    def names(statement: Statement) -> bool:
        return any(v.lower() == value.lower() for v in statement.principals(kind))

    def applies(statement: Statement) -> bool:
        return statement.allows_action("s3:PutObject") and (
            target is None or statement.covers_resource(target)
        )

    allowed = any(s.effect == "Allow" and names(s) and applies(s) for s in every)
    # A Deny without conditions that reaches the same principal takes the grant away.
    denied = any(
        s.effect == "Deny"
        and not s.condition
        and (s.applies_to_everyone() or names(s))
        and applies(s)
        for s in every
    )
    return allowed and not denied


def _log_delivery_problem(
    stack: StackView, bucket: PolicyResource, every: list[Statement]
) -> str | None:
    missing = []
    region = None
    for load_balancer, block in _destinations(stack, bucket):
        region = region_of(bucket) or region_of(load_balancer)
        target = _log_object(bucket, load_balancer, block)
        if not any(_grants(every, p, target) for p in _delivery_principals(region)):
            where = f" to {target.split(':::', 1)[1].rsplit('/', 1)[0]}/" if target else ""
            missing.append(f"the {_LOGS[block]} of load balancer {describe(load_balancer)}{where}")
    if not missing:
        return None
    if region is None:
        whom = (
            f"the service principal {LOG_DELIVERY_SERVICE} (or the Elastic Load Balancing "
            "account of the stack's region)"
        )
    elif region in ELB_ACCOUNT_IDS:
        whom = (
            f"the service principal {LOG_DELIVERY_SERVICE} or {region}'s Elastic Load Balancing "
            f"account {ELB_ACCOUNT_IDS[region]}"
        )
    else:
        whom = (
            f"the service principal {LOG_DELIVERY_SERVICE} ({region} has no Elastic Load "
            "Balancing account)"
        )
    return (
        f"bucket {describe(bucket)}: its bucket policy does not allow s3:PutObject to {whom} for "
        f"{' and '.join(missing)}; AWS refuses to turn logging on without that grant"
    )


def _expiring_rule(rules: Any, enabled_field: str) -> bool | None:
    """Whether some enabled rule expires objects; None when the rules are unknown."""
    items = elements(rules)
    if not isinstance(items, list):
        return None
    for rule in items:
        if rule is UNKNOWN:
            return None
        enabled = lookup(rule, enabled_field)
        if enabled is UNKNOWN:
            return None
        on = enabled is True or (isinstance(enabled, str) and enabled == "Enabled")
        if on and lookup(rule, "expiration") is not None:
            return True
    return False


def _lifecycle(stack: StackView, bucket: PolicyResource) -> Iterator[Problem]:
    results = [_expiring_rule(lookup(bucket.props, "lifecycleRules"), "enabled")] + [
        _expiring_rule(lookup(config.props, "rules"), "status")
        for config in stack.referring(bucket, BUCKET_LIFECYCLE, "bucket")
    ]
    if any(result is None or result for result in results):
        return
    yield (
        f"bucket {describe(bucket)} has no enabled lifecycle rule that expires old logs",
        bucket,
    )


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackView(args.resources)
    for bucket in log_buckets(stack):
        for check in (_public_access, _ownership, _encryption, _policy, _lifecycle):
            for message, resource in check(stack, bucket):
                report_violation(f"Log bucket: {message}.", resource.urn)


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=NAME,
        description=(
            "The ALB log bucket blocks public access, enforces bucket-owner ownership, uses "
            "SSE-S3, denies non-TLS access and has a lifecycle rule."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        tags=["S3.5", "S3.8", "S3.12", "S3.13", "CKV2_AWS_6", "CKV2_AWS_61", "CKV2_AWS_65"],
        remediation_steps=(
            "Give the log bucket an aws.s3.BucketPublicAccessBlock with all four settings true, "
            "aws.s3.BucketOwnershipControls with object_ownership='BucketOwnerEnforced', "
            "aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm='AES256' (not "
            "KMS), an aws.s3.BucketPolicy with a Deny statement on aws:SecureTransport = false "
            "next to the ELB log-delivery grant, and an aws.s3.BucketLifecycleConfiguration "
            "rule with status 'Enabled' and an expiration."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
    )

"""alb-log-bucket-secure: the bucket that receives an ALB's logs is private, owned and kept tidy.

For each bucket a load balancer logs to (``accessLogs.bucket``, ``connectionLogs.bucket``) that
the stack creates, its companion resources are checked:

- public access stays blocked (``aws:s3/bucketPublicAccessBlock``, all four settings);
- the bucket owner owns every object (``aws:s3/bucketOwnershipControls``: BucketOwnerEnforced);
- default encryption is SSE-S3: "The only server-side encryption option that's supported is
  Amazon S3-managed keys (SSE-S3)" for ALB access logs
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html),
  so a KMS key makes log delivery fail;
- a bucket policy denies requests without TLS (``aws:SecureTransport`` false);
- a lifecycle rule expires old logs.

A companion that is absent leaves the AWS default in force, and new buckets default to Block
Public Access on, ACLs disabled (BucketOwnerEnforced) and SSE-S3
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-overview.html); nothing
defaults to a TLS-only policy or a lifecycle rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

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
    plain,
    text,
    truth,
)

NAME = "alb-log-bucket-secure"

_PUBLIC_ACCESS_SETTINGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
_PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})

Problem = tuple[str, PolicyResource]


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


def _denies_insecure_transport(document: Any) -> bool:
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Deny":
            continue
        conditions = statement.get("Condition")
        if not isinstance(conditions, dict):
            continue
        for operator, keys in conditions.items():
            if operator != "Bool" or not isinstance(keys, dict):
                continue
            for key, value in keys.items():
                values = value if isinstance(value, list) else [value]
                if key.lower() == "aws:securetransport" and any(
                    str(v).lower() == "false" for v in values
                ):
                    return True
    return False


def _tls_only(stack: StackView, bucket: PolicyResource) -> Iterator[Problem]:
    documents = [lookup(bucket.props, "policy")] + [
        lookup(policy.props, "policy")
        for policy in stack.referring(bucket, BUCKET_POLICY, "bucket")
    ]
    found_any = False
    for document in documents:
        if document is UNKNOWN:
            return
        if document is None:
            continue
        found_any = True
        parsed = plain(document)
        if isinstance(parsed, str):
            try:
                parsed = json.loads(parsed)
            except ValueError:
                continue
        if _denies_insecure_transport(parsed):
            return
    what = "its bucket policy does not" if found_any else "it has no bucket policy that"
    yield (
        f"bucket {describe(bucket)}: {what} deny requests without TLS "
        "(Deny with Condition Bool aws:SecureTransport false)",
        bucket,
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
        for check in (_public_access, _ownership, _encryption, _tls_only, _lifecycle):
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

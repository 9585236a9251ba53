"""The S3 bucket that receives the load balancer's access and connection logs."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import aws_facts


@dataclass(frozen=True)
class AccessLogBucketArgs:
    prefix: str
    """Key prefix under which ELB writes; access logs go below `<prefix>/access`."""
    retention_days: int
    """Days after which log objects expire."""
    protect: bool
    """Production safety: Pulumi protect on the bucket."""
    keep_on_destroy: bool
    """Keep the bucket and its settings when the stack is destroyed (retained, never emptied)."""
    region: str
    """The stack's region, which decides the log-delivery principal."""
    tags: dict[str, str]
    """Tags for every resource."""


def private_bucket_settings(name: str, bucket: aws.s3.Bucket, opts: pulumi.ResourceOptions) -> None:
    """A bucket's companions that keep it private: the bucket owner owns every object (ACLs
    off), public access stays blocked, and objects are encrypted with SSE-S3."""
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=opts,
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    # ALB access logs support only SSE-S3 ("Access log files", ALB docs: "The only
    # server-side encryption option that's supported is Amazon S3-managed keys").
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
        opts=opts,
    )


def deny_insecure_transport(bucket_arn: str) -> dict[str, object]:
    """The bucket policy statement that refuses every request made without TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


class AccessLogBucket(pulumi.ComponentResource):
    """A private, encrypted, expiring log bucket that ELB log delivery may write to."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy
    access_prefix: str
    connection_prefix: str

    def __init__(
        self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("alb:index:AccessLogBucket", name, None, opts)
        # Keeping the logs is decided apart from `protect`, the switch people turn off to tear a
        # stack down. A kept bucket keeps its settings too, so it stays private, encrypted,
        # TLS-only and expiring after the stack is gone.
        child = pulumi.ResourceOptions(parent=self, retain_on_delete=args.keep_on_destroy)
        self.access_prefix = f"{args.prefix}/access"
        self.connection_prefix = f"{args.prefix}/connection"

        self.bucket = aws.s3.Bucket(
            name,
            # Should a delete reach AWS anyway (a replacement, a state edit), a non-empty bucket
            # refuses it instead of losing its objects.
            force_destroy=not args.keep_on_destroy,
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, retain_on_delete=args.keep_on_destroy
            ),
        )
        private_bucket_settings(name, self.bucket, child)
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=self.bucket.id,
            rules=[
                {
                    "id": "expire-logs",
                    "status": "Enabled",
                    "filter": {"prefix": f"{args.prefix}/"},
                    "expiration": {"days": args.retention_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=child,
        )
        account_id = aws.get_caller_identity().account_id
        legacy_account = (
            aws.elb.get_service_account().arn
            if args.region in aws_facts.ELB_ACCOUNT_REGIONS
            else None
        )
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(
                lambda arn: _policy_document(
                    arn, [self.access_prefix, self.connection_prefix], account_id, legacy_account
                )
            ),
            opts=child,
        )
        self.register_outputs({"bucketName": self.bucket.bucket, "bucketArn": self.bucket.arn})


def _policy_document(
    bucket_arn: str, prefixes: list[str], account_id: str, legacy_account_arn: str | None
) -> str:
    """Log delivery may put objects under the prefixes; nobody may use plain HTTP.

    The statement shapes follow "Enable access logs for your Application Load Balancer"
    (service principal for every region, the regional ELB account for older regions).
    """
    log_objects = [f"{bucket_arn}/{prefix}/AWSLogs/{account_id}/*" for prefix in prefixes]
    principals: list[dict[str, str]] = [
        {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    ]
    if legacy_account_arn:
        principals.append({"AWS": legacy_account_arn})
    statements: list[dict[str, object]] = [
        {
            "Sid": f"ElbLogDelivery{index}",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "s3:PutObject",
            "Resource": log_objects,
        }
        for index, principal in enumerate(principals)
    ]
    statements.append(deny_insecure_transport(bucket_arn))
    return json.dumps({"Version": "2012-10-17", "Statement": statements})

"""The trust store of mutual TLS in verify mode: the CA certificates client certificates must
chain to, and the certificate revocation lists checked against them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.access_log_bucket import deny_insecure_transport, private_bucket_settings
from components.config import MtlsConfig, s3_location

# Trust store names are at most 32 characters ("Name ... can have a maximum of 32 characters",
# lb.TrustStore), too few for "alb-<stack>-mtls" and an autoname suffix; with a prefix of at
# most 6 characters the provider appends a unique 26-character suffix (lb.TrustStore
# name_prefix), and a replacement is still created before the old store is deleted.
NAME_PREFIX = "mtls-"


@dataclass(frozen=True)
class TrustStoreArgs:
    mtls: MtlsConfig
    """The stack's alb:mtls (mode verify): the CA bundle and revocation lists."""
    protect: bool
    """Production safety: Pulumi protect on the trust store, which the listener depends on."""
    tags: dict[str, str]
    """Tags for every resource."""


class TrustStore(pulumi.ComponentResource):
    """An ELB trust store from a CA bundle in S3, or from a PEM file in the repository that it
    uploads to a private bucket of its own; one revocation resource per revocation list."""

    trust_store: aws.lb.TrustStore
    bucket: aws.s3.Bucket | None
    """The bucket holding the uploaded CA bundle (None for a bundle given by S3 URI)."""

    def __init__(
        self, name: str, args: TrustStoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("alb:index:TrustStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        bundle = args.mtls.ca_bundle
        assert bundle is not None, "verify mode has a CA bundle (components/config.py)"
        self.bucket = None
        bundle_bucket: pulumi.Input[str]
        bundle_key: pulumi.Input[str]
        if bundle.s3_uri is not None:
            bundle_bucket, bundle_key = s3_location(bundle.s3_uri)
        else:
            bundle_bucket, bundle_key = self._upload(name, bundle.pem, args.tags, child)
        self.trust_store = aws.lb.TrustStore(
            name,
            name_prefix=NAME_PREFIX,
            ca_certificates_bundle_s3_bucket=bundle_bucket,
            ca_certificates_bundle_s3_key=bundle_key,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        for uri in args.mtls.revocation_lists:
            bucket, key = s3_location(uri)
            aws.lb.TrustStoreRevocation(
                # Named after the list, so adding or removing one never renames another.
                f"{name}-crl-{hashlib.sha256(uri.encode()).hexdigest()[:8]}",
                trust_store_arn=self.trust_store.arn,
                revocations_s3_bucket=bucket,
                revocations_s3_key=key,
                opts=child,
            )
        self.register_outputs({"trustStoreArn": self.trust_store.arn})

    def _upload(
        self, name: str, pem: str, tags: dict[str, str], child: pulumi.ResourceOptions
    ) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """A private, TLS-only bucket holding the bundle; returns its (bucket, key).

        The bucket only holds a copy of a file kept in the repository, and ELB reads the bundle
        when the trust store is created or modified, so it is neither protected nor kept when
        the stack goes (unlike the log bucket, whose logs exist nowhere else).
        """
        self.bucket = aws.s3.Bucket(f"{name}-ca", force_destroy=True, tags=tags, opts=child)
        private_bucket_settings(f"{name}-ca", self.bucket, child)
        aws.s3.BucketPolicy(
            f"{name}-ca-policy",
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(
                lambda arn: json.dumps(
                    {"Version": "2012-10-17", "Statement": [deny_insecure_transport(arn)]}
                )
            ),
            opts=child,
        )
        # The key names the content: a changed bundle is a new object, and the trust store's
        # new key makes the provider call ModifyTrustStore (terraform-provider-aws
        # resourceTrustStoreUpdate), which re-reads the bundle; a rewritten object under the
        # same key would go unnoticed.
        digest = hashlib.sha256(pem.encode()).hexdigest()[:16]
        bundle = aws.s3.BucketObjectv2(
            f"{name}-ca-bundle",
            bucket=self.bucket.id,
            key=f"ca-bundle/{digest}.pem",
            content=pem,
            content_type="application/x-pem-file",
            tags=tags,
            opts=child,
        )
        return bundle.bucket, bundle.key

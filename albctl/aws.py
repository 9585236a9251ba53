"""Every AWS call albctl makes, and what its failures mean to the user.

Clients come from one boto3 session with the standard credential chain (environment,
``AWS_PROFILE`` and the shared files, SSO, container and instance roles) and with no endpoint
of their own, so ``AWS_ENDPOINT_URL`` (and the per-service ``AWS_ENDPOINT_URL_<SERVICE>``)
reach every one of them: botocore reads those itself (boto3 1.28+, "Service-specific
endpoints" in the AWS SDKs and Tools reference guide).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
)

from albctl.errors import AlbctlError

# (boto3 client, API operation) → the IAM action that authorizes it ("Actions, resources, and
# condition keys" in the Service Authorization Reference: the CloudWatch API is signed as
# "monitoring" but authorized as "cloudwatch:"). albctl calls AWS only through this table, and
# the IAM policy in docs/operations.md lists exactly its actions (tests/albctl/test_docs.py).
AWS_CALLS: dict[tuple[str, str], str] = {
    ("elbv2", "DescribeTargetHealth"): "elasticloadbalancing:DescribeTargetHealth",
    ("cloudwatch", "GetMetricData"): "cloudwatch:GetMetricData",
    ("cloudwatch", "DescribeAlarms"): "cloudwatch:DescribeAlarms",
}

# Error codes AWS answers when the identity lacks the permission (query APIs say
# AccessDenied, JSON ones AccessDeniedException).
_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidAccessKeyId",
    "AuthFailure",
}
POLICY_HINT = "docs/operations.md has the read-only IAM policy albctl needs"


class AwsError(AlbctlError):
    """An AWS API error that is not about credentials or permissions."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Aws:
    """The clients of one region, created on first use."""

    def __init__(self, region: str) -> None:
        self.region = region
        with _translated("the AWS configuration"):
            self._session = boto3.session.Session(region_name=region)
        self._clients: dict[str, Any] = {}
        self._config = Config(
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=5,
            read_timeout=30,
            user_agent_appid="albctl",
        )

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            with _translated(f"{service} client"):
                self._clients[service] = self._session.client(service, config=self._config)
        return self._clients[service]

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        action = AWS_CALLS[(service, operation)]
        method = getattr(self._client(service), xform_name(operation))
        with _translated(action):
            response: dict[str, Any] = method(**params)
        return response

    def pages(self, service: str, operation: str, **params: Any) -> list[dict[str, Any]]:
        """Every page of a paginated operation."""
        action = AWS_CALLS[(service, operation)]
        paginator = self._client(service).get_paginator(xform_name(operation))
        with _translated(action):
            return list(paginator.paginate(**params))


@contextmanager
def _translated(action: str) -> Iterator[None]:
    """botocore's exceptions as one message each, naming the IAM action where it matters."""
    try:
        yield
    except NoCredentialsError:
        raise AlbctlError(
            "no AWS credentials found: boto3 looked in the environment (AWS_ACCESS_KEY_ID, "
            "AWS_PROFILE), the shared credentials and config files, SSO, and container and "
            "instance roles; sign in (`aws sso login`, `aws configure`) or set AWS_PROFILE"
        ) from None
    except (PartialCredentialsError, ProfileNotFound) as error:
        raise AlbctlError(f"AWS credentials: {error}") from None
    except ClientError as error:
        details = error.response.get("Error", {})
        code = str(details.get("Code", "Unknown"))
        message = " ".join(str(details.get("Message", "")).split()) or code
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        # An error botocore could not parse (a proxy's page, a body in another protocol)
        # has the HTTP status as its code and the raw body as its message.
        if code.isdigit():
            code = "Unknown"
        if message.startswith("<"):
            message = f"HTTP {status}"
        if code in _ACCESS_DENIED or (code == "Unknown" and status == 403):
            raise AlbctlError(
                f"access denied: the AWS identity in use may not call {action} ({message}); "
                f"{POLICY_HINT}"
            ) from None
        if code in _BAD_CREDENTIALS:
            raise AlbctlError(f"AWS rejected the credentials ({code}: {message})") from None
        raise AwsError(f"{action} failed: {code}: {message}", code) from None
    except BotoCoreError as error:
        raise AlbctlError(f"{action} failed: {error}") from None

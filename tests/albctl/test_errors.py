"""Every failure albctl reports is one line on stderr, exit status 2, no traceback: no
credentials, access denied (naming the IAM action), outputs from another project version or
not outputs at all, a stack that no longer exists, an endpoint that does not answer."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from tests.albctl.moto_stack import Cloud, Stack
from tests.harness import assert_one_clear_failure

POLICY_HINT = "docs/operations.md has the read-only IAM policy albctl needs"


def test_no_credentials(cloud: Cloud, stack: Stack) -> None:
    env = cloud.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    run = cloud.albctl("status", "--stack-outputs", stack.write_outputs(), env=env)
    assert_one_clear_failure(run)
    assert run.stderr == (
        "albctl: error: no AWS credentials found: boto3 looked in the environment "
        "(AWS_ACCESS_KEY_ID, AWS_PROFILE), the shared credentials and config files, SSO, and "
        "container and instance roles; sign in (`aws sso login`, `aws configure`) or set "
        "AWS_PROFILE\n"
    )


def test_a_profile_that_does_not_exist(cloud: Cloud, stack: Stack) -> None:
    env = cloud.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None, AWS_PROFILE="oncall")
    run = cloud.albctl("wait", "api", "--stack-outputs", stack.write_outputs(), env=env)
    assert_one_clear_failure(run)
    assert run.stderr == (
        "albctl: error: AWS credentials: The config profile (oncall) could not be found\n"
    )


@pytest.fixture
def iam_user(cloud: Cloud) -> Iterator[Callable[[dict[str, Any]], dict[str, str]]]:
    """An IAM user with one inline policy, and moto checking every request against it."""
    iam = boto3.client("iam", region_name="us-east-1")

    def make(policy: dict[str, Any]) -> dict[str, str]:
        iam.create_user(UserName="oncall")
        iam.put_user_policy(
            UserName="oncall", PolicyName="albctl", PolicyDocument=json.dumps(policy)
        )
        key = iam.create_access_key(UserName="oncall")["AccessKey"]
        cloud.server.authenticate_requests(True)
        return {
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        }

    try:
        yield make
    finally:
        cloud.server.authenticate_requests(False)


def _all_but(action: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": action, "Resource": "*"},
        ],
    }


def test_access_denied_names_the_elb_action(
    cloud: Cloud, stack: Stack, iam_user: Callable[[dict[str, Any]], dict[str, str]]
) -> None:
    stack.register("api", "10.0.1.10")
    outputs = stack.write_outputs()
    credentials = iam_user(_all_but("elasticloadbalancing:DescribeTargetHealth"))

    for command in (["status"], ["wait", "api"]):
        run = cloud.albctl(*command, "--stack-outputs", outputs, env=cloud.env(**credentials))
        assert_one_clear_failure(run)
        assert run.stderr.startswith(
            "albctl: error: access denied: the AWS identity in use may not call "
            "elasticloadbalancing:DescribeTargetHealth (User: arn:aws:iam::123456789012:user/"
            "oncall is not authorized to perform: elasticloadbalancing:DescribeTargetHealth"
        )
        assert run.stderr.endswith(f"; {POLICY_HINT}\n")
        assert run.stderr.count("\n") == 1


@pytest.mark.parametrize("operation", ["GetMetricData", "DescribeAlarms"])
def test_access_denied_names_the_cloudwatch_action(
    cloud: Cloud,
    stack: Stack,
    iam_user: Callable[[dict[str, Any]], dict[str, str]],
    operation: str,
) -> None:
    stack.register("api", "10.0.1.10")
    # moto authorizes CloudWatch under its signing name, "monitoring", and answers a denied
    # CBOR request with an XML body botocore cannot read (HTTP 403 is all it gets); AWS's
    # IAM action is cloudwatch:<operation>, and that is what albctl names.
    credentials = iam_user(_all_but(f"monitoring:{operation}"))

    run = cloud.albctl(
        "status", "--stack-outputs", stack.write_outputs(), env=cloud.env(**credentials)
    )

    assert_one_clear_failure(run)
    assert run.stderr == (
        "albctl: error: access denied: the AWS identity in use may not call "
        f"cloudwatch:{operation} (HTTP 403); {POLICY_HINT}\n"
    )


def test_credentials_aws_does_not_know(
    cloud: Cloud, stack: Stack, iam_user: Callable[[dict[str, Any]], dict[str, str]]
) -> None:
    iam_user(_all_but("elasticloadbalancing:DeleteLoadBalancer"))
    run = cloud.albctl(
        "status",
        "--stack-outputs",
        stack.write_outputs(),
        env=cloud.env(AWS_ACCESS_KEY_ID="AKIAUNKNOWN000000000", AWS_SECRET_ACCESS_KEY="x"),
    )
    assert_one_clear_failure(
        run, "albctl: error: AWS rejected the credentials (InvalidClientTokenId: "
    )


def test_outputs_of_an_older_version(cloud: Cloud, stack: Stack) -> None:
    older = json.loads(json.dumps(stack.outputs))
    del older["albArnSuffix"]
    del older["targetGroups"]["api"]["arnSuffix"]
    older["targetGroups"]["api"]["targetType"] = "IP"
    path = stack.write_outputs(older)

    run = cloud.albctl("status", "--stack-outputs", path)

    assert_one_clear_failure(run)
    assert run.stderr == (
        f"albctl: error: {path}: not the outputs of an alb stack as this albctl reads them "
        "(docs/outputs.schema.json): (top level): 'albArnSuffix' is a required property; "
        "targetGroups.api: 'arnSuffix' is a required property; targetGroups.api.targetType: "
        "'IP' is not one of ['instance', 'ip', 'lambda']\n"
    )


def test_outputs_of_another_project(cloud: Cloud) -> None:
    path = cloud.home / "other.json"
    path.write_text(json.dumps({"bucketName": "x", "url": "http://example.com"}), "utf-8")

    run = cloud.albctl("wait", "api", "--stack-outputs", path)

    assert_one_clear_failure(run, f"albctl: error: {path}: not the outputs of an alb stack")
    assert "(top level): 'albArn' is a required property" in run.stderr
    assert run.stderr.endswith(" more\n")
    assert run.stderr.count("\n") == 1


def test_a_newer_minor_version_still_reads(cloud: Cloud, stack: Stack) -> None:
    """Consumers ignore keys they do not know (docs/outputs.schema.json)."""
    stack.register("api", "10.0.1.10")
    newer = json.loads(json.dumps(stack.outputs))
    # Keys a later contract version may add, unknown to this one.
    newer["canaryListenerArn"] = newer["httpListenerArn"]
    newer["targetGroups"]["api"]["weight"] = 90
    run = cloud.albctl("status", "--json", "--stack-outputs", stack.write_outputs(newer))
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "not JSON (Expecting value at line 1, column 1)"),
        (
            "{\n  'url': 1\n}",
            "not JSON (Expecting property name enclosed in double quotes at line 2, column 3)",
        ),
    ],
)
def test_outputs_that_are_not_json(cloud: Cloud, content: str, problem: str) -> None:
    path = cloud.home / "outputs.json"
    path.write_text(content, "utf-8")
    run = cloud.albctl("status", "--stack-outputs", path)
    assert_one_clear_failure(run)
    assert run.stderr == (
        f"albctl: error: {path}: {problem}; write it with `pulumi stack output --json`\n"
    )


def test_an_outputs_file_that_is_not_there(cloud: Cloud) -> None:
    path = cloud.home / "missing.json"
    run = cloud.albctl("status", "--stack-outputs", path)
    assert_one_clear_failure(run)
    assert run.stderr == f"albctl: error: {path}: cannot read it (No such file or directory)\n"


def test_outputs_of_a_destroyed_stack(cloud: Cloud, stack: Stack) -> None:
    outputs = stack.write_outputs()
    stack.elb.delete_target_group(TargetGroupArn=stack.arn("api"))
    run = cloud.albctl("status", "--stack-outputs", outputs)
    assert_one_clear_failure(run)
    assert run.stderr == (
        f"albctl: error: service api: target group {stack.arn('api')} does not exist in "
        "ap-northeast-2 (outputs of a destroyed stack, or credentials for another account?)\n"
    )


def test_an_endpoint_that_does_not_answer(cloud: Cloud, stack: Stack) -> None:
    # A port nothing listens on: the server's own port, once it is closed, is not known to
    # be free; port 9 (discard) on the loopback is refused at once on a host without it.
    env = cloud.env(AWS_ENDPOINT_URL="http://127.0.0.1:9")
    run = cloud.albctl("status", "--stack-outputs", stack.write_outputs(), env=env)
    assert_one_clear_failure(
        run,
        "albctl: error: elasticloadbalancing:DescribeTargetHealth failed: Could not connect "
        'to the endpoint URL: "http://127.0.0.1:9/"',
    )

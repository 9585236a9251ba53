"""The provider functions and resources that common AWS programs use, answered offline: ARN
helpers, get_ami, get_iam_policy for AWS managed policies, get_region and get_partition in
every partition, and pulumi_random resources (unknown in a preview, as in the engine)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from preflight.aws_model import AwsModel, InvokeError
from tests.harness import assert_one_clear_failure, run_preflight, write_program


@pytest.mark.parametrize(
    ("region", "partition", "dns_suffix", "reverse_dns_prefix"),
    [
        ("us-east-1", "aws", "amazonaws.com", "com.amazonaws"),
        ("ap-southeast-7", "aws", "amazonaws.com", "com.amazonaws"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com", "com.amazonaws"),
        ("us-iso-east-1", "aws-iso", "c2s.ic.gov", "gov.ic.c2s"),
        ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov", "gov.sgov.sc2s"),
        ("eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk", "uk.adc-e.cloud"),
        ("us-isof-south-1", "aws-iso-f", "csp.hci.ic.gov", "gov.ic.hci.csp"),
        ("eusc-de-east-1", "aws-eusc", "amazonaws.eu", "eu.amazonaws"),
    ],
)
def test_partition_and_region_in_every_partition(
    region: str, partition: str, dns_suffix: str, reverse_dns_prefix: str
) -> None:
    model = AwsModel.from_config({"aws:region": region})
    assert model.partition == partition
    assert model.invoke("aws:index/getPartition:getPartition", {}) == {
        "id": partition,
        "partition": partition,
        "dnsSuffix": dns_suffix,
        "reverseDnsPrefix": reverse_dns_prefix,
    }
    assert model.invoke("aws:index/getRegion:getRegion", {}) == {
        "id": region,
        "name": region,
        "region": region,
        "endpoint": f"ec2.{region}.{dns_suffix}",
        "description": region,
    }


def test_get_region_of_another_region() -> None:
    result = AwsModel().invoke("aws:index/getRegion:getRegion", {"region": "cn-northwest-1"})
    assert result is not None
    assert result["endpoint"] == "ec2.cn-northwest-1.amazonaws.com.cn"


def test_resource_arns_use_the_partition_of_the_region() -> None:
    model = AwsModel.from_config({"aws:region": "cn-north-1"})
    _, state = model.new_resource("aws:sns/topic:Topic", "t", "urn:t", {"name": "alerts"})
    assert state["arn"] == "arn:aws-cn:sns:cn-north-1:123456789012:alerts"


@pytest.mark.parametrize(
    ("arn", "parts"),
    [
        (
            "arn:aws:iam::123456789012:role/service-role/app",
            ("aws", "iam", "", "123456789012", "role/service-role/app"),
        ),
        (
            "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:"
            "listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2",
            (
                "aws-us-gov",
                "elasticloadbalancing",
                "us-gov-west-1",
                "123456789012",
                "listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2",
            ),
        ),
        # The resource keeps its own colons, as arn.Parse keeps them.
        (
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn:*",
            ("aws", "logs", "eu-west-1", "123456789012", "log-group:/aws/lambda/fn:*"),
        ),
        ("arn:aws:s3:::bucket/key", ("aws", "s3", "", "", "bucket/key")),
    ],
)
def test_get_arn_splits_an_arn(arn: str, parts: tuple[str, ...]) -> None:
    result = AwsModel().invoke("aws:index/getArn:getArn", {"arn": arn})
    assert result == {
        "id": arn,
        "arn": arn,
        **dict(zip(("partition", "service", "region", "account", "resource"), parts, strict=True)),
    }


@pytest.mark.parametrize(
    ("arn", "message"),
    [("aws:iam::123456789012:role/x", "arn: invalid prefix"), ("arn:aws:iam", "not enough")],
)
def test_get_arn_refuses_a_malformed_arn(arn: str, message: str) -> None:
    with pytest.raises(InvokeError, match=message):
        AwsModel().invoke("aws:index/getArn:getArn", {"arn": arn})


AMI_ARGS = {
    "mostRecent": True,
    "owners": ["amazon"],
    "filters": [
        {"name": "name", "values": ["al2023-ami-2023.*-kernel-6.1-arm64"]},
        {"name": "architecture", "values": ["arm64"]},
        {"name": "virtualization-type", "values": ["hvm"]},
    ],
}


def test_get_ami_answers_a_deterministic_well_formed_image_matching_its_filters() -> None:
    model = AwsModel.from_config({"aws:region": "eu-west-1"})
    ami = model.invoke("aws:ec2/getAmi:getAmi", AMI_ARGS)
    assert ami is not None
    assert re.fullmatch(r"ami-[0-9a-f]{17}", ami["id"])
    assert ami["imageId"] == ami["id"]
    assert ami["arn"] == f"arn:aws:ec2:eu-west-1::image/{ami['id']}"
    assert ami["name"] == "al2023-ami-2023.20260101-kernel-6.1-arm64"
    assert (ami["architecture"], ami["virtualizationType"]) == ("arm64", "hvm")
    assert (ami["ownerId"], ami["imageOwnerAlias"], ami["public"]) == (
        "137112412989",
        "amazon",
        True,
    )
    assert ami["rootDeviceType"] == "ebs"
    assert re.fullmatch(r"snap-[0-9a-f]{17}", ami["rootSnapshotId"])
    assert ami["blockDeviceMappings"][0]["ebs"]["snapshot_id"] == ami["rootSnapshotId"]
    assert (ami["mostRecent"], ami["owners"], ami["filters"]) == (
        True,
        ["amazon"],
        AMI_ARGS["filters"],
    )
    # The same question gets the same image; another filter, another image.
    assert model.invoke("aws:ec2/getAmi:getAmi", AMI_ARGS) == ami
    other = {**AMI_ARGS, "filters": [{"name": "name", "values": ["ubuntu/*"]}]}
    assert model.invoke("aws:ec2/getAmi:getAmi", other)["id"] != ami["id"]  # type: ignore[index]


def test_get_ami_owned_by_self_or_an_account() -> None:
    model = AwsModel()
    own = model.invoke("aws:ec2/getAmi:getAmi", {"owners": ["self"]})
    theirs = model.invoke("aws:ec2/getAmi:getAmi", {"owners": ["099720109477"]})
    assert own is not None and theirs is not None
    assert (own["ownerId"], own["imageOwnerAlias"], own["public"]) == ("123456789012", "", False)
    assert theirs["ownerId"] == "099720109477"


def test_get_iam_policy_of_an_aws_managed_policy_by_arn() -> None:
    model = AwsModel()
    arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    policy = model.invoke("aws:iam/getPolicy:getPolicy", {"arn": arn})
    assert policy is not None
    assert (policy["arn"], policy["name"], policy["path"]) == (
        arn,
        "AmazonECSTaskExecutionRolePolicy",
        "/service-role/",
    )
    assert re.fullmatch(r"ANPA[0-9A-F]{17}", policy["policyId"])
    assert json.loads(policy["policy"])["Statement"][0]["Action"][0] == "ecr:GetAuthorizationToken"
    assert model.take_notes() == []


def test_get_iam_policy_by_name_finds_the_aws_managed_policy() -> None:
    model = AwsModel.from_config({"aws:region": "us-gov-west-1"})
    policy = model.invoke("aws:iam/getPolicy:getPolicy", {"name": "AWSLambdaBasicExecutionRole"})
    assert policy is not None
    assert policy["arn"] == (
        "arn:aws-us-gov:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    )


def test_get_iam_policy_does_not_invent_an_unknown_document() -> None:
    model = AwsModel()
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    policy = model.invoke("aws:iam/getPolicy:getPolicy", {"arn": arn})
    assert policy is not None
    assert (policy["name"], policy["path"], policy["policy"]) == ("ReadOnlyAccess", "/", "")
    assert model.take_notes() == [
        f"the document of IAM policy {arn} is not known offline; get_policy returned its ARN "
        "and name with an empty policy"
    ]
    customer = model.invoke("aws:iam/getPolicy:getPolicy", {"name": "deploy"})
    assert customer is not None
    assert customer["arn"] == "arn:aws:iam::123456789012:policy/deploy"


RANDOM_PROGRAM = """
import pulumi
import pulumi_aws as aws
import pulumi_random as random

pet = random.RandomPet("name", length=2)
suffix = random.RandomString("suffix", length=6, special=False, upper=False)
password = random.RandomPassword("db", length=24)
bucket = aws.s3.Bucket("data", bucket=pulumi.Output.concat("data-", suffix.result))
plain = aws.s3.Bucket("plain")
# Under the engine's preview the apply does not run: its input is unknown.
found = suffix.result.apply(lambda text: aws.get_arn(arn=f"arn:aws:s3:::{text}").resource)
pulumi.export("pet", pet.id)
pulumi.export("found", found)
pulumi.export("password", password.result)
pulumi.export("plainArn", plain.arn)
pulumi.export("caller", aws.get_arn(arn="arn:aws:iam::123456789012:root").account)
"""


def test_random_values_are_unknown_in_a_preview_as_in_the_engine(tmp_path: Path) -> None:
    program = write_program(tmp_path / "random", RANDOM_PROGRAM)
    run = run_preflight("--program", program, "--policy-pack", "none", "--json")
    assert run.returncode == 0, run.stderr
    document = run.document
    resources = {r["name"]: r for r in document["resources"]}
    assert resources["name"]["id"] is None
    assert resources["name"]["inputs"] == {"length": 2}
    assert resources["suffix"]["outputs"]["result"] == "[unknown]"
    assert resources["db"]["outputs"]["result"] == "[unknown]"
    # What is made from an unknown is unknown: the bucket's name, and its ARN and ID.
    assert resources["data"]["inputs"]["bucket"] == "[unknown]"
    assert resources["data"]["outputs"]["arn"] == "[unknown]"
    assert resources["data"]["id"] is None
    assert resources["plain"]["outputs"]["arn"].startswith("arn:aws:s3:::plain-")
    outputs = document["outputs"]
    assert (outputs["pet"], outputs["found"]) == ("[unknown]", "[unknown]")
    assert outputs["caller"] == "123456789012"
    assert document["warnings"] == []


def test_a_folder_without_a_project_names_the_projects_below_it(tmp_path: Path) -> None:
    for name in ("services/api", "services/web", "network"):
        write_program(tmp_path / name, "import pulumi\n")
    (tmp_path / "venv" / "lib").mkdir(parents=True)
    (tmp_path / "venv" / "lib" / "Pulumi.yaml").write_text("name: not-a-project\n")
    (tmp_path / "docs").mkdir()
    run = run_preflight("--program", tmp_path, "--policy-pack", "none")
    assert_one_clear_failure(
        run,
        f"preflight: error: {tmp_path}: no Pulumi.yaml (is --program a Pulumi project "
        "directory?)\nthese folders below it hold Pulumi projects:\n  network\n  services/api\n"
        "  services/web\n",
    )


def test_a_folder_without_any_project_says_so(tmp_path: Path) -> None:
    run = run_preflight("--program", tmp_path, "--policy-pack", "none")
    assert_one_clear_failure(run, f"{tmp_path}: no Pulumi.yaml")
    assert "these folders" not in run.stderr

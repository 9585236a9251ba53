"""The AWS model as plain Pulumi mocks, for unit tests that build resources in-process."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from preflight.aws_model import AwsModel
from preflight.runner import ModelMocks


@pulumi.runtime.test
def test_model_mocks_answer_resources_and_invokes() -> pulumi.Output[None]:
    pulumi.runtime.set_mocks(ModelMocks(AwsModel(region="eu-west-1")), preview=False)
    vpc = aws.ec2.get_vpc(default=True)
    assert vpc.cidr_block == "172.31.0.0/16"
    lb = aws.lb.LoadBalancer("web")

    def check(values: list[str]) -> None:
        arn, name, zone = values
        assert name.startswith("web-") and len(name) == 11
        assert arn.startswith(
            f"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/{name}/"
        )
        assert zone == "Z32O12XQLNTSW2"

    return pulumi.Output.all(lb.arn, lb.name, lb.zone_id).apply(check)

"""The offline AWS model: formats, autonaming, hosted zones and invokes."""

from __future__ import annotations

import re

import pytest

from preflight.aws_model import (
    ALB_HOSTED_ZONE_IDS,
    AwsModel,
    CheckError,
    InvokeError,
    availability_zones,
    default_subnet_ids,
    default_vpc_id,
    subnet_availability_zone,
)
from preflight.records import Secret

LB = "aws:lb/loadBalancer:LoadBalancer"
URN = "urn:pulumi:dev::shop::"


def create(model: AwsModel, type_: str, name: str, inputs: dict) -> tuple[str, dict]:
    checked = model.check(type_, name, inputs)
    return model.new_resource(type_, name, f"{URN}{type_}::{name}", checked)


@pytest.fixture
def model() -> AwsModel:
    return AwsModel(region="ap-northeast-2")


def test_load_balancer_arn_suffix_dns_name_and_zone(model: AwsModel) -> None:
    lb_id, state = create(model, LB, "web", {"subnets": default_subnet_ids("ap-northeast-2")})
    name = state["name"]
    assert re.fullmatch(r"web-[0-9a-f]{7}", name)
    assert re.fullmatch(
        rf"arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/{name}/[0-9a-f]{{16}}",
        state["arn"],
    )
    assert state["arn"].endswith(state["arnSuffix"]) and state["arnSuffix"].startswith("app/")
    assert lb_id == state["arn"]
    assert re.fullmatch(rf"{name}-\d+\.ap-northeast-2\.elb\.amazonaws\.com", state["dnsName"])
    # "Elastic Load Balancing endpoints and quotas": ap-northeast-2 ALBs are in ZWKZPGTI48KDX.
    assert state["zoneId"] == "ZWKZPGTI48KDX"
    assert state["vpcId"] == default_vpc_id("ap-northeast-2")


def test_internal_load_balancers_have_internal_dns_names(model: AwsModel) -> None:
    _, state = create(model, "aws:alb/loadBalancer:LoadBalancer", "in", {"internal": True})
    assert state["dnsName"].startswith(f"internal-{state['name']}-")


@pytest.mark.parametrize(
    ("region", "zone"),
    [
        ("us-east-1", "Z35SXDOTRQ7X7K"),
        ("eu-west-1", "Z32O12XQLNTSW2"),
        ("us-west-2", "Z1H1FL5HABSF5"),
    ],
)
def test_hosted_zone_per_region(region: str, zone: str) -> None:
    _, state = create(AwsModel(region=region), LB, "web", {})
    assert state["zoneId"] == zone == ALB_HOSTED_ZONE_IDS[region]


def test_listener_rule_and_target_group_arns_follow_the_load_balancer(model: AwsModel) -> None:
    _, lb = create(model, LB, "web", {})
    _, tg = create(model, "aws:lb/targetGroup:TargetGroup", "api", {"port": 80})
    _, listener = create(model, "aws:lb/listener:Listener", "https", {"loadBalancerArn": lb["arn"]})
    _, rule = create(
        model, "aws:lb/listenerRule:ListenerRule", "api", {"listenerArn": listener["arn"]}
    )
    lb_path = lb["arnSuffix"]  # app/NAME/HEX
    assert re.fullmatch(rf".*:listener/{lb_path}/[0-9a-f]{{16}}", listener["arn"])
    assert re.fullmatch(rf".*:listener-rule/{lb_path}/[0-9a-f]{{16}}/[0-9a-f]{{16}}", rule["arn"])
    assert rule["arn"].split("/")[-2] == listener["arn"].split("/")[-1]
    assert re.fullmatch(r"targetgroup/api-[0-9a-f]{7}/[0-9a-f]{16}", tg["arnSuffix"])
    assert (
        tg["arn"] == f"arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:{tg['arnSuffix']}"
    )


def test_autonaming_is_deterministic_and_distinct_per_resource(model: AwsModel) -> None:
    first = model.check(LB, "web", {})["name"]
    assert first == model.check(LB, "web", {})["name"]
    assert first != model.check(LB, "api", {})["name"]
    assert first != model.check("aws:lb/targetGroup:TargetGroup", "web", {})["name"]


def test_autonaming_respects_the_length_limit_as_the_provider_does(model: AwsModel) -> None:
    # 24 characters + "-" + 7 = 32, the ELBv2 limit: accepted.
    assert len(model.check(LB, "a" * 24, {})["name"]) == 32
    # One more does not fit; tfbridge refuses rather than truncating.
    with pytest.raises(CheckError, match="longer than maximum length 32"):
        model.check(LB, "a" * 25, {})


def test_explicit_names_and_prefixes_are_kept(model: AwsModel) -> None:
    assert model.check(LB, "web", {"name": "my-alb"})["name"] == "my-alb"
    checked = model.check(LB, "web", {"namePrefix": "web-"})
    assert "name" not in checked  # the provider names it at create time
    _, state = create(model, LB, "web", {"namePrefix": "web-"})
    assert state["name"].startswith("web-") and len(state["name"]) == 4 + 26


def test_bucket_names_are_lowercase_and_have_s3_attributes(model: AwsModel) -> None:
    bucket_id, state = create(model, "aws:s3/bucket:Bucket", "AccessLogs", {})
    assert re.fullmatch(r"accesslogs-[0-9a-f]{7}", state["bucket"])
    assert bucket_id == state["bucket"]
    assert state["arn"] == f"arn:aws:s3:::{state['bucket']}"
    assert state["bucketDomainName"] == f"{state['bucket']}.s3.amazonaws.com"
    assert state["bucketRegionalDomainName"] == f"{state['bucket']}.s3.ap-northeast-2.amazonaws.com"


def test_other_service_formats(model: AwsModel) -> None:
    _, topic = create(model, "aws:sns/topic:Topic", "alarms", {})
    assert topic["arn"] == f"arn:aws:sns:ap-northeast-2:123456789012:{topic['name']}"
    _, cert = create(model, "aws:acm/certificate:Certificate", "c", {"domainName": "x.example.com"})
    assert re.fullmatch(
        r"arn:aws:acm:ap-northeast-2:123456789012:certificate/[0-9a-f-]{36}", cert["arn"]
    )
    assert cert["domainValidationOptions"][0]["resourceRecordType"] == "CNAME"
    acl_id, acl = create(
        model,
        "aws:wafv2/webAcl:WebAcl",
        "waf",
        {
            "scope": "REGIONAL",
            "rules": [
                {
                    "statement": {
                        "managedRuleGroupStatement": {"name": "AWSManagedRulesCommonRuleSet"}
                    }
                },
                {"statement": {"rateBasedStatement": {"limit": 2000}}},
            ],
        },
    )
    assert acl["arn"] == (
        f"arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/{acl['name']}/{acl_id}"
    )
    assert acl["capacity"] == 702
    group_id, _ = create(model, "aws:ec2/securityGroup:SecurityGroup", "sg", {})
    assert re.fullmatch(r"sg-[0-9a-f]{17}", group_id)
    _, alarm = create(model, "aws:cloudwatch/metricAlarm:MetricAlarm", "5xx", {})
    assert alarm["arn"] == f"arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:{alarm['name']}"
    _, logs = create(model, "aws:cloudwatch/logGroup:LogGroup", "waf", {"name": "aws-waf-logs-x"})
    assert logs["arn"] == "arn:aws:logs:ap-northeast-2:123456789012:log-group:aws-waf-logs-x"


def test_tags_all_merges_default_tags(model: AwsModel) -> None:
    model.default_tags = {"Environment": "dev", "Team": "platform"}
    _, state = create(model, "aws:sns/topic:Topic", "t", {"tags": {"Team": "web"}})
    assert state["tagsAll"] == {"Environment": "dev", "Team": "web"}
    assert state["tags"] == {"Team": "web"}


def test_from_config_reads_region_and_default_tags() -> None:
    model = AwsModel.from_config(
        {"aws:region": "eu-west-1", "aws:defaultTags": '{"tags":{"Environment":"prod"}}'}
    )
    assert (model.region, model.default_tags) == ("eu-west-1", {"Environment": "prod"})
    assert AwsModel.from_config({}).region == "us-east-1"


def test_secret_inputs_stay_secret_in_the_state(model: AwsModel) -> None:
    _, state = create(
        model,
        "aws:acm/certificate:Certificate",
        "c",
        {"privateKey": Secret("pem"), "certificateBody": "b"},
    )
    assert state["privateKey"] == Secret("pem")
    assert state["status"] == "ISSUED"


def test_default_vpc_and_its_subnets_span_three_zones(model: AwsModel) -> None:
    vpc = model.invoke("aws:ec2/getVpc:getVpc", {"default": True})
    assert vpc is not None
    assert vpc["cidrBlock"] == "172.31.0.0/16" and vpc["default"] is True
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", vpc["id"])
    subnets = model.invoke(
        "aws:ec2/getSubnets:getSubnets", {"filters": [{"name": "vpc-id", "values": [vpc["id"]]}]}
    )
    assert subnets is not None and len(subnets["ids"]) == 3
    zones = []
    for subnet_id in subnets["ids"]:
        subnet = model.invoke("aws:ec2/getSubnet:getSubnet", {"id": subnet_id})
        assert subnet is not None and subnet["vpcId"] == vpc["id"] and subnet["defaultForAz"]
        zones.append(subnet["availabilityZone"])
    assert zones == ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]


def test_explicit_vpc_and_subnets_are_resolved_deterministically(model: AwsModel) -> None:
    vpc = model.invoke("aws:ec2/getVpc:getVpc", {"id": "vpc-0abc"})
    assert vpc is not None and vpc["id"] == "vpc-0abc" and vpc["cidrBlock"].startswith("10.")
    subnet = model.invoke("aws:ec2/getSubnet:getSubnet", {"id": "subnet-0123"})
    assert subnet is not None
    assert subnet["vpcId"] == "vpc-0abc"
    assert subnet["availabilityZone"] == subnet_availability_zone("ap-northeast-2", "subnet-0123")
    assert subnet == model.invoke("aws:ec2/getSubnet:getSubnet", {"id": "subnet-0123"})


def test_subnet_ids_in_distinct_zones_can_be_chosen() -> None:
    candidates = [f"subnet-{i:04x}" for i in range(40)]
    zones = {subnet_availability_zone("ap-northeast-2", s) for s in candidates}
    assert zones == set(availability_zones("ap-northeast-2"))


def test_region_partition_identity_and_zones(model: AwsModel) -> None:
    assert model.invoke("aws:index/getRegion:getRegion", {})["name"] == "ap-northeast-2"  # type: ignore[index]
    assert model.invoke("aws:index/getPartition:getPartition", {})["partition"] == "aws"  # type: ignore[index]
    identity = model.invoke("aws:index/getCallerIdentity:getCallerIdentity", {})
    assert identity is not None and identity["accountId"] == "123456789012"
    zones = model.invoke("aws:index/getAvailabilityZones:getAvailabilityZones", {})
    assert zones is not None
    assert zones["names"] == [
        "ap-northeast-2a",
        "ap-northeast-2b",
        "ap-northeast-2c",
        "ap-northeast-2d",
    ]
    assert zones["zoneIds"][0] == "apne2-az1"


def test_elb_service_account_per_region_and_unsupported_regions(model: AwsModel) -> None:
    account = model.invoke("aws:elb/getServiceAccount:getServiceAccount", {})
    # "Enable access logs for your Application Load Balancer": Seoul is 600734575887.
    assert account == {
        "id": "600734575887",
        "arn": "arn:aws:iam::600734575887:root",
        "region": "ap-northeast-2",
    }
    with pytest.raises(InvokeError, match="unsupported AWS Region: ap-southeast-5"):
        AwsModel(region="ap-southeast-5").invoke("aws:elb/getServiceAccount:getServiceAccount", {})


def test_certificate_and_zone_lookups(model: AwsModel) -> None:
    cert = model.invoke("aws:acm/getCertificate:getCertificate", {"domain": "example.com"})
    assert cert is not None and cert["arn"].startswith(
        "arn:aws:acm:ap-northeast-2:123456789012:certificate/"
    )
    zone = model.invoke("aws:route53/getZone:getZone", {"name": "example.com."})
    assert zone is not None and zone["name"] == "example.com" and zone["zoneId"].startswith("Z")


def test_unmodelled_invokes_return_none(model: AwsModel) -> None:
    assert model.invoke("aws:ssm/getParameter:getParameter", {"name": "/app/db"}) is None

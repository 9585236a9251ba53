"""An offline model of AWS behind the Pulumi mocks: deterministic, realistic values.

Every value is derived from the resource's URN (or an invoke's arguments), so two runs of the
same program give the same ARNs, IDs and names, and a change to one resource changes only its
own values. Formats follow the services' documented ARN and ID formats; names follow
pulumi-aws autonaming (the logical name, ``-``, then 7 hex characters, within the resource's
length limit).

Each resource type and invoke is one small function in a table (:data:`RESOURCES`,
:data:`INVOKES`); an invoke not in the table is reported as a warning and answered with an
empty result.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.codec import UNKNOWN_VALUE
from preflight.policy_document import PolicyDocumentError, policy_document
from preflight.records import UNKNOWN, Secret

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Partition:
    """An AWS partition: its ID, the regions it holds and its DNS suffix."""

    id: str
    region_regex: str
    dns_suffix: str

    @property
    def reverse_dns_prefix(self) -> str:
        # terraform-provider-aws names.ReverseDNS: the DNS suffix's labels reversed.
        return ".".join(reversed(self.dns_suffix.split(".")))


# The partitions of botocore's endpoints.json / aws-sdk-go-v2's partitions.json (partition,
# regionRegex, dnsSuffix), the data aws_partition and aws_region answer from. The specific
# partitions come first: a region is in the first one whose pattern matches.
PARTITIONS: tuple[Partition, ...] = (
    Partition("aws-cn", r"^cn\-\w+\-\d+$", "amazonaws.com.cn"),
    Partition("aws-us-gov", r"^us\-gov\-\w+\-\d+$", "amazonaws.com"),
    Partition("aws-iso", r"^us\-iso\-\w+\-\d+$", "c2s.ic.gov"),
    Partition("aws-iso-b", r"^us\-isob\-\w+\-\d+$", "sc2s.sgov.gov"),
    Partition("aws-iso-e", r"^eu\-isoe\-\w+\-\d+$", "cloud.adc-e.uk"),
    Partition("aws-iso-f", r"^us\-isof\-\w+\-\d+$", "csp.hci.ic.gov"),
    Partition("aws-eusc", r"^eusc\-(de)\-\w+\-\d+$", "amazonaws.eu"),
    Partition("aws", r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", "amazonaws.com"),
)


def partition_of(region: str) -> Partition:
    """The partition holding ``region``; a region no pattern matches is in ``aws``, as the SDK's
    endpoint resolver falls back to it."""
    for partition in PARTITIONS:
        if re.match(partition.region_regex, region):
            return partition
    return PARTITIONS[-1]


# Route 53 hosted zone IDs of Application Load Balancers per region: "Elastic Load Balancing
# endpoints and quotas" (docs.aws.amazon.com/general/latest/gr/elb.html#elb_region), the same
# table as terraform-provider-aws internal/service/elbv2/hosted_zone_id_data_source.go.
ALB_HOSTED_ZONE_IDS: dict[str, str] = {
    "af-south-1": "Z268VQBMOI5EKX",
    "ap-east-1": "Z3DQVH9N71FHZ0",
    "ap-northeast-1": "Z14GRHDCWA56QT",
    "ap-northeast-2": "ZWKZPGTI48KDX",
    "ap-northeast-3": "Z5LXEXXYW11ES",
    "ap-south-1": "ZP97RAFLXTNZK",
    "ap-south-2": "Z0173938T07WNTVAEPZN",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
    "ap-southeast-3": "Z08888821HLRG5A9ZRTER",
    "ap-southeast-4": "Z09517862IB2WZLPXG76F",
    "ap-southeast-5": "Z06010284QMVVW7WO5J",
    "ap-southeast-7": "Z0390008CMBRTHFGWBCB",
    "ca-central-1": "ZQSVJUPU6J1EY",
    "ca-west-1": "Z06473681N0SF6OS049SD",
    "cn-north-1": "Z1GDH35T77C1KE",
    "cn-northwest-1": "ZM7IZAIOVVDZF",
    "eu-central-1": "Z215JYRZR1TBD5",
    "eu-central-2": "Z06391101F2ZOEP8P5EB3",
    "eu-north-1": "Z23TAZ6LKFMNIO",
    "eu-south-1": "Z3ULH7SSC9OV64",
    "eu-south-2": "Z0956581394HF5D5LXGAP",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-west-2": "ZHURV8PSTC4K8",
    "eu-west-3": "Z3Q77PNBQS71R4",
    "il-central-1": "Z09170902867EHPV2DABU",
    "me-central-1": "Z08230872XQRWHG2XF6I",
    "me-south-1": "ZS929ML54UICD",
    "mx-central-1": "Z023552324OKD1BB28BH5",
    "sa-east-1": "Z2P70J7HTTTPLU",
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-gov-east-1": "Z166TLBEWOO7G0",
    "us-gov-west-1": "Z33AYJ8TM3BH4J",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
}

# The regional Elastic Load Balancing account that writes ALB access logs: "Enable access logs
# for your Application Load Balancer", as in terraform-provider-aws
# internal/service/elb/service_account_data_source.go. Regions opened after August 2022 have
# none (they use the logdelivery.elasticloadbalancing.amazonaws.com service principal), and
# aws.elb.get_service_account fails there. The table lives once, with its sources, beside the
# alb-log-bucket-secure policy that checks the same grant.
ELB_SERVICE_ACCOUNTS: dict[str, str] = json.loads(
    (Path(__file__).parents[1] / "policies" / "alb_guardrails" / "elb_log_delivery.json").read_text(
        encoding="utf-8"
    )
)["accountIds"]

# Availability Zone letters per region ("Regions and Zones", AWS EC2 User Guide). A region not
# listed is modelled with zones a, b and c.
AVAILABILITY_ZONE_LETTERS: dict[str, str] = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "bc",
    "us-west-2": "abcd",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-south-1": "abc",
    "ca-central-1": "abd",
    "eu-central-1": "abc",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-north-1": "abc",
    "sa-east-1": "abc",
}


# pulumi-aws autonaming (provider/resources.go: tfbridge.AutoName / AutoNameTransform): the
# property that gets the name, the longest name AWS accepts for it, whether names are
# lower-cased, and the property that holds a user-chosen prefix instead.
@dataclass(frozen=True)
class AutoName:
    prop: str
    maxlen: int
    lowercase: bool = False
    prefix_prop: str | None = "namePrefix"


_LB_NAME = AutoName("name", 32)  # ELBv2 load balancer and target group names: 32 characters
AUTONAMES: dict[str, AutoName] = {
    "aws:lb/loadBalancer:LoadBalancer": _LB_NAME,
    "aws:alb/loadBalancer:LoadBalancer": _LB_NAME,
    "aws:lb/targetGroup:TargetGroup": _LB_NAME,
    "aws:alb/targetGroup:TargetGroup": _LB_NAME,
    "aws:lb/trustStore:TrustStore": _LB_NAME,  # trust store names: 32 characters too
    # S3 bucket names: 3-63 lowercase characters.
    "aws:s3/bucket:Bucket": AutoName("bucket", 63, lowercase=True, prefix_prop="bucketPrefix"),
    "aws:s3/bucketV2:BucketV2": AutoName("bucket", 63, lowercase=True, prefix_prop="bucketPrefix"),
    "aws:sns/topic:Topic": AutoName("name", 256),
    "aws:cloudwatch/metricAlarm:MetricAlarm": AutoName("name", 255, prefix_prop=None),
    "aws:cloudwatch/dashboard:Dashboard": AutoName("dashboardName", 255, prefix_prop=None),
    "aws:cloudwatch/logGroup:LogGroup": AutoName("name", 512),
    "aws:ec2/securityGroup:SecurityGroup": AutoName("name", 255),
    "aws:wafv2/webAcl:WebAcl": AutoName("name", 128),
    "aws:wafv2/ipSet:IpSet": AutoName("name", 128),
    "aws:wafv2/ruleGroup:RuleGroup": AutoName("name", 128),
    "aws:ecs/cluster:Cluster": AutoName("name", 255, prefix_prop=None),
    "aws:ecs/service:Service": AutoName("name", 255, prefix_prop=None),
    "aws:ecs/taskDefinition:TaskDefinition": AutoName("family", 255, prefix_prop=None),
    "aws:iam/role:Role": AutoName("name", 64),
    "aws:iam/policy:Policy": AutoName("name", 128),
    "aws:iam/instanceProfile:InstanceProfile": AutoName("name", 128),
    "aws:lambda/function:Function": AutoName("name", 64, prefix_prop=None),
    "aws:ec2/launchTemplate:LaunchTemplate": AutoName("name", 128),
    "aws:autoscaling/group:Group": AutoName("name", 255),
}

# What a CreateLoadBalancer / CreateTargetGroup name_prefix expands to: Terraform's
# id.PrefixedUniqueId appends an 18-digit timestamp and an 8-hex-digit counter.
_UNIQUE_ID_LENGTH = 26


class CheckError(Exception):
    """The provider's Check rejected the inputs (the engine reports it and stops)."""


class InvokeError(Exception):
    """A data source that exists in the model failed, as the provider's would."""

    def __init__(self, message: str, property: str = "") -> None:
        super().__init__(message)
        self.property = property


def _plain(value: Any) -> Any:
    """The value with secret markers removed (for computing derived values)."""
    if isinstance(value, Secret):
        return _plain(value.value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _computable(value: Any) -> Any:
    """Unknowns replaced by the engine's unknown sentinel string, so computing code can use
    them as text and :func:`_derived_unknowns` can find what they reached."""
    if value is UNKNOWN:
        return UNKNOWN_VALUE
    if isinstance(value, dict):
        return {key: _computable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_computable(item) for item in value]
    return value


def _derived_unknowns(value: Any) -> Any:
    """Computed values that hold the unknown sentinel become unknown."""
    if isinstance(value, str) and UNKNOWN_VALUE in value:
        return UNKNOWN
    if isinstance(value, dict):
        return {key: _derived_unknowns(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_derived_unknowns(item) for item in value]
    return value


def digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def availability_zones(region: str) -> list[str]:
    return [region + letter for letter in AVAILABILITY_ZONE_LETTERS.get(region, "abc")]


_DIRECTIONS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def zone_id(region: str, index: int) -> str:
    """The AZ ID (``apne2-az1``) of the region's ``index``-th zone."""
    parts = region.split("-")
    short = parts[0] + "".join(_DIRECTIONS.get(part, part[:1]) for part in parts[1:-1])
    return f"{short}{parts[-1]}-az{index + 1}"


def subnet_availability_zone(region: str, subnet_id: str) -> str:
    """The AZ the model places an explicit subnet ID in: a stable hash modulo the zone count.

    Tests that need subnets in distinct AZs pick IDs with this function, e.g.
    ``[s for s in candidates if subnet_availability_zone(region, s) == zone]``.
    """
    zones = availability_zones(region)
    return zones[int(digest("subnet-az", subnet_id), 16) % len(zones)]


def default_vpc_id(region: str) -> str:
    return "vpc-" + digest("default-vpc", region)[:17]


def default_subnet_ids(region: str) -> list[str]:
    """The default VPC's default subnets: one per AZ in the region's first three AZs."""
    return [
        "subnet-" + digest("default-subnet", zone)[:17] for zone in availability_zones(region)[:3]
    ]


@dataclass
class Context:
    """What a resource function sees: identity, region and the (plain) checked inputs."""

    model: AwsModel
    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    region: str

    @property
    def account(self) -> str:
        return self.model.account

    @property
    def partition(self) -> str:
        return self.model.partition

    def hex(self, length: int, salt: str = "") -> str:
        return digest(salt, self.urn)[:length]

    def digits(self, length: int, salt: str = "") -> str:
        return str(int(digest("digits", salt, self.urn), 16))[:length]

    def uuid(self, salt: str = "") -> str:
        return str(uuid.UUID(self.hex(32, salt)))

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account if account else ''}:{resource}"
        )

    def get(self, key: str, default: Any = None) -> Any:
        value = self.inputs.get(key)
        return default if value is None else value


def _arn_parts(arn: Any) -> list[str]:
    return str(arn or "").split(":", 5)


def _load_balancer(ctx: Context) -> dict[str, Any]:
    name = ctx.get("name", "")
    lb_type = ctx.get("loadBalancerType", "application")
    kind = {"application": "app", "network": "net", "gateway": "gwy"}.get(lb_type, "app")
    suffix = f"{kind}/{name}/{ctx.hex(16)}"
    arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
    internal = bool(ctx.get("internal", False))
    dns = f"{'internal-' if internal else ''}{name}-{ctx.digits(10)}.{ctx.region}.elb.amazonaws.com"
    subnets = list(ctx.get("subnets", []))
    for mapping in ctx.get("subnetMappings", []):
        subnets.append(mapping.get("subnetId"))
    return {
        "id": arn,
        "arn": arn,
        "arnSuffix": suffix,
        "dnsName": dns,
        "zoneId": ALB_HOSTED_ZONE_IDS.get(ctx.region, "Z35SXDOTRQ7X7K"),
        "vpcId": ctx.model.vpc_of_subnets(subnets),
        "loadBalancerType": lb_type,
        "internal": internal,
        "ipAddressType": ctx.get("ipAddressType", "ipv4"),
        "subnets": subnets,
    }


def _target_group(ctx: Context) -> dict[str, Any]:
    name = ctx.get("name", "")
    suffix = f"targetgroup/{name}/{ctx.hex(16)}"
    arn = ctx.arn("elasticloadbalancing", suffix)
    return {"id": arn, "arn": arn, "arnSuffix": suffix, "loadBalancerArns": []}


def _trust_store(ctx: Context) -> dict[str, Any]:
    arn = ctx.arn("elasticloadbalancing", f"truststore/{ctx.get('name', '')}/{ctx.hex(16)}")
    return {"id": arn, "arn": arn}


def _trust_store_revocation(ctx: Context) -> dict[str, Any]:
    # The provider's ID: "<trust store ARN>,<revocation ID>".
    revocation_id = int(ctx.digits(6)) or 1
    return {"id": f"{ctx.get('trustStoreArn', '')},{revocation_id}", "revocationId": revocation_id}


def _listener(ctx: Context) -> dict[str, Any]:
    lb_resource = _arn_parts(ctx.get("loadBalancerArn"))[-1]  # loadbalancer/app/NAME/HEX
    lb_path = lb_resource.split("/", 1)[1] if "/" in lb_resource else "app/unknown/0"
    arn = ctx.arn("elasticloadbalancing", f"listener/{lb_path}/{ctx.hex(16)}")
    return {"id": arn, "arn": arn}


def _listener_rule(ctx: Context) -> dict[str, Any]:
    listener_resource = _arn_parts(ctx.get("listenerArn"))[-1]  # listener/app/NAME/LB/L
    path = listener_resource.split("/", 1)[1] if "/" in listener_resource else "app/x/0/0"
    arn = ctx.arn("elasticloadbalancing", f"listener-rule/{path}/{ctx.hex(16)}")
    return {"id": arn, "arn": arn}


def _listener_certificate(ctx: Context) -> dict[str, Any]:
    return {"id": f"{ctx.get('listenerArn', '')}_{ctx.get('certificateArn', '')}"}


def _target_group_attachment(ctx: Context) -> dict[str, Any]:
    return {"id": f"{ctx.get('targetGroupArn', '')}-{ctx.digits(20)}"}


def _acm_certificate(ctx: Context) -> dict[str, Any]:
    arn = ctx.arn("acm", f"certificate/{ctx.uuid()}")
    imported = ctx.get("certificateBody") is not None
    domain = ctx.get("domainName")
    names = [domain, *ctx.get("subjectAlternativeNames", [])] if domain else []
    options = [
        {
            "domainName": item,
            "resourceRecordName": f"_{digest('acm-name', item)[:32]}.{item.lstrip('*.')}.",
            "resourceRecordType": "CNAME",
            "resourceRecordValue": (
                f"_{digest('acm-value', item)[:32]}.mhbtsbpdnt.acm-validations.aws."
            ),
        }
        for item in dict.fromkeys(names)
    ]
    return {
        "id": arn,
        "arn": arn,
        "status": "ISSUED" if imported else "PENDING_VALIDATION",
        "type": "IMPORTED" if imported else "AMAZON_ISSUED",
        "domainValidationOptions": options,
        "validationEmails": [],
        "keyAlgorithm": ctx.get("keyAlgorithm", "EC_prime256v1" if imported else "RSA_2048"),
    }


def _acm_validation(ctx: Context) -> dict[str, Any]:
    return {"id": "2026-01-01 00:00:00 +0000 UTC"}


# Web ACL capacity units (WCU) of the AWS managed rule groups ("AWS Managed Rules rule groups
# list", AWS WAF Developer Guide); a rule that is not a managed group is counted as in the
# WCU tables of "Rule statements" (rate-based 2, geo match 1, others 1).
_MANAGED_RULE_GROUP_WCU = {
    "AWSManagedRulesCommonRuleSet": 700,
    "AWSManagedRulesKnownBadInputsRuleSet": 200,
    "AWSManagedRulesAmazonIpReputationList": 25,
    "AWSManagedRulesAnonymousIpList": 50,
    "AWSManagedRulesSQLiRuleSet": 200,
    "AWSManagedRulesLinuxRuleSet": 200,
    "AWSManagedRulesUnixRuleSet": 100,
    "AWSManagedRulesAdminProtectionRuleSet": 100,
    "AWSManagedRulesBotControlRuleSet": 50,
}


def _rule_capacity(rule: Mapping[str, Any]) -> int:
    statement = rule.get("statement") or {}
    managed = statement.get("managedRuleGroupStatement")
    if managed:
        return _MANAGED_RULE_GROUP_WCU.get(managed.get("name", ""), 100)
    if statement.get("rateBasedStatement"):
        return 2
    return 1


def _web_acl(ctx: Context) -> dict[str, Any]:
    scope = str(ctx.get("scope", "REGIONAL")).upper()
    web_acl_id = ctx.uuid()
    name = ctx.get("name", "")
    if scope == "CLOUDFRONT":
        arn = f"arn:{ctx.partition}:wafv2:us-east-1:{ctx.account}:global/webacl/{name}/{web_acl_id}"
    else:
        arn = ctx.arn("wafv2", f"regional/webacl/{name}/{web_acl_id}")
    return {
        "id": web_acl_id,
        "arn": arn,
        "capacity": sum(_rule_capacity(rule) for rule in ctx.get("rules", [])),
        "lockToken": ctx.uuid("lock"),
        "applicationIntegrationUrl": "",
    }


def _web_acl_association(ctx: Context) -> dict[str, Any]:
    return {"id": f"{ctx.get('webAclArn', '')},{ctx.get('resourceArn', '')}"}


def _web_acl_logging(ctx: Context) -> dict[str, Any]:
    return {"id": ctx.get("resourceArn", "")}


def _bucket(ctx: Context) -> dict[str, Any]:
    bucket = ctx.get("bucket", "")
    return {
        "id": bucket,
        "arn": f"arn:{ctx.partition}:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{ctx.region}.amazonaws.com",
        "region": ctx.region,
        "forceDestroy": bool(ctx.get("forceDestroy", False)),
    }


def _by_bucket(ctx: Context) -> dict[str, Any]:
    return {"id": ctx.get("bucket", "")}


def _sns_topic(ctx: Context) -> dict[str, Any]:
    arn = ctx.arn("sns", ctx.get("name", ""))
    return {"id": arn, "arn": arn, "owner": ctx.account}


def _sns_subscription(ctx: Context) -> dict[str, Any]:
    arn = f"{ctx.get('topic', '')}:{ctx.uuid()}"
    return {"id": arn, "arn": arn, "ownerId": ctx.account, "pendingConfirmation": True}


def _sns_topic_policy(ctx: Context) -> dict[str, Any]:
    return {"id": ctx.get("arn", ""), "owner": ctx.account}


def _metric_alarm(ctx: Context) -> dict[str, Any]:
    name = ctx.get("name", "")
    return {"id": name, "arn": ctx.arn("cloudwatch", f"alarm:{name}")}


def _dashboard(ctx: Context) -> dict[str, Any]:
    name = ctx.get("dashboardName", "")
    return {"id": name, "dashboardArn": ctx.arn("cloudwatch", f"dashboard/{name}", region=False)}


def _log_group(ctx: Context) -> dict[str, Any]:
    name = ctx.get("name", "")
    return {"id": name, "arn": ctx.arn("logs", f"log-group:{name}")}


def _security_group(ctx: Context) -> dict[str, Any]:
    group_id = "sg-" + ctx.hex(17)
    return {
        "id": group_id,
        "arn": ctx.arn("ec2", f"security-group/{group_id}"),
        "ownerId": ctx.account,
        "vpcId": ctx.get("vpcId", default_vpc_id(ctx.region)),
    }


def _security_group_rule(ctx: Context) -> dict[str, Any]:
    return {"id": "sgrule-" + ctx.digits(10), "securityGroupRuleId": "sgr-" + ctx.hex(17)}


def _vpc_security_group_rule(ctx: Context) -> dict[str, Any]:
    rule_id = "sgr-" + ctx.hex(17)
    return {
        "id": rule_id,
        "arn": ctx.arn("ec2", f"security-group-rule/{rule_id}"),
        "securityGroupRuleId": rule_id,
    }


def _route53_record(ctx: Context) -> dict[str, Any]:
    name = ctx.get("name", "")
    return {"id": f"{ctx.get('zoneId', '')}_{name}_{ctx.get('type', '')}", "fqdn": name}


def _route53_zone(ctx: Context) -> dict[str, Any]:
    zone = "Z" + ctx.hex(20, "zone").upper()
    return {
        "id": zone,
        "zoneId": zone,
        "arn": f"arn:{ctx.partition}:route53:::hostedzone/{zone}",
        "nameServers": [f"ns-{ctx.digits(3, str(i))}.awsdns-{i:02d}.com" for i in range(4)],
    }


def _lambda_permission(ctx: Context) -> dict[str, Any]:
    statement = ctx.get("statementId") or f"terraform-{ctx.digits(20)}{ctx.hex(8)}"
    return {"id": statement, "statementId": statement}


def _lambda_function(ctx: Context) -> dict[str, Any]:
    arn = ctx.arn("lambda", f"function:{ctx.get('name', '')}")
    return {
        "id": ctx.get("name", ""),
        "arn": arn,
        "invokeArn": f"arn:{ctx.partition}:apigateway:{ctx.region}:lambda:path/2015-03-31/"
        f"functions/{arn}/invocations",
        "qualifiedArn": f"{arn}:$LATEST",
        "version": "$LATEST",
    }


def _iam_role(ctx: Context) -> dict[str, Any]:
    name = ctx.get("name", "")
    return {
        "id": name,
        "arn": ctx.arn("iam", f"role{ctx.get('path', '/')}{name}", region=False),
        "uniqueId": "AROA" + ctx.hex(17).upper(),
        "createDate": "2026-01-01T00:00:00Z",
    }


def _iam_policy(ctx: Context) -> dict[str, Any]:
    arn = ctx.arn("iam", f"policy{ctx.get('path', '/')}{ctx.get('name', '')}", region=False)
    return {"id": arn, "arn": arn, "policyId": "ANPA" + ctx.hex(17).upper()}


def _iam_attachment(ctx: Context) -> dict[str, Any]:
    return {"id": f"{ctx.get('role', '')}-{ctx.digits(20)}"}


def _iam_role_policy(ctx: Context) -> dict[str, Any]:
    return {"id": f"{ctx.get('role', '')}:{ctx.get('name', '')}"}


def _ecs_cluster(ctx: Context) -> dict[str, Any]:
    arn = ctx.arn("ecs", f"cluster/{ctx.get('name', '')}")
    return {"id": arn, "arn": arn}


def _ecs_service(ctx: Context) -> dict[str, Any]:
    cluster = _arn_parts(ctx.get("cluster"))[-1].split("/")[-1] or "default"
    arn = ctx.arn("ecs", f"service/{cluster}/{ctx.get('name', '')}")
    return {"id": arn, "arn": arn}


def _ecs_task_definition(ctx: Context) -> dict[str, Any]:
    family = ctx.get("family", "")
    without = ctx.arn("ecs", f"task-definition/{family}")
    return {"id": family, "arn": f"{without}:1", "arnWithoutRevision": without, "revision": 1}


def _vpc(ctx: Context) -> dict[str, Any]:
    vpc_id = "vpc-" + ctx.hex(17)
    return {"id": vpc_id, "arn": ctx.arn("ec2", f"vpc/{vpc_id}"), "ownerId": ctx.account}


def _subnet(ctx: Context) -> dict[str, Any]:
    subnet_id = "subnet-" + ctx.hex(17)
    zones = availability_zones(ctx.region)
    return {
        "id": subnet_id,
        "arn": ctx.arn("ec2", f"subnet/{subnet_id}"),
        "availabilityZone": ctx.get("availabilityZone", zones[0]),
        "ownerId": ctx.account,
    }


def _pem(kind: str, body: str) -> str:
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


def _private_key(ctx: Context) -> dict[str, Any]:
    body = ctx.hex(64, "key")
    return {
        "id": ctx.hex(40),
        "privateKeyPem": Secret(_pem("PRIVATE KEY", body)),
        "privateKeyOpenssh": Secret(_pem("OPENSSH PRIVATE KEY", body)),
        "publicKeyPem": _pem("PUBLIC KEY", ctx.hex(64, "pub")),
        "publicKeyOpenssh": f"ecdsa-sha2-nistp256 {ctx.hex(64, 'ssh')}\n",
        "publicKeyFingerprintMd5": ":".join(ctx.hex(32, "md5")[i : i + 2] for i in range(0, 32, 2)),
    }


def _self_signed_cert(ctx: Context) -> dict[str, Any]:
    return {
        "id": ctx.digits(38),
        "certPem": _pem("CERTIFICATE", ctx.hex(64, "cert")),
        "validityStartTime": "2026-01-01T00:00:00Z",
        "validityEndTime": "2027-01-01T00:00:00Z",
        "readyForRenewal": False,
    }


# The outputs each pulumi_random resource computes (its schema's output-only properties). A
# preview does not create resources, so the engine has none of them, nor the ID: preflight
# leaves them unknown too rather than invent a "random" value a real run would not produce.
_RANDOM_COMPUTED: dict[str, tuple[str, ...]] = {
    "random:index/randomBytes:RandomBytes": ("base64", "hex"),
    "random:index/randomId:RandomId": ("b64Std", "b64Url", "dec", "hex"),
    "random:index/randomInteger:RandomInteger": ("result",),
    "random:index/randomPassword:RandomPassword": ("result", "bcryptHash"),
    "random:index/randomPet:RandomPet": (),
    "random:index/randomShuffle:RandomShuffle": ("results",),
    "random:index/randomString:RandomString": ("result",),
    "random:index/randomUuid:RandomUuid": ("result",),
    "random:index/randomUuid4:RandomUuid4": ("result",),
    "random:index/randomUuid7:RandomUuid7": ("result",),
}


def _random(ctx: Context) -> dict[str, Any]:
    return {"id": UNKNOWN, **{name: UNKNOWN for name in _RANDOM_COMPUTED[ctx.type]}}


def _generic(ctx: Context) -> dict[str, Any]:
    return {"id": f"{ctx.name}-{ctx.hex(7)}"}


ResourceFunction = Callable[[Context], dict[str, Any]]


def _both_elb_tokens(resource: str, function: ResourceFunction) -> dict[str, ResourceFunction]:
    """ELBv2 resources exist under both ``aws:lb/...`` and the alias ``aws:alb/...`` tokens."""
    module, name = resource.split(":")
    return {f"aws:lb/{module}:{name}": function, f"aws:alb/{module}:{name}": function}


RESOURCES: dict[str, ResourceFunction] = {
    **_both_elb_tokens("loadBalancer:LoadBalancer", _load_balancer),
    **_both_elb_tokens("targetGroup:TargetGroup", _target_group),
    **_both_elb_tokens("listener:Listener", _listener),
    **_both_elb_tokens("listenerRule:ListenerRule", _listener_rule),
    **_both_elb_tokens("listenerCertificate:ListenerCertificate", _listener_certificate),
    **_both_elb_tokens("targetGroupAttachment:TargetGroupAttachment", _target_group_attachment),
    "aws:lb/trustStore:TrustStore": _trust_store,
    "aws:lb/trustStoreRevocation:TrustStoreRevocation": _trust_store_revocation,
    "aws:acm/certificate:Certificate": _acm_certificate,
    "aws:acm/certificateValidation:CertificateValidation": _acm_validation,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:wafv2/webAclAssociation:WebAclAssociation": _web_acl_association,
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": _web_acl_logging,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:s3/bucketPolicy:BucketPolicy": _by_bucket,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _by_bucket,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _by_bucket,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _by_bucket
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _by_bucket,
    "aws:s3/bucketVersioning:BucketVersioning": _by_bucket,
    "aws:s3/bucketAcl:BucketAcl": _by_bucket,
    "aws:s3/bucketLogging:BucketLogging": _by_bucket,
    "aws:sns/topic:Topic": _sns_topic,
    "aws:sns/topicSubscription:TopicSubscription": _sns_subscription,
    "aws:sns/topicPolicy:TopicPolicy": _sns_topic_policy,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:ec2/securityGroupRule:SecurityGroupRule": _security_group_rule,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _vpc_security_group_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _vpc_security_group_rule,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:route53/record:Record": _route53_record,
    "aws:route53/zone:Zone": _route53_zone,
    "aws:lambda/permission:Permission": _lambda_permission,
    "aws:lambda/function:Function": _lambda_function,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _iam_attachment,
    "aws:iam/rolePolicy:RolePolicy": _iam_role_policy,
    "aws:ecs/cluster:Cluster": _ecs_cluster,
    "aws:ecs/service:Service": _ecs_service,
    "aws:ecs/taskDefinition:TaskDefinition": _ecs_task_definition,
    "tls:index/privateKey:PrivateKey": _private_key,
    "tls:index/selfSignedCert:SelfSignedCert": _self_signed_cert,
    **dict.fromkeys(_RANDOM_COMPUTED, _random),
}


# --- invokes -----------------------------------------------------------------------------


def _first_filter_value(args: Mapping[str, Any], name: str) -> str | None:
    values = _filter_values(args, name)
    return values[0] if values else None


def _filter_values(args: Mapping[str, Any], name: str) -> list[str]:
    for item in args.get("filters") or []:
        if item.get("name") == name:
            return [str(value) for value in item.get("values") or []]
    return []


def _get_vpc(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    region = model.region_of(args)
    vpc_id = args.get("id") or _first_filter_value(args, "vpc-id")
    default = bool(args.get("default")) or vpc_id in (None, default_vpc_id(region))
    # The default VPC has no IPv6 block (AWS creates it IPv4-only); a VPC named by ID has an
    # Amazon-provided /56, as a VPC built for dualstack load balancers does.
    ipv6_associations: list[dict[str, str]] = []
    if default:
        vpc_id, cidr = default_vpc_id(region), "172.31.0.0/16"
    else:
        cidr = f"10.{int(digest('vpc-cidr', str(vpc_id)), 16) % 256}.0.0/16"
        model.known_vpcs.add(str(vpc_id))
        ipv6_associations.append(
            {
                "associationId": "vpc-cidr-assoc-" + digest("assoc6", str(vpc_id))[:17],
                "ipSource": "amazon",
                "ipv6AddressAttribute": "public",
                "ipv6CidrBlock": vpc_ipv6_cidr(str(vpc_id)),
                "ipv6Pool": "Amazon",
                "networkBorderGroup": region,
                "state": "associated",
            }
        )
    return {
        "id": vpc_id,
        "arn": f"arn:{model.partition}:ec2:{region}:{model.account}:vpc/{vpc_id}",
        "cidrBlock": cidr,
        "cidrBlockAssociations": [
            {
                "associationId": "vpc-cidr-assoc-" + digest("assoc", str(vpc_id))[:17],
                "cidrBlock": cidr,
                "state": "associated",
            }
        ],
        "default": default,
        "dhcpOptionsId": "dopt-" + digest("dopt", region)[:17],
        "enableDnsHostnames": default,
        "enableDnsSupport": True,
        "instanceTenancy": "default",
        "ipv6AssociationId": ipv6_associations[0]["associationId"] if ipv6_associations else "",
        "ipv6CidrBlock": ipv6_associations[0]["ipv6CidrBlock"] if ipv6_associations else "",
        "ipv6CidrBlockAssociations": ipv6_associations,
        "mainRouteTableId": "rtb-" + digest("rtb", str(vpc_id))[:17],
        "ownerId": model.account,
        "state": "available",
        "tags": {},
        "region": region,
    }


def vpc_ipv6_cidr(vpc_id: str) -> str:
    """A deterministic /56 for a VPC, from the documentation prefix 2001:db8::/32 (RFC 3849),
    which is never routed: the model does not pretend to know Amazon's allocation."""
    value = int(digest("vpc-ipv6", vpc_id), 16)
    return f"2001:db8:{value % 0x10000:x}:{(value >> 16) % 0x100:02x}00::/56"


def _get_subnets(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    region = model.region_of(args)
    vpc_ids = _filter_values(args, "vpc-id")
    if not vpc_ids or default_vpc_id(region) in vpc_ids:
        ids = default_subnet_ids(region)
    else:
        ids = ["subnet-" + digest("subnet", vpc_ids[0], str(i))[:17] for i in range(3)]
        for subnet_id in ids:
            model.subnet_vpcs[subnet_id] = vpc_ids[0]
    return {"id": region, "ids": ids, "filters": args.get("filters"), "tags": args.get("tags")}


def _get_subnet(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    region = model.region_of(args)
    subnet_id = args.get("id") or _first_filter_value(args, "subnet-id")
    zones = availability_zones(region)
    defaults = default_subnet_ids(region)
    if subnet_id in defaults:
        index = defaults.index(subnet_id)
        zone, vpc_id = zones[index], default_vpc_id(region)
        cidr, default_for_az = f"172.31.{16 * index}.0/20", True
        ipv6_cidr = ""
    else:
        if subnet_id is None:
            subnet_id = "subnet-" + digest("subnet-filter", json.dumps(args, sort_keys=True))[:17]
        zone = subnet_availability_zone(region, str(subnet_id))
        filtered = args.get("vpcId") or _first_filter_value(args, "vpc-id")
        vpc_id = filtered or model.vpc_of_subnets([str(subnet_id)])
        second = int(digest("subnet-cidr", str(subnet_id)), 16) % 256
        cidr = f"10.{second}.{zones.index(zone) * 16}.0/20"
        default_for_az = False
        # A /64 of the VPC's /56, one per subnet.
        ipv6_cidr = (
            vpc_ipv6_cidr(str(vpc_id)).replace("00::/56", f"{second:02x}::/64") if vpc_id else ""
        )
    return {
        "id": subnet_id,
        "arn": f"arn:{model.partition}:ec2:{region}:{model.account}:subnet/{subnet_id}",
        "availabilityZone": zone,
        "availabilityZoneId": zone_id(region, zones.index(zone)),
        "cidrBlock": cidr,
        "defaultForAz": default_for_az,
        "mapPublicIpOnLaunch": default_for_az,
        "ownerId": model.account,
        "state": "available",
        "vpcId": vpc_id,
        "ipv6CidrBlock": ipv6_cidr,
        "assignIpv6AddressOnCreation": False,
        "tags": {},
        "region": region,
    }


def _get_region(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    region = str(args.get("region") or args.get("name") or model.region)
    return {
        "id": region,
        "name": region,
        "region": region,
        # The EC2 endpoint, as aws_region reports it: ec2.<region>.<partition DNS suffix>.
        "endpoint": f"ec2.{region}.{partition_of(region).dns_suffix}",
        "description": region,
    }


def _get_partition(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    partition = partition_of(model.region_of(args))
    return {
        "id": partition.id,
        "partition": partition.id,
        "dnsSuffix": partition.dns_suffix,
        "reverseDnsPrefix": partition.reverse_dns_prefix,
    }


def _get_caller_identity(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": model.account,
        "accountId": model.account,
        "arn": f"arn:{model.partition}:iam::{model.account}:user/preflight",
        "userId": "AIDA" + digest("user", model.account)[:17].upper(),
    }


def _get_service_account(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    region = model.region_of(args)
    account = ELB_SERVICE_ACCOUNTS.get(region)
    if account is None:
        # The provider's own message (service_account_data_source.go).
        raise InvokeError(f"unsupported AWS Region: {region}", "region")
    return {"id": account, "arn": f"arn:{model.partition}:iam::{account}:root", "region": region}


def _get_availability_zones(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    region = model.region_of(args)
    zones = availability_zones(region)
    return {
        "id": region,
        "names": zones,
        "zoneIds": [zone_id(region, i) for i in range(len(zones))],
        "groupNames": [region] * len(zones),
        "state": args.get("state"),
    }


def _get_certificate(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    region = model.region_of(args)
    domain = str(args.get("domain") or "")
    arn = f"arn:{model.partition}:acm:{region}:{model.account}:certificate/" + str(
        uuid.UUID(digest("acm-lookup", domain)[:32])
    )
    return {"id": arn, "arn": arn, "domain": domain, "status": "ISSUED", "tags": {}}


def _get_zone(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    name = str(args.get("name") or "").rstrip(".")
    zone = args.get("zoneId") or "Z" + digest("zone", name)[:20].upper()
    return {
        "id": zone,
        "zoneId": zone,
        "name": name,
        "arn": f"arn:{model.partition}:route53:::hostedzone/{zone}",
        "privateZone": bool(args.get("privateZone", False)),
        "resourceRecordSetCount": 2,
        "nameServers": [f"ns-{i}.awsdns-{i:02d}.com" for i in range(4)],
        "tags": {},
    }


def _get_policy_document(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return policy_document(args)
    except PolicyDocumentError as failure:
        raise InvokeError(str(failure), failure.property) from failure


def parse_arn(arn: str) -> dict[str, str]:
    """An ARN's parts, split as aws-sdk-go's ``arn.Parse`` splits them (the resource keeps any
    further colons); a malformed ARN is refused with that function's messages."""
    if not arn.startswith("arn:"):
        raise InvokeError("arn: invalid prefix", "arn")
    sections = arn.split(":", 5)
    if len(sections) != 6:
        raise InvokeError("arn: not enough sections", "arn")
    _, partition, service, region, account, resource = sections
    return {
        "partition": partition,
        "service": service,
        "region": region,
        "account": account,
        "resource": resource,
    }


def _get_arn(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    arn = str(args.get("arn") or "")
    return {"id": arn, "arn": arn, **parse_arn(arn)}


# Owner aliases of public AMIs and the accounts behind them, as DescribeImages reports them
# ("Find an AMI", Amazon EC2 User Guide: amazon is 137112412989 for Amazon Linux; the AWS
# Marketplace account is 679593333241).
_AMI_OWNER_ALIASES = {"amazon": "137112412989", "aws-marketplace": "679593333241"}


def _get_ami(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    """A deterministic AMI that satisfies the filters it was asked for: its ID, name and
    owner derive from the arguments, so a change of filter changes the AMI, as a new image
    would."""
    region = model.region_of(args)
    owners = [str(owner) for owner in args.get("owners") or []]
    owner = owners[0] if owners else "self"
    alias = owner if owner in _AMI_OWNER_ALIASES else ""
    owner_id = _AMI_OWNER_ALIASES.get(owner) or (model.account if owner == "self" else owner)
    key = digest("ami", region, json.dumps(args, sort_keys=True, default=str))
    image_id = "ami-" + key[:17]
    # A name filter's wildcards are filled in with a fixed build stamp.
    pattern = _first_filter_value(args, "name") or f"preflight-image-{key[:8]}"
    name = pattern.replace("*", "20260101").replace("?", "0")
    architecture = _first_filter_value(args, "architecture") or "x86_64"
    virtualization = _first_filter_value(args, "virtualization-type") or "hvm"
    root_device = _first_filter_value(args, "root-device-type") or "ebs"
    snapshot = "snap-" + digest("ami-snapshot", image_id)[:17]
    mappings = (
        [
            {
                "deviceName": "/dev/xvda",
                "ebs": {
                    "delete_on_termination": "true",
                    "encrypted": "false",
                    "iops": "0",
                    "snapshot_id": snapshot,
                    "throughput": "0",
                    "volume_size": "8",
                    "volume_type": "gp3",
                },
                "noDevice": "",
                "virtualName": "",
            }
        ]
        if root_device == "ebs"
        else []
    )
    return {
        **args,
        "id": image_id,
        "imageId": image_id,
        "arn": f"arn:{model.partition}:ec2:{region}::image/{image_id}",
        "architecture": architecture,
        "blockDeviceMappings": mappings,
        "bootMode": "",
        "creationDate": "2026-01-01T00:00:00.000Z",
        "deprecationTime": "2028-01-01T00:00:00.000Z",
        "description": name,
        "enaSupport": True,
        "hypervisor": "xen",
        "imageLocation": f"{alias or owner_id}/{name}",
        "imageOwnerAlias": alias,
        "imageType": "machine",
        "imdsSupport": "v2.0",
        "kernelId": "",
        "lastLaunchedTime": "",
        "name": name,
        "ownerId": owner_id,
        "platform": "",
        "platformDetails": "Linux/UNIX",
        "productCodes": [],
        "public": bool(alias),
        "ramdiskId": "",
        "region": region,
        "rootDeviceName": "/dev/xvda",
        "rootDeviceType": root_device,
        "rootSnapshotId": snapshot if root_device == "ebs" else "",
        "sriovNetSupport": "simple",
        "state": "available",
        "stateReason": {"code": "UNSET", "message": "UNSET"},
        "tags": {},
        "tpmSupport": "",
        "uefiData": "",
        "usageOperation": "RunInstances",
        "virtualizationType": virtualization,
    }


# The documents of AWS managed policies that programs commonly attach, as AWS publishes them:
# AmazonECSTaskExecutionRolePolicy in the Amazon ECS Developer Guide ("Amazon ECS task
# execution IAM role"), AWSLambdaBasicExecutionRole in the AWS Managed Policy Reference Guide.
# Only these are answered with a document; any other policy's document is not known offline.
AWS_MANAGED_POLICY_DOCUMENTS: dict[str, dict[str, Any]] = {
    "service-role/AmazonECSTaskExecutionRolePolicy": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                "Resource": "*",
            }
        ],
    },
    "service-role/AWSLambdaBasicExecutionRole": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*",
            }
        ],
    },
}


def _get_iam_policy(model: AwsModel, args: Mapping[str, Any]) -> dict[str, Any]:
    arn = str(args.get("arn") or "")
    if arn:
        parts = parse_arn(arn)
        path_and_name = parts["resource"].removeprefix("policy")
    else:
        name = str(args.get("name") or "")
        if not name:
            raise InvokeError("one of arn or name must be set", "arn")
        path_and_name = str(args.get("pathPrefix") or "/").rstrip("/") + "/" + name
        # A name alone is looked up in the account (ListPolicies, scope All): a policy the
        # model knows as AWS managed is AWS's, any other the account's own.
        managed = path_and_name.lstrip("/") in AWS_MANAGED_POLICY_DOCUMENTS or any(
            key.rsplit("/", 1)[-1] == name for key in AWS_MANAGED_POLICY_DOCUMENTS
        )
        owner = "aws" if managed else model.account
        for key in AWS_MANAGED_POLICY_DOCUMENTS:
            if managed and key.rsplit("/", 1)[-1] == name:
                path_and_name = "/" + key
        arn = f"arn:{model.partition}:iam::{owner}:policy{path_and_name}"
    path, _, name = path_and_name.rpartition("/")
    document = AWS_MANAGED_POLICY_DOCUMENTS.get(path_and_name.lstrip("/"))
    if document is None:
        model.note(
            f"the document of IAM policy {arn} is not known offline; get_policy returned its "
            "ARN and name with an empty policy"
        )
    return {
        **args,
        "id": arn,
        "arn": arn,
        "name": name,
        "path": path + "/",
        "description": "",
        "attachmentCount": 0,
        "policy": json.dumps(document, indent=4) if document is not None else "",
        "policyId": "ANPA" + digest("policy-id", arn)[:17].upper(),
        "tags": {},
    }


InvokeFunction = Callable[["AwsModel", Mapping[str, Any]], dict[str, Any]]

INVOKES: dict[str, InvokeFunction] = {
    "aws:ec2/getVpc:getVpc": _get_vpc,
    "aws:ec2/getSubnets:getSubnets": _get_subnets,
    "aws:ec2/getSubnet:getSubnet": _get_subnet,
    "aws:index/getRegion:getRegion": _get_region,
    "aws:index/getPartition:getPartition": _get_partition,
    "aws:index/getCallerIdentity:getCallerIdentity": _get_caller_identity,
    "aws:elb/getServiceAccount:getServiceAccount": _get_service_account,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _get_availability_zones,
    "aws:acm/getCertificate:getCertificate": _get_certificate,
    "aws:route53/getZone:getZone": _get_zone,
    "aws:iam/getPolicyDocument:getPolicyDocument": _get_policy_document,
    "aws:index/getArn:getArn": _get_arn,
    "aws:ec2/getAmi:getAmi": _get_ami,
    "aws:iam/getPolicy:getPolicy": _get_iam_policy,
}


# --- the model -----------------------------------------------------------------------------


@dataclass
class AwsModel:
    """The offline AWS account: one region, account 123456789012, partition ``aws``."""

    region: str = DEFAULT_REGION
    account: str = ACCOUNT_ID
    partition: str = "aws"
    default_tags: dict[str, str] = field(default_factory=dict)
    known_vpcs: set[str] = field(default_factory=set)
    subnet_vpcs: dict[str, str] = field(default_factory=dict)
    # What an invoke could answer only in part (a document not known offline): warnings.
    notes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        self.notes.append(message)

    def take_notes(self) -> list[str]:
        notes, self.notes = self.notes, []
        return notes

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> AwsModel:
        """The model for a stack's config (``aws:region``, ``aws:defaultTags``)."""
        region = config.get("aws:region") or DEFAULT_REGION
        default_tags: dict[str, str] = {}
        raw = config.get("aws:defaultTags")
        if raw:
            try:
                parsed = json.loads(raw)
            except json.JSONDecodeError:
                parsed = {}
            tags = parsed.get("tags") if isinstance(parsed, dict) else None
            if isinstance(tags, dict):
                default_tags = {str(key): str(value) for key, value in tags.items()}
        return cls(region=region, partition=partition_of(region).id, default_tags=default_tags)

    def region_of(self, args: Mapping[str, Any], key: str = "region") -> str:
        value = args.get(key) if isinstance(args, Mapping) else None
        return str(value) if value else self.region

    def vpc_of_subnets(self, subnet_ids: list[Any]) -> str:
        """The VPC the model places subnets in: the one they were listed from, else the one
        VPC the program looked up by ID, else the default VPC."""
        for subnet_id in subnet_ids:
            if subnet_id in self.subnet_vpcs:
                return self.subnet_vpcs[subnet_id]
        defaults = set(default_subnet_ids(self.region))
        if subnet_ids and all(subnet_id in defaults for subnet_id in subnet_ids):
            return default_vpc_id(self.region)
        if len(self.known_vpcs) == 1:
            return next(iter(self.known_vpcs))
        return default_vpc_id(self.region)

    def check(self, type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """The provider's Check: fills in the autonamed name, as the engine's checked inputs."""
        rule = AUTONAMES.get(type_)
        if rule is None or inputs.get(rule.prop) is not None:
            return inputs
        if rule.prefix_prop and inputs.get(rule.prefix_prop) is not None:
            return inputs
        return {**inputs, rule.prop: self.autoname(type_, name, rule)}

    def autoname(self, type_: str, name: str, rule: AutoName) -> str:
        base = (name.lower() if rule.lowercase else name) + "-"
        if len(base) + 7 > rule.maxlen:
            # tfbridge's ComputeAutoNameDefault / resource.NewUniqueName message.
            raise CheckError(
                f"could not make instance of '{type_}': name '{base}' plus 7 random chars is "
                f"longer than maximum length {rule.maxlen}"
            )
        return base + digest("autoname", type_, name)[:7]

    def new_resource(
        self, type_: str, name: str, urn: str, inputs: dict[str, Any], region: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Create a resource from its checked inputs: its ID and its state (inputs + computed).

        ``region`` is the region of the resource's explicit provider, when it sets one.
        """
        # An unknown input (a value of a resource that a preview cannot know yet) travels
        # through the computation as the engine's unknown sentinel; whatever is derived from it
        # is unknown in turn, as it would be in the engine.
        plain = _computable(_plain(inputs))
        region = plain.get("region") or region or self.region
        ctx = Context(self, type_, name, urn, plain, str(region))
        rule = AUTONAMES.get(type_)
        state = dict(inputs)
        if rule and plain.get(rule.prop) is None and rule.prefix_prop:
            prefix = plain.get(rule.prefix_prop)
            if prefix is not None:
                unique = ctx.digits(18, "unique") + ctx.hex(8, "unique")
                state[rule.prop] = _derived_unknowns(
                    (str(prefix) + unique)[: max(rule.maxlen, len(str(prefix)))]
                )
                ctx.inputs = {**plain, rule.prop: state[rule.prop]}
        computed = _derived_unknowns(RESOURCES.get(type_, _generic)(ctx))
        raw_id = computed.pop("id")
        resource_id = "" if raw_id is UNKNOWN else str(raw_id)
        for key, value in computed.items():
            if state.get(key) is None:
                state[key] = value
        if type_.startswith("aws:") and ("tags" in plain or self.default_tags):
            tags = plain.get("tags") or {}
            state["tagsAll"] = _derived_unknowns({**self.default_tags, **tags})
        return resource_id, state

    def invoke(self, token: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
        """The invoke's result, or None when the model does not know the data source."""
        function = INVOKES.get(token)
        if function is None:
            return None
        return function(self, _plain(dict(args)))

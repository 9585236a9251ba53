"""albctl against a real HTTP endpoint of the AWS APIs: moto's server (started and stopped by
tests/albctl/conftest.py), the stacks the tests build in it, and albctl run as a user runs it.

Each test gets an empty moto (reset), a ``Stack`` it builds with boto3 as a deployed stack
would look (VPC, load balancer, listeners, target groups, SNS topic, web ACL) and the outputs
file ``pulumi stack output --json`` would print for it, then runs ``python -m albctl`` as a
subprocess with ``AWS_ENDPOINT_URL`` pointing at moto and dummy credentials, as a user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from tests.albctl.moto_extensions import HealthChecks
from tests.harness import REPO, Run

REGION = "ap-northeast-2"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass(frozen=True)
class MotoServer:
    url: str
    health: HealthChecks

    def _post(self, path: str, body: bytes = b"") -> None:
        # Not a form: moto reads the raw body.
        request = urllib.request.Request(
            f"{self.url}{path}", data=body, method="POST", headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200

    def reset(self) -> None:
        self._post("/moto-api/reset")
        self.health.clear()

    def authenticate_requests(self, enabled: bool) -> None:
        """moto's IAM authentication: with it, every request is checked against the caller's
        IAM policies (moto's INITIAL_NO_AUTH_ACTION_COUNT, set on the running server)."""
        self._post("/moto-api/reset-auth", b"0" if enabled else b"inf")


@dataclass(frozen=True)
class Cloud:
    """The moto server of one test, and how albctl runs against it."""

    server: MotoServer
    home: Path

    def env(self, **overrides: str | None) -> dict[str, str]:
        """A user's environment: dummy credentials, the endpoint, empty AWS config files and
        no instance metadata lookups (an unset credential chain would otherwise try it);
        ``overrides`` with None remove a variable."""
        empty = self.home / "empty"
        empty.touch()
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.home),
            "AWS_ENDPOINT_URL": self.server.url,
            "AWS_SHARED_CREDENTIALS_FILE": str(empty),
            "AWS_CONFIG_FILE": str(empty),
            "AWS_EC2_METADATA_DISABLED": "true",
            # rich sizes tables to the terminal; in a pipe it reads COLUMNS.
            "COLUMNS": "200",
            **DUMMY_CREDENTIALS,
        }
        for name, value in overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def albctl(self, *args: str | Path, env: dict[str, str] | None = None) -> Run:
        """``python -m albctl ARGS`` from the repository, as a user runs it."""
        completed = subprocess.run(
            [sys.executable, "-m", "albctl", *map(str, args)],
            cwd=REPO,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return Run(completed.returncode, completed.stdout, completed.stderr)

    def popen_albctl(self, *args: str | Path) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "albctl", *map(str, args)],
            cwd=REPO,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def arn_suffix(arn: str, resource: str) -> str:
    """The CloudWatch dimension of an ELB ARN: what follows ``loadbalancer/``, or the
    ``targetgroup/...`` resource."""
    return arn.split(":", 5)[5].removeprefix(resource)


class Stack:
    """A deployed stack as albctl meets it: the resources in moto, and its outputs."""

    def __init__(self, cloud: Cloud, services: dict[str, dict[str, Any]], name: str = "dev"):
        self.cloud = cloud
        self.name = name
        self.ec2 = boto3.client("ec2", region_name=REGION)
        self.elb = boto3.client("elbv2", region_name=REGION)
        self.cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.vpc = vpc
        subnets = [
            self.ec2.create_subnet(
                VpcId=vpc, CidrBlock=f"10.0.{index}.0/24", AvailabilityZone=f"{REGION}{zone}"
            )["Subnet"]["SubnetId"]
            for index, zone in enumerate("ab", start=1)
        ]
        group = self.ec2.create_security_group(
            GroupName=f"alb-{name}-sg", Description="alb", VpcId=vpc
        )["GroupId"]
        self.alb = self.elb.create_load_balancer(
            Name=f"alb-{name}-1a2b3c4", Subnets=subnets, SecurityGroups=[group]
        )["LoadBalancers"][0]
        self.alb_arn = self.alb["LoadBalancerArn"]
        self.alb_suffix = arn_suffix(self.alb_arn, "loadbalancer/")
        certificate = boto3.client("acm", region_name=REGION).request_certificate(
            DomainName="dev.example.com"
        )["CertificateArn"]
        redirect = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
        http = self.elb.create_listener(
            LoadBalancerArn=self.alb_arn,
            Protocol="HTTP",
            Port=80,
            DefaultActions=[{"Type": "redirect", "RedirectConfig": redirect}],
        )["Listeners"][0]
        not_found = {"StatusCode": "404", "ContentType": "text/plain"}
        https = self.elb.create_listener(
            LoadBalancerArn=self.alb_arn,
            Protocol="HTTPS",
            Port=443,
            Certificates=[{"CertificateArn": certificate}],
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": not_found}],
        )["Listeners"][0]
        self.topic_arn = boto3.client("sns", region_name=REGION).create_topic(
            Name=f"alb-{name}-alarms"
        )["TopicArn"]
        visibility = {
            "SampledRequestsEnabled": True,
            "CloudWatchMetricsEnabled": True,
            "MetricName": f"alb-{name}-waf",
        }
        web_acl = boto3.client("wafv2", region_name=REGION).create_web_acl(
            Name=f"alb-{name}-waf-5d6e7f8",
            Scope="REGIONAL",
            DefaultAction={"Allow": {}},
            VisibilityConfig=visibility,
        )["Summary"]["ARN"]
        self.groups: dict[str, dict[str, str]] = {}
        target_groups = {}
        for index, (service, spec) in enumerate(sorted(services.items())):
            entry = self._target_group(f"{service}-{index}ab12c3", spec)
            self.groups[service] = {"blue" if spec.get("blueGreen") else "": entry["arn"]}
            if spec.get("blueGreen"):
                alternate = self._target_group(f"{service}-g-{index}ab12c3", spec)
                entry["alternate"] = {key: alternate[key] for key in ("arn", "arnSuffix", "name")}
                self.groups[service]["green"] = alternate["arn"]
            target_groups[service] = entry
        self.outputs = {
            "url": f"https://{self.alb['DNSName']}",
            "albArn": self.alb_arn,
            "albArnSuffix": self.alb_suffix,
            "albDnsName": self.alb["DNSName"],
            "albZoneId": self.alb["CanonicalHostedZoneId"],
            "httpsListenerArn": https["ListenerArn"],
            "httpListenerArn": http["ListenerArn"],
            "securityGroupId": group,
            "targetGroups": target_groups,
            "webAclArn": web_acl,
            "logBucketName": f"alb-{name}-logs-0123456",
            "alarmTopicArn": self.topic_arn,
        }

    def _target_group(self, suffix: str, spec: dict[str, Any]) -> dict[str, Any]:
        target_type = spec.get("targetType", "ip")
        name = f"alb-{self.name}-{suffix}"
        if target_type == "lambda":
            # A Lambda target group has no port, protocol or VPC, and its health check is off.
            group = self.elb.create_target_group(Name=name, TargetType="lambda")
            port = protocol = path = None
        else:
            port, protocol, path = spec.get("port", 8080), "HTTP", spec.get("healthCheckPath", "/")
            group = self.elb.create_target_group(
                Name=name,
                Protocol=protocol,
                Port=port,
                VpcId=self.vpc,
                TargetType=target_type,
                HealthCheckPath=path,
            )
        arn = group["TargetGroups"][0]["TargetGroupArn"]
        return {
            "arn": arn,
            "arnSuffix": arn_suffix(arn, ""),
            "name": name,
            "port": port,
            "protocol": protocol,
            "targetType": target_type,
            "healthCheckPath": path,
        }

    def write_outputs(self, document: dict[str, Any] | None = None) -> Path:
        """The outputs as ``pulumi stack output --json`` prints them, in a file."""
        path = self.cloud.home / f"{self.name}-outputs.json"
        path.write_text(json.dumps(document or self.outputs, indent=2), encoding="utf-8")
        return path

    def arn(self, service: str, colour: str = "") -> str:
        return self.groups[service][colour or next(iter(self.groups[service]))]

    def suffix(self, service: str, colour: str = "") -> str:
        return arn_suffix(self.arn(service, colour), "")

    def register(
        self, service: str, *targets: str, colour: str = "", port: int | None = 8080
    ) -> None:
        self.elb.register_targets(
            TargetGroupArn=self.arn(service, colour),
            Targets=[{"Id": target, **({"Port": port} if port else {})} for target in targets],
        )

    def health_check(
        self, service: str, target: str, state: str, reason: str | None, colour: str = ""
    ) -> None:
        """What ELB's health checker would report for ``target`` from now on."""
        self.cloud.server.health.report(self.arn(service, colour), target, state, reason)

    def put_metric(
        self, metric: str, values: list[float], service: str | None = None, colour: str = ""
    ) -> None:
        """Datapoints ELB would have published ten minutes ago."""
        dimensions = [{"Name": "LoadBalancer", "Value": self.alb_suffix}]
        if service is not None:
            dimensions.append({"Name": "TargetGroup", "Value": self.suffix(service, colour)})
        when = datetime.now(UTC) - timedelta(minutes=10)
        self.cloudwatch.put_metric_data(
            Namespace="AWS/ApplicationELB",
            MetricData=[
                {"MetricName": metric, "Dimensions": dimensions, "Value": value, "Timestamp": when}
                for value in values
            ],
        )

    def alarm(
        self,
        name: str,
        *,
        state: str = "ALARM",
        dimensions: dict[str, str] | None = None,
        actions: list[str] | None = None,
        metric_math: bool = False,
        description: str = "",
    ) -> None:
        dimension_list = [{"Name": k, "Value": v} for k, v in (dimensions or {}).items()]
        metric: dict[str, Any]
        if metric_math:
            metric = {
                "Metrics": [
                    {
                        "Id": "errors",
                        "MetricStat": {
                            "Metric": {
                                "Namespace": "AWS/ApplicationELB",
                                "MetricName": "HTTPCode_ELB_5XX_Count",
                                "Dimensions": dimension_list,
                            },
                            "Period": 60,
                            "Stat": "Sum",
                        },
                        "ReturnData": False,
                    },
                    {"Id": "rate", "Expression": "100 * FILL(errors, 0)", "ReturnData": True},
                ]
            }
        else:
            metric = {
                "Namespace": "AWS/ApplicationELB",
                "MetricName": "HealthyHostCount",
                "Dimensions": dimension_list,
                "Statistic": "Minimum",
                "Period": 60,
            }
        self.cloudwatch.put_metric_alarm(
            AlarmName=name,
            AlarmDescription=description,
            EvaluationPeriods=3,
            Threshold=1,
            ComparisonOperator="LessThanThreshold",
            AlarmActions=[self.topic_arn] if actions is None else actions,
            **metric,
        )
        if state != "INSUFFICIENT_DATA":
            self.cloudwatch.set_alarm_state(
                AlarmName=name, StateValue=state, StateReason=f"{name} is {state}"
            )

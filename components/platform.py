"""The whole per-stack platform: log bucket, certificate, services, load balancer, WAF,
monitoring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from components.certificate import Certificate, CertificateArgs
from components.config import StackConfig
from components.listener_rules import ListenerRules, ListenerRulesArgs
from components.load_balancer import LoadBalancer, LoadBalancerArgs
from components.monitoring import MonitoredTargetGroup, Monitoring, MonitoringArgs
from components.network import Network
from components.service import Service, ServiceArgs
from components.trust_store import TrustStore, TrustStoreArgs
from components.web_acl import WebAcl, WebAclArgs


@dataclass(frozen=True)
class PlatformArgs:
    config: StackConfig
    """The validated stack configuration."""
    network: Network
    """The resolved VPC and subnets."""


class Platform(pulumi.ComponentResource):
    """One environment's ALB platform; `outputs` is the app teams' contract (SPEC §3)."""

    outputs: dict[str, Any]

    def __init__(
        self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("alb:index:Platform", name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)

        logs = AccessLogBucket(
            f"{name}-logs",
            AccessLogBucketArgs(
                prefix=config.access_logs.prefix,
                retention_days=config.access_logs.retention_days,
                protect=config.protect,
                keep_on_destroy=config.access_logs.keep_on_destroy,
                region=config.region,
                tags=config.tags,
            ),
            opts=child,
        )
        certificate = Certificate(
            f"{name}-cert",
            CertificateArgs(
                certificate=config.certificate,
                domain=config.domain,
                region=config.region,
                tags=config.tags,
            ),
            opts=child,
        )
        # Target groups come first (the HTTPS listener's default action may forward to one);
        # the listener rules follow the listener.
        services = {
            service_name: Service(
                f"{name}-{service_name}",
                ServiceArgs(service=service, vpc_id=args.network.vpc_id, tags=config.tags),
                opts=child,
            )
            for service_name, service in sorted(config.services.items())
        }
        default = services.get(config.default_service) if config.default_service else None
        trust_store = (
            TrustStore(
                f"{name}-mtls",
                TrustStoreArgs(mtls=config.mtls, protect=config.protect, tags=config.tags),
                opts=child,
            )
            if config.mtls is not None and config.mtls.mode == "verify"
            else None
        )
        load_balancer = LoadBalancer(
            name,
            LoadBalancerArgs(
                config=config,
                network=args.network,
                log_bucket=logs.bucket.bucket,
                access_log_prefix=logs.access_prefix,
                connection_log_prefix=logs.connection_prefix,
                log_bucket_policy=logs.policy,
                certificate_arn=certificate.arn,
                default_target_group_arn=default.target_group.arn if default else None,
                service_ports=tuple(config.target_ports),
                trust_store_arn=trust_store.trust_store.arn if trust_store else None,
            ),
            opts=child,
        )
        test_listener = load_balancer.test_listener
        rules = ListenerRules(
            f"{name}-rules",
            ListenerRulesArgs(
                listener_arn=load_balancer.https_listener.arn,
                rules=tuple(config.rules),
                services=services,
                tags=config.tags,
                test_listener_arn=test_listener.arn if test_listener else None,
            ),
            opts=child,
        )
        web_acl = WebAcl(
            f"{name}-waf",
            WebAclArgs(
                waf=config.waf,
                load_balancer_arn=load_balancer.load_balancer.arn,
                protect=config.protect,
                tags=config.tags,
            ),
            opts=child,
        )
        alb = load_balancer.load_balancer
        monitoring = Monitoring(
            name,
            MonitoringArgs(
                alb_arn_suffix=alb.arn_suffix,
                # A deployment's green group is watched like blue, as "<service>-green".
                target_groups={
                    label: MonitoredTargetGroup(
                        arn_suffix=group.arn_suffix,
                        target_type=config.services[service_name].target_type,
                    )
                    for service_name, service in services.items()
                    for label, group in (
                        (service_name, service.target_group),
                        (f"{service_name}-green", service.green_group),
                    )
                    if group is not None
                },
                web_acl_metric_name=web_acl.acl.visibility_config.metric_name,
                alarms=config.alarms,
                region=config.region,
                tags=config.tags,
            ),
            opts=child,
        )
        self.outputs = {
            "url": (
                pulumi.Output.from_input(f"https://{config.domain.name}")
                if config.domain
                else alb.dns_name.apply(lambda dns: f"https://{dns}")
            ),
            "albArn": alb.arn,
            "albArnSuffix": alb.arn_suffix,
            "albDnsName": alb.dns_name,
            "albZoneId": alb.zone_id,
            "httpsListenerArn": load_balancer.https_listener.arn,
            "httpListenerArn": load_balancer.http_listener.arn,
            "securityGroupId": load_balancer.security_group.id,
            "targetGroups": {
                service_name: service.contract(
                    rule_arn=rules.by_service[service_name].arn
                    if service_name in rules.by_service
                    else None,
                    test_rule_arn=rules.test_by_service[service_name].arn
                    if service_name in rules.test_by_service
                    else None,
                )
                for service_name, service in services.items()
            },
            "webAclArn": web_acl.acl.arn,
            "logBucketName": logs.bucket.bucket,
            "alarmTopicArn": monitoring.topic_arn,
        }
        if test_listener is not None:
            self.outputs["testListenerArn"] = test_listener.arn
        self.register_outputs(self.outputs)

"""The Application Load Balancer, its security group and its two listeners."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import StackConfig
from components.network import Network

HTTP_PORT = 80
HTTPS_PORT = 443
# One year, subdomains included: the HSTS max-age that browsers' preload lists require.
HSTS_HEADER = "max-age=31536000; includeSubDomains"


@dataclass(frozen=True)
class LoadBalancerArgs:
    config: StackConfig
    """The stack configuration (internal, addressing, TLS policy, idle timeout, protect)."""
    network: Network
    """The VPC and subnets."""
    log_bucket: pulumi.Input[str]
    """The access-log bucket's name."""
    access_log_prefix: str
    """Prefix for access logs."""
    connection_log_prefix: str
    """Prefix for connection logs."""
    log_bucket_policy: pulumi.Resource
    """AWS checks the bucket policy when logging is enabled: the ALB waits for it."""
    certificate_arn: pulumi.Input[str]
    """The HTTPS listener's default certificate."""
    default_target_group_arn: pulumi.Input[str] | None
    """Where unmatched requests go; None answers them with a fixed 404."""
    service_ports: tuple[int, ...]
    """Ports the ALB may reach targets on (egress to the VPC and ``alb:targetCidrs``)."""
    trust_store_arn: pulumi.Input[str] | None = None
    """The trust store of ``alb:mtls`` in verify mode."""


def mutual_authentication(
    config: StackConfig, trust_store_arn: pulumi.Input[str] | None
) -> aws.lb.ListenerMutualAuthenticationArgsDict | None:
    """The HTTPS listener's mutual TLS (``alb:mtls``); None leaves it off, the AWS default."""
    mtls = config.mtls
    if mtls is None:
        return None
    if mtls.mode == "passthrough":
        return {"mode": "passthrough"}
    return {
        "mode": "verify",
        "trust_store_arn": trust_store_arn,
        "ignore_client_certificate_expiry": mtls.ignore_client_certificate_expiry,
        "advertise_trust_store_ca_names": "on" if mtls.advertise_ca_names else "off",
    }


def _fixed_404() -> aws.lb.ListenerDefaultActionArgsDict:
    return {
        "type": "fixed-response",
        "fixed_response": {
            "content_type": "text/plain",
            "message_body": "Not Found",
            "status_code": "404",
        },
    }


def _cidr_key(cidr: str) -> str:
    """A stable, name-safe key for a CIDR (adding one CIDR never renames another's rule)."""
    return hashlib.sha256(cidr.encode()).hexdigest()[:8]


def target_cidrs(config: StackConfig, network: Network) -> list[str]:
    """Where targets may be, each block once: every CIDR block of the VPC (its IPv6 blocks only
    on a dualstack load balancer, since an ipv4 one never connects to IPv6), then
    ``alb:targetCidrs`` (peered VPCs, on premises)."""
    dualstack = config.ip_address_type == "dualstack"
    vpc = [cidr for cidr in network.vpc_cidr_blocks if dualstack or ":" not in cidr]
    return list(dict.fromkeys(vpc + config.target_cidrs))


def egress_rules(
    config: StackConfig, network: Network, service_ports: Iterable[int]
) -> list[tuple[int, str]]:
    """The security group's outbound rules as (port, CIDR): one per distinct service port and
    target block. Per address family that is ``ports x blocks of that family``, the number the
    60-rules-per-direction quota applies to."""
    return [
        (port, cidr)
        for port in sorted(set(service_ports))
        for cidr in target_cidrs(config, network)
    ]


def _egress_rule_name(name: str, port: int, cidr: str, network: Network) -> str:
    """``<lb>-out-<port>-<CIDR key>``, except for the VPC's first IPv4 and IPv6 blocks, whose
    rules kept the names they had when they were the only ones: renaming them would replace
    them, and the engine creates the new rule before deleting the old, identical one, which
    AWS refuses (InvalidPermission.Duplicate)."""
    first_ipv4 = next((c for c in network.vpc_cidr_blocks if ":" not in c), None)
    first_ipv6 = next((c for c in network.vpc_cidr_blocks if ":" in c), None)
    if cidr == first_ipv4:
        return f"{name}-out-{port}"
    if cidr == first_ipv6:
        return f"{name}-out-{port}-v6"
    return f"{name}-out-{port}-{_cidr_key(cidr)}"


class LoadBalancer(pulumi.ComponentResource):
    """Multi-AZ, logged, HTTPS-only ALB: 443 serves, 80 only redirects to 443."""

    load_balancer: aws.lb.LoadBalancer
    security_group: aws.ec2.SecurityGroup
    https_listener: aws.lb.Listener
    http_listener: aws.lb.Listener
    test_listener: aws.lb.Listener | None

    def __init__(
        self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("alb:index:LoadBalancer", name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        self.security_group = self._security_group(name, args, child)

        self.load_balancer = aws.lb.LoadBalancer(
            name,
            load_balancer_type="application",
            internal=config.internal,
            ip_address_type=config.ip_address_type,
            security_groups=[self.security_group.id],
            subnets=list(args.network.subnet_ids),
            access_logs={
                "enabled": True,
                "bucket": args.log_bucket,
                "prefix": args.access_log_prefix,
            },
            connection_logs={
                "enabled": True,
                "bucket": args.log_bucket,
                "prefix": args.connection_log_prefix,
            },
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            enable_cross_zone_load_balancing=True,
            enable_http2=True,
            enable_waf_fail_open=False,
            enable_deletion_protection=config.protect,
            idle_timeout=config.idle_timeout_seconds,
            tags=config.tags,
            opts=pulumi.ResourceOptions(
                parent=self, protect=config.protect, depends_on=[args.log_bucket_policy]
            ),
        )
        default_action: aws.lb.ListenerDefaultActionArgsDict = (
            {"type": "forward", "target_group_arn": args.default_target_group_arn}
            if args.default_target_group_arn is not None
            else _fixed_404()
        )
        self.https_listener = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=self.load_balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=config.tls_policy,
            certificate_arn=args.certificate_arn,
            default_actions=[default_action],
            mutual_authentication=mutual_authentication(config, args.trust_store_arn),
            routing_http_response_strict_transport_security_header_value=HSTS_HEADER,
            routing_http_response_server_enabled=False,
            tags=config.tags,
            opts=child,
        )
        for arn in config.additional_certificate_arns:
            aws.lb.ListenerCertificate(
                f"{name}-sni-{hashlib.sha256(arn.encode()).hexdigest()[:8]}",
                listener_arn=self.https_listener.arn,
                certificate_arn=arn,
                opts=child,
            )
        # Deployments' test listener: HTTPS like the production one, reachable only from
        # testCidrs; its rules (components/listener_rules.py) send everything to green.
        self.test_listener = None
        if config.test_listener_port is not None:
            self.test_listener = aws.lb.Listener(
                f"{name}-test",
                load_balancer_arn=self.load_balancer.arn,
                port=config.test_listener_port,
                protocol="HTTPS",
                ssl_policy=config.tls_policy,
                certificate_arn=args.certificate_arn,
                default_actions=[_fixed_404()],
                routing_http_response_strict_transport_security_header_value=HSTS_HEADER,
                routing_http_response_server_enabled=False,
                tags=config.tags,
                opts=child,
            )
        self.http_listener = aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.load_balancer.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            default_actions=[
                {
                    "type": "redirect",
                    "redirect": {
                        "protocol": "HTTPS",
                        "port": str(HTTPS_PORT),
                        "status_code": "HTTP_301",
                    },
                }
            ],
            tags=config.tags,
            opts=child,
        )
        if config.domain is not None:
            record_types = ["A", "AAAA"] if config.ip_address_type == "dualstack" else ["A"]
            for record_type in record_types:
                aws.route53.Record(
                    f"{name}-alias-{record_type.lower()}",
                    zone_id=config.domain.hosted_zone_id,
                    name=config.domain.name,
                    type=record_type,
                    aliases=[
                        {
                            "name": self.load_balancer.dns_name,
                            "zone_id": self.load_balancer.zone_id,
                            "evaluate_target_health": True,
                        }
                    ],
                    opts=child,
                )
        self.register_outputs(
            {
                "albArn": self.load_balancer.arn,
                "httpsListenerArn": self.https_listener.arn,
                "httpListenerArn": self.http_listener.arn,
            }
        )

    def _security_group(
        self, name: str, args: LoadBalancerArgs, child: pulumi.ResourceOptions
    ) -> aws.ec2.SecurityGroup:
        config = args.config
        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            description="ALB: HTTP/HTTPS in from the allowed CIDRs, service ports out to the VPC",
            vpc_id=args.network.vpc_id,
            tags=config.tags,
            opts=child,
        )

        def allow(
            rule_type: type[aws.vpc.SecurityGroupIngressRule | aws.vpc.SecurityGroupEgressRule],
            logical_name: str,
            port: int,
            cidr: str,
            description: str,
        ) -> None:
            family = "cidr_ipv6" if ":" in cidr else "cidr_ipv4"
            rule_type(
                logical_name,
                security_group_id=group.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=description,
                tags=config.tags,
                opts=child,
                **{family: cidr},
            )

        for cidr in config.ingress_cidrs:
            for port in (HTTP_PORT, HTTPS_PORT):
                allow(
                    aws.vpc.SecurityGroupIngressRule,
                    f"{name}-in-{port}-{_cidr_key(cidr)}",
                    port,
                    cidr,
                    f"listener port {port} from {cidr}",
                )
        if config.test_listener_port is not None:
            port = config.test_listener_port
            for cidr in config.test_cidrs:
                allow(
                    aws.vpc.SecurityGroupIngressRule,
                    f"{name}-in-test-{port}-{_cidr_key(cidr)}",
                    port,
                    cidr,
                    f"test listener port {port} from {cidr}",
                )
        vpc_blocks = set(args.network.vpc_cidr_blocks)
        for port, cidr in egress_rules(config, args.network, args.service_ports):
            allow(
                aws.vpc.SecurityGroupEgressRule,
                _egress_rule_name(name, port, cidr, args.network),
                port,
                cidr,
                f"targets and health checks on port {port} "
                + ("in the VPC" if cidr in vpc_blocks else f"in {cidr} (alb:targetCidrs)"),
            )
        return group

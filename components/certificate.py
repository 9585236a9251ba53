"""The HTTPS listener's certificate: an existing ACM ARN, DNS-validated, or self-signed."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_tls as tls

from components.config import CertificateConfig, DomainConfig


@dataclass(frozen=True)
class CertificateArgs:
    certificate: CertificateConfig
    """Which of the three modes to use."""
    domain: DomainConfig | None
    """The public name; required for DNS validation, used as the self-signed name."""
    region: str
    """The stack's region: a self-signed certificate names the region's ELB domain."""
    tags: dict[str, str]
    """Tags for every resource."""


class Certificate(pulumi.ComponentResource):
    """Resolves to `arn`, the ACM certificate the HTTPS listener presents."""

    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: CertificateArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("alb:index:Certificate", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        mode = args.certificate
        if mode.arn is not None:
            self.arn = pulumi.Output.from_input(mode.arn)
        elif mode.issue == "dns":
            assert args.domain is not None  # guaranteed by the config model
            self.arn = self._dns_validated(name, args.domain, args.tags, child)
        else:
            self.arn = self._self_signed(name, args, child)
        self.register_outputs({"arn": self.arn})

    def _dns_validated(
        self, name: str, domain: DomainConfig, tags: dict[str, str], child: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        certificate = aws.acm.Certificate(
            name,
            domain_name=domain.name,
            validation_method="DNS",
            key_algorithm="EC_prime256v1",
            tags=tags,
            opts=child,
        )
        # One domain name has exactly one validation record.
        option = certificate.domain_validation_options[0]
        record = aws.route53.Record(
            f"{name}-validation",
            zone_id=domain.hosted_zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=300,
            allow_overwrite=True,
            opts=child,
        )
        validation = aws.acm.CertificateValidation(
            f"{name}-validation",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
            opts=child,
        )
        return validation.certificate_arn

    def _self_signed(
        self, name: str, args: CertificateArgs, child: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        # Without a domain, the certificate names the region's ELB DNS names, which is what
        # a client sees when it calls the load balancer's own DNS name.
        common_name = args.domain.name if args.domain else f"*.{args.region}.elb.amazonaws.com"
        key = tls.PrivateKey(f"{name}-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child)
        cert = tls.SelfSignedCert(
            f"{name}-cert",
            private_key_pem=key.private_key_pem,
            subject={"common_name": common_name, "organization": "ALB platform (self-signed)"},
            dns_names=[common_name],
            validity_period_hours=24 * 365,
            early_renewal_hours=24 * 30,
            allowed_uses=["key_encipherment", "digital_signature", "server_auth"],
            opts=child,
        )
        imported = aws.acm.Certificate(
            name,
            private_key=key.private_key_pem,
            certificate_body=cert.cert_pem,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["privateKey"]),
        )
        return imported.arn

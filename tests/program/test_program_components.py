"""Each component, as the engine sees it: the camelCase inputs that reach AWS, parents, options.

Every variant runs the real program in-process under preflight's recording monitor and AWS
model (the worker's code path), with the dev stack's config changed in one place.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import DEFAULT_TLS_POLICY, parse_stack_config
from preflight.records import ResourceRecord, Secret
from tests.program.program_harness import Plan, config_of, run_in_process, with_config

REGION = "ap-northeast-2"
ACM_ARN = f"arn:aws:acm:{REGION}:123456789012:certificate/8d1c2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f"
SNI_ARNS = [
    f"arn:aws:acm:{REGION}:123456789012:certificate/11111111-2222-3333-4444-555555555555",
    f"arn:aws:acm:{REGION}:123456789012:certificate/66666666-7777-8888-9999-000000000000",
]
DOMAIN = {"name": "app.example.com", "hostedZoneId": "Z0123456789ABCDEFGHIJ"}
MANAGED_GROUPS = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
]


def plan_with(values: dict[str, str], **changes: Any) -> Plan:
    plan = run_in_process(with_config(values, **changes), "dev")
    assert plan.error is None, plan.error
    return plan


def parent_type(plan: Plan, record: ResourceRecord) -> str:
    return plan.by_urn(record.parent).type


def https_listener(plan: Plan) -> ResourceRecord:
    return next(
        r for r in plan.of_type("aws:lb/listener:Listener") if r.inputs["protocol"] == "HTTPS"
    )


# --- AccessLogBucket -----------------------------------------------------------------------


def test_access_log_bucket(dev_plan: Plan) -> None:
    bucket = dev_plan.one("aws:s3/bucket:Bucket")
    assert parent_type(dev_plan, bucket) == "alb:index:AccessLogBucket"
    assert bucket.inputs["tags"] == {"Team": "platform"}
    ownership = dev_plan.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    block = dev_plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert {k: block.inputs[k] for k in block.inputs if k != "bucket"} == {
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    encryption = dev_plan.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    assert encryption.inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    lifecycle = dev_plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    (rule,) = lifecycle.inputs["rules"]
    # Pulumi.dev.yaml: accessLogs.retentionDays 30, default prefix "alb".
    assert rule["expiration"] == {"days": 30}
    assert rule["filter"] == {"prefix": "alb/"}
    assert rule["status"] == "Enabled"
    policy = json.loads(dev_plan.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    arn = bucket.outputs["arn"]
    allow, deny = policy["Statement"][0], policy["Statement"][-1]
    assert allow["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    assert allow["Resource"] == [
        f"{arn}/alb/access/AWSLogs/123456789012/*",
        f"{arn}/alb/connection/AWSLogs/123456789012/*",
    ]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    alb = dev_plan.one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["accessLogs"] == {
        "enabled": True,
        "bucket": bucket.outputs["bucket"],
        "prefix": "alb/access",
    }
    assert alb.inputs["connectionLogs"]["prefix"] == "alb/connection"


def test_access_log_prefix_and_retention(dev_values: dict[str, str]) -> None:
    plan = plan_with(dev_values, accessLogs={"retentionDays": 7, "prefix": "edge/logs"})
    lifecycle = plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle.inputs["rules"][0]["expiration"] == {"days": 7}
    assert lifecycle.inputs["rules"][0]["filter"] == {"prefix": "edge/logs/"}
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["accessLogs"]["prefix"] == "edge/logs/access"


# --- Certificate ---------------------------------------------------------------------------


def test_certificate_self_signed(dev_plan: Plan) -> None:
    key = dev_plan.one("tls:index/privateKey:PrivateKey")
    assert key.inputs == {"algorithm": "ECDSA", "ecdsaCurve": "P256"}
    cert = dev_plan.one("tls:index/selfSignedCert:SelfSignedCert")
    # Without alb:domain the certificate names the region's ELB DNS names.
    assert cert.inputs["dnsNames"] == [f"*.{REGION}.elb.amazonaws.com"]
    assert cert.inputs["subject"]["commonName"] == f"*.{REGION}.elb.amazonaws.com"
    assert "server_auth" in cert.inputs["allowedUses"]
    imported = dev_plan.one("aws:acm/certificate:Certificate")
    assert isinstance(imported.inputs["privateKey"], Secret)
    assert imported.inputs["certificateBody"] == cert.outputs["certPem"]
    assert "privateKey" in imported.additional_secret_outputs
    for record in (key, cert, imported):
        assert parent_type(dev_plan, record) == "alb:index:Certificate"
    assert https_listener(dev_plan).inputs["certificateArn"] == imported.outputs["arn"]


def test_certificate_existing_arn(prod_plan: Plan) -> None:
    assert prod_plan.of_type("aws:acm/certificate:Certificate") == []
    assert prod_plan.of_type("tls:index/privateKey:PrivateKey") == []
    component = prod_plan.one("alb:index:Certificate")
    assert prod_plan.children(component) == []
    assert https_listener(prod_plan).inputs["certificateArn"] == ACM_ARN


@pytest.fixture(scope="module")
def dns_plan(dev_values: dict[str, str], prod_values: dict[str, str]) -> Plan:
    return plan_with(
        dev_values,
        certificate={"issue": "dns"},
        domain=DOMAIN,
        ipAddressType="dualstack",
        # Dualstack needs IPv6 subnets: the explicit VPC (the default one is IPv4-only).
        network=config_of(prod_values, "alb:network"),
        additionalCertificateArns=SNI_ARNS,
        idleTimeoutSeconds=120,
        tlsPolicy="ELBSecurityPolicy-TLS13-1-3-2021-06",
    )


def test_certificate_dns_validated(dns_plan: Plan) -> None:
    certificate = dns_plan.one("aws:acm/certificate:Certificate")
    assert certificate.inputs["domainName"] == DOMAIN["name"]
    assert certificate.inputs["validationMethod"] == "DNS"
    assert certificate.inputs["keyAlgorithm"] == "EC_prime256v1"
    record = dns_plan.one("aws:route53/record:Record", "alb-dev-cert-validation")
    option = certificate.outputs["domainValidationOptions"][0]
    assert record.inputs["zoneId"] == DOMAIN["hostedZoneId"]
    assert record.inputs["name"] == option["resourceRecordName"]
    assert record.inputs["records"] == [option["resourceRecordValue"]]
    validation = dns_plan.one("aws:acm/certificateValidation:CertificateValidation")
    assert validation.inputs["certificateArn"] == certificate.outputs["arn"]
    assert record.urn in validation.dependencies
    # The listener waits for validation, not just for the certificate request.
    listener = https_listener(dns_plan)
    assert validation.urn in listener.dependencies
    assert listener.inputs["certificateArn"] == validation.outputs["certificateArn"]
    assert dns_plan.of_type("tls:index/privateKey:PrivateKey") == []


# --- LoadBalancer --------------------------------------------------------------------------


def test_load_balancer_inputs(dev_plan: Plan) -> None:
    alb = dev_plan.one("aws:lb/loadBalancer:LoadBalancer")
    assert parent_type(dev_plan, alb) == "alb:index:LoadBalancer"
    expected = {
        "loadBalancerType": "application",
        "internal": False,
        "ipAddressType": "ipv4",
        "dropInvalidHeaderFields": True,
        "desyncMitigationMode": "defensive",
        "enableCrossZoneLoadBalancing": True,
        "enableHttp2": True,
        "enableWafFailOpen": False,
        "enableDeletionProtection": False,
        "idleTimeout": 60,
    }
    assert {key: alb.inputs[key] for key in expected} == expected
    assert len(alb.inputs["subnets"]) >= 2
    group = dev_plan.one("aws:ec2/securityGroup:SecurityGroup")
    assert alb.inputs["securityGroups"] == [group.id]
    listener = https_listener(dev_plan)
    assert listener.inputs["port"] == 443
    assert listener.inputs["sslPolicy"] == DEFAULT_TLS_POLICY
    http = next(
        r for r in dev_plan.of_type("aws:lb/listener:Listener") if r.inputs["protocol"] == "HTTP"
    )
    assert http.inputs["port"] == 80
    assert http.inputs["defaultActions"] == [
        {
            "type": "redirect",
            "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
        }
    ]
    ingress = dev_plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert sorted((r.inputs["fromPort"], r.inputs["cidrIpv4"]) for r in ingress) == [
        (80, "0.0.0.0/0"),
        (443, "0.0.0.0/0"),
    ]
    egress = dev_plan.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert sorted(r.inputs["toPort"] for r in egress) == [3000, 8080, 8081]
    assert dev_plan.of_type("aws:route53/record:Record") == []
    assert dev_plan.of_type("aws:lb/listenerCertificate:ListenerCertificate") == []


def test_load_balancer_dualstack_domain_and_sni(dns_plan: Plan) -> None:
    alb = dns_plan.one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["ipAddressType"] == "dualstack"
    assert alb.inputs["idleTimeout"] == 120
    assert https_listener(dns_plan).inputs["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-3-2021-06"
    ingress = dns_plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    sources = sorted(
        (r.inputs["fromPort"], r.inputs.get("cidrIpv4") or r.inputs["cidrIpv6"]) for r in ingress
    )
    assert sources == [(80, "0.0.0.0/0"), (80, "::/0"), (443, "0.0.0.0/0"), (443, "::/0")]
    aliases = [
        r
        for r in dns_plan.of_type("aws:route53/record:Record")
        if r.name.startswith("alb-dev-alias")
    ]
    assert sorted(r.inputs["type"] for r in aliases) == ["A", "AAAA"]
    for record in aliases:
        assert record.inputs["name"] == DOMAIN["name"]
        assert record.inputs["zoneId"] == DOMAIN["hostedZoneId"]
        assert record.inputs["aliases"] == [
            {
                "name": alb.outputs["dnsName"],
                "zoneId": alb.outputs["zoneId"],
                "evaluateTargetHealth": True,
            }
        ]
        assert parent_type(dns_plan, record) == "alb:index:LoadBalancer"
    sni = dns_plan.of_type("aws:lb/listenerCertificate:ListenerCertificate")
    assert sorted(r.inputs["certificateArn"] for r in sni) == sorted(SNI_ARNS)
    assert {r.inputs["listenerArn"] for r in sni} == {https_listener(dns_plan).outputs["arn"]}
    assert dns_plan.outputs["url"] == f"https://{DOMAIN['name']}"


def test_load_balancer_internal_with_ingress_cidrs(dev_values: dict[str, str]) -> None:
    plan = plan_with(dev_values, internal=True, ingressCidrs=["10.0.0.0/8", "192.168.0.0/16"])
    assert plan.one("aws:lb/loadBalancer:LoadBalancer").inputs["internal"] is True
    ingress = plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert sorted((r.inputs["fromPort"], r.inputs["cidrIpv4"]) for r in ingress) == [
        (80, "10.0.0.0/8"),
        (80, "192.168.0.0/16"),
        (443, "10.0.0.0/8"),
        (443, "192.168.0.0/16"),
    ]


# --- WebAcl --------------------------------------------------------------------------------


def test_web_acl_block_mode(dev_plan: Plan) -> None:
    acl = dev_plan.one("aws:wafv2/webAcl:WebAcl")
    assert parent_type(dev_plan, acl) == "alb:index:WebAcl"
    assert acl.inputs["scope"] == "REGIONAL"
    assert acl.inputs["defaultAction"] == {"allow": {}}
    rules = acl.inputs["rules"]
    assert [r["name"] for r in rules] == ["rate-limit-per-ip", *MANAGED_GROUPS]
    assert [r["priority"] for r in rules] == list(range(len(rules)))
    assert rules[0]["action"] == {"block": {}}
    assert rules[0]["statement"]["rateBasedStatement"] == {
        "limit": 2000,
        "aggregateKeyType": "IP",
        "evaluationWindowSec": 300,
    }
    for rule in rules[1:]:
        assert rule["overrideAction"] == {"none": {}}
        assert rule["statement"]["managedRuleGroupStatement"] == {
            "name": rule["name"],
            "vendorName": "AWS",
        }
    log_group = dev_plan.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == 90
    assert not acl.protect


def test_web_acl_count_mode_with_geo_block(dev_values: dict[str, str]) -> None:
    plan = plan_with(
        dev_values,
        waf={
            "mode": "count",
            "rateLimit": 500,
            "blockedCountries": ["CN", "RU"],
            "managedRuleGroups": ["AWSManagedRulesCommonRuleSet"],
            "logRetentionDays": 7,
        },
    )
    rules = plan.one("aws:wafv2/webAcl:WebAcl").inputs["rules"]
    assert [r["name"] for r in rules] == [
        "geo-block",
        "rate-limit-per-ip",
        "AWSManagedRulesCommonRuleSet",
    ]
    assert [r["priority"] for r in rules] == [0, 1, 2]
    assert rules[0]["statement"] == {"geoMatchStatement": {"countryCodes": ["CN", "RU"]}}
    assert rules[0]["action"] == rules[1]["action"] == {"count": {}}
    assert rules[1]["statement"]["rateBasedStatement"]["limit"] == 500
    assert rules[2]["overrideAction"] == {"count": {}}
    assert plan.one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 7


# --- Service -------------------------------------------------------------------------------

SERVICES = {
    "web": {"port": 3000, "healthCheck": {"path": "/healthz", "matcher": "200"}},
    "api": {
        "port": 8443,
        "protocol": "HTTPS",
        "targetType": "instance",
        "pathPatterns": ["/api/*"],
        "stickiness": {"durationSeconds": 600},
        "algorithm": "least_outstanding_requests",
        "deregistrationDelaySeconds": 10,
        "healthCheck": {
            "path": "/api/health",
            "intervalSeconds": 30,
            "timeoutSeconds": 10,
            "healthyThreshold": 2,
            "unhealthyThreshold": 5,
        },
    },
    "fn": {
        "targetType": "lambda",
        "pathPatterns": ["/fn/*"],
        "stickiness": {"durationSeconds": 60},
    },
    "pinned": {"port": 9000, "hostHeaders": ["pinned.example.com"], "priority": 7},
    # AWS refuses slow start with least_outstanding_requests, so slow start lives here.
    "status": {"port": 9001, "pathPatterns": ["/api/status"], "slowStartSeconds": 45},
}


@pytest.fixture(scope="module")
def services_plan(dev_values: dict[str, str]) -> Plan:
    return plan_with(dev_values, services=SERVICES, defaultService="web", routes=None)


def target_group(plan: Plan, service: str) -> ResourceRecord:
    return plan.one("aws:lb/targetGroup:TargetGroup", f"alb-dev-{service}")


def test_service_target_group(services_plan: Plan) -> None:
    api = target_group(services_plan, "api")
    assert parent_type(services_plan, api) == "alb:index:Service"
    expected = {
        "targetType": "instance",
        "port": 8443,
        "protocol": "HTTPS",
        "protocolVersion": "HTTP1",
        "deregistrationDelay": 10,
        "slowStart": 0,
        "loadBalancingAlgorithmType": "least_outstanding_requests",
        "loadBalancingCrossZoneEnabled": "true",
        "stickiness": {"enabled": True, "type": "lb_cookie", "cookieDuration": 600},
        "healthCheck": {
            "enabled": True,
            "protocol": "HTTPS",
            "port": "traffic-port",
            "path": "/api/health",
            "matcher": "200-399",
            "interval": 30,
            "timeout": 10,
            "healthyThreshold": 2,
            "unhealthyThreshold": 5,
        },
    }
    assert {key: api.inputs[key] for key in expected} == expected
    assert target_group(services_plan, "status").inputs["slowStart"] == 45
    web = target_group(services_plan, "web")
    assert "stickiness" not in web.inputs
    assert web.inputs["healthCheck"]["matcher"] == "200"
    assert (
        web.inputs["vpcId"]
        == services_plan.one("aws:ec2/securityGroup:SecurityGroup").inputs["vpcId"]
    )


def test_service_lambda_target_group(services_plan: Plan) -> None:
    fn = target_group(services_plan, "fn")
    assert fn.inputs["targetType"] == "lambda"
    for absent in ("port", "protocol", "protocolVersion", "vpcId", "stickiness", "slowStart"):
        assert absent not in fn.inputs, absent
    assert fn.inputs["healthCheck"] == {"enabled": False}


def rules_by_service(plan: Plan) -> dict[str, ResourceRecord]:
    """Each service's forwarding rule, found through the target group it forwards to."""
    groups = {
        r.outputs["arn"]: plan.by_urn(r.parent).name.removeprefix(f"alb-{plan.stack}-")
        for r in plan.of_type("aws:lb/targetGroup:TargetGroup")
    }
    return {
        groups[action["targetGroupArn"]]: rule
        for rule in plan.of_type("aws:lb/listenerRule:ListenerRule")
        for action in rule.inputs["actions"]
        if action["type"] == "forward"
    }


def test_service_listener_rules(services_plan: Plan, dev_values: dict[str, str]) -> None:
    rules = rules_by_service(services_plan)
    assert set(rules) == set(SERVICES) - {"web"}
    assert len(services_plan.of_type("aws:lb/listenerRule:ListenerRule")) == len(rules)
    listener = https_listener(services_plan)
    container = services_plan.one("alb:index:ListenerRules", "alb-dev-rules")
    for name, rule in rules.items():
        group = target_group(services_plan, name)
        priority = rule.inputs["priority"]
        # Keyed by priority: a priority never moves from one AWS rule to another.
        assert rule.name == f"alb-dev-rules-{priority}"
        assert rule.parent == container.urn
        assert rule.inputs["listenerArn"] == listener.outputs["arn"]
        assert rule.inputs["actions"] == [
            {"type": "forward", "targetGroupArn": group.outputs["arn"]}
        ]
        assert {listener.urn, group.urn} <= set(rule.dependencies)
        # Existing stacks had the rule under the service, named like it: same resource.
        assert rule.aliases == (
            "urn:pulumi:dev::alb::alb:index:Platform$alb:index:Service"
            f"$aws:lb/listenerRule:ListenerRule::alb-dev-{name}",
            # pulumi-aws's own alias for the type's former token
            "urn:pulumi:dev::alb::alb:index:Platform$alb:index:ListenerRules"
            f"$aws:elasticloadbalancingv2/listenerRule:ListenerRule::alb-dev-rules-{priority}",
        )
    assert rules["pinned"].inputs["priority"] == 7
    assert rules["pinned"].inputs["conditions"] == [
        {"hostHeader": {"values": ["pinned.example.com"]}}
    ]
    assert rules["api"].inputs["conditions"] == [{"pathPattern": {"values": ["/api/*"]}}]
    # The exact path is evaluated before the wildcard that also covers it.
    assert rules["status"].inputs["priority"] < rules["api"].inputs["priority"]
    config = parse_stack_config(with_config(dev_values, services=SERVICES))
    assert {name: rule.inputs["priority"] for name, rule in rules.items()} == config.rule_priorities


def test_source_restricted_service_answers_other_sources_with_403(
    dev_values: dict[str, str],
) -> None:
    services = {
        "web": {"port": 3000},
        "ops": {"port": 9000, "pathPatterns": ["/ops/*"], "sourceCidrs": ["81.2.69.0/24"]},
        "partner": {
            "port": 9001,
            "pathPatterns": ["/partner/*"],
            "sourceCidrs": ["81.2.70.0/24"],
            "denyOtherSources": False,
        },
    }
    plan = plan_with(dev_values, services=services, defaultService="web", routes=None)
    rules = sorted(
        plan.of_type("aws:lb/listenerRule:ListenerRule"), key=lambda r: r.inputs["priority"]
    )
    ops = rules_by_service(plan)["ops"]
    denied = [r for r in rules if r.inputs["actions"][0]["type"] == "fixed-response"]
    assert len(rules) == 3
    assert [r.inputs for r in denied] == [
        {
            "listenerArn": ops.inputs["listenerArn"],
            "priority": ops.inputs["priority"] + 1,
            "actions": [
                {
                    "type": "fixed-response",
                    "fixedResponse": {
                        "contentType": "text/plain",
                        "messageBody": "Forbidden",
                        "statusCode": "403",
                    },
                }
            ],
            "conditions": [{"pathPattern": {"values": ["/ops/*"]}}],
            "tags": ops.inputs["tags"],
        }
    ]
    assert denied[0].aliases == (
        "urn:pulumi:dev::alb::alb:index:Platform$alb:index:ListenerRules"
        "$aws:elasticloadbalancingv2/listenerRule:ListenerRule::"
        f"alb-dev-rules-{ops.inputs['priority'] + 1}",
    )
    assert ops.inputs["conditions"] == [
        {"pathPattern": {"values": ["/ops/*"]}},
        {"sourceIp": {"values": ["81.2.69.0/24"]}},
    ]


def test_service_priorities_do_not_move_when_a_service_is_added(
    services_plan: Plan, dev_values: dict[str, str]
) -> None:
    more = {**SERVICES, "zz-new": {"port": 9100, "pathPatterns": ["/new/*"]}}
    plan = plan_with(dev_values, services=more, defaultService="web", routes=None)

    def priorities(p: Plan) -> dict[str, int]:
        return {r.name: r.inputs["priority"] for r in p.of_type("aws:lb/listenerRule:ListenerRule")}

    before, after = priorities(services_plan), priorities(plan)
    assert len(set(after) - set(before)) == 1
    assert {name: after[name] for name in before} == before


def test_service_contract_outputs(services_plan: Plan) -> None:
    groups = services_plan.outputs["targetGroups"]
    api = target_group(services_plan, "api")
    assert groups["api"] == {
        "arn": api.outputs["arn"],
        "arnSuffix": api.outputs["arnSuffix"],
        "name": api.inputs["name"],
        "port": 8443,
        "protocol": "HTTPS",
        "targetType": "instance",
        "healthCheckPath": "/api/health",
        "listenerRuleArn": rules_by_service(services_plan)["api"].outputs["arn"],
    }
    # The default service has no rule of its own: the listener's default action forwards.
    assert groups["web"]["listenerRuleArn"] is None


def test_lambda_service_contract_is_known_in_a_preview(services_plan: Plan) -> None:
    fn = target_group(services_plan, "fn")
    assert services_plan.outputs["targetGroups"]["fn"] == {
        "arn": fn.outputs["arn"],
        "arnSuffix": fn.outputs["arnSuffix"],
        "name": fn.inputs["name"],
        "port": None,
        "protocol": None,
        "targetType": "lambda",
        "healthCheckPath": None,
        "listenerRuleArn": rules_by_service(services_plan)["fn"].outputs["arn"],
    }


# --- Routing features (SPEC §6) --------------------------------------------------------------

USER_POOL = "arn:aws:cognito-idp:ap-northeast-2:123456789012:userpool/ap-northeast-2_AbC123"
OIDC = {
    "issuer": "https://login.example.com",
    "authorizationEndpoint": "https://login.example.com/authorize",
    "tokenEndpoint": "https://login.example.com/token",
    "userInfoEndpoint": "https://login.example.com/userinfo",
    "clientId": "alb",
    "clientSecret": "s3cr3t-value",
    "onUnauthenticated": "deny",
    "sessionTimeoutSeconds": 3600,
}
ROUTING_SERVICES = {
    "web": {"port": 3000},
    "app": {
        "port": 8080,
        "pathPatterns": ["/app/*"],
        "httpHeaders": {"X-Tenant": ["acme"]},
        "methods": ["GET", "POST"],
        "queryStrings": [{"key": "v", "value": "2"}],
        "auth": {"oidc": OIDC},
        "rewrite": {
            "url": {"regex": "^/app/(.*)$", "replace": "/$1"},
            "host": {"regex": "^(.+)\\.example\\.com$", "replace": "$1.internal"},
        },
    },
    "ui": {
        "port": 8081,
        "hostHeaders": ["ui.example.com"],
        "auth": {
            "cognito": {
                "userPoolArn": USER_POOL,
                "userPoolClientId": "4e3c2b1a",
                "userPoolDomain": "acme-login",
            }
        },
    },
    "jobs": {
        "port": 8082,
        "pathPatterns": ["/jobs/*"],
        "auth": {
            "jwt": {
                "issuer": "https://auth.example.com",
                "jwksEndpoint": "https://auth.example.com/jwks",
                "additionalClaims": [
                    {"name": "scope", "format": "space-separated-values", "values": ["jobs:run"]}
                ],
            }
        },
    },
}
ROUTES = {
    "robots": {
        "pathPatterns": ["/robots.txt"],
        "then": {"fixedResponse": {"statusCode": "200", "body": "User-agent: *\n"}},
    },
    "www": {
        "hostHeaders": ["www.example.com"],
        "then": {"redirect": {"host": "example.com", "path": "/", "statusCode": "HTTP_302"}},
    },
}


@pytest.fixture(scope="module")
def routing_plan(dev_values: dict[str, str]) -> Plan:
    values = with_config(dev_values, services=ROUTING_SERVICES, defaultService="web", routes=ROUTES)
    plan = run_in_process(values, "dev", secret_keys={"alb:services"})
    assert plan.error is None, plan.error
    return plan


def rule_inputs(plan: Plan, service: str) -> dict[str, Any]:
    rule = rules_by_service(plan)[service]
    return {key: value for key, value in rule.inputs.items() if key not in ("tags", "tagsAll")}


def test_an_oidc_service_authenticates_first_and_keeps_its_secret(routing_plan: Plan) -> None:
    inputs = rule_inputs(routing_plan, "app")
    group = target_group(routing_plan, "app")
    assert inputs == {
        "listenerArn": https_listener(routing_plan).outputs["arn"],
        "priority": inputs["priority"],
        "actions": [
            {
                "type": "authenticate-oidc",
                "order": 1,
                "authenticateOidc": {
                    "issuer": "https://login.example.com",
                    "authorizationEndpoint": "https://login.example.com/authorize",
                    "tokenEndpoint": "https://login.example.com/token",
                    "userInfoEndpoint": "https://login.example.com/userinfo",
                    "clientId": "alb",
                    "clientSecret": Secret("s3cr3t-value"),
                    "scope": "openid",
                    "onUnauthenticatedRequest": "deny",
                    "sessionTimeout": 3600,
                },
            },
            {"type": "forward", "order": 2, "targetGroupArn": group.outputs["arn"]},
        ],
        "conditions": [
            {"pathPattern": {"values": ["/app/*"]}},
            {"httpHeader": {"httpHeaderName": "X-Tenant", "values": ["acme"]}},
            {"httpRequestMethod": {"values": ["GET", "POST"]}},
            {"queryStrings": [{"key": "v", "value": "2"}]},
        ],
        "transforms": [
            {
                "type": "host-header-rewrite",
                "hostHeaderRewriteConfig": {
                    "rewrite": {"regex": "^(.+)\\.example\\.com$", "replace": "$1.internal"}
                },
            },
            {
                "type": "url-rewrite",
                "urlRewriteConfig": {"rewrite": {"regex": "^/app/(.*)$", "replace": "/$1"}},
            },
        ],
    }


def test_cognito_and_jwt_services(routing_plan: Plan) -> None:
    assert rule_inputs(routing_plan, "ui")["actions"][0] == {
        "type": "authenticate-cognito",
        "order": 1,
        "authenticateCognito": {
            "userPoolArn": USER_POOL,
            "userPoolClientId": "4e3c2b1a",
            "userPoolDomain": "acme-login",
            "scope": "openid",
            "onUnauthenticatedRequest": "authenticate",
            "sessionTimeout": 604800,
        },
    }
    jobs = rule_inputs(routing_plan, "jobs")
    assert jobs["actions"][0] == {
        "type": "jwt-validation",
        "order": 1,
        "jwtValidation": {
            "issuer": "https://auth.example.com",
            "jwksEndpoint": "https://auth.example.com/jwks",
            "additionalClaims": [
                {"name": "scope", "format": "space-separated-values", "values": ["jobs:run"]}
            ],
        },
    }
    assert "transforms" not in jobs


def test_routes_answer_without_targets(routing_plan: Plan) -> None:
    listener = https_listener(routing_plan)
    forwarding = {rule.urn for rule in rules_by_service(routing_plan).values()}
    answered = {
        next(iter(rule.inputs["conditions"][0].values()))["values"][0]: rule.inputs
        for rule in routing_plan.of_type("aws:lb/listenerRule:ListenerRule")
        if rule.urn not in forwarding
    }
    assert set(answered) == {"/robots.txt", "www.example.com"}
    robots, www = answered["/robots.txt"], answered["www.example.com"]
    assert robots["actions"] == [
        {
            "type": "fixed-response",
            "fixedResponse": {
                "contentType": "text/plain",
                "messageBody": "User-agent: *\n",
                "statusCode": "200",
            },
        }
    ]
    assert www["actions"] == [
        {
            "type": "redirect",
            "redirect": {
                "protocol": "HTTPS",
                "host": "example.com",
                "port": "#{port}",
                "path": "/",
                "query": "#{query}",
                "statusCode": "HTTP_302",
            },
        }
    ]
    assert robots["listenerArn"] == www["listenerArn"] == listener.outputs["arn"]


@pytest.mark.parametrize(
    ("stack", "prefix", "elb_account"),
    [
        # ap-northeast-2 opened before August 2022: its ELB account may write too.
        ("dev", "alb", "600734575887"),
        # eu-central-2 opened after: only the log delivery service principal exists there.
        ("all", "edge/alb", None),
    ],
)
def test_the_log_bucket_policy_grants_log_delivery_for_the_region(
    request: pytest.FixtureRequest, stack: str, prefix: str, elb_account: str | None
) -> None:
    plan = request.getfixturevalue(f"{stack}_plan")
    bucket = plan.one("aws:s3/bucket:Bucket", f"alb-{stack}-logs")
    arn = bucket.outputs["arn"]
    objects = [f"{arn}/{prefix}/{kind}/AWSLogs/123456789012/*" for kind in ("access", "connection")]
    principals: list[dict[str, str]] = [
        {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    ]
    if elb_account:
        principals.append({"AWS": f"arn:aws:iam::{elb_account}:root"})
    policy = plan.one("aws:s3/bucketPolicy:BucketPolicy", f"alb-{stack}-logs-policy")
    assert policy.inputs["bucket"] == bucket.id
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            *(
                {
                    "Sid": f"ElbLogDelivery{index}",
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": "s3:PutObject",
                    "Resource": objects,
                }
                for index, principal in enumerate(principals)
            ),
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }

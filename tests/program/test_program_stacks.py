"""The dev and prod stacks as the engine would receive them: structure, outputs, data safety."""

from __future__ import annotations

import re
from typing import Any

import pytest

from preflight.aws_model import ALB_HOSTED_ZONE_IDS
from preflight.records import ResourceRecord, Secret
from tests.harness import REPO, assert_outputs_contract
from tests.program.program_harness import Plan, config_of
from tests.program.update_golden import FixtureConfig

ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
RULE = "aws:lb/listenerRule:ListenerRule"
BUCKET = "aws:s3/bucket:Bucket"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
# The bucket's companions: the settings ALB log delivery and the log-bucket policy rely on.
BUCKET_COMPANIONS = {
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
}
# Pulumi autonaming: the logical name, a hyphen and seven random hex characters.
AUTONAME = r"{name}-[0-9a-f]{{7}}"


@pytest.fixture(params=["dev", "prod"])
def stack(request: pytest.FixtureRequest) -> tuple[Plan, dict[str, str]]:
    plan = request.getfixturevalue(f"{request.param}_plan")
    values = request.getfixturevalue(f"{request.param}_values")
    return plan, values


def _component_of(plan: Plan, record: ResourceRecord) -> ResourceRecord:
    return plan.by_urn(record.parent)


def test_one_load_balancer_with_one_https_and_one_http_listener(
    stack: tuple[Plan, dict[str, str]],
) -> None:
    plan, _ = stack
    alb = plan.one(ALB)
    listeners = plan.of_type(LISTENER)
    assert sorted(listener.inputs["protocol"] for listener in listeners) == ["HTTP", "HTTPS"]
    assert all(alb.urn in listener.dependencies for listener in listeners)
    assert alb.inputs["loadBalancerType"] == "application"


def test_one_target_group_per_service_and_one_rule_per_routed_service(
    stack: tuple[Plan, dict[str, str]],
) -> None:
    plan, values = stack
    services = config_of(values, "services")
    default = config_of(values, "defaultService")
    groups = {_component_of(plan, tg).name.rsplit("-", 1)[-1] for tg in plan.of_type(TARGET_GROUP)}
    assert groups == set(services)
    assert len(plan.of_type(TARGET_GROUP)) == len(services)
    service_of = {
        tg.outputs["arn"]: _component_of(plan, tg).name.rsplit("-", 1)[-1]
        for tg in plan.of_type(TARGET_GROUP)
    }
    ruled = [
        service_of[action["targetGroupArn"]]
        for rule in plan.of_type(RULE)
        for action in rule.inputs["actions"]
        if action["type"] == "forward"
    ]
    assert sorted(ruled) == sorted(set(services) - {default})
    priorities = [rule.inputs["priority"] for rule in plan.of_type(RULE)]
    assert len(set(priorities)) == len(priorities)
    # Each rule is keyed by its priority (components/routing.py: wedge-proof updates).
    assert {rule.name for rule in plan.of_type(RULE)} == {
        f"alb-{plan.stack}-rules-{priority}" for priority in priorities
    }
    https = next(r for r in plan.of_type(LISTENER) if r.inputs["protocol"] == "HTTPS")
    default_group = next(
        tg for tg in plan.of_type(TARGET_GROUP) if _component_of(plan, tg).name.endswith(default)
    )
    assert https.inputs["defaultActions"] == [
        {"type": "forward", "targetGroupArn": default_group.outputs["arn"]}
    ]


def test_web_acl_is_associated_and_logged(stack: tuple[Plan, dict[str, str]]) -> None:
    plan, _ = stack
    acl = plan.one(WEB_ACL)
    alb = plan.one(ALB)
    association = plan.one("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert association.inputs == {
        "resourceArn": alb.outputs["arn"],
        "webAclArn": acl.outputs["arn"],
    }
    logging = plan.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    log_group = plan.one("aws:cloudwatch/logGroup:LogGroup")
    assert logging.inputs["resourceArn"] == acl.outputs["arn"]
    assert logging.inputs["logDestinationConfigs"] == [log_group.outputs["arn"]]
    assert log_group.inputs["namePrefix"].startswith("aws-waf-logs-")


def test_log_bucket_has_its_five_companions(stack: tuple[Plan, dict[str, str]]) -> None:
    plan, _ = stack
    bucket = plan.one(BUCKET)
    siblings = plan.children(_component_of(plan, bucket))
    assert {r.type for r in siblings} == BUCKET_COMPANIONS | {BUCKET}
    assert len(siblings) == 6
    for companion in siblings:
        if companion.type != BUCKET:
            assert companion.inputs["bucket"] == bucket.id, companion.type
            assert bucket.urn in companion.dependencies
    alb = plan.one(ALB)
    assert alb.inputs["accessLogs"]["bucket"] == bucket.outputs["bucket"]
    policy = plan.one("aws:s3/bucketPolicy:BucketPolicy")
    # AWS checks the bucket policy when logging is turned on: the ALB waits for it.
    assert policy.urn in alb.dependencies


def test_every_aws_resource_is_inside_a_component(stack: tuple[Plan, dict[str, str]]) -> None:
    plan, _ = stack
    platform = plan.one("alb:index:Platform")
    for record in plan.registered:
        if record.type.startswith("pulumi:providers:") or record.type == "alb:index:Platform":
            continue
        parent = plan.by_urn(record.parent)
        assert parent.type.startswith("alb:index:"), record.urn
        if not record.custom:
            assert parent.urn == platform.urn, record.urn
        else:
            assert parent.type != "alb:index:Platform", record.urn


def test_outputs_are_the_app_teams_contract(stack: tuple[Plan, dict[str, str]]) -> None:
    plan, values = stack
    outputs: dict[str, Any] = plan.outputs
    assert_outputs_contract(outputs)
    for key in outputs.keys() - {"targetGroups"}:
        assert isinstance(outputs[key], str) and outputs[key], key
    alb = plan.one(ALB)
    assert outputs["albArn"] == alb.outputs["arn"]
    assert outputs["albArn"].endswith(outputs["albArnSuffix"])
    assert outputs["albZoneId"] == ALB_HOSTED_ZONE_IDS[values["aws:region"]]
    assert outputs["securityGroupId"] == plan.one("aws:ec2/securityGroup:SecurityGroup").id
    assert outputs["webAclArn"] == plan.one(WEB_ACL).outputs["arn"]
    assert outputs["logBucketName"] == plan.one(BUCKET).outputs["bucket"]
    domain = config_of(values, "domain") if "alb:domain" in values else None
    expected_url = f"https://{domain['name']}" if domain else f"https://{outputs['albDnsName']}"
    assert outputs["url"] == expected_url
    services = config_of(values, "services")
    assert outputs["targetGroups"].keys() == services.keys()
    for name, group in outputs["targetGroups"].items():
        assert group["port"] == services[name]["port"]
        assert group["protocol"] == services[name].get("protocol", "HTTP")
        assert group["healthCheckPath"] == services[name]["healthCheck"]["path"]
        assert group["arn"].endswith(group["arnSuffix"])


# --- replacement and data safety (issue 5 part 4) ------------------------------------------


def test_load_balancer_and_target_groups_are_autonamed(stack: tuple[Plan, dict[str, str]]) -> None:
    plan, _ = stack
    for record in [plan.one(ALB), *plan.of_type(TARGET_GROUP)]:
        # The name is the engine's autoname (logical name + random suffix), not one the
        # program chose, so a replacement can exist beside the old resource.
        assert re.fullmatch(AUTONAME.format(name=re.escape(record.name)), record.inputs["name"])
        assert "namePrefix" not in record.inputs
        assert not record.delete_before_replace, record.urn


def test_dev_can_be_torn_down(dev_plan: Plan) -> None:
    bucket = dev_plan.one(BUCKET)
    assert bucket.inputs["forceDestroy"] is True
    assert not bucket.protect and not bucket.retain_on_delete
    alb = dev_plan.one(ALB)
    assert not alb.protect and alb.inputs["enableDeletionProtection"] is False
    assert not any(record.protect for record in dev_plan.resources)


def test_prod_is_protected(prod_plan: Plan) -> None:
    alb = prod_plan.one(ALB)
    assert alb.protect and alb.inputs["enableDeletionProtection"] is True
    bucket = prod_plan.one(BUCKET)
    assert bucket.protect and bucket.retain_on_delete
    assert bucket.inputs.get("forceDestroy", False) is False
    assert prod_plan.one(WEB_ACL).protect
    protected = {record.type for record in prod_plan.resources if record.protect}
    assert {ALB, BUCKET, WEB_ACL} <= protected


def test_the_program_logs_no_warning_or_error(stack: tuple[Plan, dict[str, str]]) -> None:
    # A deprecated input or a failed invoke shows up here before it shows up in AWS.
    plan, _ = stack
    assert [(log["severity"], log["message"]) for log in plan.logs] == []


# --- the stack with every option on (tests/fixtures/stacks/all-options) ----------------------
# What dev and prod never create, asserted whole: a dropped or misplaced input here changes what
# reaches AWS for every stack that turns the option on.

SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
TAGS = {"CostCenter": "cc-1234", "Team": "platform"}
ALL_REGION = "eu-central-2"
ACCOUNT_ID = "123456789012"
SNI_CERTIFICATES = [
    f"arn:aws:acm:{ALL_REGION}:{ACCOUNT_ID}:certificate/11111111-2222-3333-4444-555555555555",
    f"arn:aws:acm:{ALL_REGION}:{ACCOUNT_ID}:certificate/66666666-7777-8888-9999-000000000000",
]


def _arn(plan: Plan, type_: str, name: str) -> str:
    return str(plan.one(type_, name).outputs["arn"])


def _group(plan: Plan, name: str) -> str:
    return _arn(plan, TARGET_GROUP, f"alb-all-{name}")


def test_all_options_load_balancer_is_dualstack_in_the_explicit_vpc(all_plan: Plan) -> None:
    alb = all_plan.one(ALB)
    assert re.fullmatch(AUTONAME.format(name="alb-all"), alb.inputs["name"])
    assert alb.inputs == {
        "name": alb.inputs["name"],
        "loadBalancerType": "application",
        "internal": False,
        "ipAddressType": "dualstack",
        "subnets": [
            "subnet-01a2b3c4d5e6f7000",
            "subnet-01a2b3c4d5e6f7001",
            "subnet-01a2b3c4d5e6f7003",
        ],
        "securityGroups": [all_plan.one("aws:ec2/securityGroup:SecurityGroup").id],
        "accessLogs": {
            "bucket": alb.inputs["accessLogs"]["bucket"],
            "enabled": True,
            "prefix": "edge/alb/access",
        },
        "connectionLogs": {
            "bucket": alb.inputs["accessLogs"]["bucket"],
            "enabled": True,
            "prefix": "edge/alb/connection",
        },
        "desyncMitigationMode": "defensive",
        "dropInvalidHeaderFields": True,
        "enableCrossZoneLoadBalancing": True,
        "enableDeletionProtection": True,
        "enableHttp2": True,
        "enableWafFailOpen": False,
        "idleTimeout": 120,
        "tags": TAGS,
    }
    logs = all_plan.one(BUCKET, "alb-all-logs")
    assert alb.inputs["accessLogs"]["bucket"] == logs.outputs["bucket"]
    assert alb.protect


def test_all_options_ingress_and_test_listener_rules_cover_ipv4_and_ipv6(all_plan: Plan) -> None:
    sg = all_plan.one("aws:ec2/securityGroup:SecurityGroup").id

    def rule(port: int, cidr: str, what: str) -> dict[str, Any]:
        family = "cidrIpv6" if ":" in cidr else "cidrIpv4"
        return {
            family: cidr,
            "description": f"{what} {port} from {cidr}",
            "fromPort": port,
            "toPort": port,
            "ipProtocol": "tcp",
            "securityGroupId": sg,
            "tags": TAGS,
        }

    ingress = sorted(
        (r.inputs for r in all_plan.of_type(SG_INGRESS_RULE)),
        key=lambda inputs: (inputs["fromPort"], inputs["description"]),
    )
    # testCidrs' IPv6 block is given in upper case: AWS stores it canonical.
    assert ingress == [
        rule(80, "0.0.0.0/0", "listener port"),
        rule(80, "::/0", "listener port"),
        rule(443, "0.0.0.0/0", "listener port"),
        rule(443, "::/0", "listener port"),
        rule(9443, "2001:db8:1::/48", "test listener port"),
        rule(9443, "211.45.60.128/28", "test listener port"),
    ]


def test_all_options_https_listener_verifies_clients_and_offers_sni_certificates(
    all_plan: Plan,
) -> None:
    https = all_plan.one(LISTENER, "alb-all-https")
    certificate = _arn(all_plan, "aws:acm/certificate:Certificate", "alb-all-cert")
    assert https.inputs == {
        "loadBalancerArn": all_plan.one(ALB).outputs["arn"],
        "port": 443,
        "protocol": "HTTPS",
        "certificateArn": certificate,
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "defaultActions": [{"type": "forward", "targetGroupArn": _group(all_plan, "web")}],
        "mutualAuthentication": {
            "mode": "verify",
            "trustStoreArn": _arn(all_plan, "aws:lb/trustStore:TrustStore", "alb-all-mtls"),
            "ignoreClientCertificateExpiry": False,
            "advertiseTrustStoreCaNames": "off",
        },
        "routingHttpResponseServerEnabled": False,
        "routingHttpResponseStrictTransportSecurityHeaderValue": (
            "max-age=31536000; includeSubDomains"
        ),
        "tags": TAGS,
    }
    sni = all_plan.of_type("aws:lb/listenerCertificate:ListenerCertificate")
    assert sorted((r.inputs["certificateArn"], r.inputs["listenerArn"]) for r in sni) == [
        (arn, https.outputs["arn"]) for arn in SNI_CERTIFICATES
    ]
    assert all(set(r.inputs) == {"certificateArn", "listenerArn"} for r in sni)
    # Children of the load balancer component: their URNs stay put across releases.
    load_balancer = all_plan.one("alb:index:LoadBalancer")
    assert {r.parent for r in sni} == {load_balancer.urn}


def test_all_options_test_listener_answers_404_with_the_production_certificate(
    all_plan: Plan,
) -> None:
    test = all_plan.one(LISTENER, "alb-all-test")
    assert test.inputs == {
        "loadBalancerArn": all_plan.one(ALB).outputs["arn"],
        "port": 9443,
        "protocol": "HTTPS",
        "certificateArn": _arn(all_plan, "aws:acm/certificate:Certificate", "alb-all-cert"),
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "defaultActions": [
            {
                "type": "fixed-response",
                "fixedResponse": {
                    "contentType": "text/plain",
                    "messageBody": "Not Found",
                    "statusCode": "404",
                },
            }
        ],
        "routingHttpResponseServerEnabled": False,
        "routingHttpResponseStrictTransportSecurityHeaderValue": (
            "max-age=31536000; includeSubDomains"
        ),
        "tags": TAGS,
    }


def test_all_options_rules_carry_every_condition_action_and_transform(
    all_plan: Plan, all_config: FixtureConfig
) -> None:
    https = all_plan.one(LISTENER, "alb-all-https").outputs["arn"]
    test = all_plan.one(LISTENER, "alb-all-test").outputs["arn"]
    api_conditions = [
        {"pathPattern": {"values": ["/api/*"]}},
        {"httpHeader": {"httpHeaderName": "X-Api-Version", "values": ["2"]}},
        {"httpRequestMethod": {"values": ["GET", "POST"]}},
        {"queryStrings": [{"key": "channel", "value": "beta"}]},
    ]
    jwt = {
        "type": "jwt-validation",
        "order": 1,
        "jwtValidation": {
            "issuer": "https://auth.example.com",
            "jwksEndpoint": "https://auth.example.com/.well-known/jwks.json",
            "additionalClaims": [
                {"name": "scope", "format": "space-separated-values", "values": ["read", "write"]}
            ],
        },
    }
    rewrites = [
        {
            "type": "host-header-rewrite",
            "hostHeaderRewriteConfig": {
                "rewrite": {"regex": r"^(.+)\.example\.com$", "replace": "$1.internal"}
            },
        },
        {
            "type": "url-rewrite",
            "urlRewriteConfig": {"rewrite": {"regex": "^/api/(.*)$", "replace": "/$1"}},
        },
    ]

    def weighted(service: str, blue: int, green: int, **extra: Any) -> dict[str, Any]:
        groups = [
            {"arn": _group(all_plan, service), "weight": blue},
            {"arn": _group(all_plan, f"{service}-green"), "weight": green},
        ]
        return {"targetGroups": groups, **extra}

    # The program receives the secure value's placeholder as a secret, and keeps it one.
    services = config_of(all_config.values, "services")
    oidc_secret = Secret(services["portal"]["auth"]["oidc"]["clientSecret"])
    expected = {
        "alb-all-rules-10": {
            "conditions": [{"pathPattern": {"values": ["/legacy/*"]}}],
            "actions": [{"type": "forward", "targetGroupArn": _group(all_plan, "legacy")}],
        },
        "alb-all-rules-28091": {
            "conditions": [{"hostHeader": {"values": ["www.example.com"]}}],
            "actions": [
                {
                    "type": "redirect",
                    "redirect": {
                        "host": "example.com",
                        "path": "/#{path}",
                        "port": "443",
                        "protocol": "HTTPS",
                        "query": "#{query}",
                        "statusCode": "HTTP_301",
                    },
                }
            ],
        },
        "alb-all-rules-28113": {
            "conditions": [{"hostHeader": {"values": ["Portal.Example.com"]}}],
            "actions": [
                {
                    "type": "authenticate-oidc",
                    "order": 1,
                    "authenticateOidc": {
                        "issuer": "https://login.example.com",
                        "authorizationEndpoint": "https://login.example.com/oauth2/authorize",
                        "tokenEndpoint": "https://login.example.com/oauth2/token",
                        "userInfoEndpoint": "https://login.example.com/oauth2/userinfo",
                        "clientId": "alb-portal",
                        "clientSecret": oidc_secret,
                        "scope": "openid email",
                        "onUnauthenticatedRequest": "deny",
                        "sessionTimeout": 3600,
                    },
                },
                {"type": "forward", "order": 2, "targetGroupArn": _group(all_plan, "portal")},
            ],
        },
        "alb-all-rules-30160": {
            "conditions": api_conditions,
            "actions": [
                jwt,
                {
                    "type": "forward",
                    "order": 2,
                    "forward": weighted(
                        "api", 80, 20, stickiness={"duration": 300, "enabled": True}
                    ),
                },
            ],
            "transforms": rewrites,
        },
        "alb-all-rules-33435": {
            "conditions": [{"pathPattern": {"values": ["/events"]}}],
            "actions": [{"type": "forward", "targetGroupArn": _group(all_plan, "events")}],
        },
        "alb-all-rules-33527": {
            "conditions": [
                {"pathPattern": {"values": ["/admin/*"]}},
                {"sourceIp": {"values": ["211.45.60.128/28", "2a05:d014::/32"]}},
            ],
            "actions": [
                {
                    "type": "authenticate-cognito",
                    "order": 1,
                    "authenticateCognito": {
                        "userPoolArn": (
                            f"arn:aws:cognito-idp:{ALL_REGION}:{ACCOUNT_ID}:userpool/"
                            f"{ALL_REGION}_AbC123"
                        ),
                        "userPoolClientId": "4e3c2b1a",
                        "userPoolDomain": "acme-login",
                        "scope": "openid",
                        "onUnauthenticatedRequest": "authenticate",
                        "sessionTimeout": 604800,
                    },
                },
                {"type": "forward", "order": 2, "forward": weighted("admin", 90, 10)},
            ],
        },
        # admin's 403 for other sources, right after it.
        "alb-all-rules-33528": {
            "conditions": [{"pathPattern": {"values": ["/admin/*"]}}],
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
        },
        "alb-all-rules-36753": {
            "conditions": [{"pathPattern": {"values": ["/reports/*"]}}],
            "actions": [
                {
                    "type": "fixed-response",
                    "fixedResponse": {
                        "contentType": "text/html",
                        "messageBody": "<h1>Reports are down for maintenance</h1>",
                        "statusCode": "503",
                    },
                }
            ],
        },
        "alb-all-rules-36863": {
            "conditions": [{"pathPattern": {"values": ["/orders/*"]}}],
            "actions": [{"type": "forward", "forward": weighted("orders", 100, 0)}],
        },
        "alb-all-rules-test-30160": {
            "conditions": api_conditions,
            "actions": [
                jwt,
                {"type": "forward", "order": 2, "targetGroupArn": _group(all_plan, "api-green")},
            ],
            "transforms": rewrites,
        },
        "alb-all-rules-test-36863": {
            "conditions": [{"pathPattern": {"values": ["/orders/*"]}}],
            "actions": [{"type": "forward", "forward": weighted("orders", 0, 100)}],
        },
    }
    rules = {rule.name: rule for rule in all_plan.of_type(RULE)}
    assert {
        name: {key: value for key, value in rule.inputs.items() if key != "listenerArn"}
        for name, rule in rules.items()
    } == {
        name: {"priority": int(name.rsplit("-", 1)[1]), "tags": TAGS, **fields}
        for name, fields in expected.items()
    }
    assert {name: rule.inputs["listenerArn"] for name, rule in rules.items()} == {
        name: test if "-test-" in name else https for name in expected
    }
    # ECS owns the external service's weights: exactly those two are left to it.
    for name in ("alb-all-rules-36863", "alb-all-rules-test-36863"):
        assert rules[name].ignore_changes == (
            "actions[0].forward.targetGroups[0].weight",
            "actions[0].forward.targetGroups[1].weight",
        )


def test_all_options_targets_and_the_lambda_permission(all_plan: Plan) -> None:
    attachments = {
        r.name: r.inputs
        for r in all_plan.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")
    }
    function = f"arn:aws:lambda:{ALL_REGION}:{ACCOUNT_ID}:function:events"
    # The second instance ID is given in upper case: EC2 IDs are lower case.
    assert attachments == {
        "alb-all-web-target-i-0abc12345def67890": {
            "targetGroupArn": _group(all_plan, "web"),
            "targetId": "i-0abc12345def67890",
        },
        "alb-all-web-target-i-0abc12345def67891-3001": {
            "targetGroupArn": _group(all_plan, "web"),
            "targetId": "i-0abc12345def67891",
            "port": 3001,
        },
        "alb-all-legacy-target-10.20.4.17": {
            "targetGroupArn": _group(all_plan, "legacy"),
            "targetId": "10.20.4.17",
            "availabilityZone": "all",
        },
        "alb-all-legacy-target-10.20.4.18-8445": {
            "targetGroupArn": _group(all_plan, "legacy"),
            "targetId": "10.20.4.18",
            "port": 8445,
            "availabilityZone": "all",
        },
        "alb-all-events-lambda": {
            "targetGroupArn": _group(all_plan, "events"),
            "targetId": f"{function}:live",
        },
    }
    permission = all_plan.one("aws:lambda/permission:Permission")
    assert permission.inputs == {
        "action": "lambda:InvokeFunction",
        "function": function,
        "principal": "elasticloadbalancing.amazonaws.com",
        "qualifier": "live",
        "sourceArn": _group(all_plan, "events"),
    }
    # AWS refuses to register a function ELB may not invoke yet.
    lambda_attachment = all_plan.one(
        "aws:lb/targetGroupAttachment:TargetGroupAttachment", "alb-all-events-lambda"
    )
    assert permission.urn in lambda_attachment.dependencies


def test_all_options_dns_certificate_and_dualstack_aliases(all_plan: Plan) -> None:
    certificate = all_plan.one("aws:acm/certificate:Certificate")
    assert certificate.inputs == {
        "domainName": "app.example.com",
        "validationMethod": "DNS",
        "keyAlgorithm": "EC_prime256v1",
        "tags": TAGS,
    }
    validation = all_plan.one("aws:route53/record:Record", "alb-all-cert-validation")
    [option] = certificate.outputs["domainValidationOptions"]
    assert validation.inputs == {
        "allowOverwrite": True,
        "name": option["resourceRecordName"],
        "records": [option["resourceRecordValue"]],
        "ttl": 300,
        "type": option["resourceRecordType"],
        "zoneId": "Z0123456789ABCDEFGHIJ",
    }
    alb = all_plan.one(ALB)
    aliases = {
        r.inputs["type"]: r.inputs
        for r in all_plan.of_type("aws:route53/record:Record")
        if r.name.startswith("alb-all-alias-")
    }
    assert aliases == {
        kind: {
            "name": "app.example.com",
            "type": kind,
            "zoneId": "Z0123456789ABCDEFGHIJ",
            "aliases": [
                {
                    "evaluateTargetHealth": True,
                    "name": alb.outputs["dnsName"],
                    "zoneId": ALB_HOSTED_ZONE_IDS[ALL_REGION],
                }
            ],
        }
        for kind in ("A", "AAAA")
    }


def test_all_options_trust_store_holds_the_repository_bundle_and_the_crl(
    all_plan: Plan,
) -> None:
    bundle = all_plan.one("aws:s3/bucketObjectv2:BucketObjectv2")
    bucket = all_plan.one(BUCKET, "alb-all-mtls-ca")
    pem = (REPO / "tests" / "fixtures" / "mtls" / "client-ca.pem").read_text(encoding="utf-8")
    assert bundle.inputs == {
        "bucket": bucket.outputs["bucket"],
        "key": bundle.inputs["key"],
        "content": pem,
        "contentType": "application/x-pem-file",
        "tags": TAGS,
    }
    assert re.fullmatch(r"ca-bundle/[0-9a-f]{16}\.pem", bundle.inputs["key"])
    store = all_plan.one("aws:lb/trustStore:TrustStore")
    assert store.inputs == {
        "caCertificatesBundleS3Bucket": bucket.outputs["bucket"],
        "caCertificatesBundleS3Key": bundle.inputs["key"],
        "namePrefix": "mtls-",
        "tags": TAGS,
    }
    revocation = all_plan.one("aws:lb/trustStoreRevocation:TrustStoreRevocation")
    assert revocation.inputs == {
        "trustStoreArn": store.outputs["arn"],
        "revocationsS3Bucket": "pki-example",
        "revocationsS3Key": "crl/partner.crl",
    }


def test_all_options_web_acl_counts_and_blocks_countries_in_upper_case(all_plan: Plan) -> None:
    acl = all_plan.one(WEB_ACL)

    def visibility(metric: str) -> dict[str, Any]:
        return {
            "cloudwatchMetricsEnabled": True,
            "metricName": metric,
            "sampledRequestsEnabled": True,
        }

    managed = [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesSQLiRuleSet",
    ]
    assert acl.inputs["rules"] == [
        {
            "name": "geo-block",
            "priority": 0,
            "action": {"count": {}},
            "statement": {"geoMatchStatement": {"countryCodes": ["KP", "RU"]}},
            "visibilityConfig": visibility("alb-all-waf-geo-block"),
        },
        {
            "name": "rate-limit-per-ip",
            "priority": 1,
            "action": {"count": {}},
            "statement": {
                "rateBasedStatement": {
                    "aggregateKeyType": "IP",
                    "evaluationWindowSec": 300,
                    "limit": 1500,
                }
            },
            "visibilityConfig": visibility("alb-all-waf-rate-limit"),
        },
        *(
            {
                "name": group,
                "priority": 2 + index,
                "overrideAction": {"count": {}},
                "statement": {"managedRuleGroupStatement": {"name": group, "vendorName": "AWS"}},
                "visibilityConfig": visibility(f"alb-all-waf-{group}"),
            }
            for index, group in enumerate(managed)
        ),
    ]
    assert acl.inputs["defaultAction"] == {"allow": {}}
    assert acl.inputs["scope"] == "REGIONAL"
    assert acl.protect
    log_group = all_plan.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == 365
    assert log_group.retain_on_delete


def test_all_options_alarms_reach_the_email(all_plan: Plan) -> None:
    subscription = all_plan.one("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.inputs == {
        "endpoint": "oncall@example.com",
        "protocol": "email",
        "topic": all_plan.one("aws:sns/topic:Topic").outputs["arn"],
    }

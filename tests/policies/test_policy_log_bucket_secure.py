"""alb-log-bucket-secure: the ALB's log bucket and its companion resources."""

import json
from pathlib import Path

import pytest

from tests.policies.policy_harness import (
    ACCOUNT,
    AWS_PROVIDER,
    BUCKET_POLICY,
    UNKNOWN,
    Res,
    as_preview,
    compliant_stack,
    hits,
)

POLICY = "alb-log-bucket-secure"


def test_passes_with_every_companion_set(run):
    assert hits(run(compliant_stack()), POLICY) == set()
    assert hits(run(as_preview(compliant_stack())), POLICY) == set()


def test_kms_encryption_is_flagged_as_incompatible(run):
    stack = compliant_stack()
    stack["alb-logs-encryption"].inputs["rules"] = [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}
    ]
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb-logs-encryption", "mandatory")}
    assert "SSE-S3" in findings[0].message and "aws:kms" in findings[0].message
    # Found through property dependencies when the bucket name is not known yet.
    assert hits(run(as_preview(stack)), POLICY) == {"alb-logs-encryption"}


def test_public_access_left_open_is_flagged(run):
    stack = compliant_stack()
    del stack["alb-logs-public-access"].inputs["restrictPublicBuckets"]  # defaults to false
    assert hits(run(stack), POLICY) == {"alb-logs-public-access"}


def test_object_writer_ownership_is_flagged(run):
    stack = compliant_stack()
    stack["alb-logs-ownership"].inputs["rule"]["objectOwnership"] = "ObjectWriter"
    assert hits(run(stack), POLICY) == {"alb-logs-ownership"}


def test_a_missing_tls_only_statement_is_flagged(run):
    stack = compliant_stack()
    document = json.loads(stack["alb-logs-policy"].inputs["policy"])
    document["Statement"] = document["Statement"][:1]
    stack["alb-logs-policy"].inputs["policy"] = json.dumps(document)
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {f.resource for f in findings} == {"alb-logs"}
    assert "aws:SecureTransport" in findings[0].message
    del stack["alb-logs-policy"]
    assert hits(run(stack), POLICY) == {"alb-logs"}


@pytest.mark.parametrize("condition", [["Bool"], "aws:SecureTransport", {"Bool": ["false"]}])
def test_a_malformed_deny_condition_is_reported_not_a_crash(run, condition):
    stack = compliant_stack()
    document = json.loads(stack["alb-logs-policy"].inputs["policy"])
    document["Statement"][1]["Condition"] = condition
    stack["alb-logs-policy"].inputs["policy"] = json.dumps(document)
    assert hits(run(stack), POLICY) == {"alb-logs"}


def test_an_unknown_policy_document_is_not_a_violation(run):
    stack = compliant_stack()
    stack["alb-logs-policy"].inputs["policy"] = UNKNOWN
    assert hits(run(stack), POLICY) == set()


def test_a_missing_or_disabled_lifecycle_rule_is_flagged(run):
    stack = compliant_stack()
    stack["alb-logs-lifecycle"].inputs["rules"][0]["status"] = "Disabled"
    assert hits(run(stack), POLICY) == {"alb-logs"}
    del stack["alb-logs-lifecycle"]
    assert hits(run(stack), POLICY) == {"alb-logs"}


def test_absent_companions_leave_the_aws_defaults(run):
    # New buckets block public access, disable ACLs and use SSE-S3 unless told otherwise.
    stack = compliant_stack()
    for name in ("alb-logs-public-access", "alb-logs-ownership", "alb-logs-encryption"):
        del stack[name]
    assert hits(run(stack), POLICY) == set()


def test_buckets_the_load_balancer_does_not_log_to_are_out_of_scope(run):
    stack = compliant_stack()
    del stack["alb"].inputs["accessLogs"]
    stack["alb"].refs.pop("accessLogs")
    assert BUCKET_POLICY in {res.type for res in stack.values()}
    del stack["alb-logs-lifecycle"]
    assert hits(run(stack), POLICY) == set()


def test_a_policy_document_given_as_an_object_is_read_through_the_proxies(run):
    # `policy` also takes an aws.iam.PolicyDocument: it reaches the pack as a proxied object.
    stack = compliant_stack()
    document = json.loads(stack["alb-logs-policy"].inputs["policy"])
    stack["alb-logs-policy"].inputs["policy"] = document
    assert hits(run(stack), POLICY) == set()
    document["Statement"] = document["Statement"][:1]
    assert hits(run(stack), POLICY) == {"alb-logs"}


# --------------------------------------------------------- the bucket policy, read as AWS reads it

BUCKET_NAME = "alb-logs-3c1f0a9"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET_NAME}"
LOG_OBJECTS = f"{BUCKET_ARN}/alb/AWSLogs/{ACCOUNT}/*"
# ap-northeast-2 (the harness's region) opened before August 2022: ELB's account there.
SEOUL_ELB_ACCOUNT = "600734575887"
DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


def document(stack):
    return json.loads(stack["alb-logs-policy"].inputs["policy"])


def with_statements(*statements, as_object=False):
    """The compliant stack with the bucket policy's statements replaced."""
    stack = compliant_stack()
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    stack["alb-logs-policy"].inputs["policy"] = policy if as_object else json.dumps(policy)
    return stack


def delivery(principal=None, action="s3:PutObject", resource=LOG_OBJECTS):
    return {
        "Effect": "Allow",
        "Principal": principal or {"Service": DELIVERY_SERVICE},
        "Action": action,
        "Resource": resource,
    }


def tls_deny(principal="*", action="s3:*", resource=None, condition=None):
    return {
        "Effect": "Deny",
        "Principal": principal,
        "Action": action,
        "Resource": resource if resource is not None else [BUCKET_ARN, f"{BUCKET_ARN}/*"],
        "Condition": condition or {"Bool": {"aws:SecureTransport": "false"}},
    }


def messages(findings):
    return [f.message.split("\n")[-1] for f in findings if f.policy == POLICY]


def in_region(stack, region, *, via="provider"):
    """Put the log bucket in ``region``: through its provider's config or its own ``region``."""
    if via == "provider":
        stack.add(Res(AWS_PROVIDER, "default", {"region": region, "version": "7.51.1"}))
        stack["alb-logs"].provider = "default"
    else:
        stack["alb-logs"].computed["region"] = region
    return stack


@pytest.mark.parametrize("as_object", [False, True], ids=["json", "object"])
@pytest.mark.parametrize(
    "principal",
    ["*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]}],
    ids=["star", "aws-star", "aws-star-list", "star-among-accounts"],
)
def test_an_allow_to_everyone_fails(run, principal, as_object):
    public = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": f"{BUCKET_ARN}/*",
    }
    stack = with_statements(delivery(), tls_deny(), public, as_object=as_object)
    findings = run(stack)
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {
        ("alb-logs-policy", "mandatory")
    }
    assert messages(findings) == [
        "Log bucket: 'alb-logs-policy' allows s3:GetObject to every principal (Principal "
        f"{json.dumps(principal)}) with no condition that limits it to known accounts or "
        "networks, which makes the log bucket public."
    ]


def test_an_allow_to_everyone_but_some_principals_fails(run):
    public = {
        "Effect": "Allow",
        "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "s3:*",
        "Resource": f"{BUCKET_ARN}/*",
    }
    findings = run(with_statements(delivery(), tls_deny(), public))
    assert messages(findings) == [
        "Log bucket: 'alb-logs-policy' allows s3:* to every principal but those in NotPrincipal "
        "with no condition that limits it to known accounts or networks, which makes the log "
        "bucket public."
    ]


@pytest.mark.parametrize(
    ("condition", "public"),
    [
        ({"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}, False),
        ({"StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}}, False),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False),
        ({"IpAddress": {"aws:SourceIp": "::/0"}}, True),
        ({"StringLike": {"aws:SourceVpce": "vpce-*"}}, True),
        ({"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, True),
    ],
)
def test_a_condition_naming_accounts_or_networks_keeps_an_allow_private(run, condition, public):
    grant = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"{BUCKET_ARN}/*",
        "Condition": condition,
    }
    found = hits(run(with_statements(delivery(), tls_deny(), grant)), POLICY)
    assert found == ({"alb-logs-policy"} if public else set())


@pytest.mark.parametrize("as_object", [False, True], ids=["json", "object"])
@pytest.mark.parametrize(
    "deny",
    [
        tls_deny(),
        tls_deny(principal={"AWS": "*"}),
        tls_deny(principal={"AWS": ["*"]}),
        tls_deny(action="S3:*"),
        tls_deny(action=["s3:GetObject", "*"]),
        tls_deny(resource=["arn:aws:s3:::alb-logs-*", "arn:aws:s3:::alb-logs-*/*"]),
        tls_deny(resource="*"),
        tls_deny(condition={"Bool": {"aws:SecureTransport": False}}),
        tls_deny(condition={"BoolIfExists": {"AWS:SECURETRANSPORT": ["false"]}}),
    ],
    ids=[
        "star",
        "aws-star",
        "aws-star-list",
        "mixed-case-action",
        "any-action",
        "wildcard",
        "every-resource",
        "json-boolean",
        "if-exists-mixed-case",
    ],
)
def test_a_tls_only_deny_passes_in_every_spelling(run, deny, as_object):
    assert hits(run(with_statements(delivery(), deny, as_object=as_object)), POLICY) == set()


WANTED = (
    "Log bucket: bucket 'alb-logs': its bucket policy must deny every principal (Principal \"*\") "
    "every S3 action (s3:*) on the bucket and its objects when aws:SecureTransport is false "
    "(Security Hub S3.5), but "
)


@pytest.mark.parametrize(
    ("deny", "shortfall"),
    [
        (
            tls_deny(principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
            'it does not name every principal (Principal "*")',
        ),
        (
            tls_deny(action=["s3:GetObject", "s3:PutObject"]),
            "it does not cover every S3 action (s3:*)",
        ),
        (tls_deny(action="s3:Get*"), "it does not cover every S3 action (s3:*)"),
        (
            tls_deny(resource=f"{BUCKET_ARN}/*"),
            f"its Resource does not cover both {BUCKET_ARN} and {BUCKET_ARN}/*",
        ),
        (
            tls_deny(
                condition={
                    "Bool": {"aws:SecureTransport": "false"},
                    "StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"},
                }
            ),
            "its Condition is not only Bool aws:SecureTransport false",
        ),
    ],
    ids=["one-account", "some-actions", "get-only", "objects-only", "extra-condition"],
)
def test_a_tls_only_deny_that_misses_principals_actions_or_resources_fails(run, deny, shortfall):
    findings = run(with_statements(delivery(), deny))
    assert {f.resource for f in findings if f.policy == POLICY} == {"alb-logs"}
    assert messages(findings) == [WANTED + shortfall + "."]


def test_a_tls_only_deny_with_not_action_fails(run):
    deny = tls_deny()
    deny["NotAction"] = ["s3:GetObject"]
    del deny["Action"]
    assert messages(run(with_statements(delivery(), deny))) == [
        WANTED + "it does not cover every S3 action (s3:*)."
    ]


MISSING_GRANT = (
    "Log bucket: bucket 'alb-logs': its bucket policy does not allow s3:PutObject to {whom} for "
    "the access logs of load balancer 'alb' to alb-logs-3c1f0a9/alb/AWSLogs/123456789012/; AWS "
    "refuses to turn logging on without that grant."
)
SEOUL = (
    f"the service principal {DELIVERY_SERVICE} or ap-northeast-2's Elastic Load Balancing "
    f"account {SEOUL_ELB_ACCOUNT}"
)


@pytest.mark.parametrize("via", ["provider", "bucket"])
@pytest.mark.parametrize(
    "grant",
    [
        delivery(),
        delivery(principal={"Service": [DELIVERY_SERVICE]}),
        delivery(principal={"AWS": SEOUL_ELB_ACCOUNT}),
        delivery(principal={"AWS": [f"arn:aws:iam::{SEOUL_ELB_ACCOUNT}:root"]}),
        delivery(action="S3:PUTOBJECT"),
        delivery(action=["s3:Put*"]),
        delivery(resource=f"{BUCKET_ARN}/*"),
        delivery(resource=f"{BUCKET_ARN}/alb/AWSLogs/*"),
    ],
    ids=[
        "service",
        "service-list",
        "account-id",
        "account-arn",
        "upper-case",
        "put-star",
        "whole-bucket",
        "any-account",
    ],
)
def test_the_log_delivery_grant_passes_for_the_region(run, grant, via):
    stack = in_region(with_statements(grant, tls_deny()), "ap-northeast-2", via=via)
    assert hits(run(stack), POLICY) == set()


@pytest.mark.parametrize(
    "grant",
    [
        # us-east-1's ELB account cannot write in ap-northeast-2.
        delivery(principal={"AWS": "arn:aws:iam::127311923021:root"}),
        # Not the ALB log delivery principals (classic and Outposts delivery).
        delivery(principal={"Service": "delivery.logs.amazonaws.com"}),
        delivery(principal={"Service": "logdelivery.elb.amazonaws.com"}),
        delivery(action="s3:GetObject"),
        # Another prefix than the load balancer's accessLogs.prefix ("alb").
        delivery(resource=f"{BUCKET_ARN}/logs/AWSLogs/{ACCOUNT}/*"),
        {**delivery(), "Effect": "Deny"},
    ],
    ids=[
        "other-region-account",
        "cloudwatch-delivery",
        "outposts-delivery",
        "get-object",
        "other-prefix",
        "deny",
    ],
)
def test_a_missing_or_wrong_log_delivery_grant_fails(run, grant):
    stack = in_region(with_statements(grant, tls_deny()), "ap-northeast-2")
    findings = run(stack)
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {
        ("alb-logs", "mandatory")
    }
    assert messages(findings) == [MISSING_GRANT.format(whom=SEOUL)]


def test_an_unconditional_deny_takes_the_grant_away(run):
    deny_writes = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{BUCKET_ARN}/*",
    }
    stack = in_region(with_statements(delivery(), tls_deny(), deny_writes), "ap-northeast-2")
    assert messages(run(stack)) == [MISSING_GRANT.format(whom=SEOUL)]


def test_regions_opened_after_august_2022_take_only_the_service_principal(run):
    # Europe (Zurich) has no ELB account: only the service principal can write there.
    stack = in_region(with_statements(delivery(), tls_deny()), "eu-central-2")
    assert hits(run(stack), POLICY) == set()
    stack = in_region(
        with_statements(delivery(principal={"AWS": SEOUL_ELB_ACCOUNT}), tls_deny()), "eu-central-2"
    )
    assert messages(run(stack)) == [
        MISSING_GRANT.format(
            whom=f"the service principal {DELIVERY_SERVICE} (eu-central-2 has no Elastic Load "
            "Balancing account)"
        )
    ]


def test_without_a_known_region_any_elb_account_or_the_service_principal_passes(run):
    stack = with_statements(delivery(principal={"AWS": "127311923021"}), tls_deny())
    assert hits(run(stack), POLICY) == set()
    stack = with_statements(delivery(principal={"AWS": ACCOUNT}), tls_deny())
    assert messages(run(stack)) == [
        MISSING_GRANT.format(
            whom=f"the service principal {DELIVERY_SERVICE} (or the Elastic Load Balancing "
            "account of the stack's region)"
        )
    ]


def test_connection_logs_need_the_grant_under_their_own_prefix(run):
    stack = in_region(with_statements(delivery(), tls_deny()), "ap-northeast-2")
    stack["alb"].inputs["connectionLogs"] = {
        "enabled": True,
        "bucket": BUCKET_NAME,
        "prefix": "connections",
    }
    assert messages(run(stack)) == [
        "Log bucket: bucket 'alb-logs': its bucket policy does not allow s3:PutObject to "
        f"{SEOUL} for the connection logs of load balancer 'alb' to "
        "alb-logs-3c1f0a9/connections/AWSLogs/123456789012/; AWS refuses to turn logging on "
        "without that grant."
    ]
    stack = in_region(
        with_statements(delivery(), delivery(resource=f"{BUCKET_ARN}/connections/*"), tls_deny()),
        "ap-northeast-2",
    )
    stack["alb"].inputs["connectionLogs"] = {
        "enabled": True,
        "bucket": BUCKET_NAME,
        "prefix": "connections",
    }
    assert hits(run(stack), POLICY) == set()


# terraform-provider-aws internal/service/elb/service_account_data_source.go
# (accountIDPerRegionMap, behind aws.elb.get_service_account), which copies the "Regions
# available before August 2022" table of the ALB user guide's "Enable access logs" page.
TERRAFORM_ELB_ACCOUNT_IDS = {
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-south-1": "718504428378",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "eu-south-1": "635631232127",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-gov-east-1": "190560391635",
    "us-gov-west-1": "048591011584",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
}


def test_the_elb_account_table_is_terraforms_table():
    from alb_guardrails import log_bucket_secure

    table = json.loads(
        Path(log_bucket_secure.__file__).with_name("elb_log_delivery.json").read_text("utf-8")
    )
    assert table["accountIds"] == TERRAFORM_ELB_ACCOUNT_IDS
    assert table["servicePrincipal"] == "logdelivery.elasticloadbalancing.amazonaws.com"


@pytest.mark.parametrize(
    ("region", "account"),
    [("us-east-1", "127311923021"), ("eu-west-3", "009996457667"), ("sa-east-1", "507241528517")],
)
def test_each_older_region_takes_its_own_elb_account_and_no_other(run, region, account):
    def granted_to(account_id):
        grant = delivery(principal={"AWS": f"arn:aws:iam::{account_id}:root"})
        return in_region(with_statements(grant, tls_deny()), region)

    assert hits(run(granted_to(account)), POLICY) == set()
    findings = run(granted_to(SEOUL_ELB_ACCOUNT))
    assert messages(findings) == [
        MISSING_GRANT.format(
            whom=f"the service principal {DELIVERY_SERVICE} or {region}'s Elastic Load "
            f"Balancing account {account}"
        )
    ]


@pytest.mark.parametrize(
    ("block", "kind"), [("accessLogs", "access"), ("connectionLogs", "connection")]
)
def test_a_bucket_that_only_one_kind_of_log_goes_to_is_checked(run, block, kind):
    stack = compliant_stack()
    stack.add(
        Res(
            "aws:s3/bucket:Bucket",
            "other-logs",
            {"bucket": "other-logs-7e6d5c4", "acl": "public-read"},
            {"id": "other-logs-7e6d5c4"},
        )
    )
    stack["alb"].inputs[block] = {"enabled": True, "bucket": "other-logs-7e6d5c4", "prefix": "x"}
    stack["alb"].refs[block] = ["other-logs"]
    findings = run(stack)
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {
        ("other-logs", "mandatory")
    }
    assert messages(findings) == [
        "Log bucket: bucket 'other-logs' has the public canned ACL 'public-read'.",
        "Log bucket: bucket 'other-logs': it has no bucket policy that denies every principal "
        '(Principal "*") every S3 action (s3:*) on the bucket and its objects when '
        "aws:SecureTransport is false (Security Hub S3.5).",
        "Log bucket: bucket 'other-logs': its bucket policy does not allow s3:PutObject to the "
        f"service principal {DELIVERY_SERVICE} (or the Elastic Load Balancing account of the "
        f"stack's region) for the {kind} logs of load balancer 'alb' to "
        "other-logs-7e6d5c4/x/AWSLogs/123456789012/; AWS refuses to turn logging on without "
        "that grant.",
        "Log bucket: bucket 'other-logs' has no enabled lifecycle rule that expires old logs.",
    ]


# ------------------------------------- policy_document: the statements, read as IAM reads them


def test_statements_read_every_field_of_a_document_as_text_or_object():
    from alb_guardrails.policy_document import Statement, statements

    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": ["arn:aws:iam::123456789012:root"]},
                "NotAction": "s3:GetObject",
                "NotResource": ["arn:aws:s3:::b/public/*"],
                "Condition": {"Bool": {"aws:SecureTransport": False}},
            },
            {"Effect": 1, "Principal": "*", "Action": ["s3:*"], "Resource": "arn:aws:s3:::b"},
            "not a statement",
        ],
    }
    expected = [
        Statement(
            effect="Deny",
            not_principal={"AWS": ["arn:aws:iam::123456789012:root"]},
            not_actions=("s3:GetObject",),
            not_resources=("arn:aws:s3:::b/public/*",),
            condition={"Bool": {"aws:SecureTransport": False}},
        ),
        Statement(effect=None, principal="*", actions=("s3:*",), resources=("arn:aws:s3:::b",)),
    ]
    assert statements(document) == expected
    assert statements(json.dumps(document)) == expected
    # A lone statement object is a list of one.
    assert statements({"Statement": document["Statement"][1]}) == expected[1:]


@pytest.mark.parametrize(
    "document", ["{not json", {"Statement": "s3:*"}, {"NoStatement": []}, ["Statement"], 7]
)
def test_a_document_aws_would_refuse_has_no_statements(document):
    from alb_guardrails.policy_document import statements

    assert statements(document) == []


def test_a_document_with_an_unknown_part_is_unknown():
    from alb_guardrails.common import UNKNOWN
    from alb_guardrails.policy_document import statements

    assert statements(UNKNOWN) is None
    assert statements({"Statement": [{"Effect": "Allow", "Resource": [UNKNOWN]}]}) is None
    # The engine's wire sentinel, read around the proxies, is an unknown too.
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    assert statements({"Statement": [{"Effect": "Allow", "Action": UNKNOWN_STRING_VALUE}]}) is None


@pytest.mark.parametrize(
    ("fields", "action", "allowed"),
    [
        ({"actions": ("s3:Put*",)}, "s3:PutObject", True),
        ({"actions": ("S3:PUTOBJECT",)}, "s3:PutObject", True),
        ({"actions": ("s3:Get?bject",)}, "s3:GetObject", True),
        ({"actions": ("s3:GetObject",)}, "s3:PutObject", False),
        # NotAction: every action it does not list, in any case.
        ({"not_actions": ("s3:GetObject",)}, "s3:PutObject", True),
        ({"not_actions": ("S3:PUT*",)}, "s3:PutObject", False),
        ({}, "s3:PutObject", False),
    ],
)
def test_actions_and_not_actions_match_case_insensitively(fields, action, allowed):
    from alb_guardrails.policy_document import Statement

    assert Statement(effect="Allow", **fields).allows_action(action) is allowed


@pytest.mark.parametrize(
    ("fields", "arn", "covered"),
    [
        ({"resources": ("arn:aws:s3:::b/*",)}, "arn:aws:s3:::b/alb/x", True),
        # ARNs match case-sensitively.
        ({"resources": ("arn:aws:s3:::B/*",)}, "arn:aws:s3:::b/alb/x", False),
        ({"not_resources": ("arn:aws:s3:::b/public/*",)}, "arn:aws:s3:::b/alb/x", True),
        ({"not_resources": ("arn:aws:s3:::b/*",)}, "arn:aws:s3:::b/alb/x", False),
        ({"not_resources": ("arn:aws:s3:::B/*",)}, "arn:aws:s3:::b/alb/x", True),
        ({}, "arn:aws:s3:::b/alb/x", False),
    ],
)
def test_resources_and_not_resources_match_case_sensitively(fields, arn, covered):
    from alb_guardrails.policy_document import Statement

    assert Statement(effect="Deny", **fields).covers_resource(arn) is covered


@pytest.mark.parametrize(
    ("condition", "only"),
    [
        ({"Bool": {"aws:SecureTransport": "false"}}, True),
        ({"BoolIfExists": {"AWS:SECURETRANSPORT": ["FALSE"]}}, True),
        ({"Bool": {"aws:SecureTransport": False}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
        ({"Bool": {"aws:SecureTransport": True}}, False),
        ({"Bool": {"aws:SecureTransport": []}}, False),
        ({"StringEquals": {"aws:SecureTransport": "false"}}, False),
        ({"Bool": {"aws:SecureTransport": "false", "aws:ViaAWSService": "false"}}, False),
        (
            {"Bool": {"aws:SecureTransport": "false"}, "IpAddress": {"aws:SourceIp": "1.2.3.4"}},
            False,
        ),
        ({"Bool": "aws:SecureTransport"}, False),
        ({}, False),
    ],
)
def test_condition_is_only_the_one_key_and_value(condition, only):
    from alb_guardrails.policy_document import Statement, condition_is_only

    statement = Statement(effect="Deny", condition=condition)
    assert (
        condition_is_only(statement, ("Bool", "BoolIfExists"), "aws:SecureTransport", "false")
        is only
    )


@pytest.mark.parametrize(
    ("condition", "public"),
    [
        ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, False),
        ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}, False),
        # Wildcards and the whole internet narrow nothing.
        ({"StringLike": {"aws:SourceAccount": "12345678901?"}}, True),
        ({"StringLike": {"aws:PrincipalOrgID": "o-*"}}, True),
        ({"IpAddress": {"aws:SourceIp": ["::/0"]}}, True),
        # A negated operator does not narrow; a narrowing one after it still does.
        ({"StringNotEquals": {"aws:SourceAccount": "123456789012"}}, True),
        (
            {
                "StringNotEquals": {"aws:SourceAccount": "123456789012"},
                "StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"},
            },
            False,
        ),
        ({"StringEquals": {"s3:prefix": "alb/"}}, True),
    ],
)
def test_only_conditions_that_name_accounts_or_networks_keep_an_allow_private(condition, public):
    from alb_guardrails.policy_document import Statement

    statement = Statement(effect="Allow", principal="*", condition=condition)
    assert statement.grants_publicly() is public


def test_an_allow_of_every_action_but_some_to_everyone_fails(run):
    public = {
        "Effect": "Allow",
        "Principal": "*",
        "NotAction": ["s3:DeleteObject", "s3:PutBucketPolicy"],
        "Resource": [f"{BUCKET_ARN}/*"],
    }
    findings = run(with_statements(delivery(), tls_deny(), public))
    assert messages(findings) == [
        "Log bucket: 'alb-logs-policy' allows every action but its NotAction to every principal "
        '(Principal "*") with no condition that limits it to known accounts or networks, which '
        "makes the log bucket public."
    ]


# --------------------------------------------- settings on the bucket itself, partitions, prefixes


@pytest.mark.parametrize("algorithm", ["aws:kms", "aws:kms:dsse"])
def test_kms_set_on_the_bucket_itself_is_flagged(run, algorithm):
    stack = compliant_stack()
    del stack["alb-logs-encryption"]
    stack["alb-logs"].inputs["serverSideEncryptionConfiguration"] = {
        "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm}}
    }
    assert messages(run(stack)) == [
        f"Log bucket: 'alb-logs' encrypts with {algorithm!r}; ALB access logs support only "
        "SSE-S3 (sseAlgorithm 'AES256'), so log delivery would fail."
    ]


@pytest.mark.parametrize(("enabled", "expires"), [(True, True), (False, False), ("x", False)])
def test_a_lifecycle_rule_on_the_bucket_itself_counts_when_enabled(run, enabled, expires):
    stack = compliant_stack()
    del stack["alb-logs-lifecycle"]
    stack["alb-logs"].inputs["lifecycleRules"] = [{"enabled": enabled, "expiration": {"days": 30}}]
    assert messages(run(stack)) == (
        []
        if expires
        else ["Log bucket: bucket 'alb-logs' has no enabled lifecycle rule that expires old logs."]
    )


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_the_bucket_policy_is_read_in_the_buckets_partition(run, partition):
    stack = compliant_stack()
    stack["alb-logs"].computed["arn"] = f"arn:{partition}:s3:::{BUCKET_NAME}"
    assert messages(run(stack)) == [
        "Log bucket: bucket 'alb-logs': its bucket policy must deny every principal "
        '(Principal "*") every S3 action (s3:*) on the bucket and its objects when '
        "aws:SecureTransport is false "
        "(Security Hub S3.5), but its Resource does not cover both "
        f"arn:{partition}:s3:::{BUCKET_NAME} and arn:{partition}:s3:::{BUCKET_NAME}/*.",
        "Log bucket: bucket 'alb-logs': its bucket policy does not allow s3:PutObject to the "
        f"service principal {DELIVERY_SERVICE} (or the Elastic Load Balancing account of the "
        "stack's region) for the access logs of load balancer 'alb' to "
        f"{BUCKET_NAME}/alb/AWSLogs/{ACCOUNT}/; AWS refuses to turn logging on without that "
        "grant.",
    ]
    policy = stack["alb-logs-policy"].inputs["policy"]
    stack["alb-logs-policy"].inputs["policy"] = policy.replace("arn:aws:s3", f"arn:{partition}:s3")
    assert messages(run(stack)) == []


@pytest.mark.parametrize(
    ("prefix", "folder"), [("/alb/", "alb/"), ("alb", "alb/"), ("", ""), ("/", "")]
)
def test_the_log_prefix_is_read_as_elb_writes_it(run, prefix, folder):
    stack = compliant_stack()
    stack["alb"].inputs["accessLogs"]["prefix"] = prefix
    expected = (
        []
        if folder == "alb/"
        else [
            "Log bucket: bucket 'alb-logs': its bucket policy does not allow s3:PutObject to the "
            f"service principal {DELIVERY_SERVICE} (or the Elastic Load Balancing account of "
            "the stack's region) for the access logs of load balancer 'alb' to "
            f"{BUCKET_NAME}/AWSLogs/{ACCOUNT}/; AWS refuses to turn logging on without that "
            "grant."
        ]
    )
    assert messages(run(stack)) == expected


@pytest.mark.parametrize("via", ["provider", "resource"])
def test_a_region_opened_after_august_2022_refuses_an_elb_account_grant(run, via):
    # The bucket's own region (pulumi-aws 7's per-resource region) counts as its provider's.
    stack = in_region(
        with_statements(delivery(principal={"AWS": SEOUL_ELB_ACCOUNT}), tls_deny()),
        "eu-central-2",
        via=via,
    )
    assert messages(run(stack)) == [
        MISSING_GRANT.format(
            whom=f"the service principal {DELIVERY_SERVICE} (eu-central-2 has no Elastic Load "
            "Balancing account)"
        )
    ]


def test_connection_logs_that_are_not_enabled_need_no_grant(run):
    # connectionLogs.enabled defaults to false, even with a bucket and a prefix.
    stack = in_region(with_statements(delivery(), tls_deny()), "ap-northeast-2")
    stack["alb"].inputs["connectionLogs"] = {"bucket": BUCKET_NAME, "prefix": "connections"}
    assert messages(run(stack)) == []

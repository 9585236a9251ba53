"""Static and Lambda targets, and mutual TLS (issue 12, SPEC §6): the inputs that reach AWS,
through the real program with the dev stack's config changed in one place."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components import constraints
from components.config import ConfigError, MtlsConfig, TargetConfig, parse_stack_config
from preflight.records import ResourceRecord
from tests.harness import REPO
from tests.program.program_harness import Plan, run_in_process, with_config
from tests.program.test_program_components import https_listener, parent_type, plan_with

REGION = "ap-northeast-2"
INSTANCES = ["i-0abc12345def67890", "i-0abc12345def67891"]
FUNCTION = f"arn:aws:lambda:{REGION}:123456789012:function:hello"
ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
PERMISSION = "aws:lambda/permission:Permission"
TRUST_STORE = "aws:lb/trustStore:TrustStore"
CA_FILE = "tests/fixtures/mtls/client-ca.pem"
# The default VPC of the AWS model is 172.31.0.0/16.
SERVICES: dict[str, Any] = {
    "web": {"port": 3000},
    "ec2": {
        "port": 8080,
        "targetType": "instance",
        "pathPatterns": ["/ec2/*"],
        # Mixed case is read as the lower-case ID EC2 uses.
        "targets": [
            {"id": INSTANCES[0].upper().replace("I-", "i-")},
            {"id": INSTANCES[1], "port": 9090},
        ],
    },
    "onprem": {
        "port": 8443,
        "pathPatterns": ["/onprem/*"],
        "targets": [{"id": "172.31.5.10"}, {"id": "10.20.0.5", "availabilityZone": "all"}],
    },
    "fn": {
        "targetType": "lambda",
        "pathPatterns": ["/fn/*"],
        "targets": [{"id": f"{FUNCTION}:live"}],
    },
}


@pytest.fixture(scope="module")
def targets_plan(dev_values: dict[str, str]) -> Plan:
    return plan_with(dev_values, services=SERVICES, routes=None, targetCidrs=["10.20.0.0/16"])


def attachments(plan: Plan, service: str) -> dict[str, dict[str, Any]]:
    group = plan.one("aws:lb/targetGroup:TargetGroup", f"alb-dev-{service}")
    return {
        r.name: r.inputs
        for r in plan.of_type(ATTACHMENT)
        if r.inputs["targetGroupArn"] == group.outputs["arn"]
    }


def test_instance_targets_are_attached_by_id(targets_plan: Plan) -> None:
    arn = targets_plan.one("aws:lb/targetGroup:TargetGroup", "alb-dev-ec2").outputs["arn"]
    assert attachments(targets_plan, "ec2") == {
        f"alb-dev-ec2-target-{INSTANCES[0]}": {"targetGroupArn": arn, "targetId": INSTANCES[0]},
        f"alb-dev-ec2-target-{INSTANCES[1]}-9090": {
            "targetGroupArn": arn,
            "targetId": INSTANCES[1],
            "port": 9090,
        },
    }
    for record in targets_plan.of_type(ATTACHMENT):
        assert parent_type(targets_plan, record) == "alb:index:Service"


def test_ip_targets_inside_and_outside_the_vpc(targets_plan: Plan) -> None:
    arn = targets_plan.one("aws:lb/targetGroup:TargetGroup", "alb-dev-onprem").outputs["arn"]
    assert attachments(targets_plan, "onprem") == {
        "alb-dev-onprem-target-172.31.5.10": {"targetGroupArn": arn, "targetId": "172.31.5.10"},
        "alb-dev-onprem-target-10.20.0.5": {
            "targetGroupArn": arn,
            "targetId": "10.20.0.5",
            "availabilityZone": "all",
        },
    }


def test_target_ports_are_open_in_the_security_group(targets_plan: Plan) -> None:
    egress = {
        (r.inputs["fromPort"], r.inputs["cidrIpv4"])
        for r in targets_plan.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    }
    # The services' ports and the instance target's own port 9090, to the VPC and targetCidrs.
    assert egress == {
        (port, cidr)
        for port in (3000, 8080, 8443, 9090)
        for cidr in ("172.31.0.0/16", "10.20.0.0/16")
    }


def test_a_lambda_target_gets_a_permission_scoped_to_its_group_first(targets_plan: Plan) -> None:
    group = targets_plan.one("aws:lb/targetGroup:TargetGroup", "alb-dev-fn")
    permission = targets_plan.one(PERMISSION)
    assert permission.name == "alb-dev-fn-lambda-invoke"
    assert permission.inputs == {
        "action": "lambda:InvokeFunction",
        "function": FUNCTION,
        "qualifier": "live",
        "principal": "elasticloadbalancing.amazonaws.com",
        "sourceArn": group.outputs["arn"],
    }
    attachment = targets_plan.one(ATTACHMENT, "alb-dev-fn-lambda")
    assert attachment.inputs == {
        "targetGroupArn": group.outputs["arn"],
        "targetId": f"{FUNCTION}:live",
    }
    # AWS registers a function only once ELB may invoke it; a target group holds one function,
    # so a replacement deregisters the old one before registering the new.
    assert permission.urn in attachment.dependencies
    assert attachment.delete_before_replace
    assert parent_type(targets_plan, permission) == "alb:index:Service"


def test_an_unqualified_function_has_no_qualifier(dev_values: dict[str, str]) -> None:
    services = {**SERVICES, "fn": {**SERVICES["fn"], "targets": [{"id": FUNCTION}]}}
    plan = plan_with(dev_values, services=services, routes=None, targetCidrs=["10.20.0.0/16"])
    assert "qualifier" not in plan.one(PERMISSION).inputs
    assert plan.one(PERMISSION).inputs["function"] == FUNCTION


def test_adding_a_target_renames_no_other(dev_values: dict[str, str]) -> None:
    one = {**SERVICES["ec2"], "targets": [{"id": INSTANCES[1]}]}
    two = {**SERVICES["ec2"], "targets": [{"id": INSTANCES[0]}, {"id": INSTANCES[1]}]}
    before = plan_with(dev_values, services={"web": SERVICES["web"], "ec2": one}, routes=None)
    after = plan_with(dev_values, services={"web": SERVICES["web"], "ec2": two}, routes=None)
    kept = {r.urn for r in before.of_type(ATTACHMENT)}
    assert kept < {r.urn for r in after.of_type(ATTACHMENT)}


def test_the_dev_and_prod_stacks_register_no_targets_and_no_mutual_tls(
    dev_plan: Plan, prod_plan: Plan
) -> None:
    for plan in (dev_plan, prod_plan):
        assert plan.of_type(ATTACHMENT) == plan.of_type(PERMISSION) == []
        assert plan.of_type(TRUST_STORE) == []
        assert "mutualAuthentication" not in https_listener(plan).inputs


# --- mutual TLS ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def uploaded_plan(dev_values: dict[str, str]) -> Plan:
    return plan_with(
        dev_values,
        mtls={
            "mode": "verify",
            "caBundle": {"file": CA_FILE},
            "revocationLists": ["s3://pki-example/crl/one.crl", "s3://pki-example/crl/two.crl"],
        },
    )


def trust_store_children(plan: Plan) -> list[ResourceRecord]:
    return plan.children(plan.one("alb:index:TrustStore"))


def test_verify_mode_uploads_the_bundle_to_a_private_bucket(uploaded_plan: Plan) -> None:
    children = {r.type: r for r in trust_store_children(uploaded_plan)}
    bucket = children["aws:s3/bucket:Bucket"]
    assert bucket.name == "alb-dev-mtls-ca"
    assert bucket.inputs == {
        "bucket": bucket.outputs["bucket"],
        "forceDestroy": True,
        "tags": {"Team": "platform"},
    }
    # A copy of a file in the repository: not protected, not kept.
    assert not bucket.protect and not bucket.retain_on_delete
    name = bucket.outputs["bucket"]
    assert children["aws:s3/bucketOwnershipControls:BucketOwnershipControls"].inputs == {
        "bucket": name,
        "rule": {"objectOwnership": "BucketOwnerEnforced"},
    }
    assert children["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"].inputs == {
        "bucket": name,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    encryption = children[
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ]
    assert encryption.inputs == {
        "bucket": name,
        "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
    }
    policy = children["aws:s3/bucketPolicy:BucketPolicy"]
    arn = bucket.outputs["arn"]
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    pem = (REPO / CA_FILE).read_text(encoding="utf-8")
    bundle = children["aws:s3/bucketObjectv2:BucketObjectv2"]
    key = bundle.inputs["key"]
    assert key.startswith("ca-bundle/") and key.endswith(".pem")
    assert bundle.inputs == {
        "bucket": name,
        "key": key,
        "content": pem,
        "contentType": "application/x-pem-file",
        "tags": {"Team": "platform"},
    }


def test_verify_mode_builds_the_trust_store_from_the_upload(uploaded_plan: Plan) -> None:
    store = uploaded_plan.one(TRUST_STORE)
    bundle = uploaded_plan.one("aws:s3/bucketObjectv2:BucketObjectv2")
    assert store.inputs == {
        "namePrefix": "mtls-",
        "caCertificatesBundleS3Bucket": bundle.inputs["bucket"],
        "caCertificatesBundleS3Key": bundle.inputs["key"],
        "tags": {"Team": "platform"},
    }
    # ELB reads the bundle when the store is created: the object comes first.
    assert bundle.urn in store.dependencies
    assert not store.protect  # dev: alb:protect false
    revocations = {
        r.inputs["revocationsS3Key"]: r.inputs
        for r in uploaded_plan.of_type("aws:lb/trustStoreRevocation:TrustStoreRevocation")
    }
    assert revocations == {
        key: {
            "trustStoreArn": store.outputs["arn"],
            "revocationsS3Bucket": "pki-example",
            "revocationsS3Key": key,
        }
        for key in ("crl/one.crl", "crl/two.crl")
    }
    assert https_listener(uploaded_plan).inputs["mutualAuthentication"] == {
        "mode": "verify",
        "trustStoreArn": store.outputs["arn"],
        "ignoreClientCertificateExpiry": False,
        "advertiseTrustStoreCaNames": "on",
    }


def test_a_changed_bundle_is_a_new_object_key(dev_values: dict[str, str]) -> None:
    # The same CA and a second one, as when a CA is rolled over.
    renewed = "tests/fixtures/mtls/client-ca-renewed.pem"
    plan = plan_with(dev_values, mtls={"mode": "verify", "caBundle": {"file": renewed}})
    first = plan_with(dev_values, mtls={"mode": "verify", "caBundle": {"file": CA_FILE}})
    key = "caCertificatesBundleS3Key"
    assert plan.one(TRUST_STORE).inputs[key] != first.one(TRUST_STORE).inputs[key]
    # Same logical names: the trust store is modified in place, not replaced.
    assert plan.one(TRUST_STORE).urn == first.one(TRUST_STORE).urn


def test_verify_mode_with_a_bundle_in_s3(
    dev_values: dict[str, str], prod_values: dict[str, str]
) -> None:
    mtls = {
        "mode": "verify",
        "caBundle": {"s3Uri": "s3://pki-example/ca/clients.pem"},
        "ignoreClientCertificateExpiry": True,
        "advertiseCaNames": False,
    }
    for values, stack, protected in ((dev_values, "dev", False), (prod_values, "prod", True)):
        plan = run_in_process(with_config(values, mtls=mtls), stack)
        assert plan.error is None, plan.error
        assert [r.type for r in trust_store_children(plan)] == [TRUST_STORE]
        store = plan.one(TRUST_STORE)
        assert {k: store.inputs[k] for k in store.inputs if k != "tags"} == {
            "namePrefix": "mtls-",
            "caCertificatesBundleS3Bucket": "pki-example",
            "caCertificatesBundleS3Key": "ca/clients.pem",
        }
        # Under alb:protect the trust store the listener depends on is protected like the ALB.
        assert store.protect is protected
        assert https_listener(plan).inputs["mutualAuthentication"] == {
            "mode": "verify",
            "trustStoreArn": store.outputs["arn"],
            "ignoreClientCertificateExpiry": True,
            "advertiseTrustStoreCaNames": "off",
        }


def test_passthrough_mode_needs_no_trust_store(dev_values: dict[str, str]) -> None:
    plan = plan_with(dev_values, mtls={"mode": "passthrough"})
    assert https_listener(plan).inputs["mutualAuthentication"] == {"mode": "passthrough"}
    assert plan.of_type(TRUST_STORE) == plan.of_type("alb:index:TrustStore") == []
    assert len(plan.of_type("aws:s3/bucket:Bucket")) == 1  # the log bucket only


# --- the config model ------------------------------------------------------------------------


def test_the_bundle_file_is_read_from_the_program_directory(tmp_path: Any) -> None:
    raw = {**constraints.BASE, "alb:mtls": {"mode": "verify", "caBundle": {"file": "ca.pem"}}}
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw, program_dir=tmp_path)
    assert error.value.problems == [
        "alb:mtls.caBundle.file: ca.pem does not exist in the program's directory"
    ]
    pem = (REPO / CA_FILE).read_text(encoding="utf-8")
    (tmp_path / "ca.pem").write_text(pem, encoding="utf-8")
    config = parse_stack_config(raw, program_dir=tmp_path)
    assert config.mtls is not None and config.mtls.ca_bundle is not None
    assert config.mtls.ca_bundle.pem == pem


def test_without_a_directory_the_bundle_file_is_read_from_the_program() -> None:
    mtls = MtlsConfig.model_validate({"mode": "verify", "caBundle": {"file": CA_FILE}})
    assert mtls.ca_bundle is not None
    assert mtls.ca_bundle.pem == (REPO / CA_FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("write", "reason"),
    [
        (lambda path: path.mkdir(), "Is a directory"),
        (lambda path: path.write_bytes(b"\xff\xfe-----BEGIN CERTIFICATE-----"), "not UTF-8 text"),
    ],
    ids=["directory", "not-utf-8"],
)
def test_a_bundle_file_that_cannot_be_read_is_refused_with_the_reason(
    tmp_path: Any, write: Any, reason: str
) -> None:
    write(tmp_path / "ca.pem")
    raw = {**constraints.BASE, "alb:mtls": {"mode": "verify", "caBundle": {"file": "ca.pem"}}}
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw, program_dir=tmp_path)
    assert error.value.problems == [
        f"alb:mtls.caBundle.file: ca.pem cannot be read as a PEM file ({reason})"
    ]


@pytest.mark.parametrize(
    ("given", "kind", "read"),
    [
        ("I-0ABC12345DEF67890", "instance", "i-0abc12345def67890"),
        ("i-0abc1234", "instance", "i-0abc1234"),
        ("10.0.0.5", "ip", "10.0.0.5"),
        (f"{FUNCTION}:$LATEST", "lambda", f"{FUNCTION}:$LATEST"),
        (f"{FUNCTION}:7", "lambda", f"{FUNCTION}:7"),
    ],
)
def test_each_kind_of_target_id_is_recognised(given: str, kind: str, read: str) -> None:
    target = TargetConfig.model_validate({"id": given})
    assert (target.kind, target.id) == (kind, read)

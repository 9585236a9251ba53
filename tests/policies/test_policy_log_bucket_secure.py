"""alb-log-bucket-secure: the ALB's log bucket and its companion resources."""

import json

import pytest

from tests.policies.policy_harness import BUCKET_POLICY, UNKNOWN, as_preview, compliant_stack, hits

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

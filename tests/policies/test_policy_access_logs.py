"""alb-access-logs-enabled: access logs on, with a bucket."""

from tests.policies.policy_harness import UNKNOWN, as_preview, compliant_stack, hits

POLICY = "alb-access-logs-enabled"


def test_passes_with_access_logs_to_a_bucket(run):
    assert hits(run(compliant_stack()), POLICY) == set()
    assert hits(run(as_preview(compliant_stack())), POLICY) == set()


def test_fails_without_access_logs(run):
    stack = compliant_stack()
    del stack["alb"].inputs["accessLogs"]
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb", "mandatory")}


def test_a_bucket_alone_does_not_enable_logs(run):
    # `enabled` defaults to false even when a bucket is given.
    stack = compliant_stack()
    del stack["alb"].inputs["accessLogs"]["enabled"]
    assert hits(run(stack), POLICY) == {"alb"}


def test_fails_when_enabled_without_a_bucket(run):
    stack = compliant_stack()
    stack["alb"].inputs["accessLogs"]["bucket"] = ""
    assert hits(run(stack), POLICY) == {"alb"}


def test_an_unknown_enabled_flag_is_not_a_violation(run):
    stack = compliant_stack()
    stack["alb"].inputs["accessLogs"]["enabled"] = UNKNOWN
    assert hits(run(stack), POLICY) == set()


def last_lines(findings):
    return [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in findings if f.policy == POLICY
    ]


def test_the_messages_name_the_load_balancer_and_the_fix(run):
    stack = compliant_stack()
    del stack["alb"].inputs["accessLogs"]
    assert last_lines(run(stack)) == [
        (
            "alb",
            "mandatory",
            "Access logs are off on load balancer 'alb'; set accessLogs {enabled: true, bucket: "
            "<log bucket>}.",
        )
    ]
    stack["alb"].inputs["accessLogs"] = {"enabled": True}
    assert last_lines(run(stack)) == [
        ("alb", "mandatory", "Access logs on load balancer 'alb' name no bucket.")
    ]

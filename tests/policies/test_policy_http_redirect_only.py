"""alb-http-redirect-only: HTTP listeners only redirect to HTTPS."""

from tests.policies.policy_harness import add_rule, as_preview, compliant_stack, hits

POLICY = "alb-http-redirect-only"


def test_passes_when_http_only_redirects_to_https(run):
    assert hits(run(compliant_stack()), POLICY) == set()
    assert hits(run(as_preview(compliant_stack())), POLICY) == set()


def test_fails_when_http_forwards(run):
    stack = compliant_stack()
    stack["http"].inputs["defaultActions"] = [
        {"type": "forward", "targetGroupArn": stack["api"].computed["arn"]}
    ]
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("http", "mandatory")}
    assert "forwards" in findings[0].message


def test_fails_when_the_redirect_keeps_http(run):
    stack = compliant_stack()
    stack["http"].inputs["defaultActions"][0]["redirect"] = {"statusCode": "HTTP_301"}
    assert hits(run(stack), POLICY) == {"http"}


def test_fails_when_the_protocol_is_left_to_the_default_http(run):
    stack = compliant_stack()
    del stack["http"].inputs["protocol"]
    stack["http"].inputs["defaultActions"] = [
        {
            "type": "fixed-response",
            "fixedResponse": {"contentType": "text/plain", "statusCode": "200"},
        }
    ]
    assert hits(run(stack), POLICY) == {"http"}


def test_fails_when_a_rule_on_the_http_listener_forwards(run):
    stack = compliant_stack()
    add_rule(stack, "legacy", 5, {"pathPattern": {"values": ["/legacy/*"]}}, listener="http")
    assert hits(run(stack), POLICY) == {"legacy"}
    assert hits(run(as_preview(stack)), POLICY) == {"legacy"}


def test_a_redirecting_rule_on_the_http_listener_passes(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "old-host",
        5,
        {"hostHeader": {"values": ["old.example.com"]}},
        listener="http",
        actions=[{"type": "redirect", "redirect": {"protocol": "HTTPS", "statusCode": "HTTP_301"}}],
    )
    assert hits(run(stack), POLICY) == set()

"""alb-http-redirect-only: HTTP listeners only redirect to HTTPS."""

import pytest

from tests.policies.policy_harness import (
    LISTENER,
    Res,
    add_rule,
    as_preview,
    compliant_stack,
    hits,
    listener_arn,
)

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
        actions=[
            {
                "type": "redirect",
                "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
            }
        ],
    )
    assert hits(run(stack), POLICY) == set()


# --------------------------------------------------------------- redirects that name a port


def messages(findings):
    return [f.message.split("\n")[-1] for f in findings if f.policy == POLICY]


def redirect(**fields):
    return [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "statusCode": "HTTP_301", **fields}}
    ]


@pytest.mark.parametrize("fields", [{}, {"port": "#{port}"}], ids=["absent", "placeholder"])
def test_a_redirect_that_keeps_the_request_port_fails(run, fields):
    stack = compliant_stack()
    stack["http"].inputs["defaultActions"] = redirect(**fields)
    findings = run(stack)
    assert {(f.resource, f.level) for f in findings if f.policy == POLICY} == {
        ("http", "mandatory")
    }
    assert messages(findings) == [
        "HTTP listener 'http' redirects to HTTPS on the port the request came in on (redirect "
        "port absent or '#{port}', so https://host:80/); set the redirect port to 443."
    ]


def test_a_redirect_to_a_port_without_an_https_listener_fails(run):
    stack = compliant_stack()
    stack["http"].inputs["defaultActions"] = redirect(port="8443")
    assert messages(run(stack)) == [
        "HTTP listener 'http' redirects to HTTPS on port '8443', where no HTTPS listener answers; "
        "use 443."
    ]


def test_a_redirect_to_the_https_listeners_own_port_passes(run):
    stack = compliant_stack()
    stack.add(
        Res(
            LISTENER,
            "https-alt",
            {**stack["https"].inputs, "port": 8443},
            {"arn": listener_arn("alb-5d2e8f1", "https-alt")},
            refs={"loadBalancerArn": ["alb"]},
        )
    )
    stack["http"].inputs["defaultActions"] = redirect(port="8443")
    assert hits(run(stack), POLICY) == set()
    stack["http"].inputs["defaultActions"] = redirect(port="9443")
    assert messages(run(stack)) == [
        "HTTP listener 'http' redirects to HTTPS on port '9443', where no HTTPS listener answers; "
        "use 443, 8443."
    ]


def test_a_redirecting_rule_without_a_port_fails(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "old-host",
        5,
        {"hostHeader": {"values": ["old.example.com"]}},
        listener="http",
        actions=redirect(host="new.example.com"),
    )
    assert messages(run(stack)) == [
        "Rule 'old-host' on HTTP listener 'http' redirects to HTTPS on the port the request came "
        "in on (redirect port absent or '#{port}', so https://host:80/); set the redirect port "
        "to 443."
    ]


@pytest.mark.parametrize(
    ("action", "what"),
    [
        ({"type": "forward", "targetGroupArn": "arn"}, "forwards"),
        (
            {"type": "fixed-response", "fixedResponse": {"statusCode": "200"}},
            "answers with a fixed response",
        ),
        (
            {"type": "authenticate-oidc", "authenticateOidc": {}},
            "performs a 'authenticate-oidc' action",
        ),
        (
            {"type": "redirect", "redirect": {"statusCode": "HTTP_301"}},
            "redirects to protocol '#{protocol}' instead of HTTPS",
        ),
        (
            {"type": "redirect", "redirect": {"protocol": "http", "port": "443"}},
            "redirects to protocol 'http' instead of HTTPS",
        ),
    ],
    ids=["forward", "fixed-response", "authenticate", "no-protocol", "http"],
)
@pytest.mark.parametrize("where", ["default", "rule"])
def test_what_an_http_listener_does_instead_of_redirecting_is_named(run, action, what, where):
    stack = compliant_stack()
    if where == "default":
        stack["http"].inputs["defaultActions"] = [action]
        expected = f"HTTP listener 'http' {what} instead of redirecting to HTTPS."
        if what.startswith("redirects"):
            expected = f"HTTP listener 'http' {what}."
    else:
        add_rule(
            stack,
            "old",
            5,
            {"pathPattern": {"values": ["/old/*"]}},
            listener="http",
            actions=[action],
        )
        expected = f"Rule 'old' on HTTP listener 'http' {what} instead of redirecting to HTTPS."
        if what.startswith("redirects"):
            expected = f"Rule 'old' on HTTP listener 'http' {what}."
    assert messages(run(stack)) == [expected]


@pytest.mark.parametrize("unknown", ["protocol", "port"])
def test_a_redirect_whose_protocol_or_port_is_unknown_is_decided_at_deployment(run, unknown):
    from tests.policies.policy_harness import UNKNOWN

    stack = compliant_stack()
    fields = {"protocol": "HTTP", "port": "8080", unknown: UNKNOWN}
    stack["http"].inputs["defaultActions"] = redirect(**fields)
    assert hits(run(stack), POLICY) == set()


@pytest.mark.parametrize("port", [443, 443.0, " 443 "])
def test_a_redirect_port_given_as_a_number_or_padded_text_is_read_as_a_number(run, port):
    stack = compliant_stack()
    stack["http"].inputs["defaultActions"] = redirect(port=port)
    assert hits(run(stack), POLICY) == set()

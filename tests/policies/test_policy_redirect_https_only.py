"""alb-redirect-https-only: no redirect, on any listener, sends clients to plain HTTP."""

import pytest

from tests.policies.listener_actions import findings, with_tokens
from tests.policies.policy_harness import UNKNOWN, add_rule, as_preview, compliant_stack, hits

POLICY = "alb-redirect-https-only"


def redirect(**fields):
    return [{"type": "redirect", "redirect": {"statusCode": "HTTP_301", **fields}}]


@pytest.mark.parametrize("module", ["lb", "alb"])
def test_the_https_redirect_of_the_http_listener_passes(run, module):
    assert findings(run, with_tokens(compliant_stack(), module), POLICY) == []
    assert findings(run, as_preview(with_tokens(compliant_stack(), module)), POLICY) == []


@pytest.mark.parametrize("protocol", ["HTTP", "http", "Http"])
@pytest.mark.parametrize("module", ["lb", "alb"])
def test_an_https_listener_redirecting_to_http_fails(run, module, protocol):
    stack = with_tokens(compliant_stack(), module)
    stack["https"].inputs["defaultActions"] = redirect(protocol=protocol, port="80")
    assert findings(run, stack, POLICY) == [
        (
            "https",
            "mandatory",
            "The default action of HTTPS listener 'https' redirects clients to plain HTTP "
            f"(redirect protocol {protocol!r}).",
        )
    ]


@pytest.mark.parametrize("fields", [{}, {"protocol": "#{protocol}"}, {"protocol": "HTTPS"}])
def test_an_https_listener_redirect_that_keeps_or_names_https_passes(run, fields):
    stack = compliant_stack()
    stack["https"].inputs["defaultActions"] = redirect(host="www.example.com", **fields)
    assert findings(run, stack, POLICY) == []


@pytest.mark.parametrize(
    ("fields", "shown"), [({}, "absent"), ({"protocol": "#{protocol}"}, "'#{protocol}'")]
)
def test_an_http_listener_redirect_that_keeps_the_protocol_fails(run, fields, shown):
    stack = compliant_stack()
    stack["http"].inputs["defaultActions"] = redirect(port="443", **fields)
    assert findings(run, stack, POLICY) == [
        (
            "http",
            "mandatory",
            "The default action of HTTP listener 'http' redirects clients to plain HTTP: its "
            f"protocol ({shown}) keeps the request's protocol, which is HTTP on this listener.",
        )
    ]


def test_a_listener_without_a_protocol_is_http_on_an_application_load_balancer(run):
    stack = compliant_stack()
    del stack["http"].inputs["protocol"]
    stack["http"].inputs["defaultActions"] = redirect(port="443")
    assert hits(run(stack), POLICY) == {"http"}


@pytest.mark.parametrize("module", ["lb", "alb"])
def test_a_rule_redirecting_to_http_fails_on_any_listener(run, module):
    stack = compliant_stack()
    add_rule(
        stack,
        "legacy",
        5,
        {"pathPattern": {"values": ["/legacy/*"]}},
        actions=redirect(protocol="http", path="/new/#{path}"),
    )
    add_rule(
        stack,
        "old-host",
        6,
        {"hostHeader": {"values": ["old.example.com"]}},
        listener="http",
        actions=redirect(host="new.example.com"),
    )
    with_tokens(stack, module)
    assert findings(run, stack, POLICY) == [
        (
            "legacy",
            "mandatory",
            "Rule 'legacy' on HTTPS listener 'https' redirects clients to plain HTTP (redirect "
            "protocol 'http').",
        ),
        (
            "old-host",
            "mandatory",
            "Rule 'old-host' on HTTP listener 'http' redirects clients to plain HTTP: its "
            "protocol (absent) keeps the request's protocol, which is HTTP on this listener.",
        ),
    ]
    # At preview the listener ARNs are unknown; the rules' listeners come from their
    # dependencies.
    assert hits(run(as_preview(stack)), POLICY) == {"legacy", "old-host"}


def test_a_rule_redirect_that_keeps_https_passes(run):
    stack = compliant_stack()
    add_rule(
        stack,
        "www",
        5,
        {"hostHeader": {"values": ["www.example.com"]}},
        actions=redirect(host="example.com"),
    )
    assert findings(run, stack, POLICY) == []
    assert findings(run, as_preview(stack), POLICY) == []


def test_unknown_protocols_are_decided_at_deployment(run):
    stack = compliant_stack()
    stack["https"].inputs["defaultActions"] = redirect(protocol=UNKNOWN)
    stack["http"].inputs["protocol"] = UNKNOWN
    stack["http"].inputs["defaultActions"] = redirect(port="443")
    add_rule(stack, "unknown", 5, {"pathPattern": {"values": ["/u/*"]}}, actions=[UNKNOWN])
    assert findings(run, stack, POLICY) == []


def test_a_rule_whose_listener_is_outside_the_stack_keeps_an_unknown_protocol(run):
    stack = compliant_stack()
    rule = add_rule(
        stack, "elsewhere", 5, {"pathPattern": {"values": ["/x/*"]}}, actions=redirect()
    )
    rule.inputs["listenerArn"] = "arn:aws:elasticloadbalancing:ap-northeast-2:1:listener/app/x/1/2"
    rule.refs = {}
    assert findings(run, stack, POLICY) == []
    rule.inputs["actions"] = redirect(protocol="HTTP")
    assert findings(run, stack, POLICY) == [
        (
            "elsewhere",
            "mandatory",
            "Rule 'elsewhere' redirects clients to plain HTTP (redirect protocol 'HTTP').",
        )
    ]


def test_only_redirects_are_judged(run):
    stack = compliant_stack()
    stack["https"].inputs["defaultActions"] = [
        {"type": "fixed-response", "fixedResponse": {"contentType": "text/plain"}},
        {"type": "Redirect", "redirect": {"protocol": "HTTP", "statusCode": "HTTP_302"}},
    ]
    # The provider accepts an action type in any case.
    assert hits(run(stack), POLICY) == {"https"}


def test_a_listener_whose_protocol_is_unknown_is_named_without_one(run):
    # At preview a listener's protocol may be unknown; a redirect to plain HTTP is still one.
    stack = compliant_stack()
    stack["https"].inputs["protocol"] = UNKNOWN
    stack["https"].inputs["defaultActions"] = redirect(protocol="HTTP", port="80")
    add_rule(
        stack, "old", 5, {"pathPattern": {"values": ["/old/*"]}}, actions=redirect(protocol="HTTP")
    )
    assert findings(run, stack, POLICY) == [
        (
            "https",
            "mandatory",
            "The default action of listener 'https' redirects clients to plain HTTP (redirect "
            "protocol 'HTTP').",
        ),
        (
            "old",
            "mandatory",
            "Rule 'old' on listener 'https' redirects clients to plain HTTP (redirect protocol "
            "'HTTP').",
        ),
    ]

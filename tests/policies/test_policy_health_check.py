"""alb-target-group-health-check: explicit path and matcher on HTTP(S) target groups."""

import pytest

from tests.policies.policy_harness import compliant_stack, hits

POLICY = "alb-target-group-health-check"


def test_passes_with_path_and_matcher(run):
    assert hits(run(compliant_stack()), POLICY) == set()


def test_fails_when_left_to_the_defaults(run):
    stack = compliant_stack()
    del stack["api"].inputs["healthCheck"]
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("api", "advisory")}
    assert "healthCheck.path and healthCheck.matcher" in findings[0].message


def test_fails_when_turned_off(run):
    stack = compliant_stack()
    stack["api"].inputs["healthCheck"]["enabled"] = False
    assert hits(run(stack), POLICY) == {"api"}


def test_lambda_target_groups_are_out_of_scope(run):
    stack = compliant_stack()
    stack["api"].inputs = {"targetType": "lambda"}
    assert hits(run(stack), POLICY) == set()


def last_lines(findings):
    return [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in findings if f.policy == POLICY
    ]


@pytest.mark.parametrize("protocol", ["HTTP", "HTTPS", "https"])
@pytest.mark.parametrize(
    ("missing", "named"),
    [
        (("path", "matcher"), "healthCheck.path and healthCheck.matcher"),
        (("path",), "healthCheck.path"),
        (("matcher",), "healthCheck.matcher"),
    ],
)
def test_every_http_and_https_target_group_names_what_it_leaves_to_the_defaults(
    run, protocol, missing, named
):
    stack = compliant_stack()
    stack["api"].inputs["protocol"] = protocol
    for field in missing:
        stack["api"].inputs["healthCheck"][field] = "" if field == "path" else None
    assert last_lines(run(stack)) == [
        (
            "api",
            "advisory",
            f"Target group 'api' leaves {named} to the defaults ('/' and '200'); name the "
            "endpoint and the codes that mean healthy.",
        )
    ]


@pytest.mark.parametrize("protocol", ["HTTP", "HTTPS"])
def test_a_health_check_turned_off_is_named_for_http_and_https(run, protocol):
    stack = compliant_stack()
    stack["api"].inputs["protocol"] = protocol
    stack["api"].inputs["healthCheck"]["enabled"] = False
    assert last_lines(run(stack)) == [
        ("api", "advisory", "Target group 'api' turns its health check off.")
    ]


@pytest.mark.parametrize("protocol", ["TCP", "TLS", "GENEVE"])
def test_network_protocols_are_out_of_scope(run, protocol):
    stack = compliant_stack()
    stack["api"].inputs["protocol"] = protocol
    del stack["api"].inputs["healthCheck"]
    assert hits(run(stack), POLICY) == set()

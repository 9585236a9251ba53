"""alb-drop-invalid-headers: dropInvalidHeaderFields is true, with a remediation."""

from tests.policies.policy_harness import UNKNOWN, compliant_stack, hits

POLICY = "alb-drop-invalid-headers"


def test_passes_when_invalid_headers_are_dropped(run):
    assert hits(run(compliant_stack()), POLICY) == set()


def test_fails_when_absent_because_aws_defaults_to_false(run):
    stack = compliant_stack()
    del stack["alb"].inputs["dropInvalidHeaderFields"]
    findings = [f for f in run(stack) if f.policy == POLICY]
    assert {(f.resource, f.level) for f in findings} == {("alb", "mandatory")}


def test_an_unknown_value_is_not_a_violation(run):
    stack = compliant_stack()
    stack["alb"].inputs["dropInvalidHeaderFields"] = UNKNOWN
    assert hits(run(stack), POLICY) == set()


def test_remediate_level_sets_the_flag(protocol_runner):
    stack = compliant_stack()
    del stack["alb"].inputs["dropInvalidHeaderFields"]
    result = protocol_runner.analyze(stack, {POLICY: "remediate"})
    (fix,) = [r for r in result.remediations if r.policy == POLICY]
    assert fix.after["dropInvalidHeaderFields"] is True
    # Every other input survives the rewrite.
    assert {k: v for k, v in fix.after.items() if k != "dropInvalidHeaderFields"} == fix.before
    assert not [v for v in result.violations if v.policy == POLICY]


def test_the_message_names_the_setting(run):
    stack = compliant_stack()
    stack["alb"].inputs["dropInvalidHeaderFields"] = False
    assert [
        (f.resource, f.level, f.message.splitlines()[-1]) for f in run(stack) if f.policy == POLICY
    ] == [
        (
            "alb",
            "mandatory",
            "Load balancer 'alb' forwards invalid HTTP header fields; set dropInvalidHeaderFields "
            "to true.",
        )
    ]

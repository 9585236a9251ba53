"""Typical changes to the dev stack touch only what they are about.

Each change is planned on a copy of the program and compared with the unchanged plan by URN
and inputs. "What a change is about" is derived from names and routing: the service's own
resources are named ``alb-dev-<service>`` or ``alb-dev-<service>-...`` (its target group and
alarms), its listener rules are the ones that forward to its target group (and its 403 rule
for other sources, the next priority), the web ACL's are ``alb-dev-waf...``; the monitoring
dashboard shows every service and may change with any of them. Everything else must keep its
URN and its inputs.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.safety.blast_radius import (
    BlastRadius,
    assert_only,
    blast_radius,
    named,
    of_type,
    plan_changes,
)

STACK = "dev"
PREFIX = "alb-dev"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
MONITORING = "alb:index:Monitoring"
NEW_PORT = 9090


def add_service(config: dict[str, Any]) -> None:
    config["alb:services"]["search"] = {
        "port": NEW_PORT,
        "pathPatterns": ["/search/*"],
        "healthCheck": {"path": "/search/health"},
    }


def remove_service(config: dict[str, Any]) -> None:
    del config["alb:services"]["admin"]


def change_health_check(config: dict[str, Any]) -> None:
    config["alb:services"]["api"]["healthCheck"].update(path="/api/ready", intervalSeconds=30)


def add_host_header(config: dict[str, Any]) -> None:
    config["alb:services"]["api"]["hostHeaders"] = ["api.example.com"]


def raise_rate_limit(config: dict[str, Any]) -> None:
    config["alb:waf"]["rateLimit"] = 5000


def change_port(config: dict[str, Any]) -> None:
    config["alb:services"]["api"]["port"] = 8082


CHANGES = {
    "add-service": add_service,
    "remove-service": remove_service,
    "health-check": change_health_check,
    "host-header": add_host_header,
    "rate-limit": raise_rate_limit,
    "port": change_port,
}
TYPICAL = ["add-service", "remove-service", "health-check", "host-header", "rate-limit"]


def test_a_new_condition_moves_the_rule_to_a_free_priority(
    documents: dict[str, dict[str, Any]], radius: dict[str, BlastRadius]
) -> None:
    """A host header makes api more specific: its rule moves to a priority of a higher band.
    Rules are keyed by priority, so that is a new rule at a priority no rule held, and the
    old one deleted last: no rule's priority changes in place, and nothing else moves."""
    before, after = documents["baseline"], documents["host-header"]
    change = radius["host-header"]
    (old_rule,) = rules_of(before, "api")
    (new_rule,) = rules_of(after, "api")
    assert (change.added, change.removed) == ({new_rule}, {old_rule})
    old_priorities = {
        r["inputs"]["priority"] for r in before["resources"] if r["type"] == LISTENER_RULE
    }
    (added,) = [r for r in after["resources"] if r["urn"] == new_rule]
    assert added["inputs"]["priority"] not in old_priorities
    assert added["inputs"]["conditions"] == [
        {"pathPattern": {"values": ["/api/*"]}},
        {"hostHeader": {"values": ["api.example.com"]}},
    ]
    assert change.changed <= monitoring(before, after)


@pytest.fixture(scope="module")
def documents(dev_document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"baseline": dev_document, **plan_changes(STACK, CHANGES)}


@pytest.fixture(scope="module")
def radius(documents: dict[str, dict[str, Any]]) -> dict[str, BlastRadius]:
    baseline = documents["baseline"]
    return {name: blast_radius(baseline, documents[name]) for name in CHANGES}


def monitoring(*documents: dict[str, Any]) -> set[str]:
    """The monitoring component's resources (alarms, dashboard, topic)."""
    return {
        resource["urn"]
        for document in documents
        for resource in document["resources"]
        if f"${MONITORING}$" in resource["urn"] or resource["type"] == MONITORING
    }


def rules_of(document: dict[str, Any], name: str) -> set[str]:
    """The listener rules of a service: those forwarding to its target groups (rules are
    keyed by priority, not by service), and its 403 rule for other sources, one priority
    later."""
    groups = {
        r["outputs"].get("arn")
        for r in document["resources"]
        if r["urn"] in named([document], f"{PREFIX}-{name}") and r["type"] == TARGET_GROUP
    }
    rules = [r for r in document["resources"] if r["type"] == LISTENER_RULE]

    def forwards_to(action: dict[str, Any]) -> set[str]:
        weighted = action.get("forward", {}).get("targetGroups", [])
        return {action.get("targetGroupArn"), *(group["arn"] for group in weighted)}

    own = [r for r in rules if any(forwards_to(a) & groups for a in r["inputs"]["actions"])]
    after = {r["inputs"]["priority"] + 1 for r in own}
    return {r["urn"] for r in own} | {
        r["urn"]
        for r in rules
        if r["inputs"]["priority"] in after
        and r["inputs"]["actions"][0].get("fixedResponse", {}).get("statusCode") == "403"
    }


def service(documents: list[dict[str, Any]], name: str) -> set[str]:
    return named(documents, f"{PREFIX}-{name}") | {
        urn for document in documents for urn in rules_of(document, name)
    }


def egress(documents: list[dict[str, Any]], port: int) -> set[str]:
    return named(documents, f"{PREFIX}-out-{port}") & of_type(documents, EGRESS_RULE)


def test_the_baseline_is_the_dev_plan(documents: dict[str, dict[str, Any]]) -> None:
    baseline = documents["baseline"]
    assert (baseline["project"], baseline["stack"]) == ("alb", STACK)
    assert service([baseline], "api") & of_type([baseline], TARGET_GROUP)


def test_adding_a_service_changes_no_existing_resource(
    documents: dict[str, dict[str, Any]], radius: dict[str, BlastRadius]
) -> None:
    before, after = documents["baseline"], documents["add-service"]
    change = radius["add-service"]
    # Its component, target group, listener rule and alarms, and egress to its new port.
    assert change.added == service([after], "search") | egress([after], NEW_PORT)
    assert {TARGET_GROUP, LISTENER_RULE} <= {r.type for r in change.diff.added}
    assert change.removed == set()
    # The dashboard gains the service's widgets; no other existing resource changes.
    assert change.changed <= of_type([before], DASHBOARD)
    assert_only(change, change.added | of_type([before], DASHBOARD))


def test_removing_a_service_removes_only_its_resources(
    documents: dict[str, dict[str, Any]], radius: dict[str, BlastRadius]
) -> None:
    before = documents["baseline"]
    change = radius["remove-service"]
    assert change.removed == service([before], "admin") | egress([before], 8081)
    assert {TARGET_GROUP, LISTENER_RULE} <= {r.type for r in change.diff.removed}
    assert change.added == set()
    assert change.changed <= of_type([before], DASHBOARD)
    assert_only(change, change.removed | of_type([before], DASHBOARD))


@pytest.mark.parametrize(
    ("change", "subject", "resource_type", "paths"),
    [
        (
            "health-check",
            "api",
            TARGET_GROUP,
            {"healthCheck.path", "healthCheck.interval"},
        ),
        ("rate-limit", "waf", WEB_ACL, {"rules[0].statement.rateBasedStatement.limit"}),
    ],
)
def test_an_edit_changes_exactly_its_resource(
    documents: dict[str, dict[str, Any]],
    radius: dict[str, BlastRadius],
    *,
    change: str,
    subject: str,
    resource_type: str,
    paths: set[str],
) -> None:
    before, after = documents["baseline"], documents[change]
    result = radius[change]
    target = service([before], subject) & of_type([before], resource_type)
    assert len(target) == 1
    assert (result.added, result.removed) == (set(), set())
    # Exactly the one resource, apart from the subject's own alarms, which may follow it.
    assert result.changed - monitoring(before, after) == target
    assert_only(result, service([before, after], subject) | of_type([before], DASHBOARD))
    (changed,) = [r for r in result.diff.changed if r.urn in target]
    assert {c.path for c in changed.changes} == paths


@pytest.mark.parametrize("change", TYPICAL)
def test_typical_changes_replace_nothing(
    documents: dict[str, dict[str, Any]], radius: dict[str, BlastRadius], change: str
) -> None:
    before = documents["baseline"]
    result = radius[change]
    assert result.replaced == set(), result.diff.to_document()["replacements"]
    # The load balancer and its listeners are not even updated.
    assert not result.touched & of_type([before], LOAD_BALANCER, LISTENER)


def test_a_new_port_replaces_the_target_group_and_nothing_upstream(
    documents: dict[str, dict[str, Any]], radius: dict[str, BlastRadius]
) -> None:
    """The control: a change the provider cannot make in place is caught, with its ripple."""
    before, after = documents["baseline"], documents["port"]
    result = radius["port"]
    api_group = service([before], "api") & of_type([before], TARGET_GROUP)
    assert result.replaced == api_group
    (replaced,) = result.diff.replaced
    assert [(c.path, c.before, c.after) for c in replaced.changes] == [("port", 8080, 8082)]
    assert (result.removed, result.added) == (egress([before], 8080), egress([after], 8082))
    # The new target group's ARN is unknown until it exists: the rule forwarding to it updates
    # in place, and so do the alarms and the dashboard that name it.
    api_rule = service([before], "api") & of_type([before], LISTENER_RULE)
    (rule,) = [r for r in result.diff.changed if r.urn in api_rule]
    assert [(c.path, c.after, c.forces_replacement) for c in rule.changes] == [
        # dev's api validates a JWT first: the forward is the second action.
        ("actions[1].targetGroupArn", "[unknown]", False)
    ]
    assert result.changed - monitoring(before) == api_group | api_rule
    other_groups = of_type([before], TARGET_GROUP) - api_group
    assert not result.touched & (other_groups | of_type([before], LOAD_BALANCER, LISTENER))

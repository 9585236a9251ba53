"""The Monitoring component: the alarm inputs that reach AWS, the topic, and the dashboard."""

from __future__ import annotations

import json
from typing import Any

import pytest

from preflight.records import ResourceRecord
from tests.program.program_harness import Plan, run_in_process, stack_values, with_config

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
MONITORING = "alb:index:Monitoring"
ELB = "AWS/ApplicationELB"

# An existing topic owned by another team (SNS topic ARN format: arn:aws:sns:REGION:ACCOUNT:NAME).
EXISTING_TOPIC = "arn:aws:sns:ap-northeast-2:123456789012:oncall-pager"


def _plan(values: dict[str, str], stack: str) -> Plan:
    plan = run_in_process(values, stack)
    assert plan.error is None, plan.error
    return plan


@pytest.fixture(scope="module")
def dev_plan() -> Plan:
    return _plan(stack_values("dev"), "dev")


@pytest.fixture(scope="module")
def prod_plan() -> Plan:
    return _plan(stack_values("prod"), "prod")


@pytest.fixture(scope="module")
def existing_topic_plan() -> Plan:
    values = with_config(
        stack_values("dev"),
        alarms={"topicArn": EXISTING_TOPIC, "email": "platform@example.com"},
    )
    return _plan(values, "dev")


@pytest.fixture(scope="module")
def lambda_plan() -> Plan:
    """dev plus a Lambda-backed service (no port, no health check)."""
    values = stack_values("dev")
    services = {
        "web": {"port": 3000},
        "fn": {"targetType": "lambda", "pathPatterns": ["/fn/*"]},
    }
    return _plan(with_config(values, services=services), "dev")


def alarms(plan: Plan) -> dict[str, dict[str, Any]]:
    """Alarm inputs keyed by the alarm's name without the ``alb-<stack>-`` prefix."""
    prefix = f"alb-{plan.stack}-"
    found = {}
    for record in plan.of_type(ALARM):
        assert record.inputs["name"].startswith(prefix), record.inputs["name"]
        found[record.inputs["name"].removeprefix(prefix)] = record.inputs
    return found


def queries(alarm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {query["id"]: query for query in alarm["metricQueries"]}


def target_dimensions(plan: Plan, service: str) -> dict[str, str]:
    return {
        "LoadBalancer": plan.outputs["albArnSuffix"],
        "TargetGroup": plan.outputs["targetGroups"][service]["arnSuffix"],
    }


def stack_config(plan: Plan) -> tuple[float, float]:
    """(error5xxPercent, latencyP99Seconds) of the stack files."""
    return {"dev": (5, 2), "prod": (2, 1)}[plan.stack]


@pytest.fixture(params=["dev", "prod"])
def plan(request: pytest.FixtureRequest) -> Plan:
    return request.getfixturevalue(f"{request.param}_plan")


def test_every_alarm_notifies_the_topic_on_alarm_and_ok(plan: Plan) -> None:
    topic = plan.one(TOPIC)
    monitoring = plan.one(MONITORING)
    assert plan.outputs["alarmTopicArn"] == topic.outputs["arn"]
    assert topic.parent == monitoring.urn
    found = plan.of_type(ALARM)
    # 3 on the ALB, 4 per service (3 services), 1 on the web ACL.
    assert len(found) == 3 + 4 * 3 + 1
    for record in found:
        assert record.parent == monitoring.urn
        assert record.inputs["alarmActions"] == [topic.outputs["arn"]]
        assert record.inputs["okActions"] == [topic.outputs["arn"]]
        assert record.inputs["alarmDescription"]
        assert record.inputs["datapointsToAlarm"] <= record.inputs["evaluationPeriods"]
        assert record.inputs["tags"] == {
            "Team": "platform",
            **({"CostCenter": "cc-1234"} if plan.stack == "prod" else {}),
        }


def test_elb_5xx_rate_is_a_percentage_of_requests(plan: Plan) -> None:
    percent, _ = stack_config(plan)
    alarm = alarms(plan)["elb-5xx-rate"]
    by_id = queries(alarm)
    load_balancer = {"LoadBalancer": plan.outputs["albArnSuffix"]}
    assert by_id["errors"]["metric"] == {
        "namespace": ELB,
        "metricName": "HTTPCode_ELB_5XX_Count",
        "dimensions": load_balancer,
        "period": 60,
        "stat": "Sum",
    }
    assert by_id["requests"]["metric"]["metricName"] == "RequestCount"
    assert by_id["requests"]["metric"]["dimensions"] == load_balancer
    assert by_id["rate"]["expression"] == "100 * FILL(errors, 0) / requests"
    assert [q["id"] for q in alarm["metricQueries"] if q.get("returnData")] == ["rate"]
    assert (alarm["threshold"], alarm["comparisonOperator"]) == (percent, "GreaterThanThreshold")
    assert (alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (5, 3)
    assert alarm["treatMissingData"] == "notBreaching"
    assert "metricName" not in alarm


@pytest.mark.parametrize(
    ("suffix", "metric", "threshold", "window"),
    [
        ("rejected-connections", "RejectedConnectionCount", 0, (3, 2)),
        ("tls-negotiation-errors", "ClientTLSNegotiationErrorCount", 50, (5, 5)),
    ],
)
def test_connection_alarms_on_the_load_balancer(
    dev_plan: Plan, suffix: str, metric: str, threshold: int, window: tuple[int, int]
) -> None:
    alarm = alarms(dev_plan)[suffix]
    assert (alarm["namespace"], alarm["metricName"], alarm["statistic"]) == (ELB, metric, "Sum")
    assert alarm["dimensions"] == {"LoadBalancer": dev_plan.outputs["albArnSuffix"]}
    assert (alarm["period"], alarm["threshold"]) == (60, threshold)
    assert (alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == window
    assert alarm["treatMissingData"] == "notBreaching"


def test_no_healthy_hosts_pages_only_when_registered_targets_all_fail(plan: Plan) -> None:
    # An empty target group (nothing deployed yet, or scaled to zero) counts 0 healthy and 0
    # unhealthy, or reports nothing: the alarm stays OK. Targets that all fail their health
    # checks (unhealthy > 0, healthy 0) page after 3 minutes.
    topic = plan.outputs["alarmTopicArn"]
    found = alarms(plan)
    for service in plan.outputs["targetGroups"]:
        dimensions = target_dimensions(plan, service)
        assert found[f"{service}-no-healthy-hosts"] == {
            "name": f"alb-{plan.stack}-{service}-no-healthy-hosts",
            "alarmDescription": f"Service {service} has registered targets but none has passed "
            "its health check for 3 minutes: the service is down (the load balancer sends its "
            "requests to the failing targets, fail-open). A service without any registered "
            "target does not page here.",
            "comparisonOperator": "GreaterThanThreshold",
            "threshold": 0,
            "evaluationPeriods": 3,
            "datapointsToAlarm": 3,
            "treatMissingData": "notBreaching",
            "metricQueries": [
                {
                    "id": "healthy",
                    "metric": {
                        "namespace": ELB,
                        "metricName": "HealthyHostCount",
                        "dimensions": dimensions,
                        "period": 60,
                        "stat": "Maximum",
                    },
                },
                {
                    "id": "unhealthy",
                    "metric": {
                        "namespace": ELB,
                        "metricName": "UnHealthyHostCount",
                        "dimensions": dimensions,
                        "period": 60,
                        "stat": "Maximum",
                    },
                },
                {
                    "id": "down",
                    "expression": "(FILL(unhealthy, 0) > 0) AND (FILL(healthy, 0) == 0)",
                    "label": "Registered targets, none healthy",
                    "returnData": True,
                },
            ],
            "alarmActions": [topic],
            "okActions": [topic],
            "tags": stack_tags(plan),
        }


def test_unhealthy_hosts_alarm_is_quiet_without_targets(plan: Plan) -> None:
    topic = plan.outputs["alarmTopicArn"]
    found = alarms(plan)
    for service in plan.outputs["targetGroups"]:
        assert found[f"{service}-unhealthy-hosts"] == {
            "name": f"alb-{plan.stack}-{service}-unhealthy-hosts",
            "alarmDescription": f"Service {service} has had at least one target failing its "
            "health check for 5 minutes.",
            "comparisonOperator": "GreaterThanThreshold",
            "threshold": 0,
            "evaluationPeriods": 5,
            "datapointsToAlarm": 5,
            "treatMissingData": "notBreaching",
            "namespace": ELB,
            "metricName": "UnHealthyHostCount",
            "dimensions": target_dimensions(plan, service),
            "statistic": "Maximum",
            "period": 60,
            "alarmActions": [topic],
            "okActions": [topic],
            "tags": stack_tags(plan),
        }


def stack_tags(plan: Plan) -> dict[str, str]:
    """The alb:tags of the stack files (every alarm carries them)."""
    return {"Team": "platform", **({"CostCenter": "cc-1234"} if plan.stack == "prod" else {})}


def test_target_group_latency_and_5xx_thresholds_come_from_config(plan: Plan) -> None:
    percent, latency = stack_config(plan)
    found = alarms(plan)
    for service in plan.outputs["targetGroups"]:
        dimensions = target_dimensions(plan, service)
        p99 = found[f"{service}-latency-p99"]
        assert (p99["namespace"], p99["metricName"], p99["extendedStatistic"]) == (
            ELB,
            "TargetResponseTime",
            "p99",
        )
        assert "statistic" not in p99
        assert p99["dimensions"] == dimensions
        assert (p99["threshold"], p99["period"]) == (latency, 60)
        assert p99["evaluateLowSampleCountPercentiles"] == "ignore"
        assert p99["treatMissingData"] == "notBreaching"

        rate = found[f"{service}-target-5xx-rate"]
        by_id = queries(rate)
        assert by_id["errors"]["metric"]["metricName"] == "HTTPCode_Target_5XX_Count"
        assert by_id["requests"]["metric"]["metricName"] == "RequestCount"
        assert by_id["errors"]["metric"]["dimensions"] == dimensions
        assert by_id["requests"]["metric"]["dimensions"] == dimensions
        assert by_id["rate"]["expression"] == "100 * FILL(errors, 0) / requests"
        assert rate["threshold"] == percent
        assert (rate["evaluationPeriods"], rate["datapointsToAlarm"]) == (5, 3)
        assert rate["treatMissingData"] == "notBreaching"


def test_waf_blocked_spike_uses_the_web_acl_metric_dimensions(plan: Plan) -> None:
    acl = plan.one("aws:wafv2/webAcl:WebAcl")
    alarm = alarms(plan)["waf-blocked-spike"]
    by_id = queries(alarm)
    blocked = by_id["blocked"]["metric"]
    assert (blocked["namespace"], blocked["metricName"], blocked["stat"]) == (
        "AWS/WAFV2",
        "BlockedRequests",
        "Sum",
    )
    assert blocked["dimensions"] == {
        "WebACL": acl.inputs["visibilityConfig"]["metricName"],
        "Region": "ap-northeast-2",
        "Rule": "ALL",
    }
    assert blocked["period"] == 300
    assert by_id["band"]["expression"] == "ANOMALY_DETECTION_BAND(blocked, 3)"
    assert alarm["thresholdMetricId"] == "band"
    assert alarm["comparisonOperator"] == "GreaterThanUpperThreshold"
    # PutMetricAlarm refuses Threshold together with ThresholdMetricId.
    assert "threshold" not in alarm
    assert alarm["treatMissingData"] == "notBreaching"


def test_alarms_depend_only_on_the_monitored_resources(plan: Plan) -> None:
    allowed = {
        r.urn
        for r in plan.resources
        if r.type
        in {
            "aws:lb/loadBalancer:LoadBalancer",
            "aws:lb/targetGroup:TargetGroup",
            "aws:wafv2/webAcl:WebAcl",
            TOPIC,
        }
    }
    for record in plan.of_type(ALARM):
        assert set(record.dependencies) <= allowed, record.name


def test_email_subscription_only_when_configured(dev_plan: Plan, prod_plan: Plan) -> None:
    assert dev_plan.of_type(SUBSCRIPTION) == []
    subscription = prod_plan.one(SUBSCRIPTION)
    assert subscription.inputs["protocol"] == "email"
    assert subscription.inputs["endpoint"] == "oncall@example.com"
    assert subscription.inputs["topic"] == prod_plan.outputs["alarmTopicArn"]


def test_an_existing_topic_replaces_the_stack_topic(existing_topic_plan: Plan) -> None:
    plan = existing_topic_plan
    assert plan.of_type(TOPIC) == []
    assert plan.outputs["alarmTopicArn"] == EXISTING_TOPIC
    for record in plan.of_type(ALARM):
        assert record.inputs["alarmActions"] == [EXISTING_TOPIC]
        assert record.inputs["okActions"] == [EXISTING_TOPIC]
    subscription = plan.one(SUBSCRIPTION)
    assert (subscription.inputs["topic"], subscription.inputs["endpoint"]) == (
        EXISTING_TOPIC,
        "platform@example.com",
    )


def test_lambda_services_get_invocation_error_alarms_not_host_counts(lambda_plan: Plan) -> None:
    found = alarms(lambda_plan)
    assert "fn-no-healthy-hosts" not in found
    assert "fn-unhealthy-hosts" not in found
    assert {"web-no-healthy-hosts", "web-unhealthy-hosts"} <= found.keys()
    errors = found["fn-lambda-errors"]
    by_id = queries(errors)
    group = next(
        r for r in lambda_plan.of_type("aws:lb/targetGroup:TargetGroup") if r.name == "alb-dev-fn"
    )
    dimensions = {
        "LoadBalancer": lambda_plan.outputs["albArnSuffix"],
        "TargetGroup": group.outputs["arnSuffix"],
    }
    assert by_id["user"]["metric"]["metricName"] == "LambdaUserError"
    assert by_id["internal"]["metric"]["metricName"] == "LambdaInternalError"
    assert by_id["user"]["metric"]["dimensions"] == dimensions
    assert by_id["failures"]["returnData"] is True
    assert (errors["threshold"], errors["treatMissingData"]) == (0, "notBreaching")
    assert {"fn-latency-p99", "fn-target-5xx-rate"} <= found.keys()
    widgets = dashboard(lambda_plan)["widgets"]
    hosts = next(w for w in widgets if w["properties"]["title"] == "Healthy hosts per service")
    assert [m[-1]["label"] for m in hosts["properties"]["metrics"]] == ["web"]


def dashboard_record(plan: Plan) -> ResourceRecord:
    record = plan.one(DASHBOARD)
    assert record.parent == plan.one(MONITORING).urn
    return record


def dashboard(plan: Plan) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(dashboard_record(plan).inputs["dashboardBody"])
    return body


def _metrics(document: dict[str, Any]) -> list[list[Any]]:
    return [m for w in document["widgets"] for m in w["properties"]["metrics"]]


def test_dashboard_covers_every_service_and_the_waf(plan: Plan) -> None:
    record = dashboard_record(plan)
    assert record.inputs["dashboardName"] == f"alb-{plan.stack}-ap-northeast-2"
    document = dashboard(plan)
    titles = {w["properties"]["title"]: w for w in document["widgets"]}
    for widget in document["widgets"]:
        assert widget["type"] == "metric"
        assert widget["properties"]["region"] == "ap-northeast-2"
        assert widget["properties"]["metrics"]
    flat = [json.dumps(m) for m in _metrics(document)]
    for service, group in plan.outputs["targetGroups"].items():
        for title in ("Requests per service", "Healthy hosts per service"):
            labels = {m[-1]["label"]: m for m in titles[title]["properties"]["metrics"]}
            assert labels[service][labels[service].index("TargetGroup") + 1] == group["arnSuffix"]
        assert any(group["arnSuffix"] in metric for metric in flat)
    latency = titles["Target response time (s)"]["properties"]["metrics"]
    assert [m[-1]["stat"] for m in latency] == ["p50", "p90", "p99"]
    errors = {m[1] for m in titles["4XX / 5XX responses"]["properties"]["metrics"]}
    assert errors == {
        "HTTPCode_ELB_4XX_Count",
        "HTTPCode_ELB_5XX_Count",
        "HTTPCode_Target_4XX_Count",
        "HTTPCode_Target_5XX_Count",
    }
    waf = titles["WAF requests"]["properties"]["metrics"]
    assert {m[1] for m in waf} >= {"AllowedRequests", "BlockedRequests"}
    assert all(m[0] == "AWS/WAFV2" and m[2:8][-2:] == ["Rule", "ALL"] for m in waf)

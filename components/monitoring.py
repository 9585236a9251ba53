"""What the on-call engineer watches: alarms to one SNS topic, and one CloudWatch dashboard.

Metric names, namespaces and dimensions come from "CloudWatch metrics for your Application
Load Balancer" (namespace ``AWS/ApplicationELB``: ``LoadBalancer`` is the ALB's ARN suffix,
``TargetGroup`` the target group's; per-target-group metrics need both dimensions) and
"AWS WAF metrics and dimensions" (namespace ``AWS/WAFV2``: ``WebACL``, ``Region`` and ``Rule``,
where ``Rule=ALL`` is the whole web ACL). The ``WebACL`` value is the web ACL's
``VisibilityConfig.MetricName`` ("the name of the CloudWatch metric dimension", WAFV2 API
reference), which need not equal the web ACL's (autonamed) name.

The ALB and target group alarms evaluate one-minute periods (ELB publishes every 60 seconds),
the WAF alarm five-minute sums, each over a window of several datapoints (M of N), so one bad
minute does not page anyone. Every alarm sends both its ALARM and its OK transition to the
topic, so a page is always followed by its all-clear. Alarm names are explicit,
``<platform>-<what>`` (``alb-prod-api-latency-p99``), so the page says which stack and what;
renaming one replaces the alarm, which loses nothing but its history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components.config import AlarmsConfig

ELB_NAMESPACE = "AWS/ApplicationELB"
WAF_NAMESPACE = "AWS/WAFV2"

MINUTE = 60
# Request-driven alarms: 3 bad minutes out of 5. A deploy or a single slow minute stays quiet;
# a real regression pages within about 5 minutes.
REQUEST_WINDOW = (5, 3)
# Registered targets, none healthy: the service is down. Three consecutive minutes covers a
# rolling deploy's gap between the old task draining and the new one passing its checks.
NO_HEALTHY_WINDOW = (3, 3)
# An unhealthy target for 5 consecutive minutes is stuck, not starting or draining.
UNHEALTHY_WINDOW = (5, 5)
# Any rejected connection means the ALB hit its connection limit; 2 of 3 minutes rules out a
# single burst.
REJECTED_WINDOW = (3, 2)
# The internet's background of scanners and old clients fails TLS negotiation all the time;
# only a sustained burst (a broken client fleet after a certificate or TLS policy change)
# is worth a page: more than 50 a minute for 5 minutes in a row.
TLS_ERRORS_PER_MINUTE = 50
TLS_WINDOW = (5, 5)
# WAF blocks arrive in bursts: 5-minute sums, 2 of 3 above the learned band.
WAF_PERIOD = 5 * MINUTE
WAF_WINDOW = (3, 2)
# Width of the anomaly detection band in standard deviations (CloudWatch's default is 2;
# 3 keeps the alarm to real spikes).
WAF_BAND_WIDTH = 3

TreatMissingData = Literal["breaching", "notBreaching", "ignore", "missing"]


@dataclass(frozen=True)
class MonitoredTargetGroup:
    """What the alarms and the dashboard need to know about one service's target group."""

    arn_suffix: pulumi.Input[str]
    """The target group's ARN suffix (the CloudWatch ``TargetGroup`` dimension)."""
    target_type: str
    """instance, ip or lambda; lambda target groups report no healthy-host counts."""


@dataclass(frozen=True)
class MonitoringArgs:
    alb_arn_suffix: pulumi.Input[str]
    """The ALB's ARN suffix (the CloudWatch ``LoadBalancer`` dimension)."""
    target_groups: dict[str, MonitoredTargetGroup]
    """Each service's target group, keyed by service name."""
    web_acl_metric_name: pulumi.Input[str]
    """The web ACL's visibility-config metric name (the WAF ``WebACL`` dimension)."""
    alarms: AlarmsConfig
    """Where alarms go (email, existing topic) and the latency and 5XX thresholds."""
    region: str
    """The stack's region (the WAF ``Region`` dimension and the dashboard's region)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags for every resource that takes them."""


def _metric(
    name: str, dimensions: dict[str, pulumi.Input[str]], stat: str, namespace: str = ELB_NAMESPACE
) -> aws.cloudwatch.MetricAlarmMetricQueryMetricArgsDict:
    return {
        "namespace": namespace,
        "metric_name": name,
        "dimensions": dimensions,
        "period": MINUTE,
        "stat": stat,
    }


def _percentage_of_requests(
    errors_metric: str, dimensions: dict[str, pulumi.Input[str]], label: str
) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgsDict]:
    """``100 * errors / requests`` per minute. Error counts are only reported when nonzero,
    so FILL turns their gaps into 0; a minute without requests yields no datapoint at all."""
    return [
        {"id": "errors", "metric": _metric(errors_metric, dimensions, "Sum")},
        {"id": "requests", "metric": _metric("RequestCount", dimensions, "Sum")},
        {
            "id": "rate",
            "expression": "100 * FILL(errors, 0) / requests",
            "label": label,
            "return_data": True,
        },
    ]


def _registered_but_none_healthy(
    dimensions: dict[str, pulumi.Input[str]],
) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgsDict]:
    """1 for a minute in which some target failed its health check and none passed it, else 0.

    Maximum over the minute: one healthy moment, or no unhealthy one, keeps the minute at 0. A
    count missing while the other is reported counts as 0 (FILL); with both missing the minute
    is 0 or has no datapoint, and either one is "not breaching".
    """
    return [
        {"id": "healthy", "metric": _metric("HealthyHostCount", dimensions, "Maximum")},
        {"id": "unhealthy", "metric": _metric("UnHealthyHostCount", dimensions, "Maximum")},
        {
            "id": "down",
            "expression": "(FILL(unhealthy, 0) > 0) AND (FILL(healthy, 0) == 0)",
            "label": "Registered targets, none healthy",
            "return_data": True,
        },
    ]


class Monitoring(pulumi.ComponentResource):
    """Alarms on the ALB, each target group and the web ACL; a dashboard; the alarm topic."""

    topic_arn: pulumi.Output[str]
    topic: aws.sns.Topic | None
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    dashboard: aws.cloudwatch.Dashboard

    def __init__(
        self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("alb:index:Monitoring", name, None, opts)
        self._name = name
        self._child = pulumi.ResourceOptions(parent=self)
        self._tags = args.tags
        self.topic = None
        if args.alarms.topic_arn:
            self.topic_arn = pulumi.Output.from_input(args.alarms.topic_arn)
        else:
            # Not KMS-encrypted: CloudWatch can publish to an encrypted topic only with a
            # customer managed key whose policy grants it ("Enable compatibility between event
            # sources from AWS services and encrypted topics", SNS developer guide), and the
            # messages carry alarm states, not data.
            self.topic = aws.sns.Topic(f"{name}-alarms", tags=args.tags, opts=self._child)
            self.topic_arn = self.topic.arn
        if args.alarms.email:
            aws.sns.TopicSubscription(
                f"{name}-alarms-email",
                topic=self.topic_arn,
                protocol="email",
                endpoint=args.alarms.email,
                opts=self._child,
            )
        self.alarms = {}
        self._load_balancer_alarms(args)
        for service, group in sorted(args.target_groups.items()):
            self._target_group_alarms(args, service, group)
        self._web_acl_alarm(args)
        self.dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            # Dashboards are global, alarms regional: the region keeps two stacks of the same
            # name in different regions apart.
            dashboard_name=f"{name}-{args.region}",
            dashboard_body=_dashboard_body(args),
            opts=self._child,
        )
        self.register_outputs(
            {"alarmTopicArn": self.topic_arn, "dashboardName": self.dashboard.dashboard_name}
        )

    def _alarm(
        self,
        suffix: str,
        description: str,
        *,
        threshold: float | None,
        comparison: str,
        window: tuple[int, int],
        treat_missing_data: TreatMissingData,
        **metric: Any,
    ) -> aws.cloudwatch.MetricAlarm:
        """One alarm named ``<component>-<suffix>`` (readable in the page, unique per stack),
        notifying the topic on ALARM and on OK."""
        evaluation_periods, datapoints_to_alarm = window
        alarm_name = f"{self._name}-{suffix}"
        alarm = aws.cloudwatch.MetricAlarm(
            alarm_name,
            name=alarm_name,
            alarm_description=description,
            comparison_operator=comparison,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            treat_missing_data=treat_missing_data,
            alarm_actions=[self.topic_arn],
            ok_actions=[self.topic_arn],
            tags=self._tags,
            opts=self._child,
            **metric,
        )
        self.alarms[suffix] = alarm
        return alarm

    def _load_balancer_alarms(self, args: MonitoringArgs) -> None:
        alb = {"LoadBalancer": args.alb_arn_suffix}
        percent = args.alarms.error5xx_percent
        # No traffic means no ELB metrics at all (ELB reports only while requests flow), so
        # missing data is "not breaching" for every ALB alarm.
        self._alarm(
            "elb-5xx-rate",
            f"The load balancer itself answered more than {percent:g}% of requests with a 5XX "
            "(502/503/504: no healthy target, target connection or timeout failures) in 3 of "
            "5 minutes. Check the services' healthy hosts and the access logs.",
            threshold=percent,
            comparison="GreaterThanThreshold",
            window=REQUEST_WINDOW,
            treat_missing_data="notBreaching",
            metric_queries=_percentage_of_requests(
                "HTTPCode_ELB_5XX_Count", alb, "ELB 5XX % of requests"
            ),
        )
        self._alarm(
            "rejected-connections",
            "The load balancer rejected connections because it reached its maximum number of "
            "connections, in 2 of 3 minutes.",
            threshold=0,
            comparison="GreaterThanThreshold",
            window=REJECTED_WINDOW,
            treat_missing_data="notBreaching",
            namespace=ELB_NAMESPACE,
            metric_name="RejectedConnectionCount",
            dimensions=alb,
            statistic="Sum",
            period=MINUTE,
        )
        self._alarm(
            "tls-negotiation-errors",
            f"More than {TLS_ERRORS_PER_MINUTE} client TLS handshakes a minute failed, in 5 "
            "of 5 minutes: clients cannot negotiate the listener's TLS policy or certificate.",
            threshold=TLS_ERRORS_PER_MINUTE,
            comparison="GreaterThanThreshold",
            window=TLS_WINDOW,
            treat_missing_data="notBreaching",
            namespace=ELB_NAMESPACE,
            metric_name="ClientTLSNegotiationErrorCount",
            dimensions=alb,
            statistic="Sum",
            period=MINUTE,
        )

    def _target_group_alarms(
        self, args: MonitoringArgs, service: str, group: MonitoredTargetGroup
    ) -> None:
        dimensions = {"LoadBalancer": args.alb_arn_suffix, "TargetGroup": group.arn_suffix}
        if group.target_type == "lambda":
            # A lambda target group has its health check off and reports no healthy-host
            # counts; its failures are LambdaUserError (bad response, the ALB answers 502)
            # and LambdaInternalError (the ALB could not invoke the function).
            self._alarm(
                f"{service}-lambda-errors",
                f"Service {service}: the load balancer got errors invoking its Lambda "
                "function (LambdaUserError + LambdaInternalError) in 3 of 5 minutes.",
                threshold=0,
                comparison="GreaterThanThreshold",
                window=REQUEST_WINDOW,
                treat_missing_data="notBreaching",
                metric_queries=[
                    {"id": "user", "metric": _metric("LambdaUserError", dimensions, "Sum")},
                    {"id": "internal", "metric": _metric("LambdaInternalError", dimensions, "Sum")},
                    {
                        "id": "failures",
                        "expression": "FILL(user, 0) + FILL(internal, 0)",
                        "label": "Lambda invocation errors",
                        "return_data": True,
                    },
                ],
            )
        else:
            # Pages when targets are registered and none is healthy, never for a target group
            # that has no targets (not deployed yet, or scaled to zero): those count 0 healthy
            # and 0 unhealthy, or report nothing, and both read as "not breaching". Requests
            # reaching a target group without targets get a 503 from the load balancer, which
            # the elb-5xx-rate alarm watches. docs/operations.md, "Alarm design".
            self._alarm(
                f"{service}-no-healthy-hosts",
                f"Service {service} has registered targets but none has passed its health "
                "check for 3 minutes: the service is down (the load balancer sends its "
                "requests to the failing targets, fail-open). A service without any registered "
                "target does not page here.",
                threshold=0,
                comparison="GreaterThanThreshold",
                window=NO_HEALTHY_WINDOW,
                treat_missing_data="notBreaching",
                metric_queries=_registered_but_none_healthy(dimensions),
            )
            self._alarm(
                f"{service}-unhealthy-hosts",
                f"Service {service} has had at least one target failing its health check for "
                "5 minutes.",
                threshold=0,
                comparison="GreaterThanThreshold",
                window=UNHEALTHY_WINDOW,
                treat_missing_data="notBreaching",
                namespace=ELB_NAMESPACE,
                metric_name="UnHealthyHostCount",
                dimensions=dimensions,
                statistic="Maximum",
                period=MINUTE,
            )
        latency = args.alarms.latency_p99_seconds
        self._alarm(
            f"{service}-latency-p99",
            f"Service {service}: p99 target response time above {latency:g} s in 3 of 5 minutes.",
            threshold=latency,
            comparison="GreaterThanThreshold",
            window=REQUEST_WINDOW,
            treat_missing_data="notBreaching",
            namespace=ELB_NAMESPACE,
            metric_name="TargetResponseTime",
            dimensions=dimensions,
            extended_statistic="p99",
            period=MINUTE,
            # A p99 over a handful of requests is one slow request; with "ignore" the alarm
            # keeps its state until a minute has enough samples ("Percentile-based alarms
            # and low data samples", CloudWatch user guide).
            evaluate_low_sample_count_percentiles="ignore",
        )
        percent = args.alarms.error5xx_percent
        self._alarm(
            f"{service}-target-5xx-rate",
            f"Service {service} answered more than {percent:g}% of its requests with a 5XX "
            "in 3 of 5 minutes.",
            threshold=percent,
            comparison="GreaterThanThreshold",
            window=REQUEST_WINDOW,
            treat_missing_data="notBreaching",
            metric_queries=_percentage_of_requests(
                "HTTPCode_Target_5XX_Count", dimensions, f"{service} 5XX % of requests"
            ),
        )

    def _web_acl_alarm(self, args: MonitoringArgs) -> None:
        dimensions = {"WebACL": args.web_acl_metric_name, "Region": args.region, "Rule": "ALL"}
        # "Spike" relative to the stack's own traffic: an anomaly detection band learns the
        # usual level of blocked requests, so no fixed number has to fit every stack.
        self._alarm(
            "waf-blocked-spike",
            "The web ACL blocked far more requests than usual (above the anomaly detection "
            "band) in 2 of 3 five-minute periods: an attack, or a rule blocking real users.",
            # PutMetricAlarm takes either Threshold or ThresholdMetricId, never both.
            threshold=None,
            comparison="GreaterThanUpperThreshold",
            window=WAF_WINDOW,
            # Zero blocked requests is not reported; quiet is fine.
            treat_missing_data="notBreaching",
            threshold_metric_id="band",
            metric_queries=[
                {
                    "id": "blocked",
                    "metric": {
                        **_metric("BlockedRequests", dimensions, "Sum", WAF_NAMESPACE),
                        "period": WAF_PERIOD,
                    },
                    "return_data": True,
                },
                {
                    "id": "band",
                    "expression": f"ANOMALY_DETECTION_BAND(blocked, {WAF_BAND_WIDTH})",
                    "label": "Blocked requests (expected band)",
                    "return_data": True,
                },
            ],
        )


def _dashboard_body(args: MonitoringArgs) -> pulumi.Output[str]:
    services = sorted(args.target_groups)
    return pulumi.Output.all(
        alb=args.alb_arn_suffix,
        acl=args.web_acl_metric_name,
        groups=pulumi.Output.all(*(args.target_groups[s].arn_suffix for s in services)),
    ).apply(
        lambda values: json.dumps(
            dashboard_document(
                region=args.region,
                alb=values["alb"],
                web_acl=values["acl"],
                target_groups={
                    service: (suffix, args.target_groups[service].target_type)
                    for service, suffix in zip(services, values["groups"], strict=True)
                },
            ),
            sort_keys=True,
        )
    )


def dashboard_document(
    *, region: str, alb: str, web_acl: str, target_groups: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    """The dashboard body (CloudWatch dashboard body structure): one row of ALB-wide widgets,
    one of per-service widgets, one for the WAF. ``target_groups``: service → (ARN suffix,
    target type). A widget with no metric (healthy hosts when every service is a lambda) is
    left out, since CloudWatch refuses it."""
    lb = ["LoadBalancer", alb]

    def per_service(metric: str, **options: Any) -> list[list[Any]]:
        return [
            [ELB_NAMESPACE, metric, *lb, "TargetGroup", suffix, {"label": service, **options}]
            for service, (suffix, _) in sorted(target_groups.items())
        ]

    hosts = [
        [ELB_NAMESPACE, "HealthyHostCount", *lb, "TargetGroup", suffix, {"label": service}]
        for service, (suffix, target_type) in sorted(target_groups.items())
        if target_type != "lambda"
    ]
    waf = ["WebACL", web_acl, "Region", region, "Rule", "ALL"]
    widgets = [
        ("Requests", "Sum", [[ELB_NAMESPACE, "RequestCount", *lb, {"label": "all services"}]]),
        (
            "Target response time (s)",
            "p99",
            [
                [ELB_NAMESPACE, "TargetResponseTime", *lb, {"stat": stat, "label": stat}]
                for stat in ("p50", "p90", "p99")
            ],
        ),
        (
            "4XX / 5XX responses",
            "Sum",
            [
                [ELB_NAMESPACE, metric, *lb, {"label": label}]
                for metric, label in (
                    ("HTTPCode_ELB_4XX_Count", "ELB 4XX"),
                    ("HTTPCode_ELB_5XX_Count", "ELB 5XX"),
                    ("HTTPCode_Target_4XX_Count", "target 4XX"),
                    ("HTTPCode_Target_5XX_Count", "target 5XX"),
                )
            ],
        ),
        ("Requests per service", "Sum", per_service("RequestCount")),
        ("p99 response time per service (s)", "p99", per_service("TargetResponseTime")),
        ("Healthy hosts per service", "Minimum", hosts),
        ("Target 5XX per service", "Sum", per_service("HTTPCode_Target_5XX_Count")),
        (
            "WAF requests",
            "Sum",
            [
                [WAF_NAMESPACE, metric, *waf, {"label": label}]
                for metric, label in (
                    ("AllowedRequests", "allowed"),
                    ("BlockedRequests", "blocked"),
                    ("CountedRequests", "counted (count mode)"),
                )
            ],
        ),
    ]
    width, height, columns = 8, 6, 3
    return {
        "widgets": [
            {
                "type": "metric",
                "x": (index % columns) * width,
                "y": (index // columns) * height,
                "width": width,
                "height": height,
                "properties": {
                    "title": title,
                    "region": region,
                    "stat": stat,
                    "period": MINUTE,
                    "view": "timeSeries",
                    "metrics": metrics,
                },
            }
            for index, (title, stat, metrics) in enumerate(w for w in widgets if w[2])
        ]
    }

"""The stack's CloudWatch alarms in ALARM.

Which alarms are the stack's: components/monitoring.py gives every alarm it creates the
stack's alarm topic as its action, and every ALB or target group alarm a ``LoadBalancer``
dimension equal to the ALB's ARN suffix. An alarm in ALARM is shown when

- a metric it evaluates (its own, or one in its metric math) has ``LoadBalancer`` equal to
  this stack's ``albArnSuffix``: the platform's ALB and target group alarms, and any alarm an
  app team built on this load balancer's metrics; or
- it notifies ``alarmTopicArn`` and evaluates no other load balancer's metrics: the web ACL
  alarm, and anything else pointed at the stack's topic.

A topic shared by several stacks (``alb:alarms.topicArn``) keeps each stack's load balancer
alarms apart; only alarms with no load balancer dimension (the WAF alarm) of every stack on
that topic show up in each. Names do not decide: they are free text anyone can reuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from albctl.aws import Aws


@dataclass(frozen=True)
class Alarm:
    name: str
    description: str | None
    reason: str | None
    """CloudWatch's state reason: which datapoints crossed the threshold."""
    since: datetime | None

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "description": self.description,
            "reason": self.reason,
            "since": self.since.isoformat() if self.since else None,
        }


def _load_balancers(alarm: dict[str, Any]) -> set[str]:
    """The ``LoadBalancer`` dimension values of every metric the alarm evaluates."""
    dimension_lists = [alarm.get("Dimensions", [])] + [
        query["MetricStat"]["Metric"].get("Dimensions", [])
        for query in alarm.get("Metrics", [])
        if "MetricStat" in query
    ]
    return {
        dimension["Value"]
        for dimensions in dimension_lists
        for dimension in dimensions
        if dimension.get("Name") == "LoadBalancer"
    }


def belongs_to_stack(alarm: dict[str, Any], alb_arn_suffix: str, topic_arn: str) -> bool:
    balancers = _load_balancers(alarm)
    if alb_arn_suffix in balancers:
        return True
    return topic_arn in alarm.get("AlarmActions", []) and not balancers


def stack_alarms(aws: Aws, alb_arn_suffix: str, topic_arn: str) -> list[Alarm]:
    # Metric alarms only (DescribeAlarms' default): the platform creates no composite alarms,
    # and reading those needs cloudwatch:DescribeAlarms on "*" rather than on the region's
    # alarms (DescribeAlarms, CloudWatch API reference).
    pages = aws.pages("cloudwatch", "DescribeAlarms", StateValue="ALARM")
    alarms = [
        Alarm(
            name=alarm["AlarmName"],
            description=alarm.get("AlarmDescription"),
            reason=alarm.get("StateReason"),
            since=alarm.get("StateUpdatedTimestamp"),
        )
        for page in pages
        for alarm in page.get("MetricAlarms", [])
        if alarm.get("StateValue") == "ALARM" and belongs_to_stack(alarm, alb_arn_suffix, topic_arn)
    ]
    return sorted(alarms, key=lambda alarm: alarm.name)

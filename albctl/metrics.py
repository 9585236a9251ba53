"""The last hour of a stack's load balancer metrics, in as few GetMetricData calls as fit.

Names and dimensions as in "CloudWatch metrics for your Application Load Balancer" (and as
components/monitoring.py alarms on them): per target group, ``RequestCount``,
``HTTPCode_Target_5XX_Count`` and ``TargetResponseTime`` with both ``LoadBalancer`` and
``TargetGroup``; for the load balancer, ``HTTPCode_ELB_5XX_Count`` with ``LoadBalancer``.
ELB reports a count only while there is something to count, so a count with no datapoint is
0; a latency with no datapoint (no requests) is unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from albctl.aws import Aws
from albctl.outputs import TargetGroup

ELB_NAMESPACE = "AWS/ApplicationELB"
WINDOW = timedelta(hours=1)
# One datapoint over the whole window: a p99 of per-minute p99s would not be the hour's p99.
PERIOD_SECONDS = 3600
# "You can include up to 500 MetricDataQuery structures in one GetMetricData call" (API
# reference, GetMetricData).
MAX_QUERIES_PER_CALL = 500


@dataclass(frozen=True)
class GroupMetrics:
    requests: int
    target_5xx: int
    p99_seconds: float | None


@dataclass(frozen=True)
class StackMetrics:
    groups: dict[str, GroupMetrics]
    """By target group ARN."""
    elb_5xx: int


def _query(query_id: str, metric: str, stat: str, dimensions: dict[str, str]) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": ELB_NAMESPACE,
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
            },
            "Period": PERIOD_SECONDS,
            "Stat": stat,
        },
        "ReturnData": True,
    }


def last_hour(
    aws: Aws, alb_arn_suffix: str, groups: Iterable[TargetGroup], now: datetime
) -> StackMetrics:
    groups = list(groups)
    alb = {"LoadBalancer": alb_arn_suffix}
    queries = [_query("elb5xx", "HTTPCode_ELB_5XX_Count", "Sum", alb)]
    for index, group in enumerate(groups):
        dimensions = {**alb, "TargetGroup": group.arn_suffix}
        queries += [
            _query(f"g{index}requests", "RequestCount", "Sum", dimensions),
            _query(f"g{index}errors", "HTTPCode_Target_5XX_Count", "Sum", dimensions),
            _query(f"g{index}p99", "TargetResponseTime", "p99", dimensions),
        ]
    # Whole minutes: CloudWatch aligns periods to the start time.
    end = now.replace(second=0, microsecond=0)
    values: dict[str, list[float]] = defaultdict(list)
    for first in range(0, len(queries), MAX_QUERIES_PER_CALL):
        pages = aws.pages(
            "cloudwatch",
            "GetMetricData",
            MetricDataQueries=queries[first : first + MAX_QUERIES_PER_CALL],
            StartTime=end - WINDOW,
            EndTime=end,
        )
        for page in pages:
            for result in page.get("MetricDataResults", []):
                values[result["Id"]].extend(result.get("Values", []))

    def count(query_id: str) -> int:
        return round(sum(values[query_id]))

    return StackMetrics(
        groups={
            group.arn: GroupMetrics(
                requests=count(f"g{index}requests"),
                target_5xx=count(f"g{index}errors"),
                p99_seconds=max(values[f"g{index}p99"], default=None),
            )
            for index, group in enumerate(groups)
        },
        elb_5xx=count("elb5xx"),
    )

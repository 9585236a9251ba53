"""What the moto server lacks for albctl's tests, added to the server this process runs.

moto's server keeps its state in this process (``ThreadedMotoServer``), so a test reaches it
the way AWS's own machinery would, behind the API:

- **Health checks.** moto runs none: a registered target is ``healthy``, or ``unused``
  (``Target.InvalidState``) once its EC2 instance is stopped, and a deregistered target
  leaves the listing at once. ``unhealthy``, ``initial``, ``draining`` and the other states
  ELB's health checker produces never occur. ``HealthChecks.report`` gives a target the state
  and reason the checker would; DescribeTargetHealth then answers it over the API as usual.
- **Percentiles.** moto's GetMetricData computes Sum, Average, Minimum, Maximum and
  SampleCount; an extended statistic (``p99``) over stored datapoints fails the request with
  HTTP 500. ``_percentile`` computes it from the raw values (nearest rank).
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from moto.cloudwatch.models import Statistics
from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d+)?)$")


def _percentile(values: list[float], percent: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(percent / 100 * len(ordered)), 1)
    return ordered[rank - 1]


class HealthChecks:
    """The health checker's verdicts: (target group ARN, target ID) → (state, reason)."""

    def __init__(self) -> None:
        self._verdicts: dict[tuple[str, str], tuple[str, str | None]] = {}

    def report(self, group_arn: str, target_id: str, state: str, reason: str | None) -> None:
        self._verdicts[group_arn, target_id] = (state, reason)

    def clear(self) -> None:
        self._verdicts.clear()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        checked = FakeTargetGroup.health_for
        verdicts = self._verdicts

        def health_for(
            group: FakeTargetGroup, target: dict[str, Any], ec2_backend: Any
        ) -> FakeHealthStatus:
            verdict = verdicts.get((group.arn, target["Id"]))
            registered = group.targets.get(target["Id"])
            if verdict is None or registered is None:
                return checked(group, target, ec2_backend)
            state, reason = verdict
            return FakeHealthStatus(
                target["Id"], registered["Port"], group.health_check_port, state, reason
            )

        monkeypatch.setattr(FakeTargetGroup, "health_for", health_for)


def install_percentiles(monkeypatch: pytest.MonkeyPatch) -> None:
    computed = Statistics.get_statistics_for_type

    def get_statistics_for_type(self: Statistics, stat: str) -> Any:
        match = _PERCENTILE.match(stat)
        if match is None:
            return computed(self, stat)
        return _percentile(self.metric_single_values_list, float(match.group(1)))

    monkeypatch.setattr(Statistics, "get_statistics_for_type", get_statistics_for_type)

"""Target health of a target group (DescribeTargetHealth)."""

from __future__ import annotations

from dataclasses import dataclass

from albctl.aws import Aws, AwsError
from albctl.errors import AlbctlError
from albctl.outputs import TargetGroup

# A target whose target group has health checks off (always so for Lambda) is "unavailable"
# with this reason, and the load balancer sends it traffic all the same ("Target health
# status", ELB user guide for Application Load Balancers).
HEALTH_CHECK_DISABLED = "Target.HealthCheckDisabled"
FAILING_STATES = {"unhealthy", "unhealthy.draining"}


@dataclass(frozen=True)
class Target:
    id: str
    port: int | None
    """None for a Lambda function."""
    state: str
    """initial, healthy, unhealthy, unhealthy.draining, unused, draining or unavailable."""
    reason: str | None
    """The reason code (``Target.FailedHealthChecks``, ``Target.NotInUse``, ...); AWS gives
    none for a healthy target."""
    description: str | None

    @property
    def serving(self) -> bool:
        """Whether the load balancer routes requests to it."""
        return self.state == "healthy" or self.reason == HEALTH_CHECK_DISABLED

    @property
    def failing(self) -> bool:
        return self.state in FAILING_STATES

    def label(self) -> str:
        return self.id if self.port is None else f"{self.id}:{self.port}"

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "port": self.port, "state": self.state, "reason": self.reason}


def describe_targets(aws: Aws, group: TargetGroup, service: str) -> list[Target]:
    """Every target registered in ``group`` (and those still draining), sorted by ID."""
    try:
        response = aws.call("elbv2", "DescribeTargetHealth", TargetGroupArn=group.arn)
    except AwsError as error:
        if error.code == "TargetGroupNotFound":
            raise AlbctlError(
                f"service {service}: target group {group.arn} does not exist in "
                f"{aws.region} (outputs of a destroyed stack, or credentials for another "
                "account?)"
            ) from None
        raise
    targets = [
        Target(
            id=description["Target"]["Id"],
            port=description["Target"].get("Port"),
            state=description["TargetHealth"]["State"],
            reason=description["TargetHealth"].get("Reason"),
            description=description["TargetHealth"].get("Description"),
        )
        for description in response.get("TargetHealthDescriptions", [])
    ]
    return sorted(targets, key=lambda target: (target.id, target.port or 0))

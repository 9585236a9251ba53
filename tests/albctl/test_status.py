"""``albctl status`` against moto's server: target states, metrics, alarms, colours, the
outputs from a file or from ``pulumi stack output``."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from tests.albctl.moto_stack import REGION, Cloud, Stack
from tests.harness import REPO


def _targets(*rows: tuple[str, int, str, str | None]) -> list[dict[str, Any]]:
    return [
        {"id": id_, "port": port, "state": state, "reason": reason}
        for id_, port, state, reason in rows
    ]


def _lines(text: str) -> list[str]:
    """Each line with runs of spaces and table rules squeezed, for comparing table rows."""
    squeezed = (re.sub(r"[\s│┃|]+", " ", line).strip() for line in text.splitlines())
    return [line for line in squeezed if line]


def test_a_healthy_service_with_traffic(cloud: Cloud, stack: Stack) -> None:
    stack.register("api", "10.0.1.10", "10.0.2.10")
    stack.put_metric("RequestCount", [600, 400], service="api")
    stack.put_metric("HTTPCode_Target_5XX_Count", [3, 4], service="api")
    # 100 requests' response times, 0.01 s to 1.00 s: the p99 is 0.99 s.
    stack.put_metric("TargetResponseTime", [n / 100 for n in range(1, 101)], service="api")
    stack.put_metric("HTTPCode_ELB_5XX_Count", [2])
    outputs = stack.write_outputs()

    run = cloud.albctl("status", "--stack-outputs", outputs, "--json")

    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert run.document == {
        "services": {
            "api": {
                "targetGroupArn": stack.arn("api"),
                "healthy": 2,
                "unhealthy": 0,
                "targets": _targets(
                    ("10.0.1.10", 8080, "healthy", None), ("10.0.2.10", 8080, "healthy", None)
                ),
                "requests": 1000,
                "target5xx": 7,
                "p99Seconds": 0.99,
            }
        },
        "loadBalancer": {"arn": stack.alb_arn, "elb5xx": 2},
        "alarms": [],
    }

    text = cloud.albctl("status", "--stack-outputs", outputs)
    assert text.returncode == 0, text.stderr
    lines = _lines(text.stdout)
    assert lines[0] == f"{outputs} · {REGION} · load balancer {stack.alb_suffix}"
    assert "api 2 0 2 1,000 7 990 ms" in lines
    assert "Load balancer 5XX (last hour): 2" in lines
    assert "api 10.0.1.10:8080 healthy -" in lines
    assert "api 10.0.2.10:8080 healthy -" in lines
    assert "Alarms in ALARM: none" in lines
    assert lines[-1] == "Every service has a healthy target."
    # Not a terminal: no colour codes in a pipeline's log.
    assert "\x1b[" not in text.stdout


def test_every_target_state_moto_can_hold(cloud: Cloud) -> None:
    stack = Stack(
        cloud,
        {
            "web": {"port": 8080},
            "admin": {"port": 8081},
            "batch": {"port": 8082, "targetType": "instance"},
        },
    )
    stack.register("web", "10.0.1.20", "10.0.1.21", "10.0.1.22", "10.0.1.23")
    stack.health_check("web", "10.0.1.21", "unhealthy", "Target.FailedHealthChecks")
    stack.health_check("web", "10.0.1.22", "draining", "Target.DeregistrationInProgress")
    stack.health_check("web", "10.0.1.23", "initial", "Elb.InitialHealthChecking")
    # An instance target whose instance is stopped: moto's own "unused" answer.
    instance = stack.ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][
        0
    ]["InstanceId"]
    stack.register("batch", instance, port=8082)
    stack.ec2.stop_instances(InstanceIds=[instance])
    outputs = stack.write_outputs()

    run = cloud.albctl("status", "--stack-outputs", outputs, "--json")

    assert run.returncode == 1, run.stderr
    services = run.document["services"]
    assert services["web"] == {
        "targetGroupArn": stack.arn("web"),
        "healthy": 1,
        "unhealthy": 1,
        "targets": _targets(
            ("10.0.1.20", 8080, "healthy", None),
            ("10.0.1.21", 8080, "unhealthy", "Target.FailedHealthChecks"),
            ("10.0.1.22", 8080, "draining", "Target.DeregistrationInProgress"),
            ("10.0.1.23", 8080, "initial", "Elb.InitialHealthChecking"),
        ),
        "requests": 0,
        "target5xx": 0,
        "p99Seconds": None,
    }
    assert services["admin"]["targets"] == []
    assert (services["admin"]["healthy"], services["admin"]["unhealthy"]) == (0, 0)
    assert services["batch"]["targets"] == _targets(
        (instance, 8082, "unused", "Target.InvalidState")
    )
    assert (services["batch"]["healthy"], services["batch"]["unhealthy"]) == (0, 0)

    text = cloud.albctl("status", "--stack-outputs", outputs)
    assert text.returncode == 1, text.stderr
    lines = _lines(text.stdout)
    assert "web 1 1 4 0 0 -" in lines
    assert "admin 0 0 0 0 0 -" in lines
    assert "batch 0 0 1 0 0 -" in lines
    assert "web 10.0.1.21:8080 unhealthy Target.FailedHealthChecks" in lines
    assert "web 10.0.1.22:8080 draining Target.DeregistrationInProgress" in lines
    assert "web 10.0.1.23:8080 initial Elb.InitialHealthChecking" in lines
    assert "admin (none registered) - -" in lines
    assert f"batch {instance}:8082 unused Target.InvalidState" in lines
    assert lines[-1] == "No healthy target: admin, batch"


def test_no_traffic_means_no_datapoints(cloud: Cloud, stack: Stack) -> None:
    """ELB publishes counts only while requests flow: absent counts are 0, an absent
    latency is unknown."""
    stack.register("api", "10.0.1.10")
    # Another target group's traffic is not this one's.
    stack.cloudwatch.put_metric_data(
        Namespace="AWS/ApplicationELB",
        MetricData=[
            {
                "MetricName": "RequestCount",
                "Dimensions": [
                    {"Name": "LoadBalancer", "Value": stack.alb_suffix},
                    {"Name": "TargetGroup", "Value": "targetgroup/other/0123456789abcdef"},
                ],
                "Value": 50,
            }
        ],
    )
    outputs = stack.write_outputs()

    run = cloud.albctl("status", "--stack-outputs", outputs, "--json")

    assert run.returncode == 0, run.stderr
    api = run.document["services"]["api"]
    assert (api["requests"], api["target5xx"], api["p99Seconds"]) == (0, 0, None)
    assert run.document["loadBalancer"]["elb5xx"] == 0
    text = cloud.albctl("status", "--stack-outputs", outputs)
    assert "api 1 0 1 0 0 -" in _lines(text.stdout)
    assert "Load balancer 5XX (last hour): 0" in _lines(text.stdout)


def test_alarms_of_the_stack_in_alarm(cloud: Cloud, stack: Stack) -> None:
    stack.register("api", "10.0.1.10")
    this_alb = {"LoadBalancer": stack.alb_suffix}
    api = {**this_alb, "TargetGroup": stack.suffix("api")}
    other_alb = {"LoadBalancer": "app/alb-prod-9f8e7d6/0123456789abcdef"}
    elsewhere = ["arn:aws:sns:ap-northeast-2:123456789012:billing"]
    # The platform's alarms (components/monitoring.py): to the stack's topic.
    stack.alarm("alb-dev-api-no-healthy-hosts", dimensions=api, description="No healthy target")
    stack.alarm("alb-dev-elb-5xx-rate", dimensions=this_alb, metric_math=True)
    stack.alarm("alb-dev-waf-blocked-spike", dimensions={"WebACL": "alb-dev-waf", "Rule": "ALL"})
    stack.alarm("alb-dev-api-latency-p99", dimensions=api, state="OK")
    stack.alarm("alb-dev-api-target-5xx-rate", dimensions=api, state="INSUFFICIENT_DATA")
    # An app team's alarm on this load balancer, to their own topic.
    stack.alarm("team-api-errors", dimensions=api, actions=elsewhere)
    # Another stack on the same (shared) topic, and an alarm unrelated to any stack.
    stack.alarm("alb-prod-elb-5xx-rate", dimensions=other_alb, metric_math=True)
    stack.alarm("billing-over-budget", dimensions={"Currency": "USD"}, actions=elsewhere)
    outputs = stack.write_outputs()

    run = cloud.albctl("status", "--stack-outputs", outputs, "--json")

    assert run.returncode == 0, run.stderr
    alarms = run.document["alarms"]
    assert [alarm["name"] for alarm in alarms] == [
        "alb-dev-api-no-healthy-hosts",
        "alb-dev-elb-5xx-rate",
        "alb-dev-waf-blocked-spike",
        "team-api-errors",
    ]
    assert alarms[0]["description"] == "No healthy target"
    assert alarms[0]["reason"] == "alb-dev-api-no-healthy-hosts is ALARM"
    assert alarms[0]["since"].endswith("+00:00")

    text = cloud.albctl("status", "--stack-outputs", outputs)
    lines = _lines(text.stdout)
    assert any(line.startswith("alb-dev-api-no-healthy-hosts 20") for line in lines)
    assert any(line.endswith("UTC No healthy target") for line in lines)
    assert "Runbook: docs/operations.md, one section per alarm." in lines
    assert "alb-prod-elb-5xx-rate" not in text.stdout
    assert "billing-over-budget" not in text.stdout


def test_a_blue_green_service_by_colour(cloud: Cloud) -> None:
    stack = Stack(cloud, {"shop": {"port": 8080, "blueGreen": True}})
    stack.register("shop", "10.0.1.30", "10.0.2.30", colour="blue")
    stack.register("shop", "10.0.1.31", colour="green")
    stack.health_check("shop", "10.0.1.31", "initial", "Elb.InitialHealthChecking", "green")
    stack.put_metric("RequestCount", [900], service="shop", colour="blue")
    stack.put_metric("RequestCount", [100], service="shop", colour="green")
    stack.put_metric("TargetResponseTime", [0.2], service="shop", colour="blue")
    stack.put_metric("TargetResponseTime", [1.5], service="shop", colour="green")
    outputs = stack.write_outputs()

    run = cloud.albctl("status", "--stack-outputs", outputs, "--json")

    assert run.returncode == 0, run.stderr
    blue = {
        "targetGroupArn": stack.arn("shop", "blue"),
        "healthy": 2,
        "unhealthy": 0,
        "targets": _targets(
            ("10.0.1.30", 8080, "healthy", None), ("10.0.2.30", 8080, "healthy", None)
        ),
        "requests": 900,
        "target5xx": 0,
        "p99Seconds": 0.2,
    }
    green = {
        "targetGroupArn": stack.arn("shop", "green"),
        "healthy": 0,
        "unhealthy": 0,
        "targets": _targets(("10.0.1.31", 8080, "initial", "Elb.InitialHealthChecking")),
        "requests": 100,
        "target5xx": 0,
        "p99Seconds": 1.5,
    }
    assert run.document["services"]["shop"] == {
        "targetGroupArn": stack.arn("shop", "blue"),
        "healthy": 2,
        "unhealthy": 0,
        "targets": blue["targets"] + green["targets"],
        "requests": 1000,
        "target5xx": 0,
        "p99Seconds": 1.5,
        "colours": {"blue": blue, "green": green},
    }
    lines = _lines(cloud.albctl("status", "--stack-outputs", outputs).stdout)
    assert "shop/blue 2 0 2 900 0 200 ms" in lines
    assert "shop/green 0 0 1 100 0 1.50 s" in lines
    assert "shop/green 10.0.1.31:8080 initial Elb.InitialHealthChecking" in lines


def _fake_pulumi(directory: Path, outputs: Path) -> Path:
    """A `pulumi` on PATH that knows one stack, dev, selected; it answers as the real CLI."""
    directory.mkdir()
    script = directory / "pulumi"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        '"stack output --json --stack dev" | "stack output --json")\n'
        f"  cat '{outputs}' ;;\n"
        "*)\n"
        "  echo \"error: no stack named '$5' found\" >&2\n"
        "  exit 255 ;;\n"
        "esac\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return directory


def test_outputs_from_pulumi(cloud: Cloud, stack: Stack) -> None:
    stack.register("api", "10.0.1.10")
    bin_dir = _fake_pulumi(cloud.home / "bin", stack.write_outputs())
    env = cloud.env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    run = cloud.albctl("status", "--stack", "dev", "--json", env=env)
    assert run.returncode == 0, run.stderr
    assert run.document["services"]["api"]["healthy"] == 1
    text = cloud.albctl("status", "--stack", "dev", env=env)
    assert _lines(text.stdout)[0].startswith(f"stack dev · {REGION} · ")

    selected = cloud.albctl("wait", "api", "--timeout", "0", env=env)
    assert selected.returncode == 0, selected.stderr

    missing = cloud.albctl("status", "--stack", "prod", env=env)
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr == (
        "albctl: error: `pulumi stack output --json --stack prod` failed: "
        "error: no stack named 'prod' found\n"
    )


def test_no_pulumi_cli(cloud: Cloud) -> None:
    empty = cloud.home / "no-pulumi"
    empty.mkdir()
    run = cloud.albctl("status", "--stack", "dev", env=cloud.env(PATH=str(empty)))
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == (
        "albctl: error: --stack needs the Pulumi CLI (`pulumi`), which is not on PATH; or "
        "pass --stack-outputs FILE, a file holding `pulumi stack output --json`\n"
    )


def test_the_json_is_one_document(cloud: Cloud, stack: Stack) -> None:
    stack.register("api", "10.0.1.10")
    run = cloud.albctl("status", "--stack-outputs", stack.write_outputs(), "--json")
    assert json.loads(run.stdout) == run.document
    assert run.stdout.endswith("}\n")


def test_a_lambda_service_serves_with_health_checks_off(cloud: Cloud) -> None:
    """A Lambda target is "unavailable" with Target.HealthCheckDisabled, and the load
    balancer invokes it: it counts as healthy."""
    stack = Stack(cloud, {"hook": {"targetType": "lambda"}})
    function = "arn:aws:lambda:ap-northeast-2:123456789012:function:hook"
    stack.register("hook", function, port=None)
    stack.health_check("hook", function, "unavailable", "Target.HealthCheckDisabled")
    outputs = stack.write_outputs()

    run = cloud.albctl("status", "--stack-outputs", outputs, "--json")

    assert run.returncode == 0, run.stderr
    hook = run.document["services"]["hook"]
    assert hook["targets"] == _targets(
        (function, None, "unavailable", "Target.HealthCheckDisabled")
    )
    assert (hook["healthy"], hook["unhealthy"]) == (1, 0)
    lines = _lines(cloud.albctl("status", "--stack-outputs", outputs).stdout)
    assert f"hook {function} unavailable Target.HealthCheckDisabled" in lines


def _shape(value: Any) -> Any:
    """The keys of a JSON value, recursively; lists by their first item."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return None


def test_the_documented_json_is_what_albctl_prints(cloud: Cloud, stack: Stack) -> None:
    stack.register("api", "10.0.1.10")
    stack.alarm("alb-dev-api-unhealthy-hosts", dimensions={"LoadBalancer": stack.alb_suffix})
    run = cloud.albctl("status", "--stack-outputs", stack.write_outputs(), "--json")

    operations = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    status = operations[operations.index("\n### status\n") :]
    documented = json.loads(status.split("```json\n", 1)[1].split("```", 1)[0])
    assert _shape(documented) == _shape(run.document)

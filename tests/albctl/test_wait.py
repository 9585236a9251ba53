"""``albctl wait`` against moto's server: targets that become healthy during the wait, a
timeout, colours of a blue-green service, names that do not exist."""

from __future__ import annotations

import re

from tests.albctl.moto_stack import Cloud, Stack
from tests.harness import assert_one_clear_failure

FAST = ("--interval", "0.2")


def test_waits_until_a_new_target_passes_its_health_checks(cloud: Cloud, stack: Stack) -> None:
    stack.register("api", "10.0.1.10")
    stack.health_check("api", "10.0.1.10", "initial", "Elb.InitialHealthChecking")
    outputs = stack.write_outputs()

    process = cloud.popen_albctl("wait", "api", "--stack-outputs", outputs, *FAST)
    assert process.stderr is not None
    progress = process.stderr.readline()
    assert re.fullmatch(r"api: 0 of 1 healthy \(1 initial\) · \d+s of 300s\n", progress)
    stack.health_check("api", "10.0.1.10", "healthy", None)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 0, stderr
    assert re.fullmatch(r"api: 1 healthy \(wanted 1\) after \d+s\n", stdout)
    assert "Traceback" not in stderr


def test_waits_for_a_target_registered_during_the_wait(cloud: Cloud, stack: Stack) -> None:
    stack.register("api", "10.0.1.10")
    outputs = stack.write_outputs()

    process = cloud.popen_albctl(
        "wait", "api", "--min-healthy", "2", "--stack-outputs", outputs, *FAST
    )
    assert process.stderr is not None
    assert process.stderr.readline().startswith("api: 1 of 2 healthy (1 healthy) · ")
    stack.register("api", "10.0.2.10")
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 0, stderr
    assert re.fullmatch(r"api: 2 healthy \(wanted 2\) after \d+s\n", stdout)


def test_already_healthy_returns_at_once(cloud: Cloud, stack: Stack) -> None:
    stack.register("api", "10.0.1.10", "10.0.2.10")
    run = cloud.albctl("wait", "api", "--stack-outputs", stack.write_outputs(), "--timeout", "0")
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(r"api: 2 healthy \(wanted 1\) after \d+s\n", run.stdout)
    assert run.stderr == ""


def test_times_out_naming_the_targets_that_are_not_healthy(cloud: Cloud, stack: Stack) -> None:
    stack.register("api", "10.0.1.10", "10.0.1.11")
    stack.health_check("api", "10.0.1.11", "unhealthy", "Target.FailedHealthChecks")
    outputs = stack.write_outputs()

    run = cloud.albctl(
        "wait", "api", "--min-healthy", "2", "--timeout", "3", "--stack-outputs", outputs, *FAST
    )

    assert run.returncode == 1, run.stderr
    assert re.fullmatch(
        r"api: timed out after \d+s with 1 of 2 healthy: "
        r"10\.0\.1\.11:8080 unhealthy \(Target\.FailedHealthChecks\)\n",
        run.stdout,
    )
    # Several polls; in a pipeline's log the progress line is written again only when the
    # states change.
    assert re.fullmatch(
        r"api: 1 of 2 healthy \(1 healthy, 1 unhealthy\) · [0-2]s of 3s\n", run.stderr
    )


def test_times_out_on_an_empty_target_group(cloud: Cloud, stack: Stack) -> None:
    run = cloud.albctl(
        "wait", "api", "--timeout", "0.5", "--stack-outputs", stack.write_outputs(), *FAST
    )
    assert run.returncode == 1, run.stderr
    assert re.fullmatch(
        r"api: timed out after \d+s with 0 of 1 healthy: no targets registered\n", run.stdout
    )


def test_waits_on_one_colour_of_a_blue_green_service(cloud: Cloud) -> None:
    stack = Stack(cloud, {"shop": {"port": 8080, "blueGreen": True}, "api": {"port": 8081}})
    stack.register("shop", "10.0.1.31", colour="green")
    outputs = stack.write_outputs()

    green = cloud.albctl("wait", "shop/green", "--timeout", "0", "--stack-outputs", outputs)
    assert green.returncode == 0, green.stderr
    assert re.fullmatch(r"shop/green: 1 healthy \(wanted 1\) after \d+s\n", green.stdout)

    blue = cloud.albctl("wait", "shop/blue", "--timeout", "0", "--stack-outputs", outputs)
    assert blue.returncode == 1, blue.stderr
    assert re.fullmatch(
        r"shop/blue: timed out after \d+s with 0 of 1 healthy: no targets registered\n",
        blue.stdout,
    )

    # Without a colour: the service as a whole.
    both = cloud.albctl("wait", "shop", "--timeout", "0", "--stack-outputs", outputs)
    assert re.fullmatch(r"shop: 1 healthy \(wanted 1\) after \d+s\n", both.stdout)

    no_colours = cloud.albctl("wait", "api/green", "--stack-outputs", outputs)
    assert_one_clear_failure(no_colours)
    assert no_colours.stderr == (
        "albctl: error: service api has no colours: it is not a blue-green or canary service "
        "(its outputs have no targetGroups.api.alternate); wait on api\n"
    )
    purple = cloud.albctl("wait", "shop/purple", "--stack-outputs", outputs)
    assert_one_clear_failure(purple)
    assert purple.stderr == (
        "albctl: error: service shop has no colour 'purple': shop/blue is its target group, "
        "shop/green its alternate\n"
    )


def test_an_unknown_service_lists_the_services(cloud: Cloud) -> None:
    stack = Stack(cloud, {"web": {"port": 3000}, "api": {"port": 8080}, "admin": {"port": 8081}})
    outputs = stack.write_outputs()

    run = cloud.albctl("wait", "Api", "--stack-outputs", outputs)

    assert_one_clear_failure(run)
    assert run.stderr == (
        f"albctl: error: {outputs} has no service 'Api'; its services: admin, api, web\n"
    )

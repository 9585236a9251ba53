"""``python -m preflight`` end to end on fixture programs: exit status, messages, documents."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from preflight.aws_model import default_subnet_ids, default_vpc_id
from tests.harness import (
    PROGRAMS,
    Run,
    assert_one_clear_failure,
    assert_spec_document,
    by_name,
    run_preflight,
    write_program,
)

# --- minimal ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minimal_json() -> dict[str, Any]:
    run = run_preflight("--program", PROGRAMS / "minimal", "--policy-pack", "none", "--json")
    assert run.returncode == 0, run.stderr
    return run.document


@pytest.fixture(scope="module")
def minimal_text() -> Run:
    run = run_preflight("--program", PROGRAMS / "minimal", "--policy-pack", "none")
    assert run.returncode == 0, run.stderr
    return run


def test_minimal_document_has_the_spec_shape(minimal_json: dict[str, Any]) -> None:
    assert_spec_document(minimal_json)
    assert (minimal_json["project"], minimal_json["stack"]) == ("minimal", "dev")
    assert minimal_json["violations"] == []


def test_config_reaches_the_program_as_the_cli_passes_it(minimal_json: dict[str, Any]) -> None:
    outputs = minimal_json["outputs"]
    assert outputs["stack"] == "dev"  # pulumi.get_stack()
    assert outputs["project"] == "minimal"
    assert outputs["greeting"] == "hello"  # Pulumi.yaml default
    assert outputs["replicas"] == 3  # Pulumi.dev.yaml overrides the default 2
    assert outputs["apiKey"] == "[secret]"  # a secure: value stays a secret
    assert minimal_json["secretOutputs"] == ["apiKey"]
    assert outputs["environment"] == {
        "PULUMI_PROJECT": "minimal",
        "PULUMI_STACK": "dev",
        "PULUMI_DRY_RUN": "true",
    }
    # As under the language host: the program's directory is its cwd and first on sys.path.
    program_dir = str(PROGRAMS / "minimal")
    assert outputs["runsIn"] == {"cwd": program_dir, "path0": program_dir, "argv0": program_dir}
    group = by_name(minimal_json)["web"]
    assert [rule["fromPort"] for rule in group["inputs"]["ingress"]] == [80, 443]


def test_region_and_default_tags_shape_the_resources(minimal_json: dict[str, Any]) -> None:
    resources = by_name(minimal_json)
    assert resources["alerts"]["outputs"]["arn"].startswith("arn:aws:sns:eu-west-1:123456789012:")
    assert resources["logs"]["outputs"]["tagsAll"] == {"team": "platform", "owner": "ops"}
    assert resources["web"]["protect"] is True
    assert resources["alerts"]["urn"] in resources["web"]["dependencies"]


def test_text_report_shows_tree_outputs_and_summary(minimal_text: Run) -> None:
    lines = minimal_text.stdout.splitlines()
    assert "  pulumi:pulumi:Stack  minimal-dev" in lines
    assert "  ├─ aws:s3/bucket:Bucket  logs" in lines
    assert (
        "  └─ aws:sns/topic:Topic  alerts" in lines or "  ├─ aws:sns/topic:Topic  alerts" in lines
    )
    assert any(line.startswith("  apiKey") and line.endswith("[secret]") for line in lines)
    assert lines[-1].startswith("OK: 5 resources, 0 mandatory and 0 advisory violations")


def test_graph_is_written_as_dot(tmp_path: Path) -> None:
    graph = tmp_path / "out" / "minimal.dot"
    run = run_preflight(
        "--program", PROGRAMS / "minimal", "--policy-pack", "none", "--graph", graph
    )
    assert run.returncode == 0, run.stderr
    dot = graph.read_text()
    assert dot.startswith('digraph "minimal-dev"')
    assert 'label="web\\naws:ec2/securityGroup:SecurityGroup"' in dot
    assert " -> " in dot


def test_svg_graph_needs_graphviz(tmp_path: Path) -> None:
    graph = tmp_path / "minimal.svg"
    run = run_preflight(
        "--program", PROGRAMS / "minimal", "--policy-pack", "none", "--graph", graph
    )
    if shutil.which("dot"):
        assert run.returncode == 0, run.stderr
        assert "<svg" in graph.read_text()
    else:
        assert_one_clear_failure(run, "Graphviz", str(graph))


# --- other fixture programs ---------------------------------------------------------------


def test_ecs_service_behind_an_alb_in_the_default_vpc() -> None:
    run = run_preflight(
        "--program", PROGRAMS / "ecs_default_vpc", "--policy-pack", "none", "--json"
    )
    assert run.returncode == 0, run.stderr
    document = run.document
    assert_spec_document(document)
    resources = by_name(document)
    subnets = default_subnet_ids("us-west-2")
    assert resources["app-lb"]["inputs"]["subnets"] == subnets
    assert resources["app-svc"]["inputs"]["networkConfiguration"]["subnets"] == subnets
    assert resources["app-tg"]["inputs"]["vpcId"] == default_vpc_id("us-west-2")
    assert (
        resources["app-svc"]["inputs"]["loadBalancers"][0]["targetGroupArn"]
        == (resources["app-tg"]["outputs"]["arn"])
    )
    assert resources["web"]["urn"] in resources["app-svc"]["dependencies"]
    assert document["outputs"]["url"] == resources["app-lb"]["outputs"]["dnsName"]
    assert document["outputs"]["url"].endswith(".us-west-2.elb.amazonaws.com")
    assert document["warnings"] == []


def test_unmodelled_invoke_is_a_warning_not_a_failure() -> None:
    run = run_preflight("--program", PROGRAMS / "unmodelled_invoke", "--policy-pack", "none")
    assert run.returncode == 0, run.stderr
    assert "aws:ssm/getParameter:getParameter is not modelled offline" in run.stdout
    document = run_preflight(
        "--program", PROGRAMS / "unmodelled_invoke", "--policy-pack", "none", "--json"
    ).document
    assert [warning["kind"] for warning in document["warnings"]] == ["unmodelled-invoke"]
    assert "data" in by_name(document)


def test_a_program_that_raises_exits_2_with_one_message() -> None:
    run = run_preflight("--program", PROGRAMS / "raises", "--policy-pack", "none")
    assert_one_clear_failure(run, "KeyError: 'https'", "__main__.py:9")
    assert len(run.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback() -> None:
    run = run_preflight("--program", PROGRAMS / "raises", "--policy-pack", "none", "--debug")
    assert run.returncode == 2
    assert "Traceback" in run.stderr and "pick_port" in run.stderr


def test_a_missing_module_is_named() -> None:
    run = run_preflight("--program", PROGRAMS / "missing_module", "--policy-pack", "none")
    assert_one_clear_failure(run, "pulumi_nonexistent_provider", "__main__.py:4")


def test_a_program_that_never_finishes_is_stopped() -> None:
    started = time.monotonic()
    run = run_preflight("--program", PROGRAMS / "hangs", "--policy-pack", "none", "--timeout", "2")
    assert time.monotonic() - started < 30
    assert_one_clear_failure(run, "did not finish within 2 s")


def test_a_run_error_prints_its_message(tmp_path: Path) -> None:
    program = write_program(
        tmp_path / "runerror",
        "import pulumi\nraise pulumi.RunError('alb:services: at least one service is required')\n",
    )
    run = run_preflight("--program", program, "--policy-pack", "none")
    assert_one_clear_failure(run, "alb:services: at least one service is required")


def test_missing_config_names_the_key_and_the_missing_stack_file(tmp_path: Path) -> None:
    program = write_program(
        tmp_path / "needsconfig", "import pulumi\npulumi.Config().require('size')\n"
    )
    (program / "Pulumi.dev.yaml").unlink()
    run = run_preflight("--program", program, "--policy-pack", "none")
    assert_one_clear_failure(run, "needsconfig:size", "Pulumi.dev.yaml")


def test_a_resource_name_too_long_to_autoname_fails_as_the_provider_does(tmp_path: Path) -> None:
    program = write_program(
        tmp_path / "longname",
        "import pulumi_aws as aws\naws.lb.TargetGroup('a-very-long-target-group-name', port=80)\n",
    )
    run = run_preflight("--program", program, "--policy-pack", "none")
    assert_one_clear_failure(run, "a-very-long-target-group-name", "longer than maximum length 32")


def test_bad_stack_yaml_names_file_and_line(tmp_path: Path) -> None:
    program = write_program(
        tmp_path / "badyaml", "import pulumi\n", stack="config:\n  a:b: 1\n  a:c: [x\n"
    )
    run = run_preflight("--program", program, "--policy-pack", "none")
    assert_one_clear_failure(run, f"{program / 'Pulumi.dev.yaml'}:")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--stack-outputs", "nofile"], "expected NAME=FILE"),
        (["--stack-outputs", "a=/nonexistent/x.json"], "cannot read /nonexistent/x.json"),
        (["--policy-pack", "none", "--policy-pack", "policies"], "cannot be combined"),
    ],
)
def test_bad_arguments_get_one_message(args: list[str], fragment: str) -> None:
    run = run_preflight("--program", PROGRAMS / "minimal", *args)
    assert_one_clear_failure(run, fragment)


def test_a_program_directory_that_does_not_exist() -> None:
    assert_one_clear_failure(run_preflight("--program", "/nonexistent"), "not a directory")


def test_a_stack_without_a_stack_file_runs_when_it_needs_no_config() -> None:
    run = run_preflight(
        "--program",
        PROGRAMS / "ecs_default_vpc",
        "--policy-pack",
        "none",
        "--stack",
        "qa",
        "--json",
    )
    assert run.returncode == 0, run.stderr
    # No aws:region: the provider's default region.
    assert run.document["outputs"]["url"].endswith(".us-east-1.elb.amazonaws.com")


def test_a_program_that_logs_an_error_fails_as_under_the_engine(tmp_path: Path) -> None:
    program = write_program(
        tmp_path / "logs",
        "import pulumi\n"
        "pulumi.log.warn('heads up')\n"
        "pulumi.log.error('alb:waf.mode: unknown mode')\n",
    )
    run = run_preflight("--program", program, "--policy-pack", "none")
    assert_one_clear_failure(run, "the program reported errors", "alb:waf.mode: unknown mode")


def test_program_warnings_are_listed(tmp_path: Path) -> None:
    program = write_program(tmp_path / "warns", "import pulumi\npulumi.log.warn('heads up')\n")
    run = run_preflight("--program", program, "--policy-pack", "none", "--json")
    assert run.returncode == 0, run.stderr
    assert run.document["warnings"] == [
        {"kind": "program-warning", "message": "heads up", "urn": None}
    ]

"""What the recording monitor captures of each registration, seen through ``--json``."""

from __future__ import annotations

import atexit
import copy
import functools
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from preflight.runner import ProgramError
from tests.harness import REPO, run_preflight, write_program
from tests.program.program_harness import run_in_process

OPTIONS_PROGRAM = """
import pulumi
import pulumi_aws as aws


class Group(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Group", name, None, opts)
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )
        self.register_outputs({"bucketName": self.bucket.bucket})


group = Group("grp")
west = aws.Provider("west", region="us-west-2")
topic = aws.sns.Topic(
    "topic",
    opts=pulumi.ResourceOptions(
        provider=west,
        delete_before_replace=True,
        ignore_changes=["tags"],
        additional_secret_outputs=["policy"],
        aliases=[pulumi.Alias(name="old-topic")],
        custom_timeouts=pulumi.CustomTimeouts(create="5m"),
        depends_on=[group.bucket],
    ),
)
subscription = aws.sns.TopicSubscription(
    "sub", topic=topic.arn, protocol="email", endpoint=pulumi.Output.secret("ops@example.com")
)
pulumi.export("topicArn", topic.arn)
pulumi.export("token", pulumi.Output.secret("s3cr3t"))
pulumi.export("nested", {"count": 2, "names": ["a", "b"]})
"""

CONSUMER_PROGRAM = """
import pulumi

platform = pulumi.StackReference("organization/options/dev")
pulumi.export("topicFromPlatform", platform.get_output("topicArn"))
pulumi.export("tokenFromPlatform", platform.get_output("token"))
"""


@functools.cache
def _options_run() -> tuple[Path, dict[str, Any]]:
    """The options program and its ``--json`` document, once per process: ``make mutation``
    forks every mutant's test run from a process that already has it (the worker runs the
    original code, so it is the same for every mutant)."""
    directory = Path(tempfile.mkdtemp(prefix="preflight-recording-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    program = write_program(
        directory / "options", OPTIONS_PROGRAM, stack="config:\n  aws:region: eu-central-1\n"
    )
    result = run_preflight("--program", program, "--policy-pack", "none", "--json")
    assert result.returncode == 0, result.stderr
    return program, result.document


@pytest.fixture(scope="module")
def options_run() -> tuple[Path, dict[str, Any]]:
    program, document = _options_run()
    return program, copy.deepcopy(document)


@pytest.fixture(scope="module")
def resources(options_run: tuple[Path, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {resource["name"]: resource for resource in options_run[1]["resources"]}


def test_component_children_are_qualified_by_the_component_type(
    resources: dict[str, dict[str, Any]],
) -> None:
    bucket, group = resources["grp-bucket"], resources["grp"]
    assert group["urn"] == "urn:pulumi:dev::options::test:index:Group::grp"
    assert (
        bucket["urn"]
        == "urn:pulumi:dev::options::test:index:Group$aws:s3/bucket:Bucket::grp-bucket"
    )
    assert bucket["parent"] == group["urn"]
    assert group["parent"] == "urn:pulumi:dev::options::pulumi:pulumi:Stack::options-dev"
    assert (group["custom"], bucket["custom"]) == (False, True)


def test_protect_and_retain_on_delete(resources: dict[str, dict[str, Any]]) -> None:
    assert resources["grp-bucket"]["protect"] is True
    assert resources["grp-bucket"]["retainOnDelete"] is True
    assert resources["topic"]["protect"] is False


def test_other_options(resources: dict[str, dict[str, Any]]) -> None:
    topic = resources["topic"]
    assert topic["deleteBeforeReplace"] is True
    assert topic["ignoreChanges"] == ["tags"]
    assert topic["additionalSecretOutputs"] == ["policy"]
    assert topic["aliases"] == ["urn:pulumi:dev::options::aws:sns/topic:Topic::old-topic"]
    assert topic["customTimeouts"] == {"create": "5m"}
    assert resources["grp-bucket"]["urn"] in topic["dependencies"]


def test_explicit_and_default_providers(resources: dict[str, dict[str, Any]]) -> None:
    west = resources["west"]
    assert west["type"] == "pulumi:providers:aws"
    assert resources["topic"]["provider"] == f"{west['urn']}::{west['id']}"
    # The explicit provider's region is the one its resources live in.
    assert ":us-west-2:" in resources["topic"]["outputs"]["arn"]
    default = resources["default_7_51_1"]
    assert default["inputs"] == {"region": "eu-central-1", "version": "7.51.1"}
    # A default provider's ID is unknown in a preview.
    assert resources["grp-bucket"]["provider"] == (
        f"{default['urn']}::04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    )
    assert resources["grp-bucket"]["outputs"]["bucketRegionalDomainName"].endswith(
        ".s3.eu-central-1.amazonaws.com"
    )


def test_checked_inputs_carry_autonamed_names(resources: dict[str, dict[str, Any]]) -> None:
    topic = resources["topic"]
    assert topic["inputs"]["name"].startswith("topic-")
    assert topic["outputs"]["name"] == topic["inputs"]["name"]
    assert resources["grp-bucket"]["inputs"]["bucket"].startswith("grp-bucket-")


def test_secrets_are_masked_and_dependencies_recorded(resources: dict[str, dict[str, Any]]) -> None:
    subscription = resources["sub"]
    assert subscription["inputs"]["endpoint"] == "[secret]"
    assert subscription["inputs"]["topic"] == resources["topic"]["outputs"]["arn"]
    assert subscription["propertyDependencies"]["topic"] == [resources["topic"]["urn"]]
    assert resources["topic"]["urn"] in subscription["dependencies"]


def test_component_and_stack_outputs(
    options_run: tuple[Path, dict[str, Any]], resources: dict[str, dict[str, Any]]
) -> None:
    document = options_run[1]
    assert resources["grp"]["outputs"] == {
        "bucketName": resources["grp-bucket"]["outputs"]["bucket"]
    }
    assert document["outputs"]["token"] == "[secret]"
    assert document["outputs"]["nested"] == {"count": 2, "names": ["a", "b"]}
    assert document["secretOutputs"] == ["token"]
    assert "s3cr3t" not in json.dumps(document)
    assert "ops@example.com" not in json.dumps(document)


def test_records_come_in_a_stable_dependency_order(resources: dict[str, dict[str, Any]]) -> None:
    order = list(resources)
    assert (
        order.index("grp") < order.index("grp-bucket") < order.index("topic") < order.index("sub")
    )


def test_stack_outputs_feed_a_stack_reference(
    options_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    platform = tmp_path / "platform.json"
    platform.write_text(json.dumps(options_run[1]))
    consumer = write_program(tmp_path / "consumer", CONSUMER_PROGRAM)
    result = run_preflight(
        "--program",
        consumer,
        "--policy-pack",
        "none",
        "--json",
        "--stack-outputs",
        f"organization/options/dev={platform}",
    )
    assert result.returncode == 0, result.stderr
    document = result.document
    assert document["outputs"]["topicFromPlatform"] == options_run[1]["outputs"]["topicArn"]
    assert document["outputs"]["tokenFromPlatform"] == "[secret]"
    assert document["secretOutputs"] == ["tokenFromPlatform"]

    missing = run_preflight("--program", consumer, "--policy-pack", "none")
    assert missing.returncode == 2
    assert "StackReference 'organization/options/dev'" in missing.stderr
    assert "--stack-outputs" in missing.stderr
    assert "Traceback" not in missing.stderr


# --- the same programs in-process: the recording monitor as the test process runs it ----------
# (``python -m preflight`` above runs it in a worker process; here a change to the monitor, the
# records or the document is seen by the test itself.)


def _document_in_process(program: Path, values: dict[str, str], **options: Any) -> Any:
    from preflight.report import Plan as ReportPlan
    from preflight.report import flatten_warnings, to_document
    from tests.program.program_harness import run_in_process

    plan = run_in_process(values, "dev", program=program, project=program.name, **options)
    assert plan.error is None, plan.error
    warnings = flatten_warnings(plan.events)
    return to_document(
        ReportPlan(program.name, "dev", plan.resources, plan.outputs, warnings=warnings)
    )


def test_the_worker_and_the_test_process_record_the_same_document(
    options_run: tuple[Path, dict[str, Any]],
) -> None:
    program, document = options_run
    assert _document_in_process(program, {"aws:region": "eu-central-1"}) == document


def test_a_stack_reference_reads_the_outputs_it_is_given_in_process(
    options_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    from preflight.cli import read_stack_outputs

    platform = tmp_path / "platform.json"
    platform.write_text(json.dumps(options_run[1]))
    consumer = write_program(tmp_path / "consumer", CONSUMER_PROGRAM)
    outputs = read_stack_outputs([f"organization/options/dev={platform}"])
    document = _document_in_process(consumer, {}, stack_outputs=outputs)
    assert document["outputs"] == {
        "topicFromPlatform": options_run[1]["outputs"]["topicArn"],
        "tokenFromPlatform": "[secret]",
    }
    assert document["secretOutputs"] == ["tokenFromPlatform"]
    [reference] = [r for r in document["resources"] if r["type"] == "pulumi:pulumi:StackReference"]
    assert reference["urn"] == (
        "urn:pulumi:dev::consumer::pulumi:pulumi:StackReference::organization/options/dev"
    )
    assert reference["id"] == "organization/options/dev"
    assert reference["outputs"]["outputs"]["topicArn"] == options_run[1]["outputs"]["topicArn"]


UNMODELLED_PROGRAM = """
import pulumi
import pulumi_aws as aws

first = aws.ssm.get_parameter(name="/app/db/host")
again = aws.ssm.get_parameter(name="/app/db/port")
pulumi.log.warn("using the defaults")
bucket = aws.s3.Bucket("data")
pulumi.export("bucket", bucket.bucket)
"""


def test_an_unmodelled_invoke_is_one_warning_however_often_it_is_called(tmp_path: Path) -> None:
    program = write_program(tmp_path / "unmodelled", UNMODELLED_PROGRAM)
    document = _document_in_process(program, {})
    assert document["warnings"] == [
        {
            "kind": "unmodelled-invoke",
            "message": "invoke aws:ssm/getParameter:getParameter is not modelled offline; it "
            "returned an empty result",
            "urn": None,
        },
        {"kind": "program-warning", "message": "using the defaults", "urn": None},
    ]


def test_a_stack_reference_without_outputs_stops_the_program_naming_the_flag(
    tmp_path: Path,
) -> None:
    from preflight.runner import ProgramError
    from tests.program.program_harness import run_in_process

    consumer = write_program(tmp_path / "consumer", CONSUMER_PROGRAM)
    with pytest.raises(ProgramError) as error:
        run_in_process({}, "dev", program=consumer, project="consumer")
    assert str(error.value) == (
        "StackReference 'organization/options/dev': preflight has no outputs for this stack; "
        "pass --stack-outputs organization/options/dev=FILE with FILE a `preflight --json` "
        "document of it"
    )


def test_a_duplicate_urn_names_both_places_in_source_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the worker's own terms: the program runs in its directory, and the two places are
    the program's lines (not the SDK's), first line first."""
    program = REPO / "tests" / "fixtures" / "programs" / "duplicate_urn"
    monkeypatch.chdir(program)
    with pytest.raises(ProgramError) as error:
        run_in_process({"aws:region": "eu-west-1"}, "dev", program=program, project="duplicate-urn")
    assert str(error.value) == (
        "Duplicate resource URN 'urn:pulumi:dev::duplicate-urn::aws:sns/topic:Topic::alerts'; "
        "try giving it a unique name (registered at __main__.py:6 and __main__.py:7)"
    )


def _registration(line: int | None, directory: Path) -> Any:
    """A RegisterResource request for one topic, from ``__main__.py:line`` (no position when
    ``line`` is None, as an older SDK sends)."""
    from pulumi.runtime.proto import resource_pb2, source_pb2

    position = (
        {
            "sourcePosition": source_pb2.SourcePosition(
                uri=(directory / "__main__.py").as_uri(), line=line
            )
        }
        if line is not None
        else {}
    )
    return resource_pb2.RegisterResourceRequest(type="aws:sns/topic:Topic", name="t", **position)


@pytest.mark.parametrize(
    ("lines", "where"),
    [
        # In source order by line number, not as text ("10" sorts before "9").
        ((10, 9), " (registered at __main__.py:9 and __main__.py:10)"),
        ((9, 10), " (registered at __main__.py:9 and __main__.py:10)"),
        ((12, None), " (registered at __main__.py:12)"),
        # Without a position from the SDK there is nothing to name.
        ((None, None), ""),
    ],
)
def test_a_duplicate_urn_names_what_the_sdk_sent(
    lines: tuple[int | None, int | None],
    where: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from preflight.aws_model import AwsModel
    from preflight.runner import RecordingMonitor

    monkeypatch.chdir(tmp_path)  # the worker runs in the program's directory
    monitor = RecordingMonitor(AwsModel.from_config({"aws:region": "eu-west-1"}), [].append)
    first, second = (_registration(line, tmp_path) for line in lines)
    monitor._claim_urn("urn:x", first)
    with pytest.raises(ProgramError) as error:
        monitor._claim_urn("urn:x", second)
    assert str(error.value) == (
        f"Duplicate resource URN 'urn:x'; try giving it a unique name{where}"
    )

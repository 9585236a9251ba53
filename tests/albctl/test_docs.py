"""docs/operations.md and the READMEs stay true to albctl and the platform: the IAM policy
lists exactly the actions albctl calls, the runbook has a section for every alarm
components/monitoring.py creates, and README.ko.md follows README.md section by section."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest

from albctl.aws import AWS_CALLS
from tests.harness import REPO

OPERATIONS = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = text.index(f"\n{heading}\n")
    following = re.search(rf"\n#{{1,{len(level)}}} ", text[start + len(heading) + 2 :])
    end = start + len(heading) + 2 + following.start() if following else len(text)
    return text[start:end]


def _iam_policy() -> dict[str, Any]:
    section = _section(OPERATIONS, "## IAM policy for albctl")
    policy: dict[str, Any] = json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])
    return policy


def test_the_policy_lists_exactly_the_actions_albctl_calls() -> None:
    statements = _iam_policy()["Statement"]
    actions = [statement["Action"] for statement in statements]
    assert sorted(actions) == sorted(AWS_CALLS.values())
    assert all(statement["Effect"] == "Allow" for statement in statements)


def test_the_policy_scopes_what_iam_can_scope() -> None:
    """DescribeTargetHealth and GetMetricData take no resource type (Resource "*", kept to
    the region); DescribeAlarms takes the alarm ARN (Service Authorization Reference)."""
    by_action = {statement["Action"]: statement for statement in _iam_policy()["Statement"]}
    region = {"StringEquals": {"aws:RequestedRegion": "ap-northeast-2"}}
    for action in ("elasticloadbalancing:DescribeTargetHealth", "cloudwatch:GetMetricData"):
        assert by_action[action]["Resource"] == "*"
        assert by_action[action]["Condition"] == region
    assert by_action["cloudwatch:DescribeAlarms"]["Resource"] == (
        "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:*"
    )


@pytest.mark.parametrize(("client", "operation"), sorted(AWS_CALLS))
def test_every_call_is_a_real_operation_of_its_service(client: str, operation: str) -> None:
    """And the IAM action names the same operation, under the service's IAM prefix."""
    model = boto3.session.Session().client(client, region_name="ap-northeast-2").meta
    assert operation in model.service_model.operation_names
    prefix = {"elbv2": "elasticloadbalancing", "cloudwatch": "cloudwatch"}[client]
    assert AWS_CALLS[client, operation] == f"{prefix}:{operation}"


def _alarm_kinds() -> set[str]:
    """Every alarm name components/monitoring.py passes to ``_alarm``, with ``{service}``
    spelled ``service``."""
    source = (REPO / "components" / "monitoring.py").read_text(encoding="utf-8")
    names = re.findall(r"self\._alarm\(\s*f?\"([^\"]+)\"", source)
    return {name.replace("{service}", "service") for name in names}


def test_the_runbook_covers_every_alarm() -> None:
    kinds = _alarm_kinds()
    assert {"elb-5xx-rate", "service-no-healthy-hosts", "waf-blocked-spike"} <= kinds
    runbook = _section(OPERATIONS, "## Alarm runbook")
    headings = set(re.findall(r"^### (\S+)$", runbook, flags=re.MULTILINE))
    assert headings == kinds
    for kind in kinds:
        section = _section(runbook, f"### {kind}")
        checks = re.findall(r"^\d\. ", section, flags=re.MULTILINE)
        assert len(checks) == 3, kind
        assert "albctl " in section, kind


def _headings(text: str) -> list[str]:
    in_code = False
    headings = []
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            headings.append(line.split(" ", 1)[0])
    return headings


def test_the_korean_readme_follows_the_readme() -> None:
    english = (REPO / "README.md").read_text(encoding="utf-8")
    korean = (REPO / "README.ko.md").read_text(encoding="utf-8")
    # The same sections at the same levels, and the same commands and links.
    assert _headings(korean) == _headings(english)
    code = re.compile(r"```[a-z]*\n(.*?)```", re.DOTALL)
    assert len(code.findall(korean)) == len(code.findall(english))
    links = re.compile(r"\]\(([^)#]+)")
    assert set(links.findall(korean)) - {"README.md"} == set(links.findall(english)) - {
        "README.ko.md"
    }
    assert "README.ko.md" in english.splitlines()[2]
    assert "README.md" in korean.splitlines()[2]
    for command in ("python -m albctl", "make preflight", "make test", "pulumi up"):
        assert command in english
        assert command in korean

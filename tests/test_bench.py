"""``make bench`` runs end to end (one synthetic size, one repetition) and writes its report."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from tests.harness import REPO, run_python

_SPEC = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
assert _SPEC is not None and _SPEC.loader is not None
bench = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_run"] = bench
_SPEC.loader.exec_module(bench)


def test_a_synthetic_stack_routes_each_service_by_its_own_path() -> None:
    text = bench.synthetic_stack(3)
    assert re.findall(r'pathPatterns: \["(/svc\d+/\*)"\]', text) == [
        "/svc000/*",
        "/svc001/*",
        "/svc002/*",
    ]
    with pytest.raises(ValueError, match="rule quota"):
        bench.synthetic_stack(bench.RULE_QUOTA + 1)


def test_the_floor_registers_the_documents_custom_resources() -> None:
    document = {
        "project": "p",
        "stack": "s",
        "resources": [
            {"urn": "u0", "type": "pulumi:pulumi:Stack", "name": "p-s", "custom": False},
            {"urn": "u1", "type": "pulumi:providers:aws", "name": "default", "custom": True},
            {"urn": "u2", "type": "alb:index:Service", "name": "svc", "custom": False},
            {
                "urn": "u3",
                "type": "aws:lb/targetGroup:TargetGroup",
                "name": "tg",
                "custom": True,
                "inputs": {"port": 80},
                "dependencies": ["u2"],
            },
        ],
    }
    spec = bench.floor_spec(document)
    assert [item["name"] for item in spec["resources"]] == ["tg"]
    assert spec["resources"][0]["inputs"] == {"port": 80}
    assert bench.python_module("aws:lb/targetGroup:TargetGroup") == "pulumi_aws.lb"
    assert bench.python_module("tls:index/privateKey:PrivateKey") == "pulumi_tls"


@pytest.mark.timeout(120)
def test_a_quick_run_prints_ratios_to_the_floor(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    completed = run_python(
        REPO / "bench" / "run.py",
        *("--quick", "--repetitions", "1", "--sizes", "1", "--stacks", ""),
        *("--output", output),
        timeout=110,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    row = next(line for line in lines if line.startswith("| svc1 "))
    values = [cell.strip() for cell in row.strip("|").split("|")]
    # (The ratio columns share their names: the dict keeps the last "x floor".)
    cells = dict(zip(header, values, strict=True))
    # the load balancer, its listeners, the bucket, the WAF, one service
    assert int(cells["custom resources"]) > 20
    # Each measured command is a min / median pair, each ratio a positive number.
    for column in (
        "floor min / median (s)",
        "program under plain mocks (s)",
        "preflight, no policies (s)",
        "with the policy pack (s)",
        "with the update check (s)",
    ):
        fastest, median = (float(value) for value in cells[column].split(" / "))
        assert 0 < fastest <= median, column
    assert [name for name in header if name.startswith("x ")] == [
        "x floor",
        "x floor",
        "x program",
        "x floor",
        "x floor",
    ]
    assert all(
        float(value) > 0
        for name, value in zip(header, values, strict=True)
        if name.startswith("x ")
    )
    document = output.read_text(encoding="utf-8")
    assert "## Method" in document and "Machine: " in document and row in document

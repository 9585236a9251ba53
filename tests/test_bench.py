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
    row = next(line for line in completed.stdout.splitlines() if line.startswith("| svc1 "))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    resources, no_policies_ratio, with_pack_ratio = int(cells[1]), cells[4], cells[6]
    assert resources > 20  # the load balancer, its listeners, the bucket, the WAF, one service
    assert float(no_policies_ratio) > 0 and float(with_pack_ratio) > 0
    document = output.read_text(encoding="utf-8")
    assert "## Method" in document and "Machine: " in document and row in document

"""Reports: text, the JSON document, the graph, and how secrets and unknowns appear in them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from preflight.cli import build_records, stable_order
from preflight.codec import decode, encode, mask, unmask
from preflight.records import UNKNOWN, Remediation, ResourceRecord, Secret, Violation
from preflight.report import (
    Plan,
    PlanWarning,
    ReportError,
    flatten_warnings,
    hazard_lines,
    output_change_lines,
    render_dot,
    render_json,
    render_text,
    summary_line,
    to_document,
    write_graph,
)

STACK = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"
COMPONENT = "urn:pulumi:dev::shop::shop:index:Site::site"
BUCKET = "urn:pulumi:dev::shop::shop:index:Site$aws:s3/bucket:Bucket::site-logs"
LB = "urn:pulumi:dev::shop::shop:index:Site$aws:lb/loadBalancer:LoadBalancer::site"
BUCKET_POLICY = (
    "urn:pulumi:dev::shop::shop:index:Site$aws:s3/bucketPolicy:BucketPolicy::site-logs-policy"
)
GONE = "urn:pulumi:dev::shop::shop:index:Old::gone"
ARCHIVE = "urn:pulumi:dev::shop::shop:index:Old$aws:s3/bucket:Bucket::archive"


def _plan(violations: list[Violation] | None = None) -> Plan:
    resources = [
        ResourceRecord(urn=STACK, type="pulumi:pulumi:Stack", name="shop-dev", custom=False),
        ResourceRecord(
            urn=COMPONENT, type="shop:index:Site", name="site", custom=False, parent=STACK
        ),
        ResourceRecord(
            urn=BUCKET,
            type="aws:s3/bucket:Bucket",
            name="site-logs",
            custom=True,
            parent=COMPONENT,
            protect=True,
            retain_on_delete=True,
            inputs={"bucket": "site-logs-1234567", "policy": Secret("{}")},
        ),
        ResourceRecord(
            urn=LB,
            type="aws:lb/loadBalancer:LoadBalancer",
            name="site",
            custom=True,
            parent=COMPONENT,
            dependencies=(BUCKET,),
            inputs={"name": "site-7654321", "dnsName": UNKNOWN},
        ),
    ]
    return Plan(
        project="shop",
        stack="dev",
        resources=resources,
        outputs={"url": "https://x", "token": Secret("hunter2"), "later": UNKNOWN},
        violations=violations or [],
        remediations=[
            Remediation(
                policy_pack="p",
                policy="alb-drop-invalid-headers",
                urn=LB,
                before={"dropInvalidHeaderFields": False},
                after={"dropInvalidHeaderFields": True},
            )
        ],
        policy_packs=[("alb-guardrails", "1.0.0")],
    )


def _violation(level: str, policy: str = "alb-https-required") -> Violation:
    return Violation(
        policy_pack="alb-guardrails",
        policy=policy,
        enforcement_level=level,
        urn=LB,
        message=f"{policy} says no",
    )


def _resource_document(urn: str, type_: str, name: str, **fields: Any) -> dict[str, Any]:
    """A resource in the JSON document, with the values of a record that sets nothing else."""
    return {
        "urn": urn,
        "type": type_,
        "name": name,
        "parent": None,
        "dependencies": [],
        "protect": False,
        "inputs": {},
        "outputs": {},
        "custom": True,
        "id": None,
        "provider": None,
        "retainOnDelete": False,
        "deleteBeforeReplace": False,
        **fields,
    }


def test_the_json_document_whole() -> None:
    plan = _plan([_violation("mandatory"), _violation("advisory", "alb-waf-logging")])
    plan.outputs["greeting"] = "안녕하세요 …"
    plan.remediations.append(
        Remediation(
            "alb-guardrails",
            "alb-desync-mitigation",
            LB,
            {"desyncMitigationMode": Secret("monitor")},
            {"desyncMitigationMode": "defensive"},
            "desync mitigation set to defensive",
        )
    )
    plan.warnings = [PlanWarning("program-warning", "deprecated", LB)]
    plan.policy_packs.append(("local", ""))
    document = {
        "project": "shop",
        "stack": "dev",
        "resources": [
            _resource_document(STACK, "pulumi:pulumi:Stack", "shop-dev", custom=False),
            _resource_document(COMPONENT, "shop:index:Site", "site", parent=STACK, custom=False),
            _resource_document(
                BUCKET,
                "aws:s3/bucket:Bucket",
                "site-logs",
                parent=COMPONENT,
                protect=True,
                retainOnDelete=True,
                inputs={"bucket": "site-logs-1234567", "policy": "[secret]"},
            ),
            _resource_document(
                LB,
                "aws:lb/loadBalancer:LoadBalancer",
                "site",
                parent=COMPONENT,
                dependencies=[BUCKET],
                inputs={"name": "site-7654321", "dnsName": "[unknown]"},
            ),
        ],
        "outputs": {
            "url": "https://x",
            "token": "[secret]",
            "later": "[unknown]",
            "greeting": "안녕하세요 …",
        },
        "secretOutputs": ["token"],
        "violations": [
            {
                "policyPack": "alb-guardrails",
                "policy": policy,
                "enforcementLevel": level,
                "urn": LB,
                "message": f"{policy} says no",
                "severity": "",
            }
            for level, policy in (
                ("mandatory", "alb-https-required"),
                ("advisory", "alb-waf-logging"),
            )
        ],
        "remediations": [
            {
                "policyPack": "p",
                "policy": "alb-drop-invalid-headers",
                "urn": LB,
                "before": {"dropInvalidHeaderFields": False},
                "after": {"dropInvalidHeaderFields": True},
                "diagnostic": "",
            },
            {
                "policyPack": "alb-guardrails",
                "policy": "alb-desync-mitigation",
                "urn": LB,
                "before": {"desyncMitigationMode": "[secret]"},
                "after": {"desyncMitigationMode": "defensive"},
                "diagnostic": "desync mitigation set to defensive",
            },
        ],
        "warnings": [{"kind": "program-warning", "message": "deprecated", "urn": LB}],
        "policyPacks": [
            {"name": "alb-guardrails", "version": "1.0.0"},
            {"name": "local", "version": ""},
        ],
        "summary": {
            "resources": 4,
            "mandatory": 1,
            "advisory": 1,
            "criticalPath": [
                {"urn": BUCKET, "type": "aws:s3/bucket:Bucket", "name": "site-logs"},
                {"urn": LB, "type": "aws:lb/loadBalancer:LoadBalancer", "name": "site"},
            ],
            "waves": [[BUCKET], [LB]],
        },
    }
    # Indented by two, and UTF-8 text as it is (not \u escapes).
    assert render_json(plan) == json.dumps(document, indent=2, ensure_ascii=False)
    assert "hunter2" not in render_json(plan) and "monitor" not in render_json(plan)


def test_text_report_tree_violations_and_summary() -> None:
    text = render_text(
        _plan([_violation("mandatory"), _violation("advisory", "waf-logging-enabled")])
    )
    lines = text.splitlines()
    assert "  pulumi:pulumi:Stack  shop-dev" in lines
    assert "  └─ shop:index:Site  site" in lines
    assert "     ├─ aws:s3/bucket:Bucket  site-logs  [protect, retain]" in lines
    assert "     └─ aws:lb/loadBalancer:LoadBalancer  site" in lines
    assert text.index("Policy violations: mandatory (1)") < text.index(
        "Policy violations: advisory"
    )
    assert "  [alb-guardrails] alb-https-required  aws:lb/loadBalancer:LoadBalancer  site" in lines
    assert "      alb-https-required says no" in lines
    assert "      dropInvalidHeaderFields: false -> true" in lines
    assert any(line.startswith("  token") and line.endswith("[secret]") for line in lines)
    assert "hunter2" not in text
    assert lines[-1] == summary_line(_plan([_violation("mandatory"), _violation("advisory")]))
    assert lines[-1].startswith("FAIL: 4 resources, 1 mandatory and 1 advisory")


def test_summary_without_violations_is_ok() -> None:
    assert summary_line(_plan()).startswith("OK: 4 resources, 0 mandatory")


def test_the_text_report_of_an_empty_plan_whole() -> None:
    assert render_text(Plan("shop", "dev", [], {})) == "\n".join(
        [
            "Preflight: project shop, stack dev",
            "",
            "Resources (0):",
            "",
            "OK: 0 resources, 0 mandatory and 0 advisory violations, 0 warnings (no policy packs)",
            "",
        ]
    )


def test_dot_graph_has_dependency_and_parent_edges() -> None:
    dot = render_dot(_plan())
    assert 'r3 [label="site\\naws:lb/loadBalancer:LoadBalancer"];' in dot
    assert "  r3 -> r2;" in dot  # the load balancer depends on the bucket
    assert "  r1 -> r2 [style=dashed, arrowhead=none];" in dot  # component → child


def test_wire_encoding_round_trips_secrets_and_unknowns() -> None:
    value = {"a": Secret({"b": [1, UNKNOWN]}), "c": UNKNOWN, "d": [Secret("x")]}
    encoded = json.loads(json.dumps(encode(value)))
    assert encoded["c"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert encoded["a"]["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    assert decode(encoded) == value


def test_report_values_unmask_to_secrets_without_plaintext() -> None:
    masked = mask({"token": Secret("hunter2"), "url": "u", "later": UNKNOWN})
    assert masked == {"token": "[secret]", "url": "u", "later": "[unknown]"}
    assert unmask(masked) == {"token": Secret("[secret]"), "url": "u", "later": UNKNOWN}


def test_records_are_built_from_events_in_dependency_order() -> None:
    events = [
        {
            "event": "resource",
            "urn": LB,
            "type": "aws:lb/loadBalancer:LoadBalancer",
            "name": "site",
            "custom": True,
            "parent": COMPONENT,
            "dependencies": [BUCKET],
            "inputs": {"name": "n"},
            "outputs": {"arn": "a"},
        },
        {
            "event": "resource",
            "urn": BUCKET,
            "type": "aws:s3/bucket:Bucket",
            "name": "site-logs",
            "custom": True,
            "parent": COMPONENT,
            "protect": True,
            "inputs": encode({"p": Secret(1)}),
        },
        {
            "event": "resource",
            "urn": COMPONENT,
            "type": "shop:index:Site",
            "name": "site",
            "custom": False,
            "parent": STACK,
        },
        {
            "event": "resource",
            "urn": STACK,
            "type": "pulumi:pulumi:Stack",
            "name": "shop-dev",
            "custom": False,
            "parent": None,
        },
        {"event": "outputs", "urn": COMPONENT, "outputs": {"url": "u"}},
    ]
    records = build_records(events, {"url": "u"})
    assert [record.urn for record in records] == [STACK, COMPONENT, BUCKET, LB]
    assert records[1].outputs == {"url": "u"}
    assert records[2].inputs == {"p": Secret(1)} and records[2].protect is True
    assert records[0].outputs == {"url": "u"}
    assert stable_order(list(reversed(records))) == records


@pytest.mark.parametrize("level", ["mandatory", "advisory", "remediate"])
def test_each_level_is_its_own_group(level: str) -> None:
    assert f"Policy violations: {level} (1)" in render_text(_plan([_violation(level)]))
    assert to_document(_plan([_violation(level)]))["summary"]["mandatory"] == (
        1 if level == "mandatory" else 0
    )


def test_secrets_and_unknowns_inside_lists_and_tuples_are_masked_and_unmasked() -> None:
    recorded = {
        "actions": [
            {"authenticateOidc": {"clientSecret": Secret("s3cr3t"), "clientId": "alb"}},
            {"forward": {"targetGroups": [UNKNOWN, "arn:tg"]}},
        ],
        "pair": (Secret(["nested", "list"]), 2),
        "plain": [1, 2.5, None, True],
    }
    masked = mask(recorded)
    assert masked == {
        "actions": [
            {"authenticateOidc": {"clientSecret": "[secret]", "clientId": "alb"}},
            {"forward": {"targetGroups": ["[unknown]", "arn:tg"]}},
        ],
        "pair": ["[secret]", 2],
        "plain": [1, 2.5, None, True],
    }
    assert "s3cr3t" not in json.dumps(masked)
    assert unmask(masked) == {
        "actions": [
            {"authenticateOidc": {"clientSecret": Secret("[secret]"), "clientId": "alb"}},
            {"forward": {"targetGroups": [UNKNOWN, "arn:tg"]}},
        ],
        "pair": [Secret("[secret]"), 2],
        "plain": [1, 2.5, None, True],
    }


def test_the_text_report_whole() -> None:
    plan = _plan(
        [
            _violation("mandatory"),
            Violation("alb-guardrails", "alb-waf-attached", "advisory", None, "one\ntwo"),
        ]
    )
    # A child of a resource that is not the last of its parent's, and a resource whose parent
    # was not recorded (shown at the top).
    plan.resources[3:3] = [
        ResourceRecord(
            urn=BUCKET_POLICY,
            type="aws:s3/bucketPolicy:BucketPolicy",
            name="site-logs-policy",
            custom=True,
            parent=BUCKET,
            dependencies=(BUCKET,),
        )
    ]
    plan.resources.append(
        ResourceRecord(
            urn=ARCHIVE, type="aws:s3/bucket:Bucket", name="archive", custom=True, parent=GONE
        )
    )
    plan.outputs.update(
        {"nested": {"names": ["a", "é"], "key": Secret("x")}, "empty": [], "greeting": "안녕"}
    )
    plan.violations.append(
        Violation("alb-guardrails", "alb-multi-az", "advisory", GONE, "not recorded")
    )
    plan.policy_packs.append(("local", ""))
    plan.warnings = [PlanWarning("unmodelled-invoke", "invoke t:m:f is not modelled offline")]
    plan.remediations.append(
        Remediation(
            "p",
            "alb-desync-mitigation",
            LB,
            {"ports": list(range(40)), "same": 1, "gone": "x"},
            {"ports": list(range(41)), "same": 1},
        )
    )
    # A value of exactly 60 characters is shown whole, a longer one cut at 60.
    cidrs = [f"10.{index}.0.0/16" for index in range(5)]
    plan.remediations.append(
        Remediation("p", "alb-cidrs", GONE, {"cidrs": cidrs[:4]}, {"cidrs": cidrs})
    )
    ports = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, …"
    cidrs_before = '["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"]'
    cidrs_after = '["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"…'
    assert render_text(plan) == "\n".join(
        [
            "Preflight: project shop, stack dev",
            "",
            "Resources (6):",
            "  pulumi:pulumi:Stack  shop-dev",
            "  └─ shop:index:Site  site",
            "     ├─ aws:s3/bucket:Bucket  site-logs  [protect, retain]",
            "     │  └─ aws:s3/bucketPolicy:BucketPolicy  site-logs-policy",
            "     └─ aws:lb/loadBalancer:LoadBalancer  site",
            "  aws:s3/bucket:Bucket  archive",
            "",
            "Outputs:",
            "  empty     []",
            '  greeting  "안녕"',
            "  later     [unknown]",
            "  nested    {",
            '              "key": "[secret]",',
            '              "names": [',
            '                "a",',
            '                "é"',
            "              ]",
            "            }",
            "  token     [secret]",
            '  url       "https://x"',
            "",
            "Critical path (2 operations, each waits for the one before):",
            "  1. aws:s3/bucket:Bucket  site-logs",
            "  2. aws:s3/bucketPolicy:BucketPolicy  site-logs-policy",
            "Deploy waves (2):",
            "  1. 2: 2 Bucket",
            "  2. 2: 1 BucketPolicy, 1 LoadBalancer",
            "",
            "Warnings:",
            "  - invoke t:m:f is not modelled offline",
            "",
            "Policy violations: mandatory (1)",
            "  [alb-guardrails] alb-https-required  aws:lb/loadBalancer:LoadBalancer  site",
            "      alb-https-required says no",
            "",
            "Policy violations: advisory (2)",
            "  [alb-guardrails] alb-waf-attached  (stack)",
            "      one",
            "      two",
            f"  [alb-guardrails] alb-multi-az  {GONE}",
            "      not recorded",
            "",
            "Remediations (what a remediate-level policy would change):",
            "  [p] alb-drop-invalid-headers  aws:lb/loadBalancer:LoadBalancer  site",
            "      dropInvalidHeaderFields: false -> true",
            "  [p] alb-desync-mitigation  aws:lb/loadBalancer:LoadBalancer  site",
            '      gone: "x" -> null',
            f"      ports: {ports} -> {ports}",
            f"  [p] alb-cidrs  {GONE}",
            f"      cidrs: {cidrs_before} -> {cidrs_after}",
            "",
            "FAIL: 6 resources, 1 mandatory and 2 advisory violations, 1 warnings (checked by "
            "alb-guardrails 1.0.0, local)",
            "",
        ]
    )
    assert "hunter2" not in render_text(plan)


def test_the_dot_graph_whole() -> None:
    assert render_dot(_plan()) == "\n".join(
        [
            'digraph "shop-dev" {',
            "  rankdir=LR;",
            '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
            '  r0 [label="shop-dev\\npulumi:pulumi:Stack", style="rounded,dashed"];',
            '  r1 [label="site\\nshop:index:Site", style="rounded,dashed"];',
            '  r2 [label="site-logs\\naws:s3/bucket:Bucket"];',
            '  r3 [label="site\\naws:lb/loadBalancer:LoadBalancer"];',
            "  r0 -> r1 [style=dashed, arrowhead=none];",
            "  r1 -> r2 [style=dashed, arrowhead=none];",
            "  r1 -> r3 [style=dashed, arrowhead=none];",
            "  r3 -> r2;",
            "}",
            "",
        ]
    )


def test_dot_names_escape_quotes_and_backslashes() -> None:
    record = ResourceRecord(
        urn="urn:pulumi:dev::shop::t:m:R::quoted",
        type='t:m:R"',
        name='say "hi" \\ bye',
        custom=True,
    )
    assert render_dot(Plan('my "shop"', "dev\\1", [record], {})) == "\n".join(
        [
            r'digraph "my \"shop\"-dev\\1" {',
            "  rankdir=LR;",
            '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
            r'  r0 [label="say \"hi\" \\ bye\nt:m:R\""];',
            "}",
            "",
        ]
    )


# A stand-in for Graphviz's `dot`: it records its arguments and what it reads, writes an SVG to
# the file after -o, and fails as dot does on bad input when it is told to.
FAKE_DOT = """#!/bin/sh
here=$(dirname "$0")
printf '%s\\n' "$@" > "$here/arguments"
cat > "$here/input"
if [ -e "$here/fail" ]; then
    echo "Error: <stdin>: syntax error in line 1 near '->'" >&2
    exit 1
fi
printf '<svg/>\\n' > "$3"
"""


@pytest.mark.parametrize("fails", [False, True])
def test_an_svg_graph_is_drawn_by_graphviz_dot(
    fails: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "dot").write_text(FAKE_DOT, encoding="utf-8")
    (tools / "dot").chmod(0o755)
    if fails:
        (tools / "fail").touch()
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    svg = tmp_path / "out" / "graphs" / "shop.svg"
    if fails:
        with pytest.raises(ReportError) as error:
            write_graph(_plan(), svg)
        assert str(error.value) == (
            f"cannot write {svg}: dot failed: Error: <stdin>: syntax error in line 1 near '->'"
        )
    else:
        write_graph(_plan(), svg)
        assert svg.read_text(encoding="utf-8") == "<svg/>\n"
    assert (tools / "arguments").read_text().splitlines() == ["-Tsvg", "-o", str(svg)]
    assert (tools / "input").read_text(encoding="utf-8") == render_dot(_plan())


def test_a_dot_file_is_written_and_svg_without_graphviz_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_graph(_plan(), tmp_path / "out" / "graph.dot")
    assert (tmp_path / "out" / "graph.dot").read_text(encoding="utf-8") == render_dot(_plan())
    monkeypatch.setattr("preflight.report.shutil.which", lambda name: None)
    with pytest.raises(ReportError) as error:
        write_graph(_plan(), tmp_path / "graph.SVG")
    assert str(error.value) == (
        f"cannot write {tmp_path / 'graph.SVG'}: SVG needs Graphviz's `dot` (apt-get install "
        f"graphviz); write {tmp_path / 'graph.dot'} instead to get the DOT source"
    )


def test_update_hazards_and_output_changes_are_listed_with_wrapped_messages() -> None:
    from preflight.compare import OutputChange
    from preflight.hazards import Hazard

    # Words never break, a URN longer than a line included, and a line holds 96 characters.
    old = (
        "urn:pulumi:prod::alb::alb:index:LoadBalancer$aws:lb/listenerRule:ListenerRule::"
        "alb-rules-old"
    )
    hazard = Hazard(
        "priority-in-use",
        ("a",),
        f"{old} still holds priority 38160, which aws:lb/listenerRule:ListenerRule "
        "alb-prod-rules-38160 now takes; AWS refuses the create with PriorityInUse",
    )
    assert hazard_lines([hazard]) == [
        "Update hazards (1): the update would fail on AWS or in the engine",
        "  [priority-in-use]",
        f"      {old}",
        "      still holds priority 38160, which aws:lb/listenerRule:ListenerRule "
        "alb-prod-rules-38160",
        "      now takes; AWS refuses the create with PriorityInUse",
        "",
    ]
    change = OutputChange(
        "targetGroups.api.arn",
        "changed",
        "the target group is replaced, so every consumer's attachment points at a deleted "
        "group until it is updated",
    )
    assert output_change_lines([change]) == [
        "Output changes (1): programs that read these outputs are affected",
        "  [changed] targetGroups.api.arn",
        "      the target group is replaced, so every consumer's attachment points at a deleted "
        "group",
        "      until it is updated",
        "",
    ]
    assert hazard_lines([]) == [] and output_change_lines([]) == []


def test_warnings_are_the_runner_warnings_and_the_programs_warning_and_error_logs() -> None:
    events = [
        {"event": "resource", "urn": LB, "type": "aws:lb/loadBalancer:LoadBalancer"},
        {"event": "invoke", "token": "aws:index/getRegion:getRegion", "modelled": True},
        {
            "event": "warning",
            "kind": "unmodelled-invoke",
            "token": "t:m:f",
            "message": "invoke t:m:f is not modelled offline; it returned an empty result",
        },
        {
            "event": "warning",
            "kind": "partial-invoke",
            "token": "aws:ec2/getVpc:getVpc",
            "message": "invoke aws:ec2/getVpc:getVpc: no VPC is modelled",
        },
        {"event": "log", "severity": "info", "message": "planning", "urn": None},
        {"event": "log", "severity": "warning", "message": "  deprecated input\n", "urn": LB},
        {"event": "log", "severity": "error", "message": "no region", "urn": None},
        {"event": "error", "kind": "program", "message": "boom", "traceback": ""},
    ]
    assert flatten_warnings(events) == [
        PlanWarning(
            "unmodelled-invoke", "invoke t:m:f is not modelled offline; it returned an empty result"
        ),
        PlanWarning("partial-invoke", "invoke aws:ec2/getVpc:getVpc: no VPC is modelled"),
        PlanWarning("program-warning", "deprecated input", LB),
        PlanWarning("program-error", "no region"),
    ]

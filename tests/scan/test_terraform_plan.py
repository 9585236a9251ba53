"""``--terraform-plan``: the export of dev, prod and the fixture programs, read by the real checkov.

checkov starts slowly, so one session-scoped run scans every export at once; the tests read its
report. checkov comes from its own virtualenv (``make venv`` builds tools/checkov/venv from
requirements-scan.txt), and a missing checkov is a failure, not a skip: CI must run these.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from preflight import terraform_plan
from preflight.records import UNKNOWN, ResourceRecord, Secret
from preflight.terraform_plan import derive
from tests.harness import POLICY_PACK, PROGRAMS, REPO, Run, run_preflight, write_program

CHECKOV = REPO / "tools" / "checkov" / "venv" / "bin" / "checkov"

# The ALB controls both the pack and checkov enforce (docs/scanners.md has the full table).
SHARED_ALB_CONTROLS = {
    "CKV_AWS_2": "HTTPS listener",
    "CKV2_AWS_20": "HTTP redirects to HTTPS",
    "CKV_AWS_91": "access logs",
    "CKV_AWS_103": "TLS policy",
    "CKV_AWS_131": "drop invalid headers",
    "CKV_AWS_328": "desync mitigation",
    "CKV2_AWS_28": "WAF association",
    "CKV2_AWS_31": "WAF logging",
}


@pytest.fixture(scope="session")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Run]]:
    """Each plan's export and its preflight run: dev and prod, the walkthrough (with the pack,
    so its violations are known) and the compliant fixture."""
    directory = tmp_path_factory.mktemp("terraform-plans")
    runs: dict[str, tuple[Path, Run]] = {}
    plans: dict[str, tuple[str | Path, ...]] = {
        "dev": ("--stack", "dev", "--policy-pack", "none"),
        "prod": ("--stack", "prod", "--policy-pack", "none"),
        "walkthrough": ("--program", PROGRAMS / "walkthrough", "--policy-pack", POLICY_PACK),
        "compliant": ("--program", PROGRAMS / "compliant", "--policy-pack", POLICY_PACK),
    }
    for name, args in plans.items():
        path = directory / f"{name}.json"
        run = run_preflight(*args, "--json", "--terraform-plan", path)
        assert run.returncode in (0, 1), run.stderr
        runs[name] = (path, run)
    return runs


@pytest.fixture(scope="session")
def checkov(exports: dict[str, tuple[Path, Run]]) -> dict[str, Any]:
    """checkov's JSON report of all the exports, in one run."""
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: `make venv` installs requirements-scan.txt there")
    files = [argument for path, _ in exports.values() for argument in ("--file", str(path))]
    # Run outside the repository, so that checkov reports every check, without the skip list
    # it would read from ./.checkov.yaml.
    completed = subprocess.run(
        [str(CHECKOV), *files, "--framework", "terraform_plan", "--skip-download", "-o", "json"],
        cwd=next(iter(exports.values()))[0].parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    report: dict[str, Any] = json.loads(completed.stdout)
    return report


def results(report: dict[str, Any], plan: str, outcome: str) -> dict[str, set[str]]:
    """check ID → the resources of ``plan`` with that outcome (``passed`` or ``failed``)."""
    found: dict[str, set[str]] = {}
    for result in report["results"][f"{outcome}_checks"]:
        if Path(result["file_path"]).stem == plan:
            found.setdefault(result["check_id"], set()).add(result["resource"])
    return found


def document(exports: dict[str, tuple[Path, Run]], plan: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(exports[plan][0].read_text(encoding="utf-8"))
    return loaded


def configured(plan: dict[str, Any], address: str) -> dict[str, Any]:
    [resource] = [
        item
        for item in plan["configuration"]["root_module"]["resources"]
        if item["address"] == address
    ]
    return resource


def planned(plan: dict[str, Any], address: str) -> dict[str, Any]:
    [resource] = [
        item
        for item in plan["planned_values"]["root_module"]["resources"]
        if item["address"] == address
    ]
    return resource


# --- checkov reads every export ------------------------------------------------------------


def test_checkov_parses_every_export_and_scans_every_exported_resource(
    exports: dict[str, tuple[Path, Run]], checkov: dict[str, Any]
) -> None:
    assert checkov["summary"]["parsing_errors"] == 0
    exported = sum(
        len(document(exports, plan)["planned_values"]["root_module"]["resources"])
        for plan in exports
    )
    assert checkov["summary"]["resource_count"] == exported


@pytest.mark.parametrize("plan", ["dev", "prod", "compliant"])
def test_compliant_programs_pass_the_alb_controls_the_pack_enforces(
    checkov: dict[str, Any], plan: str
) -> None:
    failed = results(checkov, plan, "failed")
    passed = results(checkov, plan, "passed")
    assert {check: failed[check] for check in SHARED_ALB_CONTROLS if check in failed} == {}
    # Each control ran (the graph checks need the references between resources).
    assert set(SHARED_ALB_CONTROLS) <= set(passed)


def test_checkov_fails_the_walkthrough_where_the_pack_does(
    exports: dict[str, tuple[Path, Run]], checkov: dict[str, Any]
) -> None:
    violations = {
        (violation["policy"], violation["urn"].rsplit("::", 1)[-1])
        for violation in exports["walkthrough"][1].document["violations"]
    }
    failed = results(checkov, "walkthrough", "failed")
    # Each pack violation, and checkov's failures for the same control.
    same_control = {
        ("alb-access-logs-enabled", "alb"): ("CKV_AWS_91", "aws_lb.alb"),
        ("alb-drop-invalid-headers", "alb"): ("CKV_AWS_131", "aws_lb.alb"),
        ("alb-tls-policy", "https"): ("CKV_AWS_103", "aws_lb_listener.https"),
        ("alb-http-redirect-only", "http"): ("CKV_AWS_2", "aws_lb_listener.http"),
        ("alb-waf-attached", "alb"): ("CKV2_AWS_28", "aws_lb.alb"),
        ("alb-target-group-health-check", "web-targets"): (
            "CKV_AWS_261",
            "aws_lb_target_group.web-targets",
        ),
        ("alb-target-group-health-check", "api-targets"): (
            "CKV_AWS_261",
            "aws_lb_target_group.api-targets",
        ),
    }
    assert set(same_control) <= violations
    for check, resource in same_control.values():
        assert resource in failed.get(check, set()), (check, resource)
    # Deletion protection: checkov asks for it everywhere, the pack on the stacks in
    # protectedStacks only (the walk-through runs as dev).
    assert "aws_lb.alb" in failed["CKV_AWS_150"]
    assert ("alb-deletion-protection", "alb") not in violations
    # The redirect control as checkov's graph check reads it: from the ALB to its listeners.
    assert failed["CKV2_AWS_20"] == {"aws_lb.alb"}


# --- what the export holds -----------------------------------------------------------------


def test_the_export_uses_terraform_types_names_and_block_shapes(
    exports: dict[str, tuple[Path, Run]],
) -> None:
    plan = document(exports, "dev")
    assert plan["format_version"] == "1.2"
    load_balancer = planned(plan, "aws_lb.alb-dev")
    assert load_balancer["type"] == "aws_lb"
    values = load_balancer["values"]
    # A block of at most one element is a one-element list, as Terraform writes it.
    assert values["access_logs"] == [
        {"enabled": True, "bucket": values["access_logs"][0]["bucket"], "prefix": "alb/access"}
    ]
    assert values["drop_invalid_header_fields"] is True
    assert values["desync_mitigation_mode"] == "defensive"
    http = planned(plan, "aws_lb_listener.alb-dev-http")["values"]
    assert http["default_action"] == [
        {
            "type": "redirect",
            "redirect": [{"protocol": "HTTPS", "status_code": "HTTP_301", "port": "443"}],
        }
    ]
    assert "defaultActions" not in http
    [change] = [c for c in plan["resource_changes"] if c["address"] == "aws_lb.alb-dev"]
    assert change["change"]["actions"] == ["create"]
    assert change["change"]["after"] == values


def test_references_come_from_the_recorded_property_dependencies(
    exports: dict[str, tuple[Path, Run]],
) -> None:
    plan = document(exports, "dev")
    https = configured(plan, "aws_lb_listener.alb-dev-https")["expressions"]
    assert https["load_balancer_arn"] == {"references": ["aws_lb.alb-dev.arn", "aws_lb.alb-dev"]}
    assert https["certificate_arn"] == {
        "references": ["aws_acm_certificate.alb-dev-cert.arn", "aws_acm_certificate.alb-dev-cert"]
    }
    # Inside a block, the reference sits on the attribute that holds the target's value.
    [action] = https["default_action"]
    assert action["target_group_arn"] == {
        "references": ["aws_lb_target_group.alb-dev-web.arn", "aws_lb_target_group.alb-dev-web"]
    }
    assert action["type"] == {"constant_value": "forward"}
    association = configured(plan, "aws_wafv2_web_acl_association.alb-dev-waf-association")[
        "expressions"
    ]
    assert association["resource_arn"]["references"][-1] == "aws_lb.alb-dev"
    assert association["web_acl_arn"]["references"][-1] == "aws_wafv2_web_acl.alb-dev-waf"
    # A bucket policy built from the bucket's ARN refers to the bucket.
    policy = configured(plan, "aws_s3_bucket_policy.alb-dev-logs-policy")["expressions"]
    assert "aws_s3_bucket.alb-dev-logs" in policy["policy"]["references"]
    assert plan["configuration"]["provider_config"]["aws"]["expressions"]["region"] == {
        "constant_value": "ap-northeast-2"
    }


def test_resources_without_a_terraform_type_are_left_out_with_a_warning(
    exports: dict[str, tuple[Path, Run]],
) -> None:
    plan = document(exports, "dev")
    types = {item["type"] for item in plan["resource_changes"]}
    assert not any(kind.startswith("tls_") for kind in types)
    warning = (
        "left out of the Terraform plan (no Terraform type in "
        "preflight/terraform_plan/types.json): tls:index/privateKey:PrivateKey (1), "
        "tls:index/selfSignedCert:SelfSignedCert (1)"
    )
    run = exports["dev"][1]
    assert f"preflight: warning: {warning}\n" in run.stderr
    assert {"kind": "terraform-plan", "message": warning, "urn": None} in run.document["warnings"]


# --- secrets -------------------------------------------------------------------------------

OIDC_SECRET = "oidc-client-secret-3f9a"
PROGRAM_SECRET = "program-secret-7c1e"

SECRETS_PROGRAM = f'''
import pulumi
import pulumi_aws as aws

alb = aws.lb.LoadBalancer("alb", subnets=["subnet-0a1b2c3d", "subnet-4e5f6a7b"])
oidc = {{
    "authorization_endpoint": "https://idp.example.com/authorize",
    "client_id": "alb",
    "client_secret": "{OIDC_SECRET}",
    "issuer": "https://idp.example.com",
    "token_endpoint": "https://idp.example.com/token",
    "user_info_endpoint": "https://idp.example.com/userinfo",
}}
https = aws.lb.Listener(
    "https",
    load_balancer_arn=alb.arn,
    port=443,
    protocol="HTTPS",
    certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c",
    default_actions=[
        {{"type": "authenticate-oidc", "order": 1, "authenticate_oidc": oidc}},
        {{"type": "fixed-response", "order": 2,
          "fixed_response": {{"content_type": "text/plain", "status_code": "200"}}}},
    ],
)
aws.lb.ListenerRule(
    "admin",
    listener_arn=https.arn,
    priority=10,
    conditions=[{{"path_pattern": {{"values": ["/admin/*"]}}}}],
    actions=[
        {{"type": "authenticate-oidc", "order": 1, "authenticate_oidc": oidc}},
        {{"type": "fixed-response", "order": 2,
          "fixed_response": {{"content_type": "text/plain", "status_code": "200"}}}},
    ],
)
aws.sns.Topic("alarms", display_name=pulumi.Output.secret("{PROGRAM_SECRET}"))
pulumi.export("displayName", pulumi.Output.secret("{PROGRAM_SECRET}"))
'''


@pytest.fixture(scope="module")
def secrets_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_program(
        tmp_path_factory.mktemp("secrets") / "oidc",
        SECRETS_PROGRAM,
        "config:\n  aws:region: us-east-1\n",
    )


@pytest.mark.parametrize("report", ["text", "json"])
def test_no_secret_reaches_the_report_or_the_export(
    secrets_program: Path, tmp_path: Path, report: str
) -> None:
    export = tmp_path / "plan.json"
    args = ["--json"] if report == "json" else []
    run = run_preflight("--program", secrets_program, *args, "--terraform-plan", export)
    assert run.returncode == 0, run.stderr
    text = export.read_text(encoding="utf-8")
    for output in (run.stdout, run.stderr, text):
        assert OIDC_SECRET not in output
        assert PROGRAM_SECRET not in output
    if report == "json":
        [listener] = [r for r in run.document["resources"] if r["name"] == "https"]
        assert listener["inputs"]["defaultActions"][0]["authenticateOidc"]["clientSecret"] == (
            "[secret]"
        )
        assert run.document["secretOutputs"] == ["displayName"]
    plan = json.loads(text)
    listener_change = next(
        c for c in plan["resource_changes"] if c["address"] == "aws_lb_listener.https"
    )
    assert listener_change["change"]["after_sensitive"] == {
        "default_action": [{"authenticate_oidc": [{"client_secret": True}]}, {}]
    }
    oidc = listener_change["change"]["after"]["default_action"][0]["authenticate_oidc"][0]
    assert oidc["client_secret"] is None
    assert oidc["client_id"] == "alb"
    rule_change = next(
        c for c in plan["resource_changes"] if c["address"] == "aws_lb_listener_rule.admin"
    )
    assert rule_change["change"]["after_sensitive"] == {
        "action": [{"authenticate_oidc": [{"client_secret": True}]}, {}]
    }
    topic = next(c for c in plan["resource_changes"] if c["address"] == "aws_sns_topic.alarms")
    assert topic["change"]["after"]["display_name"] is None
    assert topic["change"]["after_sensitive"] == {"display_name": True}
    expressions = configured(plan, "aws_lb_listener.https")["expressions"]
    assert "client_secret" not in expressions["default_action"][0]["authenticate_oidc"][0]


# --- the type table ------------------------------------------------------------------------


def test_the_type_table_matches_the_installed_pulumi_aws() -> None:
    mapping = json.loads(derive.MAPPING.read_text(encoding="utf-8"))
    assert derive.TYPES.read_text(encoding="utf-8") == derive.render(derive.derive(mapping)), (
        "preflight/terraform_plan/types.json is stale: run "
        "`venv/bin/python -m preflight.terraform_plan.derive`"
    )


def record(kind: str, name: str, **fields: Any) -> ResourceRecord:
    urn = f"urn:pulumi:dev::p::{kind}::{name}"
    return ResourceRecord(urn=urn, type=kind, name=name, custom=True, **fields)


def test_names_are_terraform_identifiers_unique_per_type() -> None:
    records = [
        record("aws:sns/topic:Topic", "1st alerts"),
        ResourceRecord(
            urn="urn:pulumi:dev::p::alb:index:Team$aws:sns/topic:Topic::1st alerts",
            type="aws:sns/topic:Topic",
            name="1st alerts",
            custom=True,
        ),
        record("aws:cloudwatch/logGroup:LogGroup", "1st alerts"),
    ]
    addresses = [
        change["address"] for change in terraform_plan.export(records).document["resource_changes"]
    ]
    assert addresses == [
        "aws_sns_topic._1st_alerts",
        "aws_sns_topic._1st_alerts_2",
        "aws_cloudwatch_log_group._1st_alerts",
    ]


def test_unknown_values_are_marked_after_unknown_not_written() -> None:
    records = [
        record(
            "aws:lb/loadBalancer:LoadBalancer",
            "alb",
            outputs={"dnsName": UNKNOWN, "accessLogs": {"bucket": UNKNOWN, "enabled": True}},
        )
    ]
    [change] = terraform_plan.export(records).document["resource_changes"]
    assert change["change"]["after"] == {"access_logs": [{"enabled": True}]}
    assert change["change"]["after_unknown"] == {
        "dns_name": True,
        "access_logs": [{"bucket": True}],
    }


def test_schema_secrets_are_marked_even_when_the_program_passed_plain_strings() -> None:
    inputs: dict[str, Any] = {
        "defaultActions": [
            {"type": "authenticate-oidc", "authenticateOidc": {"clientSecret": "s3cr3t"}},
            {"type": "fixed-response"},
        ]
    }
    marked = terraform_plan.mark_schema_secrets("aws:lb/listener:Listener", inputs)
    assert marked["defaultActions"][0]["authenticateOidc"]["clientSecret"] == Secret("s3cr3t")
    assert marked["defaultActions"][1] == {"type": "fixed-response"}
    assert inputs["defaultActions"][0]["authenticateOidc"]["clientSecret"] == "s3cr3t"
    assert terraform_plan.mark_schema_secrets("aws:sns/topic:Topic", inputs) is inputs

"""Stack files are read as YAML 1.2, as the Pulumi CLI (Go's yaml.v3) reads them.

Under YAML 1.1 (PyYAML's default), `blockedCountries: [NO]` is `[false]`: Norway becomes a
boolean. In the 1.2 core schema only true/false are booleans, and dates are text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.project import ProjectError, load_project, load_stack_config
from tests.harness import REPO, copy_program, write_stack
from tests.program.program_harness import run_in_process, stack_values


def values(tmp_path: Path, stack_yaml: str) -> dict[str, str]:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml, encoding="utf-8")
    return load_stack_config(load_project(tmp_path), "dev").values


@pytest.mark.parametrize("word", ["NO", "no", "No", "yes", "Yes", "on", "OFF", "y", "n"])
def test_yaml_11_booleans_are_text(tmp_path: Path, word: str) -> None:
    config = values(tmp_path, f"config:\n  shop:flag: {word}\n  shop:list: [{word}]\n")
    assert config == {"shop:flag": word, "shop:list": json.dumps([word])}


@pytest.mark.parametrize(
    ("written", "read"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False)],
)
def test_only_true_and_false_are_booleans(tmp_path: Path, written: str, read: bool) -> None:
    config = values(tmp_path, f"config:\n  shop:flag: {written}\n  shop:object: {{a: {written}}}\n")
    assert config["shop:flag"] == ("true" if read else "false")
    assert json.loads(config["shop:object"]) == {"a": read}


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2024-06-30", "2024-06-30"),  # a date is text, not a datetime.date
        ("12:30", "12:30"),  # YAML 1.1 sexagesimal (750) is text
        ("1_000", "1_000"),
        ("0o17", 15),
        ("0x1F", 31),
        ("017", 17),  # decimal in 1.2, octal in 1.1
        ("-3", -3),
        ("1.5", 1.5),
        ("~", None),
        ("null", None),
    ],
)
def test_scalars_in_objects_follow_the_core_schema(
    tmp_path: Path, written: str, read: object
) -> None:
    config = values(tmp_path, f"config:\n  shop:object:\n    a: {written}\n")
    assert json.loads(config["shop:object"]) == {"a": read}


def test_a_quoted_value_stays_text(tmp_path: Path) -> None:
    config = values(tmp_path, 'config:\n  shop:list: ["true", "NO", "1"]\n')
    assert json.loads(config["shop:list"]) == ["true", "NO", "1"]


def test_duplicate_keys_are_still_refused_with_the_line(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"Pulumi\.dev\.yaml:3: invalid YAML: duplicate key"):
        values(tmp_path, "config:\n  shop:a: NO\n  shop:a: yes\n")


def test_norway_reaches_the_web_acl_and_a_date_tag_stays_text(tmp_path: Path) -> None:
    text = (REPO / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    rateLimit: 2000\n", "    rateLimit: 2000\n    blockedCountries: [NO]\n"
    )
    text = text.replace("    Team: platform\n", "    Team: platform\n    Expires: 2030-01-31\n")
    program = copy_program(tmp_path)
    write_stack(program, "dev", text)

    plan = run_in_process(stack_values("dev", program), "dev")

    assert plan.error is None, plan.error
    acl = plan.one("aws:wafv2/webAcl:WebAcl")
    assert acl.inputs["rules"][0]["statement"] == {"geoMatchStatement": {"countryCodes": ["NO"]}}
    assert plan.one("aws:lb/loadBalancer:LoadBalancer").inputs["tags"]["Expires"] == "2030-01-31"

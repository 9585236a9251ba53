"""The priority section of docs/configuration.md: its example table is what components/routing.py
computes for Pulumi.dev.yaml, and its refusal examples are the model's messages."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml

from components import constraints, routing
from components.config import ConfigError, parse_stack_config
from tests.harness import REPO

PAGE = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
SECTION = PAGE.split("## Listener rule priorities", 1)[1].split("\n## ", 1)[0]


def documented_rows() -> list[list[str]]:
    """The example table's rows: rule, conditions, score, band, priority."""
    table = SECTION.split("| rule | conditions | score | band | priority |", 1)[1]
    rows = []
    for line in table.strip().splitlines()[1:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_example_table_is_what_the_routing_model_computes() -> None:
    raw = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text(encoding="utf-8"))["config"]
    rules = parse_stack_config(raw, stack="dev").rules
    computed = []
    for rule in rules:
        label = f"`{rule.kind}.{rule.owner}`" + ("'s 403 rule" if rule.role else "")
        score = "" if rule.role else routing.specificity(rule.conditions)
        band = "" if rule.role else rule.priority // routing.BAND_WIDTH
        computed.append((label, score, band, rule.priority))
    documented = []
    for label, _conditions, score, band, priority in documented_rows():
        # "7 + 10 = 17" shows the parts; the sum is the score.
        total = int(score.rsplit("=", 1)[-1]) if score else ""
        documented.append((label, total, int(band) if band else "", int(priority)))
    assert documented == computed


def test_the_bands_are_where_the_page_says() -> None:
    dash = "\N{EN DASH}"
    bands = f"band 1 holds\n   priorities 401{dash}800 and band 100 holds 40,001{dash}40,400"
    assert bands in SECTION
    lowest = 1 * routing.BAND_WIDTH + 0 + 1
    highest = 100 * routing.BAND_WIDTH + routing.BAND_WIDTH - 1 + 1
    assert (lowest, highest) == (401, 40_400)
    assert f"An explicit priority of 1{dash}400 is evaluated before every automatic one." in SECTION


def refused(services: dict[str, Any]) -> list[str]:
    raw = copy.deepcopy(constraints.BASE)
    raw["alb:services"] = {"web": {"port": 3000}, **services}
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw, stack="dev")
    return error.value.problems


def documented_message(situation: str) -> str:
    row = next(line for line in SECTION.splitlines() if line.startswith(f"| {situation}"))
    return re.findall(r"`([^`]+)`", row.rsplit("|", 2)[1])[0]


def test_two_services_on_one_slot_is_the_documented_message() -> None:
    # Both prefixes ("/sv8/", "/s17/") are 5 characters: score 5, band 95; CRC-32 puts both
    # names on slot 343.
    problems = refused(
        {
            "svc8": {"port": 8080, "pathPatterns": ["/sv8/*"]},
            "svc17": {"port": 8081, "pathPatterns": ["/s17/*"]},
        }
    )
    assert problems == [documented_message("two services hash to the same number")]


def test_a_narrower_rule_hashed_after_a_broader_one_is_the_documented_message() -> None:
    problems = refused(
        {
            "any": {"port": 8080, "pathPatterns": ["/any/*"]},
            "one": {"port": 8081, "pathPatterns": ["/any/?*"]},
        }
    )
    assert problems == [documented_message("a narrower rule lands after a broader one")]

"""The deploy order preflight derives from the recorded graph: critical path and waves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from preflight.graph import deploy_order
from preflight.records import ResourceRecord
from preflight.report import Plan, render_text, to_document

STACK = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"


def custom(name: str, *deps: str, parent: str | None = STACK, kind: str = "aws:x/y:Y") -> Any:
    return ResourceRecord(
        urn=f"urn:{name}", type=kind, name=name, custom=True, parent=parent, dependencies=deps
    )


def component(name: str, parent: str | None = STACK, *deps: str) -> ResourceRecord:
    return ResourceRecord(
        urn=f"urn:{name}",
        type="p:index:Group",
        name=name,
        custom=False,
        parent=parent,
        dependencies=deps,
    )


def names(records: Any) -> list[str]:
    return [record.name for record in records]


def test_a_chain_is_its_own_critical_path() -> None:
    order = deploy_order([custom("c", "urn:b"), custom("a"), custom("b", "urn:a")])
    assert names(order.critical_path) == ["a", "b", "c"]
    assert [names(wave) for wave in order.waves] == [["a"], ["b"], ["c"]]


def test_independent_resources_share_a_wave_and_the_longer_branch_is_critical() -> None:
    order = deploy_order(
        [custom("a"), custom("b", "urn:a"), custom("x"), custom("top", "urn:b", "urn:x")]
    )
    assert names(order.critical_path) == ["a", "b", "top"]
    assert [sorted(names(wave)) for wave in order.waves] == [["a", "x"], ["b"], ["top"]]


def test_a_dependency_on_a_component_waits_for_its_custom_descendants() -> None:
    records = [
        component("group"),
        component("inner", "urn:group"),
        custom("first", parent="urn:group"),
        custom("second", "urn:first", parent="urn:inner"),
        custom("after", "urn:group"),
    ]
    order = deploy_order(records)
    assert names(order.critical_path) == ["first", "second", "after"]


def test_a_component_parent_does_not_delay_its_children_but_a_custom_parent_does() -> None:
    records = [
        custom("slow1"),
        custom("slow2", "urn:slow1"),
        component("group", STACK, "urn:slow2"),
        custom("child", parent="urn:group"),
        custom("owner"),
        custom("owned", parent="urn:owner"),
    ]
    order = deploy_order(records)
    depth = {r.name: i for i, wave in enumerate(order.waves, 1) for r in wave}
    assert depth == {"slow1": 1, "slow2": 2, "child": 1, "owner": 1, "owned": 2}


def test_providers_components_and_unknown_urns_are_not_operations() -> None:
    provider = custom("default", parent=None, kind="pulumi:providers:aws")
    records = [
        ResourceRecord(urn=STACK, type="pulumi:pulumi:Stack", name="p-dev", custom=False),
        provider,
        component("group"),
        custom("a", "urn:default", "urn:elsewhere"),
    ]
    order = deploy_order(records)
    assert names(order.critical_path) == ["a"]
    assert [names(wave) for wave in order.waves] == [["a"]]


def test_equally_deep_prerequisites_prefer_the_one_more_operations_wait_for() -> None:
    records = [
        custom("cert"),
        custom("alb"),
        custom("http", "urn:alb"),
        custom("https", "urn:cert", "urn:alb"),
    ]
    assert names(deploy_order(records).critical_path) == ["alb", "https"]


def test_an_empty_or_cyclic_graph_has_no_path() -> None:
    assert deploy_order([]).critical_path == ()
    cyclic = deploy_order([custom("a", "urn:b"), custom("b", "urn:a")])
    assert cyclic.critical_path == () and cyclic.waves == ()


def test_the_text_and_json_reports_show_the_deploy_order() -> None:
    plan = Plan(
        project="p",
        stack="dev",
        resources=[custom("a"), custom("b", "urn:a"), custom("c")],
        outputs={},
    )
    text = render_text(plan)
    assert "Critical path (2 operations" in text
    assert "  1. aws:x/y:Y  a\n  2. aws:x/y:Y  b\n" in text
    assert "Deploy waves (2):\n  1. 2: 2 Y\n  2. 1: 1 Y\n" in text
    summary = to_document(plan)["summary"]
    assert summary["criticalPath"] == [
        {"urn": "urn:a", "type": "aws:x/y:Y", "name": "a"},
        {"urn": "urn:b", "type": "aws:x/y:Y", "name": "b"},
    ]
    assert summary["waves"] == [["urn:a", "urn:c"], ["urn:b"]]


# --- the program's own deploy order ------------------------------------------------------

SERVING_CHAIN = [
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
]


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack_document(
    request: pytest.FixtureRequest, platform_document: Callable[[str], dict[str, Any]]
) -> dict[str, Any]:
    return platform_document(request.param)


def test_the_critical_path_runs_through_the_load_balancer(
    stack_document: dict[str, Any],
) -> None:
    path = stack_document["summary"]["criticalPath"]
    assert [step["type"] for step in path] == SERVING_CHAIN
    stack = stack_document["stack"]
    assert path[2]["name"] == f"alb-{stack}"
    assert path[3]["name"] == f"alb-{stack}-https"
    assert len(stack_document["summary"]["waves"]) == len(SERVING_CHAIN)


def test_nothing_but_what_aws_requires_is_in_front_of_the_load_balancer(
    stack_document: dict[str, Any],
) -> None:
    resources = {resource["urn"]: resource for resource in stack_document["resources"]}
    waves = stack_document["summary"]["waves"]
    depth = {urn: index for index, wave in enumerate(waves, 1) for urn in wave}
    alb = next(r for r in resources.values() if r["type"] == "aws:lb/loadBalancer:LoadBalancer")
    assert sorted(resources[urn]["type"] for urn in alb["dependencies"]) == [
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPolicy:BucketPolicy",
    ]
    # The certificate chain runs beside the load balancer: the ACM certificate is ready no
    # later than the load balancer, so the HTTPS listener never waits for it alone.
    for urn, resource in resources.items():
        if resource["type"] == "aws:acm/certificate:Certificate":
            assert depth[urn] <= depth[alb["urn"]]
        if resource["type"] == "aws:wafv2/webAcl:WebAcl":
            assert depth[urn] == 1

"""Property-based tests (issue 5 part 5): generated configurations, valid and invalid.

Valid service maps and option combinations are built so that no rule can be unreachable by
construction (each service owns its path segment or host; some nest inside another, or
differ from it only by a narrower source CIDR, which the automatic priorities must order).
Every one parses with unique priorities and no shadowed rule; a sample runs through the
real program and the alb-guardrails pack with zero mandatory violations and the SPEC §3
outputs. Invalid ones (one field broken at a time) are refused naming the key path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from components.config import ConfigError, parse_stack_config
from components.routing import covers
from preflight.analyzer import PolicyPackSession, StackContext, load_policy_config
from preflight.project import config_text
from tests.harness import POLICY_PACK, assert_outputs_contract
from tests.program.program_harness import PROJECT, run_in_process

REGION = "ap-northeast-2"
# prod's VPC and subnets: three AZs, with IPv6 blocks in preflight's AWS model.
DUALSTACK_NETWORK = {
    "vpcId": "vpc-0f1e2d3c4b5a69788",
    "subnetIds": [
        "subnet-01a2b3c4d5e6f7008",
        "subnet-01a2b3c4d5e6f7001",
        "subnet-01a2b3c4d5e6f700a",
    ],
}
ACM = f"arn:aws:acm:{REGION}:123456789012:certificate/8d1c2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f"
STACK = "dev"

names = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
# Public ranges: an internet-facing load balancer only sees public client addresses.
cidrs = st.sampled_from(["81.2.0.0/16", "52.94.0.0/22", "3.5.140.0/22", "81.2.69.0/24"])


@st.composite
def service(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """A service whose conditions only ever match requests for its own name."""
    spec: dict[str, Any] = {}
    target_type = draw(st.sampled_from(["ip", "ip", "instance", "lambda"]))
    if target_type != "ip":
        spec["targetType"] = target_type
    if target_type != "lambda":
        spec["port"] = draw(st.integers(1, 65535))
        if draw(st.booleans()):
            spec["protocol"] = draw(st.sampled_from(["HTTP", "HTTPS"]))
        interval = draw(st.integers(5, 300))
        spec["healthCheck"] = {
            "path": draw(st.sampled_from(["/", "/healthz", f"/{name}/health"])),
            "matcher": draw(st.sampled_from(["200", "200-399", "200,302"])),
            "intervalSeconds": interval,
            "timeoutSeconds": draw(st.integers(2, min(120, interval - 1))),
        }
        spec["slowStartSeconds"] = draw(st.sampled_from([0, 30, 900]))
        spec["algorithm"] = draw(
            st.sampled_from(["round_robin", "least_outstanding_requests", "weighted_random"])
        )
        if spec["algorithm"] != "round_robin":
            # AWS refuses slow start with least outstanding requests and weighted random.
            spec["slowStartSeconds"] = 0
    spec["deregistrationDelaySeconds"] = draw(st.integers(0, 3600))
    # AWS refuses stickiness with weighted random.
    if spec.get("algorithm") != "weighted_random" and draw(st.booleans()):
        spec["stickiness"] = {"durationSeconds": draw(st.integers(1, 604800))}
    paths = draw(
        st.lists(
            st.sampled_from([f"/{name}/*", f"/{name}", f"/{name}/?", f"/{name}/v1/*"]),
            max_size=2,
            unique=True,
        )
    )
    hosts = draw(
        st.lists(st.sampled_from([f"{name}.example.com", f"*.{name}.example.com"]), max_size=1)
    )
    if not paths and not hosts:
        paths = [f"/{name}/*"]
    if paths:
        spec["pathPatterns"] = paths
    if hosts:
        spec["hostHeaders"] = hosts
    if draw(st.booleans()):
        spec["sourceCidrs"] = [draw(cidrs)]
    return spec


@st.composite
def service_maps(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    chosen = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    services = {name: draw(service(name)) for name in chosen}
    parent = chosen[0]
    parent_paths = services[parent].get("pathPatterns", [])
    if draw(st.booleans()) and f"/{parent}/*" in parent_paths:
        # A rule nested in another: it must be evaluated first.
        services[f"{parent}-sub"] = {
            "port": 8080,
            "pathPatterns": [f"/{parent}/sub/*"],
            **(
                {"sourceCidrs": services[parent]["sourceCidrs"]}
                if "sourceCidrs" in services[parent]
                else {}
            ),
            **(
                {"hostHeaders": services[parent]["hostHeaders"]}
                if "hostHeaders" in services[parent]
                else {}
            ),
        }
    if draw(st.booleans()) and services[parent].get("sourceCidrs") == ["81.2.0.0/16"]:
        # The same request shape from a narrower network: equal specificity, narrower first.
        services[f"{parent}-lan"] = {**services[parent], "sourceCidrs": ["81.2.69.0/24"]}
    if draw(st.booleans()):
        explicit = draw(
            # Even numbers: a source-restricted service's 403 rule takes the next one.
            st.lists(
                st.integers(1, 24999).map(lambda n: 2 * n),
                min_size=len(chosen),
                max_size=len(chosen),
                unique=True,
            )
        )
        for name, priority in zip(chosen[1:], explicit, strict=False):
            if not any(other.startswith(f"{name}-") for other in services):
                services[name]["priority"] = priority
    default = draw(st.sampled_from([None, *services]))
    if default is not None and draw(st.booleans()):
        for key in ("pathPatterns", "hostHeaders", "sourceCidrs", "priority"):
            services[default].pop(key, None)
    return services, default


@st.composite
def stack_configs(draw: st.DrawFn) -> dict[str, Any]:
    services, default = draw(service_maps())
    config: dict[str, Any] = {"aws:region": REGION, "alb:services": services}
    if default is not None:
        config["alb:defaultService"] = default
    protect = draw(st.booleans())
    mode = draw(st.sampled_from(["arn", "dns", "self-signed"] if not protect else ["arn", "dns"]))
    config["alb:certificate"] = {"arn": ACM} if mode == "arn" else {"issue": mode}
    if mode == "dns" or draw(st.booleans()):
        config["alb:domain"] = {"name": "app.example.com", "hostedZoneId": "Z0123456789ABCDEFGHIJ"}
    config["alb:protect"] = protect
    config["alb:internal"] = draw(st.booleans())
    dualstack = draw(st.booleans())
    config["alb:ipAddressType"] = "dualstack" if dualstack else "ipv4"
    if dualstack:
        # The default VPC is IPv4-only; dualstack needs the explicit (IPv6) VPC.
        config["alb:network"] = DUALSTACK_NETWORK
    if draw(st.booleans()):
        choices = ["10.0.0.0/8", "203.0.113.0/24"] + (["2001:db8::/32"] if dualstack else [])
        config["alb:ingressCidrs"] = draw(
            st.lists(st.sampled_from(choices), min_size=1, unique=True)
        )
    if draw(st.booleans()):
        config["alb:additionalCertificateArns"] = [ACM.replace("8d1c2e3f", "0000aaaa")]
    config["alb:idleTimeoutSeconds"] = draw(st.integers(1, 4000))
    config["alb:tlsPolicy"] = draw(
        st.sampled_from(
            ["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06"]
        )
    )
    config["alb:accessLogs"] = {
        "retentionDays": draw(st.integers(1, 3650)),
        "prefix": draw(st.sampled_from(["alb", "logs/edge"])),
    }
    config["alb:waf"] = {
        "mode": draw(st.sampled_from(["block", "count"])),
        "rateLimit": draw(st.integers(10, 2_000_000_000)),
        "blockedCountries": draw(st.lists(st.sampled_from(["CN", "RU", "KP", "IR"]), unique=True)),
        "logRetentionDays": draw(st.sampled_from([1, 30, 365, 3653])),
    }
    if draw(st.booleans()):
        config["alb:alarms"] = {"email": "oncall@example.com", "latencyP99Seconds": 2}
    config["alb:tags"] = draw(
        st.dictionaries(st.sampled_from(["Team", "Owner"]), names, max_size=2)
    )
    return with_suggested_priorities({key: config_text(value) for key, value in config.items()})


SUGGESTION = re.compile(
    r"set alb:services\.([a-z0-9-]+)\.(priority|denyOtherSources) to (\d+|false)$"
)


def with_suggested_priorities(values: dict[str, str]) -> dict[str, str]:
    """Where automatic priorities cannot order two services (one slot, or a narrower rule
    hashed after a broader one), the config is refused with the setting that fixes it: apply
    it, as a user would, one refusal at a time. Any other refusal is left for the test."""
    for _ in range(10):
        try:
            parse_stack_config(values)
            return values
        except ConfigError as error:
            fix = SUGGESTION.search(error.problems[0])
            if fix is None:
                return values
            services = json.loads(values["alb:services"])
            services[fix[1]][fix[2]] = json.loads(fix[3])
            values = {**values, "alb:services": config_text(services)}
    return values


def check_rules(values: dict[str, str]) -> list[int]:
    config = parse_stack_config(values)
    rules = config.rules
    assert len({rule.priority for rule in rules}) == len(rules)
    for index, later in enumerate(rules):
        for earlier in rules[:index]:
            if earlier.service != later.service and not later.role:
                assert not covers(earlier.conditions, later.conditions), (
                    f"{later.label} is shadowed by {earlier.label}"
                )
    routed = {name for name, s in config.services.items() if s.has_conditions}
    assert set(config.rule_priorities) == routed
    return [rule.priority for rule in rules]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack_configs())
def test_valid_configs_parse_with_unique_reachable_priorities(values: dict[str, str]) -> None:
    check_rules(values)


@pytest.fixture(scope="module")
def policy_pack() -> Iterator[PolicyPackSession]:
    context = StackContext(project=PROJECT, stack=STACK)
    session = PolicyPackSession.start(
        POLICY_PACK,
        context=context,
        policy_config=load_policy_config(str(POLICY_PACK / "config" / f"{STACK}.json")),
    )
    try:
        yield session
    finally:
        session.close()


def assert_contract(outputs: dict[str, Any], values: dict[str, str]) -> None:
    assert_outputs_contract(outputs)
    services = json.loads(values["alb:services"])
    groups = outputs["targetGroups"]
    assert groups.keys() == services.keys()
    for name, group in groups.items():
        assert group["port"] == services[name].get("port")
        assert group["targetType"] == services[name].get("targetType", "ip")
    domain = json.loads(values["alb:domain"]) if "alb:domain" in values else None
    assert outputs["url"] == (
        f"https://{domain['name']}" if domain else f"https://{outputs['albDnsName']}"
    )


# Each example runs the program and the pack (about half a second), so there is no shrink
# phase: a failure is reported as generated, instead of after minutes of shrinking.
@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=stack_configs())
def test_valid_configs_plan_without_mandatory_violations(
    values: dict[str, str], policy_pack: PolicyPackSession
) -> None:
    priorities = check_rules(values)
    plan = run_in_process(values, STACK)
    assert plan.error is None, plan.error
    rules = plan.of_type("aws:lb/listenerRule:ListenerRule")
    assert sorted(r.inputs["priority"] for r in rules) == priorities
    assert_contract(plan.outputs, values)
    result = policy_pack.analyze(plan.resources)
    mandatory = [v for v in result.violations if v.enforcement_level == "mandatory"]
    assert mandatory == [], "\n".join(f"{v.policy}: {v.message}" for v in mandatory)
    unreachable = [v for v in result.violations if v.policy == "alb-listener-rule-reachable"]
    assert unreachable == [], "\n".join(v.message for v in unreachable)


# --- invalid configurations ----------------------------------------------------------------

# (key path, the field's JSON path under alb:, a bad value)
BREAKAGES = [
    ("alb:idleTimeoutSeconds", ("idleTimeoutSeconds",), st.sampled_from([0, 4001, -5, "soon"])),
    ("alb:ipAddressType", ("ipAddressType",), st.sampled_from(["ipv6", "IPv4", ""])),
    (
        "alb:ingressCidrs[0]",
        ("ingressCidrs",),
        st.sampled_from([["10.0.0.1/8"], ["1.2.3.4/33"], ["x"]]),
    ),
    ("alb:tlsPolicy", ("tlsPolicy",), st.sampled_from(["ELBSecurityPolicy-2016-08", "TLS13"])),
    (
        "alb:accessLogs.retentionDays",
        ("accessLogs", "retentionDays"),
        st.sampled_from([0, 3651, True]),
    ),
    ("alb:waf.rateLimit", ("waf", "rateLimit"), st.sampled_from([9, 2_000_000_001, "many"])),
    (
        "alb:waf.mode",
        ("waf", "mode"),
        st.text(min_size=1, max_size=6).filter(lambda t: t.strip() not in ("block", "count")),
    ),
    (
        "alb:waf.blockedCountries[0]",
        ("waf", "blockedCountries"),
        st.sampled_from([["XX"], ["DEU"], ["1"]]),
    ),
    (
        "alb:waf.logRetentionDays",
        ("waf", "logRetentionDays"),
        st.integers(2, 3000).filter(
            lambda n: (
                n
                not in (
                    3,
                    5,
                    7,
                    14,
                    30,
                    60,
                    90,
                    120,
                    150,
                    180,
                    365,
                    400,
                    545,
                    731,
                    1096,
                    1827,
                    2192,
                    2557,
                    2922,
                )
            )
        ),
    ),
    (
        "alb:domain.name",
        ("domain",),
        st.sampled_from(
            [
                {"name": "no_underscores.com", "hostedZoneId": "Z1"},
                {"name": "-x.com", "hostedZoneId": "Z1"},
            ]
        ),
    ),
    ("alb:alarms.error5xxPercent", ("alarms", "error5xxPercent"), st.sampled_from([0, 101, -1])),
    ("alb:waf.ratelimit", ("waf", "ratelimit"), st.just(100)),
]
SERVICE_BREAKAGES = [
    ("port", st.one_of(st.integers(max_value=0), st.integers(min_value=65536), st.just(True))),
    ("protocol", st.sampled_from(["TCP", "http", "GRPC"])),
    ("targetType", st.sampled_from(["alb", "IP", "container"])),
    ("priority", st.one_of(st.integers(max_value=0), st.integers(min_value=50001))),
    (
        "deregistrationDelaySeconds",
        st.one_of(st.integers(max_value=-1), st.integers(min_value=3601)),
    ),
    ("algorithm", st.sampled_from(["random", "least_connections"])),
    ("pathPatterns", st.sampled_from([["no-slash"], ["/" + "a" * 128], "/not-a-list"])),
    ("hostHeaders", st.sampled_from([["bad host"], ["a_b.example.com"]])),
    ("sourceCidrs", st.sampled_from([["10.0.0.0/40"], ["300.0.0.0/8"]])),
    (
        "healthCheck",
        st.sampled_from([{"path": "health"}, {"matcher": "500"}, {"intervalSeconds": 301}]),
    ),
    ("stickiness", st.sampled_from([{"durationSeconds": 0}, {"durationSeconds": 604801}])),
    ("helthCheck", st.just({"path": "/"})),
]


@st.composite
def broken_configs(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    values = draw(stack_configs())
    if draw(st.booleans()):
        key, path, bad = draw(st.sampled_from(BREAKAGES))
        value = draw(bad)
        top = f"alb:{path[0]}"
        if len(path) == 1:
            values[top] = config_text(value)
        else:
            current = json.loads(values[top]) if top in values else {}
            current[path[1]] = value
            values[top] = config_text(current)
        return values, key
    field, bad = draw(st.sampled_from(SERVICE_BREAKAGES))
    services = json.loads(values["alb:services"])
    name = draw(st.sampled_from(sorted(services)))
    if field == "port" and services[name].get("targetType") == "lambda":
        services[name].pop("targetType")
    if field == "priority" and name == values.get("alb:defaultService", "").strip('"'):
        services[name]["pathPatterns"] = [f"/{name}/*"]
    services[name][field] = draw(bad)
    values["alb:services"] = config_text(services)
    return values, f"alb:services.{name}.{field}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_configs())
def test_invalid_configs_are_refused_naming_the_key(case: tuple[dict[str, str], str]) -> None:
    values, key = case
    with pytest.raises(ConfigError) as error:
        parse_stack_config(values)
    assert any(problem.startswith(key) for problem in error.value.problems), (
        key,
        error.value.problems,
    )
    assert all(problem.startswith(("alb:", "aws:")) for problem in error.value.problems)

"""``make bench``: how much preflight costs beyond running the same resources under plain mocks.

For each stack (dev, prod, and synthetic stacks with 1, 10, 50 and 100 services) it times, in
fresh processes and in one run, interleaved so that the shared machine's noise falls on all
of them alike:

- the floor: a Python process that imports ``pulumi`` and the provider SDKs the stack uses and
  registers the same custom resources (same types, names, inputs and dependencies, taken from a
  ``preflight --json`` document of the stack) as plain ``pulumi.CustomResource`` objects under
  ``pulumi.runtime.set_mocks`` with mocks that return the inputs as state, waiting for the
  registrations with ``pulumi.runtime.test``; no components, no config, no validation;
- the program under plain mocks: the same program and stack config run in a Python process
  under ``pulumi.runtime.set_mocks`` with preflight's AWS model as the mocks (the same answers
  to the program's invokes) and Pulumi's own mock monitor; what preflight adds beyond it is
  preflight's own cost (the worker process and protocol, the recording monitor, the CLI);
- ``python -m preflight --policy-pack none``;
- ``python -m preflight`` with the ``policies/`` pack and the stack's policy config;
- ``python -m preflight --policy-pack none --compare PLAN``, the update check against the
  stack's own plan (every resource compared, every slot simulated; no hazard).

It prints min and median of each, their ratios to the floor of the same stack, the marginal
cost per service and per resource (least-squares slopes over the synthetic stacks) and the
policy check's share, and writes ``docs/benchmarks.md``.

``python bench/run.py --floor FILE`` is the floor process itself (FILE lists the resources), and
``python bench/run.py --program-floor DIR STACK`` the program under plain mocks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / "venv" / "bin" / "python"
PROGRAM_FILES = ("__main__.py", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml")
SYNTHETIC_SIZES = (1, 10, 50, 100)
# 100 rules per load balancer, not counting the default rules: the ALB quota
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
RULE_QUOTA = 100
# Preflight's budget over the floor of the same stack.
NO_POLICIES_TARGET = 1.3
WITH_PACK_TARGET = 2.0


# --- the floor process -------------------------------------------------------------------


def floor_main(resources_file: str) -> None:
    """Register the listed resources as plain custom resources under trivial mocks."""
    import importlib

    import pulumi

    spec = json.loads(Path(resources_file).read_text(encoding="utf-8"))

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[Any, Any]]:
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], None]:
            return {}, None

    # The program loads its resources' classes from the provider SDKs (whose modules load
    # lazily, on first attribute access); so does the floor.
    for resource_type in dict.fromkeys(item["type"] for item in spec["resources"]):
        getattr(importlib.import_module(python_module(resource_type)), resource_type.split(":")[2])
    pulumi.runtime.set_mocks(Mocks(), project=spec["project"], stack=spec["stack"], preview=True)

    @pulumi.runtime.test
    def register() -> None:
        created: dict[str, pulumi.CustomResource] = {}
        for item in spec["resources"]:
            created[item["urn"]] = pulumi.CustomResource(
                item["type"],
                item["name"],
                dict(item["inputs"]),
                pulumi.ResourceOptions(
                    depends_on=[created[urn] for urn in item["dependencies"] if urn in created]
                ),
            )

    register()


def program_floor_main(program: str, stack: str) -> None:
    """Run the program under ``pulumi.runtime.set_mocks``: Pulumi's own mock monitor, with
    preflight's AWS model answering the program's invokes and giving each resource its state."""
    import gc
    import runpy

    import pulumi

    sys.path.insert(0, str(REPO))
    from preflight.aws_model import AwsModel
    from preflight.project import load_project, load_stack_config
    from preflight.runner import ModelMocks

    project = load_project(Path(program))
    config = load_stack_config(project, stack)
    # The config as the language host passes it (preflight's worker gets the same variables).
    os.environ["PULUMI_CONFIG"] = json.dumps(config.values)
    os.environ["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(config.secret_keys))
    pulumi.runtime.set_all_config(config.values, list(config.secret_keys))
    pulumi.runtime.set_mocks(
        ModelMocks(AwsModel.from_config(config.values)),
        project=project.name,
        stack=stack,
        preview=True,
    )
    sys.path.insert(0, program)
    os.chdir(program)
    # The collector thresholds preflight's worker runs the program with, so that the difference
    # is preflight's own work.
    gc.set_threshold(100_000, 50, 1000)

    @pulumi.runtime.test
    def run() -> None:
        runpy.run_path(str(Path(program) / "__main__.py"), run_name="__main__")

    run()


def python_module(resource_type: str) -> str:
    """``aws:lb/loadBalancer:LoadBalancer`` → ``pulumi_aws.lb`` (``index`` is the package)."""
    package, module = resource_type.split(":")[:2]
    module = module.split("/")[0]
    return f"pulumi_{package}" + ("" if module == "index" else f".{module}")


def floor_spec(document: dict[str, Any]) -> dict[str, Any]:
    """The floor's resources: the document's custom resources other than providers, in order."""
    resources = [
        {
            "urn": resource["urn"],
            "type": resource["type"],
            "name": resource["name"],
            "inputs": resource["inputs"],
            "dependencies": resource["dependencies"],
        }
        for resource in document["resources"]
        if resource["custom"] and not resource["type"].startswith("pulumi:")
    ]
    return {"project": document["project"], "stack": document["stack"], "resources": resources}


# --- stacks ------------------------------------------------------------------------------


def synthetic_stack(services: int) -> str:
    """A dev-like stack file with ``services`` services, each routed by its own path."""
    if not 1 <= services <= RULE_QUOTA:
        raise ValueError(f"1..{RULE_QUOTA} services (the ALB rule quota)")
    lines = [
        "config:",
        "  aws:region: ap-northeast-2",
        "  alb:certificate:",
        "    issue: self-signed",
        "  alb:waf:",
        "    mode: block",
        "    rateLimit: 2000",
        "  alb:services:",
    ]
    for index in range(services):
        # Pinned: services of one specificity share a band of 400 automatic slots, and the
        # program refuses two on one slot rather than move either (docs/configuration.md).
        lines += [
            f"    svc{index:03d}:",
            f"      port: {8000 + index % 10}",
            f"      priority: {index + 1}",
            f'      pathPatterns: ["/svc{index:03d}/*"]',
            "      healthCheck:",
            f"        path: /svc{index:03d}/health",
        ]
    return "\n".join(lines) + "\n"


def make_program(directory: Path) -> Path:
    """A copy of the program (sharing its virtualenv) where synthetic stacks can be written."""
    directory.mkdir()
    for name in PROGRAM_FILES:
        shutil.copy2(REPO / name, directory / name)
    shutil.copytree(
        REPO / "components", directory / "components", ignore=shutil.ignore_patterns("__pycache__")
    )
    # The program reads shared AWS facts from the pack's data, as in the repository.
    for shared in ("venv", "policies"):
        (directory / shared).symlink_to(REPO / shared)
    for size in SYNTHETIC_SIZES:
        (directory / f"Pulumi.svc{size}.yaml").write_text(synthetic_stack(size), encoding="utf-8")
    return directory


@dataclass
class Case:
    """One stack's three measured commands and their timings (seconds)."""

    stack: str
    services: int | None
    resources: int = 0
    commands: dict[str, list[str]] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=dict)

    def minimum(self, kind: str) -> float:
        return min(self.times[kind])

    def median(self, kind: str) -> float:
        return statistics.median(self.times[kind])


def prepare(program: Path, stack: str, services: int | None, work: Path) -> Case:
    preflight = [str(PYTHON), "-m", "preflight", "--program", str(program), "--stack", stack]
    completed = subprocess.run(
        [*preflight, "--policy-pack", "none", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"bench: preflight --stack {stack} failed:\n{completed.stderr}")
    document = json.loads(completed.stdout)
    spec = floor_spec(document)
    spec_file = work / f"floor-{stack}.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    baseline = work / f"plan-{stack}.json"
    baseline.write_text(completed.stdout, encoding="utf-8")
    policy_config = REPO / "policies" / "config" / f"{stack if services is None else 'dev'}.json"
    case = Case(stack=stack, services=services, resources=len(spec["resources"]))
    case.commands = {
        "floor": [str(PYTHON), str(Path(__file__).resolve()), "--floor", str(spec_file)],
        "program": [
            str(PYTHON),
            str(Path(__file__).resolve()),
            "--program-floor",
            str(program),
            stack,
        ],
        "none": [*preflight, "--policy-pack", "none"],
        "pack": [
            *preflight,
            "--policy-pack",
            str(REPO / "policies"),
            "--policy-config",
            str(policy_config),
        ],
        "compare": [*preflight, "--policy-pack", "none", "--compare", str(baseline)],
    }
    return case


def measure(command: list[str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{completed.stderr.decode()}")
    return elapsed


# --- analysis ----------------------------------------------------------------------------


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def report(cases: list[Case], repetitions: int) -> str:
    lines = [
        "| stack | custom resources | floor min / median (s) | program under plain mocks (s) | "
        "x floor | preflight, no policies (s) | x floor | x program | "
        "with the policy pack (s) | x floor | policy share | "
        "with the update check (s) | x floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        floor = case.median("floor")
        lines.append(
            f"| {case.stack} | {case.resources} "
            f"| {case.minimum('floor'):.2f} / {floor:.2f} "
            f"| {case.minimum('program'):.2f} / {case.median('program'):.2f} "
            f"| {case.median('program') / floor:.2f} "
            f"| {case.minimum('none'):.2f} / {case.median('none'):.2f} "
            f"| {case.median('none') / floor:.2f} "
            f"| {case.median('none') / case.median('program'):.2f} "
            f"| {case.minimum('pack'):.2f} / {case.median('pack'):.2f} "
            f"| {case.median('pack') / floor:.2f} "
            f"| {1 - case.median('none') / case.median('pack'):.0%} "
            f"| {case.minimum('compare'):.2f} / {case.median('compare'):.2f} "
            f"| {case.median('compare') / floor:.2f} |"
        )
    synthetic = [case for case in cases if case.services is not None]
    lines.append("")
    if len(synthetic) >= 2:
        lines.append(
            "Marginal cost (least-squares slope of the median over the synthetic stacks, "
            f"{', '.join(str(case.services) for case in synthetic)} services):"
        )
        lines.append("")
        lines.append("| | per service (ms) | per resource (ms) |")
        lines.append("|---|---:|---:|")
        for kind, label in (
            ("floor", "floor"),
            ("program", "the program under plain mocks"),
            ("none", "preflight, no policies"),
            ("pack", "preflight with the pack"),
        ):
            per_service = slope([(c.services or 0, c.median(kind)) for c in synthetic])
            per_resource = slope([(c.resources, c.median(kind)) for c in synthetic])
            lines.append(f"| {label} | {per_service * 1000:.1f} | {per_resource * 1000:.2f} |")
        lines.append("")
    within = all(
        case.median("none") <= NO_POLICIES_TARGET * case.median("floor")
        and case.median("compare") <= NO_POLICIES_TARGET * case.median("floor")
        and case.median("pack") <= WITH_PACK_TARGET * case.median("floor")
        for case in cases
    )
    lines.append(
        f"Targets ({NO_POLICIES_TARGET}x without policies and with the update check, "
        f"{WITH_PACK_TARGET}x with the pack) "
        f"{'met' if within else 'NOT met'} at every size in this run."
    )
    lines.append("")
    lines.append(
        f"{repetitions} repetitions each; ratios and shares use medians of this run; "
        "policy share = 1 - (no policies / with the pack)."
    )
    return "\n".join(lines) + "\n"


METHOD = """\
# Benchmarks

`make bench` (`python bench/run.py`, `--quick` for fewer repetitions) measures what preflight
costs beyond the unavoidable: running the same resources under plain Pulumi mocks. Every
number below comes from one run; the machine is shared, so compare ratios within a run, never
absolute times across runs.

## Method

For each stack (`dev`, `prod`, and synthetic stacks of 1, 10, 50 and 100 services, the last
being the ALB's quota of 100 rules; each service is routed by its own path pattern) the
benchmark first runs `preflight --json` once to learn the stack's resources, then times five
commands in fresh processes, interleaved repetition by repetition:

- **floor**: a Python process that imports `pulumi` and the provider SDK modules the stack uses
  and registers the same custom resources (types, names, inputs and dependencies from the
  `--json` document) as plain `pulumi.CustomResource` objects under `pulumi.runtime.set_mocks`,
  with mocks that return the inputs as state, waiting for them with `pulumi.runtime.test`;
- **the program under plain mocks**: the same program and stack config in a Python process
  under `pulumi.runtime.set_mocks`, with Pulumi's own mock monitor and preflight's AWS model
  as the mocks (the same answers to the program's invokes, the same state for each resource),
  run with the collector thresholds preflight's worker uses. The floor leaves out what the
  program itself does (its components, the typed SDK classes, the stack traces the SDK takes
  of each registration, the config validation); this reference keeps it, so "x program" is
  what preflight itself adds: its worker process and protocol, the recording monitor and the
  CLI;
- **preflight, no policies**: `python -m preflight --stack S --policy-pack none`;
- **with the policy pack**: `python -m preflight --stack S --policy-pack policies
  --policy-config policies/config/S.json` (`dev.json` for synthetic stacks).
- **with the update check**: `python -m preflight --stack S --policy-pack none --compare
  PLAN`, where PLAN is the stack's own `--json` document: the comparison and the update-hazard
  simulation over every resource (none is found).

Times are wall-clock from process start to exit (text report to `/dev/null`); the floor, like
preflight's worker, exits without the interpreter's teardown once its work is done. The ratio is the
median over the floor's median of the same stack; the marginal cost is the least-squares slope
of the median over the synthetic stacks, per service and per resource; the policy share is the
part of the run with the pack that the pack adds.

Targets: without policies (and with the update check) within 1.3 times the floor, with the
policy pack within 2.0 times, at every size.

"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 repetitions instead of 5")
    parser.add_argument("--repetitions", type=int, help="repetitions per command")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SYNTHETIC_SIZES)),
        help="synthetic stack sizes in services (comma-separated; '' for none)",
    )
    parser.add_argument(
        "--stacks", default="dev,prod", help="the program's stacks to measure (comma-separated)"
    )
    parser.add_argument("--output", default=str(REPO / "docs" / "benchmarks.md"))
    parser.add_argument("--floor", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument(
        "--program-floor", nargs=2, metavar=("DIR", "STACK"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.floor or args.program_floor:
        if args.floor:
            floor_main(args.floor)
        else:
            program_floor_main(*args.program_floor)
        # preflight's worker skips the interpreter's teardown (about a second with the provider
        # SDKs loaded) once its results are out; the floor does the same, so that the ratio
        # compares the work and not the teardown.
        sys.stdout.flush()
        os._exit(0)
    repetitions = args.repetitions or (2 if args.quick else 5)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    with tempfile.TemporaryDirectory(prefix="preflight-bench-") as temp:
        work = Path(temp)
        program = make_program(work / "program")
        cases = [prepare(program, stack, None, work) for stack in args.stacks.split(",") if stack]
        cases += [prepare(program, f"svc{size}", size, work) for size in sizes]
        for repetition in range(repetitions):
            for case in cases:
                for kind, command in case.commands.items():
                    case.times.setdefault(kind, []).append(measure(command))
            print(f"repetition {repetition + 1}/{repetitions} done", file=sys.stderr)
    table = report(cases, repetitions)
    print(table)
    document = f"{METHOD}## Results\n\nMachine: {machine()}.\n\n{table}"
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(document, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

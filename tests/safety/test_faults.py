"""``python -m preflight`` under faults, end to end: broken project and stack files, broken
policy packs. Each ends in exit status 2 and one clear message on stderr that names the file
(and the line, for YAML), the pack or the module, never a traceback (``--debug`` shows it).

The time limits (a program or a pack that hangs) are covered in tests/preflight.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import PACKS, PROGRAMS, Run, run_preflight, write_program

PASSPHRASE_SALT = "encryptionsalt: v1:c2FsdA==:v1:bm9uY2U=:Y3Q=\n"


def assert_clear_failure(run: Run, first_line: str) -> list[str]:
    """Exit 2, nothing on stdout, no traceback, and the message's first line as expected."""
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr and 'File "' not in run.stderr
    lines = run.stderr.rstrip("\n").splitlines()
    assert lines[0] == f"preflight: error: {first_line}", run.stderr
    return lines


def preflight_on(program: Path, *args: str | Path) -> Run:
    return run_preflight("--program", program, "--policy-pack", "none", *args)


# --- Pulumi.<stack>.yaml -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack_file", "line", "problem"),
    [
        (
            "config:\n  shop:a: 1\n  shop:b: [unclosed\n  shop:c: 2\n",
            4,
            "invalid YAML: expected ',' or ']', but got ':'",
        ),
        (
            "config:\n  shop:a: 1\n\tshop:b: 2\n",
            3,
            "invalid YAML: found character '\\t' that cannot start any token",
        ),
        ("config:\n  shop:a: 1\n  shop:a: 2\n", 3, "invalid YAML: duplicate key 'shop:a'"),
    ],
    ids=["unclosed-list", "tab", "duplicate-key"],
)
def test_bad_yaml_in_the_stack_file_names_file_and_line(
    tmp_path: Path, stack_file: str, line: int, problem: str
) -> None:
    program = write_program(tmp_path / "shop", "import pulumi\n", stack=stack_file)
    lines = assert_clear_failure(
        preflight_on(program), f"{program / 'Pulumi.dev.yaml'}:{line}: {problem}"
    )
    assert len(lines) == 1


@pytest.mark.parametrize(
    ("stack_file", "line", "expected"),
    [
        (
            PASSPHRASE_SALT + "config:\n  shop:a: 1\n  shop:token:\n    secure: AAAA-not-v1\n",
            5,
            "a passphrase ciphertext (v1:<nonce>:<ciphertext>)",
        ),
        (
            "config:\n  shop:a: 1\n  shop:token:\n    secure:\n      nested: 1\n",
            4,
            "a ciphertext string",
        ),
    ],
    ids=["not-passphrase-format", "not-a-string"],
)
def test_a_secure_value_in_the_wrong_format_names_file_line_and_key(
    tmp_path: Path, stack_file: str, line: int, expected: str
) -> None:
    program = write_program(tmp_path / "shop", "import pulumi\n", stack=stack_file)
    lines = assert_clear_failure(
        preflight_on(program),
        f"{program / 'Pulumi.dev.yaml'}:{line}: config key 'shop:token': the secure value is "
        f"not {expected}; set it again with `pulumi config set --secret shop:token`",
    )
    assert len(lines) == 1


def test_a_stack_file_that_is_not_utf8_names_file_and_line(tmp_path: Path) -> None:
    program = write_program(tmp_path / "shop", "import pulumi\n")
    (program / "Pulumi.dev.yaml").write_bytes(b"config:\n  shop:greeting: caf\xe9\n")
    assert_clear_failure(
        preflight_on(program),
        f"{program / 'Pulumi.dev.yaml'}:2: not UTF-8 text (byte 0xe9); save it as UTF-8",
    )


def test_a_stack_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    program = write_program(tmp_path / "shop", "import pulumi\n", stack="- a\n- b\n")
    assert_clear_failure(
        preflight_on(program), f"{program / 'Pulumi.dev.yaml'}: expected a mapping at the top level"
    )


# --- Pulumi.yaml ---------------------------------------------------------------------------


def test_a_missing_project_file_names_the_directory(tmp_path: Path) -> None:
    program = write_program(tmp_path / "shop", "import pulumi\n")
    (program / "Pulumi.yaml").unlink()
    assert_clear_failure(
        preflight_on(program),
        f"{program}: no Pulumi.yaml (is --program a Pulumi project directory?)",
    )


@pytest.mark.parametrize(
    ("project_file", "problem"),
    [
        ("name: shop\nruntime: [python\n", ":3: invalid YAML: expected ',' or ']'"),
        ("name: shop\n", ": 'runtime' is required (runtime: python)"),
        ("name: shop\nruntime: go\n", ": runtime is 'go'; preflight runs Python programs"),
        ("runtime: python\n", ": 'name' is required and must be a string"),
        ("", ": expected a mapping at the top level"),
    ],
    ids=["bad-yaml", "no-runtime", "other-runtime", "no-name", "empty"],
)
def test_an_invalid_project_file_names_the_file(
    tmp_path: Path, project_file: str, problem: str
) -> None:
    program = write_program(tmp_path / "shop", "import pulumi\n", project=project_file or "\n")
    run = preflight_on(program)
    assert (run.returncode, run.stdout) == (2, ""), run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.splitlines()) == 1
    assert run.stderr.startswith(f"preflight: error: {program / 'Pulumi.yaml'}{problem}")


def test_a_project_file_that_is_not_utf8(tmp_path: Path) -> None:
    program = write_program(tmp_path / "shop", "import pulumi\n")
    (program / "Pulumi.yaml").write_bytes(b"name: shop\nruntime: python\ndescription: \xff\n")
    assert_clear_failure(
        preflight_on(program),
        f"{program / 'Pulumi.yaml'}:3: not UTF-8 text (byte 0xff); save it as UTF-8",
    )


# --- policy packs --------------------------------------------------------------------------


def pack_run(pack: Path, *args: str) -> Run:
    return run_preflight(
        "--program", PROGRAMS / "minimal", "--policy-pack", pack, "--policy-timeout", "20", *args
    )


def test_a_pack_directory_without_a_policy_project_file() -> None:
    assert_clear_failure(
        pack_run(PACKS / "no_project"),
        f"policy pack {PACKS / 'no_project'}: no PulumiPolicy.yaml "
        "(a policy pack directory needs one)",
    )


def test_a_pack_whose_project_file_is_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: [1\n", encoding="utf-8")
    lines = assert_clear_failure(
        pack_run(pack),
        f"policy pack {pack}: {pack / 'PulumiPolicy.yaml'}:3: invalid YAML: "
        "expected ',' or ']', but got '<stream end>'",
    )
    assert len(lines) == 1


def test_a_pack_with_a_missing_dependency_names_the_module() -> None:
    pack = PACKS / "missing_dependency"
    lines = assert_clear_failure(
        pack_run(pack),
        f"policy pack {pack}: missing dependency: cannot import module "
        "'alb_guardrails_helpers_not_installed'; install the pack's dependencies "
        f"({pack / 'requirements.txt'}) into the environment that runs it",
    )
    # The pack's own traceback is cut down to the exception it ended with.
    assert lines[-1].strip() == (
        "ModuleNotFoundError: No module named 'alb_guardrails_helpers_not_installed'"
    )


def test_debug_shows_the_pack_traceback() -> None:
    run = pack_run(PACKS / "missing_dependency", "--debug")
    assert run.returncode == 2
    assert "Traceback (most recent call last):" in run.stderr
    assert "missing_dependency/__main__.py" in run.stderr


def test_a_pack_that_crashes_while_loading_shows_its_exception() -> None:
    lines = assert_clear_failure(
        pack_run(PACKS / "crash"),
        f"policy pack {PACKS / 'crash'}: exited before printing its port (exit status 1)",
    )
    assert lines[-1].strip() == "RuntimeError: policy pack exploded while loading"


def test_a_pack_that_prints_garbage_instead_of_a_port() -> None:
    lines = assert_clear_failure(
        pack_run(PACKS / "garbage_port"),
        f"policy pack {PACKS / 'garbage_port'}: wrote 'Loading guardrails, please wait...' to "
        "stdout instead of its port (a policy pack's __main__ must only build the PolicyPack; "
        "print to stderr instead)",
    )
    assert len(lines) == 1


def test_a_pack_that_returns_malformed_diagnostics() -> None:
    lines = assert_clear_failure(
        pack_run(PACKS / "malformed"),
        f"policy pack {PACKS / 'malformed'}: returned a malformed Analyze diagnostic from policy "
        "'broken-level': invalid enforcement level 42",
    )
    assert len(lines) == 1

"""The program's virtualenv, created and installed as the Pulumi CLI does before a preview.

The fixture program (tests/fixtures/programs/with_requirements) names a virtualenv and has its
own requirements.txt. Each test works on a copy in a temporary directory, with the two wheels
its requirements name built there (no network): the program's own package, and a ``.pth`` link
to the Pulumi SDK already installed in the project's virtualenv.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import site
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from preflight.install import INSTALLING_MARKER
from tests.harness import PROGRAMS, Run, assert_one_clear_failure, run_preflight

FIXTURE = PROGRAMS / "with_requirements"
CREATING = "Creating virtual environment..."
INSTALLING = "Installing dependencies in virtual environment..."


def build_wheel(directory: Path, name: str, files: dict[str, str]) -> Path:
    """A pure-Python wheel of ``name`` 1.0 holding ``files``."""
    dist = name.replace("-", "_")
    info = f"{dist}-1.0.dist-info"
    contents = {
        **files,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for path, text in contents.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    wheel = directory / f"{dist}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in contents.items():
            archive.writestr(path, text)
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel


def copy_fixture(parent: Path) -> Path:
    """The fixture program in ``parent``, with the wheels its requirements.txt names."""
    program = parent / "program"
    shutil.copytree(FIXTURE, program)
    wheels = program / "wheels"
    wheels.mkdir()
    build_wheel(
        wheels,
        "preflight-fixture-greeting",
        {"greeting.py": 'def greet(name):\n    return f"hello, {name}"\n'},
    )
    site_packages = next(path for path in site.getsitepackages() if "site-packages" in path)
    build_wheel(wheels, "preflight-fixture-sdk-link", {"preflight_sdk_link.pth": site_packages})
    return program


def preflight(program: Path, *args: str) -> Run:
    return run_preflight("--program", program, "--policy-pack", "none", "--json", *args)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run, float]:
    """The fixture program after its first run: the run, and how long it took."""
    program = copy_fixture(tmp_path_factory.mktemp("install"))
    started = time.monotonic()
    run = preflight(program)
    return program, run, time.monotonic() - started


def test_the_first_run_creates_the_virtualenv_and_installs_the_requirements(
    installed: tuple[Path, Run, float],
) -> None:
    program, run, _ = installed
    assert run.returncode == 0, run.stderr
    progress = [line for line in run.stderr.splitlines() if "virtual environment" in line]
    assert progress == [
        CREATING,
        "Finished creating virtual environment",
        INSTALLING,
    ]
    assert "Finished installing dependencies" in run.stderr
    outputs = run.document["outputs"]
    # The program ran in its own virtualenv, where its own package is installed.
    assert outputs["greeting"] == "hello, preflight"
    assert Path(outputs["interpreter"]) == program / "venv"
    assert (program / "venv" / "bin" / "python").exists()
    assert not (program / "venv" / INSTALLING_MARKER).exists()


def test_template_config_is_not_configuration(installed: tuple[Path, Run, float]) -> None:
    _, run, _ = installed
    outputs = run.document["outputs"]
    # template.config offers ap-southeast-2 and an owner to `pulumi new`; neither is config.
    assert outputs["region"] == "eu-west-1"
    assert outputs["owner"] == "not set"


def test_a_second_run_reuses_the_virtualenv(installed: tuple[Path, Run, float]) -> None:
    program, first, first_seconds = installed
    python = program / "venv" / "bin" / "python"
    created = python.lstat().st_mtime_ns
    started = time.monotonic()
    run = preflight(program)
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    assert CREATING not in run.stderr and INSTALLING not in run.stderr
    assert run.document["outputs"] == first.document["outputs"]
    assert python.lstat().st_mtime_ns == created
    assert seconds < first_seconds


def test_no_install_runs_an_installed_program(installed: tuple[Path, Run, float]) -> None:
    program, first, _ = installed
    run = preflight(program, "--no-install")
    assert run.returncode == 0, run.stderr
    assert run.document["outputs"] == first.document["outputs"]


def test_an_interrupted_install_is_done_again(tmp_path: Path) -> None:
    program = copy_fixture(tmp_path)
    venv = program / "venv"
    # What an install stopped halfway leaves: an interpreter (here without even pip), the
    # marker, none of the requirements.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (venv / INSTALLING_MARKER).write_text("interrupted\n")
    assert_one_clear_failure(
        preflight(program, "--no-install"), str(venv), "was not fully installed", "--no-install"
    )
    run = preflight(program)
    assert run.returncode == 0, run.stderr
    assert CREATING in run.stderr and INSTALLING in run.stderr
    assert not (venv / INSTALLING_MARKER).exists()
    assert run.document["outputs"]["greeting"] == "hello, preflight"


def test_no_install_names_the_missing_virtualenv(tmp_path: Path) -> None:
    program = copy_fixture(tmp_path)
    run = preflight(program, "--no-install")
    assert_one_clear_failure(
        run,
        f"the 'virtualenv' option in Pulumi.yaml is set to 'venv', but {program / 'venv'} "
        "doesn't exist and --no-install forbids installing",
        f"python -m pip install -r {program / 'requirements.txt'}",
    )
    assert CREATING not in run.stderr
    assert not (program / "venv").exists()


def test_requirements_that_cannot_be_installed_stop_with_pips_message(tmp_path: Path) -> None:
    program = copy_fixture(tmp_path)
    requirements = program / "requirements.txt"
    requirements.write_text(
        requirements.read_text() + "preflight-fixture-missing==9.9\n", encoding="utf-8"
    )
    run = preflight(program)
    assert_one_clear_failure(
        run,
        f"preflight: error: installing {requirements} into {program / 'venv'} failed "
        "(python exited with status 1):",
        # pip's own words, from the end of its stderr.
        "No matching distribution found for preflight-fixture-missing==9.9",
    )
    # The marker stays, so the next run installs again rather than trust a partial venv.
    assert (program / "venv" / INSTALLING_MARKER).exists()


def test_a_directory_that_is_not_a_virtualenv_is_refused(tmp_path: Path) -> None:
    program = copy_fixture(tmp_path)
    (program / "venv").mkdir()
    (program / "venv" / "notes.txt").write_text("not a virtualenv\n")
    assert_one_clear_failure(
        preflight(program),
        f"{program / 'venv'} doesn't appear to be a virtual environment",
    )


@pytest.mark.parametrize("toolchain", ["uv", "poetry"])
def test_a_toolchain_that_is_not_installed_is_named(tmp_path: Path, toolchain: str) -> None:
    program = copy_fixture(tmp_path)
    project = program / "Pulumi.yaml"
    project.write_text(
        project.read_text().replace("toolchain: pip", f"toolchain: {toolchain}"), encoding="utf-8"
    )
    if shutil.which(toolchain):
        pytest.skip(f"{toolchain} is installed here")
    assert_one_clear_failure(
        preflight(program),
        f"Pulumi.yaml sets runtime.options.toolchain to {toolchain}, but the `{toolchain}` "
        "executable is not on PATH",
    )


def test_an_unknown_toolchain_is_refused(tmp_path: Path) -> None:
    program = copy_fixture(tmp_path)
    project = program / "Pulumi.yaml"
    project.write_text(
        project.read_text().replace("toolchain: pip", "toolchain: conda"), encoding="utf-8"
    )
    assert_one_clear_failure(
        preflight(program),
        f"{project}: runtime.options.toolchain is 'conda'; expected one of pip, uv, poetry",
    )

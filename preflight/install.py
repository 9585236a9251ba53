"""The program's dependencies, installed as the Pulumi CLI installs them before a preview.

Before the Python language host runs a program, the CLI asks it for the program's packages
(``GetRequiredPackages``), which first calls the toolchain's ``EnsureVenv``
(pulumi/pulumi sdk/python/toolchain): with ``pip`` (the default) and a ``virtualenv`` option,
a virtualenv that does not exist, or is an empty directory, is created with ``python -m venv``
and ``requirements.txt`` is installed into it; one that exists is used as it is. ``uv`` and
``poetry`` create and sync their own environment. preflight does the same, with these
differences (docs/preflight.md, "Dependencies"):

- an install that was interrupted is done again: a marker file in the virtualenv
  (:data:`INSTALLING_MARKER`) exists from the start of an install until it succeeds, where the
  CLI would trust a half-installed virtualenv;
- pip, setuptools and wheel are not upgraded first (the CLI does, which needs the package index
  even when every requirement is local);
- with ``uv`` and only a ``requirements.txt``, the requirements are installed with
  ``uv pip install`` rather than converted into a ``pyproject.toml`` (the CLI rewrites the
  project's files; preflight never does);
- ``--no-install`` turns every install into one error that names the virtualenv.

A failed install is one message with the installer's own last lines (exit status 2).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from preflight.project import Project, venv_python

INSTALLING_MARKER = ".preflight-installing"
# How much of a failed installer's output the message keeps: its last lines hold the reason.
_TAIL_LINES = 25

Progress = Callable[[str], None]


class InstallError(Exception):
    """The program's environment cannot be prepared; the message says why and what to run."""


def prepare(project: Project, *, install: bool = True, progress: Progress) -> Path | None:
    """The interpreter that runs the program (None: the one preflight runs on), after creating
    and installing its environment when the project's toolchain would."""
    if project.toolchain == "uv":
        return _uv(project, install=install, progress=progress)
    if project.toolchain == "poetry":
        return _poetry(project, install=install, progress=progress)
    return _pip(project, install=install, progress=progress)


# --- pip ----------------------------------------------------------------------------------


def _pip(project: Project, *, install: bool, progress: Progress) -> Path | None:
    venv = project.virtualenv_path()
    if venv is None:
        # No virtualenv option: the CLI runs the ambient interpreter and installs nothing.
        return None
    python = venv_python(venv)
    interrupted = (venv / INSTALLING_MARKER).exists()
    if python is not None and not interrupted:
        return python
    option = f"the 'virtualenv' option in Pulumi.yaml is set to {project.virtualenv!r}"
    if venv.exists() and not venv.is_dir():
        raise InstallError(f"{option}, but {venv} is not a directory")
    if python is None and not interrupted and venv.is_dir() and any(venv.iterdir()):
        # The CLI's NewVirtualEnvError: a non-empty directory is not replaced.
        raise InstallError(
            f"{option}, but {venv} doesn't appear to be a virtual environment (it has no "
            "bin/python); remove it, or point the option at a virtualenv"
        )
    requirements = project.program_directory() / "requirements.txt"
    if not install:
        state = "was not fully installed" if python is not None else "doesn't exist"
        raise InstallError(
            f"{option}, but {venv} {state} and --no-install forbids installing; create it "
            f"first: python3 -m venv {venv} && {venv}/bin/python -m pip install -r "
            f"{requirements}"
        )
    venv.mkdir(parents=True, exist_ok=True)
    (venv / INSTALLING_MARKER).write_text("an install by preflight started here\n")
    if python is None or interrupted:
        # After an interrupted install the interpreter may lack pip; `venv` on an existing
        # virtualenv keeps its packages and puts pip back.
        progress("Creating virtual environment...")
        _run([base_python(), "-m", "venv", str(venv)], cwd=project.directory, what="creating")
        progress("Finished creating virtual environment")
        python = venv_python(venv)
        if python is None:
            raise InstallError(f"creating the virtualenv {venv}: it has no bin/python")
    if requirements.is_file():
        progress("Installing dependencies in virtual environment...")
        _run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-r",
                str(requirements),
            ],
            cwd=project.program_directory(),
            env=activated(venv),
            what=f"installing {requirements} into {venv}",
        )
        progress("Finished installing dependencies")
    (venv / INSTALLING_MARKER).unlink()
    return python


def base_python() -> str:
    """The interpreter that creates virtualenvs, found as the CLI finds it (``CommandPath``):
    ``$PULUMI_PYTHON_CMD``, else ``python3``, else ``python`` on PATH; preflight's own
    interpreter when none is there."""
    names = [os.environ["PULUMI_PYTHON_CMD"]] if os.environ.get("PULUMI_PYTHON_CMD") else []
    for name in names or ["python3", "python"]:
        found = shutil.which(name)
        if found:
            return found
    return sys.executable


def activated(venv: Path) -> dict[str, str]:
    """The environment with ``venv`` activated, as the CLI's ``ActivateVirtualEnv`` does."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONHOME"}
    env["PATH"] = os.pathsep.join(item for item in (str(venv / "bin"), env.get("PATH")) if item)
    env["VIRTUAL_ENV"] = str(venv)
    return env


# --- uv -----------------------------------------------------------------------------------


def _uv(project: Project, *, install: bool, progress: Progress) -> Path | None:
    uv = _tool("uv", project)
    venv = project.virtualenv_path() or _uv_default_venv(project.directory)
    python = venv_python(venv)
    if python is not None and not (venv / INSTALLING_MARKER).exists():
        return python
    if not install:
        raise InstallError(
            f"the uv environment {venv} doesn't exist and --no-install forbids creating it; "
            f"run `uv sync` (UV_PROJECT_ENVIRONMENT={venv}) in {project.directory} first"
        )
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}
    cwd = project.program_directory()
    venv.mkdir(parents=True, exist_ok=True)
    (venv / INSTALLING_MARKER).write_text("an install by preflight started here\n")
    progress("Creating virtual environment...")
    _run([uv, "venv", "--quiet", "--allow-existing", str(venv)], cwd=cwd, env=env, what="uv venv")
    requirements = cwd / "requirements.txt"
    if _search_up(cwd, ("uv.lock", "pyproject.toml")):
        progress("Installing dependencies in virtual environment...")
        _run([uv, "sync"], cwd=cwd, env=env, what="uv sync")
    elif requirements.is_file():
        progress("Installing dependencies in virtual environment...")
        python = venv_python(venv)
        _run(
            [uv, "pip", "install", "--python", str(python), "-r", str(requirements)],
            cwd=cwd,
            env=env,
            what=f"installing {requirements} into {venv}",
        )
    progress("Finished installing dependencies")
    (venv / INSTALLING_MARKER).unlink()
    return venv_python(venv)


def _uv_default_venv(root: Path) -> Path:
    """uv's environment when Pulumi.yaml names none: ``.venv`` beside the nearest uv.lock, else
    the nearest pyproject.toml, else in the project directory (toolchain/uv.go ``newUv``)."""
    for marker in ("uv.lock", "pyproject.toml"):
        found = _search_up(root, (marker,))
        if found is not None:
            return found / ".venv"
    return root / ".venv"


# --- poetry -------------------------------------------------------------------------------


def _poetry(project: Project, *, install: bool, progress: Progress) -> Path | None:
    poetry = _tool("poetry", project)
    cwd = project.program_directory()
    venv = _poetry_env(poetry, cwd)
    if venv is not None and venv_python(venv) is not None:
        return venv_python(venv)
    if not install:
        raise InstallError(
            f"the poetry environment of {cwd} doesn't exist and --no-install forbids creating "
            f"it; run `poetry install` in {cwd} first"
        )
    progress("Installing dependencies in virtual environment...")
    _run([poetry, "install", "--no-ansi"], cwd=cwd, what="poetry install")
    progress("Finished installing dependencies")
    venv = _poetry_env(poetry, cwd)
    if venv is None or venv_python(venv) is None:
        raise InstallError(f"`poetry install` in {cwd} made no virtualenv (poetry env info)")
    return venv_python(venv)


def _poetry_env(poetry: str, cwd: Path) -> Path | None:
    """``poetry env info --path``: the project's environment, or None when it has none."""
    completed = subprocess.run(
        [poetry, "env", "info", "--path"], cwd=cwd, capture_output=True, text=True, check=False
    )
    path = completed.stdout.strip()
    return Path(path) if completed.returncode == 0 and path else None


# --- shared -------------------------------------------------------------------------------


def _tool(name: str, project: Project) -> str:
    found = shutil.which(name)
    if found is None:
        raise InstallError(
            f"Pulumi.yaml sets runtime.options.toolchain to {name}, but the `{name}` executable "
            f"is not on PATH; install it (`python3 -m pip install {name}`, or pipx) and run "
            "preflight again"
        )
    return found


def _search_up(directory: Path, names: Sequence[str]) -> Path | None:
    """The nearest directory, from ``directory`` up, holding one of ``names``."""
    for folder in (directory, *directory.parents):
        if any((folder / name).exists() for name in names):
            return folder
    return None


def _run(
    command: Sequence[str], *, cwd: Path, what: str, env: dict[str, str] | None = None
) -> None:
    """Run an installer; a failure is an :class:`InstallError` ending with its own last lines
    (its stderr, or its stdout when it wrote nothing there)."""
    try:
        completed = subprocess.run(
            list(command), cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise InstallError(f"{what}: cannot run {command[0]}: {exc.strerror or exc}") from exc
    if completed.returncode == 0:
        return
    output = (completed.stderr.strip() or completed.stdout.strip()).splitlines()
    tail = "\n".join(output[-_TAIL_LINES:])
    raise InstallError(
        f"{what} failed ({Path(command[0]).name} exited with status {completed.returncode}):\n"
        f"{tail}"
    )

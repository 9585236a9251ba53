"""Every fenced block of README.md and docs/*.md is checked, or says why it is not.

A block is marked by an HTML comment on the line before its fence (blank lines between are
allowed); a block without one fails :func:`test_every_block_is_marked`, so new docs cannot
slip through. The markers:

``<!-- example: stack [NAME] -->``
    YAML: a whole ``Pulumi.<stack>.yaml`` (``config:`` and its keys), parsed alone by the config
    model (``components/config.py``) as stack NAME (default ``dev``).
``<!-- example: fragment of config -->``
    YAML: keys of a stack file (with or without the ``config:`` line), laid over the base stack
    below key by key, then parsed. A fragment that sets ``alb:services`` replaces the base's
    services and drops its ``alb:defaultService``, which names one of them.
``<!-- example: fragment of alb:services -->``
    YAML: entries of ``alb:services``, added to (or replacing entries of) the base's services.
``<!-- example: refused ... -->``
    Any of the three above, refused by the model; the next block, marked
    ``<!-- example: message -->``, holds the model's lines, exactly and in order.
``<!-- example: run [, skipping pulumi | in tests/docs/stacks/NAME] -->``
    Shell commands, run offline one after the other with bash from a scratch copy of the
    checkout, one per page, shared by its blocks in page order (every top-level entry
    linked; ``/tmp/`` is the scratch's ``tmp/``; ``python`` is
    the virtualenv's; ``make`` never reinstalls a virtualenv). Each must exit 0. With
    ``skipping pulumi``, the commands that start with ``pulumi`` are left out (there must be
    one). With ``in tests/docs/stacks/NAME``, that directory's files (stack files, policy
    configs) are laid over the scratch copy first. A command that writes no file (no ``>``)
    and runs on the checkout's own files runs once per session, however many pages show it.
``<!-- example: policy config -->``
    JSON: a ``--policy-config`` file, read by preflight's reader and naming only the
    ``alb-guardrails`` policies.
``<!-- example: console [in tests/docs/stacks/NAME] -->``
    ``$ command`` lines and the output they print (stdout and stderr), checked exactly, from a
    scratch copy in which the stack files of ``tests/docs/stacks/NAME`` replace the checkout's;
    ``$ echo $?`` shows the status of the command before it.
``<!-- needs: pulumi | aws | pulumi and aws -->``
    Commands that need the Pulumi CLI or AWS; not run. At least one command is a ``pulumi`` or
    ``aws`` command, or ``albctl`` (which reads AWS), and none is ``make`` (offline commands
    that read what such a command wrote may follow it).
``<!-- checked by PATH -->``
    A block another test checks; PATH exists and names the page.
``<!-- not run: REASON -->``
    Not a command or a stack file (a diagram, a synopsis, a shape with elisions, Python): the
    reason is shown. Never on a YAML block.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from components import constraints
from components.config import ConfigError, StackConfig, parse_stack_config
from tests.harness import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
STACKS = REPO / "tests" / "docs" / "stacks"
# docs/validation.md is generated: its markers are in the template.
GENERATED = {REPO / "docs" / "validation.md": REPO / "components" / "validation_page.md"}

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<language>[\w-]*)\s*$")
_MARKER = re.compile(
    r"^\s*<!--\s*(?P<kind>example|needs|checked by|not run):?\s*(?P<arg>.*?)\s*-->\s*$"
)
_VIRTUALENV_STAMPS = (
    "venv/.installed",
    "policies/venv/.installed",
    "tools/checkov/venv/.installed",
)
# What a `needs:` block must hold, and what it must not hide.
_NEEDS_CLI_OR_AWS = re.compile(r"^(\(cd \S+ && )?(pulumi|aws) |.*-m albctl ")
_OFFLINE = re.compile(r"^make\b")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    language: str
    text: str
    kind: str
    """``example``, ``needs``, ``checked by``, ``not run``, or empty when unmarked."""
    arg: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where} ({self.kind}: {self.arg})" if self.kind else self.where


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page, each with the marker before it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != opening["fence"]:
            end += 1
        before = index - 1
        while before >= 0 and not lines[before].strip():
            before -= 1
        marker = _MARKER.match(lines[before]) if before >= 0 else None
        body = textwrap.dedent("\n".join(lines[index + 1 : end])) + "\n"
        found.append(
            Block(
                page=page,
                line=index + 1,
                language=opening["language"],
                text=body,
                kind=marker["kind"] if marker else "",
                arg=marker["arg"] if marker else "",
            )
        )
        index = end + 1
    return found


def all_blocks() -> list[Block]:
    found = []
    for page in PAGES:
        found += blocks(GENERATED.get(page, page))
    return found


BLOCKS = all_blocks()


def of_kind(kind: str, prefix: str = "") -> list[Block]:
    return [b for b in BLOCKS if b.kind == kind and b.arg.startswith(prefix)]


def test_every_block_is_marked() -> None:
    unmarked = [str(b) for b in BLOCKS if not b.kind]
    assert unmarked == [], "mark each block (see tests/docs/test_docs_examples.py)"


def test_markers_are_the_known_ones() -> None:
    known = re.compile(
        r"(refused )?(stack( [a-z0-9-]+)?|fragment of config|fragment of alb:services)"
        r"|message|policy config|run(, skipping pulumi)?"
        r"|(console|run)( in tests/docs/stacks/[a-z0-9-]+)?"
    )
    wrong = [str(b) for b in of_kind("example") if not known.fullmatch(b.arg)]
    wrong += [str(b) for b in of_kind("needs") if b.arg not in ("pulumi", "aws", "pulumi and aws")]
    wrong += [str(b) for b in of_kind("not run") if not b.arg or b.language == "yaml"]
    wrong += [str(b) for b in of_kind("checked by") if not (REPO / b.arg).is_file()]
    assert wrong == []


def test_every_yaml_block_is_parsed() -> None:
    assert [str(b) for b in BLOCKS if b.language == "yaml" and b.kind != "example"] == []


@pytest.mark.parametrize("block", of_kind("checked by"), ids=str)
def test_the_named_test_reads_the_page(block: Block) -> None:
    assert block.page.name in (REPO / block.arg).read_text(encoding="utf-8")


# --- stack files ----------------------------------------------------------------------------


def _secrets(value: Any) -> Any:
    """``secure:`` values as the program receives them: a placeholder, marked secret."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return "[secret]"
        return {key: _secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_secrets(item) for item in value]
    return value


def _has_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(map(_has_secret, value.values()))
    return isinstance(value, list) and any(map(_has_secret, value))


def stack_of(block: Block) -> tuple[dict[str, Any], str]:
    """The raw config a YAML example stands for, and its stack name."""
    document = yaml.safe_load(block.text)
    what = block.arg.removeprefix("refused ")
    if what.startswith("stack"):
        assert set(document) == {"config"}, f"{block.where}: a stack file has one key, config"
        return document["config"], what.removeprefix("stack").strip() or "dev"
    raw = copy.deepcopy(constraints.BASE)
    if what == "fragment of alb:services":
        raw["alb:services"] = {**raw["alb:services"], **document}
        return raw, "dev"
    keys = document.get("config", document) if set(document) == {"config"} else document
    if "alb:services" in keys:
        raw.pop("alb:defaultService")
    raw.update(keys)
    return raw, "dev"


def parse_block(block: Block) -> StackConfig:
    raw, stack = stack_of(block)
    secret_keys = {key for key, value in raw.items() if _has_secret(value)}
    return parse_stack_config(_secrets(raw), stack=stack, secret_keys=secret_keys)


ACCEPTED = [b for b in of_kind("example") if re.match(r"(stack|fragment)", b.arg)]
REFUSED = of_kind("example", "refused ")


@pytest.mark.parametrize("block", ACCEPTED, ids=str)
def test_the_example_is_accepted(block: Block) -> None:
    try:
        parse_block(block)
    except ConfigError as error:
        pytest.fail(f"{block.where} is refused:\n" + "\n".join(error.problems))


def _message_after(block: Block) -> Block:
    following = [b for b in BLOCKS if b.page == block.page and b.line > block.line]
    assert following and following[0].arg == "message", f"{block.where}: no message block"
    return following[0]


@pytest.mark.parametrize("block", REFUSED, ids=str)
def test_the_refused_example_prints_the_message_shown(block: Block) -> None:
    with pytest.raises(ConfigError) as error:
        parse_block(block)
    assert error.value.problems == _message_after(block).text.splitlines()


def test_every_message_follows_a_refused_example() -> None:
    shown = {_message_after(block).where for block in REFUSED}
    assert [b.where for b in of_kind("example", "message")] == sorted(
        shown, key=[b.where for b in BLOCKS].index
    )


# --- commands -------------------------------------------------------------------------------


def commands(text: str) -> Iterator[str]:
    """Each command of a shell block: continuation lines joined, comments and blanks left out."""
    for line in text.replace("\\\n", " ").splitlines():
        command = re.sub(r"\s+#.*$", "", line).strip()
        if command and not command.startswith("#"):
            yield command


@pytest.mark.parametrize("block", of_kind("needs"), ids=str)
def test_what_needs_the_cli_or_aws_does(block: Block) -> None:
    listed = list(commands(block.text))
    assert any(_NEEDS_CLI_OR_AWS.match(c) for c in listed), block.where
    assert [c for c in listed if _OFFLINE.match(c)] == []


@pytest.mark.parametrize("block", of_kind("example", "policy config"), ids=str)
def test_the_policy_config_is_read_and_names_the_packs_policies(block: Block) -> None:
    import json

    from preflight.analyzer.config import parse_policy_config

    if str(REPO / "policies") not in sys.path:
        sys.path.insert(0, str(REPO / "policies"))  # as the engine runs the pack
    import alb_guardrails

    document = json.loads(block.text)
    parse_policy_config(document)
    schemas = {p.name: p.config_schema for p in alb_guardrails.all_policies()}
    for name, setting in document.items():
        assert name == "all" or name in schemas, name
        if isinstance(setting, dict):
            properties = set(getattr(schemas[name], "properties", None) or {})
            assert set(setting) - {"enforcementLevel"} <= properties, name


_SCRATCHES: dict[Path, Path] = {}


@pytest.fixture
def scratch(block: Block, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout, linked entry by entry, with its own tmp/: one per page, so a page's
    blocks run in order on the files the earlier ones wrote."""
    if block.page not in _SCRATCHES:
        directory = tmp_path_factory.mktemp("docs")
        for entry in REPO.iterdir():
            if entry.name not in (".git", "out", "tmp"):
                (directory / entry.name).symlink_to(entry)
        (directory / "tmp").mkdir()
        _SCRATCHES[block.page] = directory
    return _SCRATCHES[block.page]


def _offline(command: str, scratch: Path) -> str:
    command = command.replace("/tmp/", f"{scratch}/tmp/")
    if command.startswith("make "):
        # The checkout's virtualenvs as they are: a docs test never installs.
        stamps = " ".join(f"-o {stamp}" for stamp in _VIRTUALENV_STAMPS)
        command = f"make {stamps} {command.removeprefix('make ')}"
    return command


def bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PATH": f"{cwd / 'venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def lay_over(scratch: Path, stacks: str) -> None:
    """The files below ``stacks`` (a directory of tests/docs/stacks) replace the scratch's."""
    if not stacks:
        return
    for source in sorted((REPO / stacks).rglob("*")):
        if source.is_dir():
            continue
        relative = source.relative_to(REPO / stacks)
        folder = scratch
        for part in relative.parts[:-1]:
            folder = folder / part
            if folder.is_symlink():
                # A linked directory of the checkout becomes a directory of links, so that
                # writing into it leaves the checkout untouched.
                linked = folder.resolve()
                folder.unlink()
                folder.mkdir()
                for entry in linked.iterdir():
                    (folder / entry.name).symlink_to(entry)
        target = scratch / relative
        target.unlink(missing_ok=True)
        shutil.copy(source, target)


# Commands that write no file give the same result in any scratch copy: run each once.
_RESULTS: dict[str, subprocess.CompletedProcess[str]] = {}


def run_command(command: str, scratch: Path, *, own: bool) -> subprocess.CompletedProcess[str]:
    pure = own and ">" not in command and not re.search(r"--(graph|terraform-plan)\b", command)
    if pure and command in _RESULTS:
        return _RESULTS[command]
    result = bash(_offline(command, scratch), scratch)
    if pure:
        _RESULTS[command] = result
    return result


@pytest.mark.parametrize("block", of_kind("example", "run"), ids=str)
def test_the_commands_run_offline(block: Block, scratch: Path) -> None:
    listed = list(commands(block.text))
    if block.arg.endswith("skipping pulumi"):
        skipped = [c for c in listed if c.startswith("pulumi ")]
        assert skipped, f"{block.where}: nothing to skip"
        listed = [c for c in listed if c not in skipped]
    stacks = block.arg.partition(" in ")[2]
    lay_over(scratch, stacks)
    for command in listed:
        result = run_command(command, scratch, own=not stacks)
        assert result.returncode == 0, f"{block.where}: {command}\n{result.stderr[-3000:]}"


_SEPARATOR = "--- docs-test: next command ---"


@pytest.mark.parametrize("block", of_kind("example", "console"), ids=str)
def test_the_console_shows_what_the_commands_print(block: Block, scratch: Path) -> None:
    lay_over(scratch, block.arg.partition(" in ")[2])
    expected: list[list[str]] = []
    script = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            # `$?` after the separator is still the status of the command before it.
            script.append(f'status=$?; echo "{_SEPARATOR}"; (exit $status); ' + line[2:])
            expected.append([])
        else:
            assert expected, f"{block.where}: output before the first command"
            expected[-1].append(line)
    result = bash("\n".join(s.replace("2>&1", "") + " 2>&1" for s in script), scratch)
    printed = result.stdout.split(_SEPARATOR + "\n")[1:]
    scratch_path = str(scratch.resolve())
    assert [p.replace(scratch_path, "/src/alb").splitlines() for p in printed] == expected

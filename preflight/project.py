"""Project and stack configuration, read the way the Pulumi CLI reads it.

``Pulumi.yaml`` gives the project name, the runtime (and its ``virtualenv`` option) and the
project-level ``config:`` block (types, defaults, ``secret``); ``Pulumi.<stack>.yaml`` gives the
stack's values. The result is what the CLI hands the language host: a flat map of full keys
(``namespace:name``) to strings, structured values serialized as JSON, and the list of keys
whose values are secret (``PULUMI_CONFIG`` and ``PULUMI_CONFIG_SECRET_KEYS``).

``secure:`` values cannot be decrypted offline (no secrets provider), so each one is replaced
by a deterministic placeholder that is still passed as a secret: programs that only forward
a secret (to a resource input or an output) behave as they would under ``pulumi preview``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

CONFIG_TYPES = ("string", "integer", "boolean", "array", "object")
# The Python language host's toolchains (sdk/python/toolchain: pip, poetry, uv).
TOOLCHAINS = ("pip", "uv", "poetry")
SECURE_PLACEHOLDER_PREFIX = "preflight-secret-"


class ProjectError(Exception):
    """A project or stack file that the Pulumi CLI would refuse; the message names the file."""


@dataclass(frozen=True)
class ConfigType:
    """A project-level declaration of one config key (``config: {key: {type, default, ...}}``)."""

    key: str
    type: str | None = None
    default: Any = None
    has_default: bool = False
    secret: bool = False
    description: str = ""


@dataclass(frozen=True)
class Project:
    """``Pulumi.yaml``: the parts that decide how a program runs."""

    name: str
    runtime: str
    directory: Path
    main: str | None = None
    virtualenv: str | None = None
    config: dict[str, ConfigType] = field(default_factory=dict)
    # runtime.options.toolchain: how the CLI installs the program's dependencies.
    toolchain: str = "pip"

    def program_path(self) -> Path:
        """The program to run: ``main`` when set (a file or a directory), else the project dir."""
        return (self.directory / self.main).resolve() if self.main else self.directory

    def program_directory(self) -> Path:
        """Where the program's ``requirements.txt`` is: ``main``'s directory, else the project's."""
        program = self.program_path()
        return program if program.is_dir() else program.parent

    def virtualenv_path(self) -> Path | None:
        """The virtualenv Pulumi.yaml names, relative to the project directory."""
        if not self.virtualenv:
            return None
        venv = Path(self.virtualenv)
        return venv if venv.is_absolute() else self.directory / venv

    def python(self) -> Path | None:
        """The interpreter of the project's virtualenv, when Pulumi.yaml names one that exists."""
        venv = self.virtualenv_path()
        return venv_python(venv) if venv is not None else None


def venv_python(venv: Path) -> Path | None:
    """A virtualenv's interpreter, if it has one (the CLI's ``IsVirtualEnv``)."""
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate
    return None


@dataclass(frozen=True)
class StackConfig:
    """What the language host receives: ``PULUMI_CONFIG`` and ``PULUMI_CONFIG_SECRET_KEYS``."""

    stack: str
    values: dict[str, str]
    secret_keys: tuple[str, ...]
    # Whether Pulumi.<stack>.yaml exists (a missing file is legal when nothing needs config).
    stack_file_found: bool = True
    stack_file: Path | None = None


class _LineLoader(yaml.SafeLoader):
    """A safe loader that reads YAML 1.2 and refuses duplicate keys, as the CLI does.

    The CLI decodes project and stack files with Go's yaml.v3, which follows the YAML 1.2 core
    schema: only ``true``/``false`` are booleans, so ``NO`` (Norway), ``yes``, ``on`` and ``y``
    are text, and so are dates. PyYAML implements YAML 1.1, where ``blockedCountries: [NO]``
    would become ``[false]``; this loader keeps PyYAML's parser and error messages (file and
    line) and replaces only its 1.1 resolvers with the 1.2 core schema's (YAML 1.2.2 §10.3.2).
    """

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}


def _core_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf")}


def _core_float(loader: _LineLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node)
    lowered = text.lower()
    if lowered == ".nan":
        return float("nan")
    return _SPECIAL_FLOATS.get(lowered) or float(text)


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("merge", r"^<<$", "<"),
):
    _LineLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first)
    )
_LineLoader.add_constructor("tag:yaml.org,2002:int", _core_int)
_LineLoader.add_constructor("tag:yaml.org,2002:float", _core_float)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> Any:
    """A YAML file as the CLI reads it; any problem is a :class:`ProjectError` naming the file
    and, when it has one, the line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProjectError(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        ) from exc
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ProjectError(f"{where}: invalid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise ProjectError(f"{path}: invalid YAML: {exc}") from exc


def find_project_file(directory: Path) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.yml"):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    message = f"{directory}: no Pulumi.yaml (is --program a Pulumi project directory?)"
    projects = projects_below(directory)
    if projects:
        shown = [f"  {path}" for path in projects[:_PROJECTS_SHOWN]]
        if len(projects) > _PROJECTS_SHOWN:
            shown.append(f"  ... and {len(projects) - _PROJECTS_SHOWN} more")
        message += "\nthese folders below it hold Pulumi projects:\n" + "\n".join(shown)
    raise ProjectError(message)


_PROJECTS_SHOWN = 20
# Folders that never hold a user's project, and can be huge.
_SKIPPED_FOLDERS = {"node_modules", "venv", ".venv", "__pycache__", ".git", "site-packages"}


def projects_below(directory: Path, depth: int = 3) -> list[str]:
    """The folders under ``directory`` (``depth`` levels at most) that hold a Pulumi.yaml,
    relative to it and sorted: where a user who pointed --program one level too high meant."""
    found: list[str] = []

    def walk(folder: Path, level: int) -> None:
        try:
            children = sorted(child for child in folder.iterdir() if child.is_dir())
        except OSError:
            return
        for child in children:
            if child.name in _SKIPPED_FOLDERS or child.name.startswith("."):
                continue
            if any((child / name).is_file() for name in ("Pulumi.yaml", "Pulumi.yml")):
                found.append(child.relative_to(directory).as_posix())
            elif level < depth:
                walk(child, level + 1)

    walk(directory, 1)
    return found


def full_key(key: str, project_name: str, *, where: str) -> str:
    """``name`` → ``project:name``; ``ns:name`` as is; legacy ``ns:config:name`` → ``ns:name``."""
    if not isinstance(key, str) or not key:
        raise ProjectError(f"{where}: config key {key!r} is not a string")
    parts = key.split(":")
    if len(parts) == 1:
        return f"{project_name}:{key}"
    if len(parts) == 3 and parts[1] == "config":
        return f"{parts[0]}:{parts[2]}"
    if len(parts) == 2 and parts[0] and parts[1]:
        return key
    raise ProjectError(
        f"{where}: config key {key!r} is not of the form <namespace>:<name> or <name>"
    )


def load_project(directory: Path) -> Project:
    """Read Pulumi.yaml in ``directory``."""
    path = find_project_file(directory)
    document = load_yaml(path)
    if not isinstance(document, dict):
        raise ProjectError(f"{path}: expected a mapping at the top level")
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise ProjectError(f"{path}: 'name' is required and must be a string")
    runtime_value = document.get("runtime")
    virtualenv: str | None = None
    toolchain = "pip"
    if isinstance(runtime_value, dict):
        runtime = runtime_value.get("name")
        options = runtime_value.get("options") or {}
        if not isinstance(options, dict):
            raise ProjectError(f"{path}: 'runtime.options' must be a mapping")
        venv = options.get("virtualenv")
        if venv is not None:
            virtualenv = str(venv)
        toolchain = str(options.get("toolchain") or "pip")
        if toolchain not in TOOLCHAINS:
            # The language host's parseOptions refuses any other value.
            raise ProjectError(
                f"{path}: runtime.options.toolchain is {toolchain!r}; "
                f"expected one of {', '.join(TOOLCHAINS)}"
            )
    else:
        runtime = runtime_value
    if runtime is None:
        raise ProjectError(f"{path}: 'runtime' is required (runtime: python)")
    if runtime != "python":
        raise ProjectError(
            f"{path}: runtime is {runtime!r}; preflight runs Python programs (runtime: python)"
        )
    main = document.get("main")
    if main is not None and not isinstance(main, str):
        raise ProjectError(f"{path}: 'main' must be a string")
    # Only the top-level `config:` block is configuration. `template.config` holds the prompts
    # and defaults of `pulumi new`, which writes the answers into the stack file; the CLI never
    # reads it as config, and neither does preflight.
    config = _project_config(document.get("config"), name, path)
    return Project(
        name=name,
        runtime="python",
        directory=directory.resolve(),
        main=main,
        virtualenv=virtualenv,
        config=config,
        toolchain=toolchain,
    )


def _project_config(block: Any, project_name: str, path: Path) -> dict[str, ConfigType]:
    if block is None:
        return {}
    if not isinstance(block, dict):
        raise ProjectError(f"{path}: 'config' must be a mapping")
    declared: dict[str, ConfigType] = {}
    for raw_key, spec in block.items():
        where = f"{path}: config key {raw_key!r}"
        key = full_key(raw_key, project_name, where=str(path))
        namespaced_elsewhere = ":" in str(raw_key) and key.split(":")[0] != project_name
        if not isinstance(spec, dict):
            # The short form `key: value` is a default value.
            declared[key] = ConfigType(key=key, default=spec, has_default=True)
            continue
        unknown = set(spec) - {"type", "default", "value", "secret", "description", "items"}
        if unknown:
            raise ProjectError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        type_ = spec.get("type")
        if type_ is not None and type_ not in CONFIG_TYPES:
            raise ProjectError(f"{where}: type must be one of {', '.join(CONFIG_TYPES)}")
        if type_ is not None and namespaced_elsewhere:
            raise ProjectError(
                f"{where}: is not namespaced by the project and should not define a type"
            )
        has_default = "default" in spec or "value" in spec
        default = spec.get("default", spec.get("value"))
        if has_default and type_ is not None and not _matches_type(default, type_):
            raise ProjectError(f"{where}: default value must be of type {type_!r}")
        declared[key] = ConfigType(
            key=key,
            type=type_,
            default=default,
            has_default=has_default,
            secret=bool(spec.get("secret", False)),
            description=str(spec.get("description") or ""),
        )
    return declared


_INTEGER = re.compile(r"^[+-]?\d+$")


def _matches_type(value: Any, type_: str) -> bool:
    """The CLI's check of a config value against its declared type."""
    if type_ == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, str) and bool(_INTEGER.match(value)))
    if type_ == "boolean":
        return isinstance(value, bool) or (isinstance(value, str) and value in ("true", "false"))
    if type_ == "array":
        return isinstance(value, list)
    if type_ == "object":
        return isinstance(value, dict)
    # string: any scalar (the CLI stores every scalar as text)
    return not isinstance(value, (list, dict))


def _scalar_text(value: Any) -> str:
    """A scalar as the CLI stores it: YAML booleans as true/false, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _placeholder(ciphertext: str) -> str:
    return SECURE_PLACEHOLDER_PREFIX + hashlib.sha256(ciphertext.encode()).hexdigest()[:12]


_PASSPHRASE_CIPHERTEXT = re.compile(r"^v1:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$")


@dataclass(frozen=True)
class _SecureValues:
    """Where ``secure:`` values come from: the stack file, its text (for line numbers) and
    whether it uses the passphrase secrets provider (an ``encryptionsalt`` is present)."""

    path: Path
    text: str
    passphrase: bool

    def check(self, key: str, ciphertext: Any) -> str:
        valid = (
            isinstance(ciphertext, str)
            and bool(ciphertext)
            and (not self.passphrase or bool(_PASSPHRASE_CIPHERTEXT.match(ciphertext)))
        )
        if valid:
            return str(ciphertext)
        where = str(self.path)
        for number, line in enumerate(self.text.splitlines(), start=1):
            if "secure:" in line and (not isinstance(ciphertext, str) or ciphertext in line):
                where = f"{self.path}:{number}"
                break
        expected = (
            "a passphrase ciphertext (v1:<nonce>:<ciphertext>)"
            if self.passphrase
            else ("a ciphertext string")
        )
        raise ProjectError(
            f"{where}: config key '{key}': the secure value is not {expected}; set it again with "
            f"`pulumi config set --secret {key}`"
        )


def _resolve_secure(value: Any, *, key: str, secure: _SecureValues) -> tuple[Any, bool]:
    """Replace ``{secure: ...}`` leaves with placeholders; report whether any was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return _placeholder(secure.check(key, value["secure"])), True
        found = False
        resolved: dict[str, Any] = {}
        for name, item in value.items():
            resolved[name], secret = _resolve_secure(item, key=key, secure=secure)
            found = found or secret
        return resolved, found
    if isinstance(value, list):
        found = False
        items = []
        for item in value:
            resolved_item, secret = _resolve_secure(item, key=key, secure=secure)
            items.append(resolved_item)
            found = found or secret
        return items, found
    return value, False


def config_text(value: Any) -> str:
    """A config value as the language host receives it: structured values as compact JSON."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return _scalar_text(value)


def stack_names(directory: Path) -> list[str]:
    """The stacks that have a stack file (``Pulumi.<stack>.yaml``) in a project directory."""
    names = {
        path.name[len("Pulumi.") :].rsplit(".", 1)[0]
        for suffix in ("yaml", "yml")
        for path in directory.glob(f"Pulumi.*.{suffix}")
    }
    return sorted(names)


def load_stack_config(project: Project, stack: str) -> StackConfig:
    """Read Pulumi.<stack>.yaml and apply the project's defaults and type checks."""
    path = None
    for suffix in ("yaml", "yml"):
        candidate = project.directory / f"Pulumi.{stack}.{suffix}"
        if candidate.is_file():
            path = candidate
            break
    raw: dict[str, Any] = {}
    stack_file = path or project.directory / f"Pulumi.{stack}.yaml"
    secure = _SecureValues(stack_file, "", passphrase=False)
    if path is not None:
        document = load_yaml(path)
        if document is None:
            document = {}
        if not isinstance(document, dict):
            raise ProjectError(f"{path}: expected a mapping at the top level")
        config_block = document.get("config") or {}
        if not isinstance(config_block, dict):
            raise ProjectError(f"{path}: 'config' must be a mapping")
        for raw_key, value in config_block.items():
            key = full_key(raw_key, project.name, where=str(path))
            if key in raw:
                raise ProjectError(f"{path}: config key {key!r} is set twice")
            raw[key] = value
        secure = _SecureValues(
            path, path.read_text(encoding="utf-8"), passphrase="encryptionsalt" in document
        )

    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        resolved, secret = _resolve_secure(value, key=key, secure=secure)
        declared = project.config.get(key)
        if declared is not None and declared.type is not None:
            if not _matches_type(resolved, declared.type):
                raise ProjectError(
                    f"{stack_file}: Stack '{stack}' with configuration key '{key}' "
                    f"must be of type '{declared.type}'"
                )
            if declared.secret and not secret:
                raise ProjectError(
                    f"{stack_file}: Stack '{stack}' with configuration key '{key}' must be "
                    "encrypted as it's secret (set it with `pulumi config set --secret`)"
                )
        values[key] = config_text(resolved)
        if secret:
            secret_keys.append(key)

    missing = []
    for key, declared in project.config.items():
        if key in values:
            continue
        if declared.has_default:
            values[key] = config_text(declared.default)
            if declared.secret:
                secret_keys.append(key)
        elif declared.type is not None:
            missing.append(key)
    if missing:
        where = stack_file if path is not None else f"{stack_file} (not found)"
        raise ProjectError(
            f"{where}: Stack '{stack}' is missing configuration value(s): "
            + ", ".join(f"'{key}'" for key in missing)
        )
    return StackConfig(
        stack=stack,
        values=dict(sorted(values.items())),
        secret_keys=tuple(sorted(secret_keys)),
        stack_file_found=path is not None,
        stack_file=stack_file,
    )

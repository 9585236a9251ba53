"""What preflight records of a program run, shared by the runner, the analyzer client and reports.

Values inside ``inputs`` and ``outputs`` are plain JSON-like Python values (dict, list, str,
float/int, bool, None) plus two markers: :class:`Secret` for a value the engine would mark secret,
and :data:`UNKNOWN` for a value that is not known until the resource is created (as during a
real ``pulumi preview``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Secret:
    """A value the engine carries as a secret (masked in reports, marked in the protocol)."""

    value: Any


class _Unknown:
    """The engine's unknown value: a computed output that a preview cannot know yet."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class ResourceRecord:
    """One resource registration, with the options the engine would pass to an analyzer."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    # True when the program set deleteBeforeReplace at all (the engine sends it as "defined").
    delete_before_replace_defined: bool = False
    ignore_changes: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    custom_timeouts: dict[str, str] | None = None
    # The provider reference as the engine writes it: "<provider urn>::<provider id>".
    provider: str | None = None
    id: str | None = None
    # Checked inputs (camelCase, after the provider's Check, so autonamed names are filled in).
    inputs: dict[str, Any] = field(default_factory=dict)
    # The resulting state: the inputs plus what the provider computed (arn, id, dnsName, ...).
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Violation:
    """One policy violation as the engine reports it."""

    policy_pack: str
    policy: str
    enforcement_level: str  # "advisory" | "mandatory" | "remediate"
    urn: str | None
    message: str
    description: str = ""
    severity: str = ""
    policy_pack_version: str = ""


@dataclass(frozen=True)
class Remediation:
    """What a policy at the ``remediate`` level would change on one resource."""

    policy_pack: str
    policy: str
    urn: str
    before: dict[str, Any]
    after: dict[str, Any]
    diagnostic: str = ""

"""JSON encoding of recorded values, shared by the program worker and the CLI.

Secrets and unknowns travel in Pulumi's own wire encoding, so a value read back is exactly
what was recorded:

- a secret is ``{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  "value": <value>}`` (the SDK's special signature key and secret signature);
- an unknown is the string ``"04da6b54-80e4-46f7-96ec-b56ff0331ba9"`` (the engine's
  unknown-value sentinel).

Reports do not use this encoding: they mask secrets as ``"[secret]"`` (see ``preflight.report``).
"""

from __future__ import annotations

from typing import Any

from preflight.records import UNKNOWN, Secret

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
MASK = "[secret]"


def encode(value: Any) -> Any:
    """Recorded value → JSON-able value (secrets and unknowns in the wire encoding)."""
    if isinstance(value, Secret):
        return {SIG_KEY: SECRET_SIG, "value": encode(value.value)}
    if value is UNKNOWN:
        return UNKNOWN_VALUE
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    return value


def decode(value: Any) -> Any:
    """The inverse of :func:`encode`."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return Secret(decode(value.get("value")))
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    if value == UNKNOWN_VALUE:
        return UNKNOWN
    return value


def mask(value: Any) -> Any:
    """Recorded value → what a report shows: secrets as ``"[secret]"``, unknowns as
    ``"[unknown]"``."""
    if isinstance(value, Secret):
        return MASK
    if value is UNKNOWN:
        return "[unknown]"
    if isinstance(value, dict):
        return {key: mask(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(item) for item in value]
    return value


def unmask(value: Any) -> Any:
    """A report's value → a recorded value: ``"[secret]"`` becomes a secret (whose plaintext a
    report never holds) and ``"[unknown]"`` an unknown."""
    if value == MASK:
        return Secret(MASK)
    if value == "[unknown]":
        return UNKNOWN
    if isinstance(value, dict):
        return {key: unmask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unmask(item) for item in value]
    return value

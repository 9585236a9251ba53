"""Reading an S3 bucket policy the way AWS evaluates it.

A bucket's ``policy`` input is a JSON string or, through ``aws.iam.PolicyDocument``, an object;
both reach the pack through the engine's proxies. The statements here are plain values with
the IAM policy grammar's meaning
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html):

- ``Principal`` is ``"*"`` or a map of principal types (``AWS``, ``Service``, ...) to one value
  or a list; ``"*"`` and ``{"AWS": "*"}`` both mean everyone, and ``NotPrincipal`` means
  everyone but the listed principals;
- actions match case-insensitively, with ``*`` and ``?`` wildcards; ``NotAction`` matches every
  action it does not list (and likewise ``NotResource``);
- the operators and keys of a ``Condition`` must all hold for the statement to apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from .common import UNKNOWN, plain

EVERYONE: Final = "*"

# Condition keys that tie a grant to specific accounts, organisations, networks or sources,
# so that a statement granting "*" is not public ("The meaning of "public"", Amazon S3 Block
# Public Access, https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
_RESTRICTING_KEYS: Final = frozenset(
    key.lower()
    for key in (
        "aws:SourceArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOwner",
        "aws:SourceAccount",
        "aws:SourceIp",
        "aws:PrincipalOrgID",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:userid",
        "s3:DataAccessPointArn",
        "s3:DataAccessPointAccount",
    )
)
# Operators under which a fixed value narrows a statement; the negated ones and "...IfExists"
# (which holds when the key is missing) do not.
_NARROWING_OPERATORS: Final = re.compile(
    r"^(?:StringEquals|StringLike|ArnEquals|ArnLike|IpAddress)$"
)
_WIDE_NETWORKS: Final = frozenset({"0.0.0.0/0", "::/0"})


@dataclass(frozen=True)
class Statement:
    """One statement of a policy document, as plain values."""

    effect: str | None
    principal: Any = None
    not_principal: Any = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    condition: Mapping[str, Any] = field(default_factory=dict)

    def principals(self, kind: str) -> set[str]:
        """The principals of one type (``AWS``, ``Service``) the statement names."""
        if self.principal == EVERYONE:
            return {EVERYONE}
        if not isinstance(self.principal, Mapping):
            return set()
        return {value for value in _strings(self.principal.get(kind))}

    def applies_to_everyone(self) -> bool:
        """Whether the statement names every principal (``"*"``, ``{"AWS": "*"}``)."""
        return EVERYONE in self.principals("AWS") or self.principal == EVERYONE

    def grants_publicly(self) -> bool:
        """Whether an Allow reaches anonymous principals, with no condition narrowing it."""
        if self.effect != "Allow":
            return False
        public = self.applies_to_everyone() or self.not_principal is not None
        return public and not self._narrowed()

    def _narrowed(self) -> bool:
        for operator, keys in self.condition.items():
            if not (isinstance(keys, Mapping) and _NARROWING_OPERATORS.match(str(operator))):
                continue
            for key, value in keys.items():
                values = _strings(value)
                if (
                    str(key).lower() in _RESTRICTING_KEYS
                    and values
                    and not any("*" in v or "?" in v or v in _WIDE_NETWORKS for v in values)
                ):
                    return True
        return False

    def allows_action(self, action: str) -> bool:
        """Whether the statement's actions include ``action`` (``s3:PutObject``)."""
        if self.actions is not None:
            return any(_matches(pattern, action, ignore_case=True) for pattern in self.actions)
        if self.not_actions is not None:
            return not any(_matches(p, action, ignore_case=True) for p in self.not_actions)
        return False

    def covers_every_action_of(self, service: str) -> bool:
        """Whether the statement's actions include every action of a service (``s3:*``)."""
        every = f"{service}:*"
        return self.actions is not None and any(
            _matches(pattern, every, ignore_case=True) for pattern in self.actions
        )

    def covers_resource(self, arn: str) -> bool:
        """Whether the statement's resources include ``arn`` (a ``/*`` ARN: every object)."""
        if self.resources is not None:
            return any(_matches(pattern, arn, ignore_case=False) for pattern in self.resources)
        if self.not_resources is not None:
            return not any(_matches(p, arn, ignore_case=False) for p in self.not_resources)
        return False


def statements(document: Any) -> list[Statement] | None:
    """The statements of a ``policy`` input; None while the document is unknown.

    A document that is not valid JSON or has no statement list has no statements: AWS refuses
    it, so nothing it says can be counted on.
    """
    value = plain(document)
    if value is UNKNOWN or _contains_unknown(value):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    raw = value.get("Statement", []) if isinstance(value, Mapping) else []
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    return [_statement(item) for item in raw if isinstance(item, Mapping)]


def _statement(item: Mapping[str, Any]) -> Statement:
    condition = item.get("Condition")
    return Statement(
        effect=item.get("Effect") if isinstance(item.get("Effect"), str) else None,
        principal=item.get("Principal"),
        not_principal=item.get("NotPrincipal"),
        actions=_optional_strings(item, "Action"),
        not_actions=_optional_strings(item, "NotAction"),
        resources=_optional_strings(item, "Resource"),
        not_resources=_optional_strings(item, "NotResource"),
        condition=condition if isinstance(condition, Mapping) else {},
    )


def condition_is_only(statement: Statement, operators: Iterable[str], key: str, value: str) -> bool:
    """Whether the statement's whole condition is ``key`` equal to ``value`` under one of
    ``operators`` (every other operator or key would narrow the statement further)."""
    allowed = set(operators)
    entries = [
        (operator, condition_key, condition_value)
        for operator, keys in statement.condition.items()
        for condition_key, condition_value in (keys.items() if isinstance(keys, Mapping) else [])
    ]
    if len(entries) != 1 or len(statement.condition) != 1:
        return False
    operator, condition_key, condition_value = entries[0]
    values = _strings(condition_value)
    return (
        operator in allowed
        and str(condition_key).lower() == key.lower()
        and bool(values)
        and all(v.lower() == value for v in values)
    )


def _strings(value: Any) -> list[str]:
    """One value or a list of them, as strings (JSON booleans as "true"/"false")."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, bool):
            found.append("true" if item else "false")
        elif isinstance(item, str):
            found.append(item)
    return found


def _optional_strings(item: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    return tuple(_strings(item[key])) if key in item else None


def _contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(_contains_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(item) for item in value)
    return False


def _matches(pattern: str, value: str, *, ignore_case: bool) -> bool:
    return _pattern(pattern, ignore_case).fullmatch(value) is not None


@cache
def _pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    # IAM wildcards: "*" any run of characters (slashes included), "?" one character.
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)

"""The one error a policy pack session raises."""

from __future__ import annotations

from collections.abc import Iterable


class PolicyPackError(Exception):
    """A policy pack could not be started, configured or run.

    ``str()`` is one line naming the pack directory (or config file) and what went wrong,
    followed by the tail of the pack's stderr when there is one.
    """

    def __init__(self, message: str, stderr_tail: Iterable[str] = ()) -> None:
        self.message = message
        self.stderr_tail = tuple(line.rstrip("\n") for line in stderr_tail if line.strip())
        super().__init__(message)

    def __str__(self) -> str:
        if not self.stderr_tail:
            return self.message
        return "\n".join([self.message, *(f"    {line}" for line in self.stderr_tail)])

"""`make mutation`: mutmut's pytest plugin for this repository, and its per-module score.

As a pytest plugin (``-p tests.mutation_support``, set in ``[tool.mutmut]``) it makes the
policy pack importable under the name mutmut gives it. The engine runs the pack with
``policies/`` on ``sys.path``, so the tests import ``alb_guardrails``; mutmut names a mutant
after its file (``policies.alb_guardrails.tls_policy.x_…``) and only activates it when the
function's module has that name. The pack's modules import each other relatively, so loading
them once as ``policies.alb_guardrails.*`` and registering every one under ``alb_guardrails.*``
too gives the tests the same code under the name mutmut expects.

As a script (``python -m tests.mutation_support``) it prints the score of each mutated module
from mutmut's result files, leaving out the mutants listed in ``EQUIVALENT`` (docs/testing.md
gives each one's reason).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from collections import Counter
from pathlib import Path

PACKAGE = "alb_guardrails"
QUALIFIED = f"policies.{PACKAGE}"

# Mutants that change no behaviour a caller can observe, by name (``mutmut show NAME``);
# docs/testing.md has the reason for each.
EQUIVALENT: dict[str, str] = {}


def alias_policy_pack() -> None:
    """Load ``policies.alb_guardrails`` and its modules, and register them as ``alb_guardrails``."""
    package = importlib.import_module(QUALIFIED)
    sys.modules[PACKAGE] = package
    for module in pkgutil.iter_modules(package.__path__):
        sys.modules[f"{PACKAGE}.{module.name}"] = importlib.import_module(
            f"{QUALIFIED}.{module.name}"
        )


def pytest_configure() -> None:
    alias_policy_pack()


# mutmut's exit codes (mutmut.stats.status_by_exit_code) that count as a kill.
_KILLED = {1, 3, 36, 37, -24, 24, 152, 255, -9, -11}


def scores(mutants: Path = Path("mutants")) -> dict[str, Counter[str]]:
    """Per source file: killed, survived, equivalent and not-run mutants."""
    table: dict[str, Counter[str]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        source = str(meta.relative_to(mutants))[: -len(".meta")]
        counts: Counter[str] = Counter()
        for name, exit_code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if name in EQUIVALENT:
                counts["equivalent"] += 1
            elif exit_code in _KILLED:
                counts["killed"] += 1
            elif exit_code in (0, 5, 33):
                counts["survived"] += 1
            else:
                counts["not run"] += 1
        table[source] = counts
    return table


def main() -> int:
    table = scores()
    if not table:
        print("no mutmut results: run `make mutation` first", file=sys.stderr)
        return 2
    width = max(len(source) for source in table)
    print(f"{'module':<{width}}  killed  survived  equivalent  not run   score")
    below = 0
    for source, counts in table.items():
        tested = counts["killed"] + counts["survived"]
        score = 100 * counts["killed"] / tested if tested else 100.0
        below += score < 85
        print(
            f"{source:<{width}}  {counts['killed']:>6}  {counts['survived']:>8}"
            f"  {counts['equivalent']:>10}  {counts['not run']:>7}  {score:5.1f}%"
        )
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())

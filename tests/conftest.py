"""What the whole suite shares: the Hypothesis profile, and the platform stacks' plans.

CI sets ``CI=true``, which loads the ``ci`` profile: the property tests draw the same examples
on every run (derandomized, so without an example database), a failure is reproducible from
the log and its blob is printed, and a slow example on a busy runner is no failure. Otherwise
the ``dev`` profile keeps Hypothesis's defaults: new examples each run, failures saved and
replayed. Each test keeps its own ``max_examples`` and phases; ``--hypothesis-profile NAME``
overrides the choice.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import settings

from tests.harness import run_preflight

_DEFAULT = settings.get_profile("default")
settings.register_profile("ci", _DEFAULT, derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", _DEFAULT)
settings.load_profile("ci" if "CI" in os.environ else "dev")


@pytest.fixture(scope="session")
def platform_document() -> Callable[[str], dict[str, Any]]:
    """preflight's JSON of a platform stack without policies (``--stack STACK --policy-pack
    none --json``, as app teams read it), run once per stack; each caller gets its own copy."""
    documents: dict[str, dict[str, Any]] = {}

    def get(stack: str) -> dict[str, Any]:
        if stack not in documents:
            run = run_preflight("--stack", stack, "--policy-pack", "none", "--json")
            assert run.returncode == 0, run.stderr
            documents[stack] = run.document
        return copy.deepcopy(documents[stack])

    return get

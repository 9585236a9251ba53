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
gives each one's reason), and exits 1 when a module scores under 85%; ``--markdown`` prints the
table for docs/testing.md, ``--survivors`` the mutants no test has killed yet (survived,
reached by no test, or not run), one per line, and ``--forget-survivors`` drops their results so
that the next run tests them again (``make mutation MUTANTS=survivors``).
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import os
import pkgutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

PACKAGE = "alb_guardrails"
QUALIFIED = f"policies.{PACKAGE}"

# Mutants no test can kill, by name or glob (``mutmut show NAME`` shows one), each with its
# reason; docs/testing.md lists them by class.
_IMPORT_TIME = (
    "runs only while the module is imported (it builds a validator, a matcher or a type table "
    "once); mutmut switches a mutant on after the import, so no test ever runs it"
)
_URN_DEFAULT = "report_violation's urn parameter defaults to None"
_URN_DEFAULT_MUTANTS = (
    "access_logs.x_validate__mutmut_36",
    "access_logs.x_validate__mutmut_45",
    "action_order.x_validate__mutmut_18",
    "authenticate_anonymous.x_validate__mutmut_10",
    "authenticate_endpoints.x_validate__mutmut_11",
    "autonaming.x_validate__mutmut_38",
    "cross_zone.x_validate__mutmut_24",
    "cross_zone_ignored.x_validate__mutmut_21",
    "deletion_protection.x_validate__mutmut_46",
    "health_check.x_validate__mutmut_39",
    "health_check.x_validate__mutmut_60",
    "lambda_permission_scoped.x_validate__mutmut_38",
    "mtls_certificate_expiry.x_validate__mutmut_61",
    "multi_az.x_validate__mutmut_52",
    "remediable.x_load_balancer_setting_policy__mutmut_12",
    "target_group_encryption.x_validate__mutmut_33",
    "target_group_encryption.x_validate__mutmut_88",
    "tls_policy.x_validate__mutmut_72",
    "waf_managed_rules.x_validate__mutmut_29",
    "waf_managed_rules.x_validate__mutmut_34",
    "waf_managed_rules.x_validate__mutmut_42",
    "waf_managed_rules.x_validate__mutmut_62",
    "waf_managed_rules.x_validate__mutmut_75",
)
_SCHEMA_DEFAULT = "the engine fills the schema's default in, so config_flag's is never read"
_SCHEMA_DEFAULT_MUTANTS = (
    "tls_policy.x_validate__mutmut_29",
    "tls_policy.x_validate__mutmut_36",
    "security_group_ingress.x_validate__mutmut_7",
    "waf_attached.x_validate__mutmut_6",
    "waf_attached.x_validate__mutmut_13",
    "waf_managed_rules.x_validate__mutmut_51",
    "waf_managed_rules.x_validate__mutmut_58",
)
_FALSY_DEFAULT = "the value is only read for its truth, and None is as false as False"
_STRICT_NONE = "ip_network(strict=None) is ip_network(strict=False): strict is read for truth"
_ONE_SEPARATOR = "a query-string key or value never holds the NUL that joins them"
_NO_CASE = "the text is compared without case, so its case cannot matter"
_LAST_PART = "splitting at every '$' or at the last two ends in the same last part"
_FALSY = "the flag is only read for its truth, and None is as false as False"
_TOP_NEVER_REACHED = "the search for a free priority never comes near the top of the range"
_LOCALE_ENCODING = (
    "encoding=None is the locale's: UTF-8 under a UTF-8 locale and under the C locale, which "
    "Python coerces to C.UTF-8 (PEP 538), and a test cannot change it once Python has started"
)
_ERROR_KIND = (
    "the kind of a config error is never shown: _describe only tells pydantic's extra_forbidden, "
    "missing and value_error apart, and words every other kind by its message"
)
_SCHEMA_WALK = (
    "an unknown key is always reported inside a model, reached through X | None, list[Model] "
    "and dict[str, Model] only: for those the walk finds the same model without this origin "
    "check, default or fallback"
)
_STRICT_DEFAULT = "ip_network's strict defaults to True"
EQUIVALENT: dict[str, str] = {
    "components.config.x__distinct__mutmut_*": _IMPORT_TIME,
    "components.config.x__regex__mutmut_*": _IMPORT_TIME,
    "policies.alb_guardrails.listener_rule_reachable.x__glob_covers__mutmut_*": _IMPORT_TIME,
    "policies.alb_guardrails.common.x__kind__mutmut_*": _IMPORT_TIME,
    "policies.alb_guardrails.common.x__elbv2__mutmut_*": _IMPORT_TIME,
    "policies.alb_guardrails.common.xǁ_Unknownǁ__repr____mutmut_*": (
        "the unknown marker's repr, seen only in a debugger"
    ),
    "policies.alb_guardrails.common.x_is_internet_facing__mutmut_3": (
        "an absent `internal` read with default None instead of False: `not None` is `not "
        "False`, internet-facing either way"
    ),
    "preflight.records.xǁ_Unknownǁ__repr____mutmut_*": (
        "the unknown marker's repr, seen only in a debugger (reports show it as [unknown])"
    ),
    # report_violation(message, None) without the None: the urn parameter defaults to None.
    **{f"policies.alb_guardrails.{name}": _URN_DEFAULT for name in _URN_DEFAULT_MUTANTS},
    # The engine fills every setting of a policy's config schema in before Configure (and the
    # harness does what the engine does), so config_flag's own default is never read.
    **{f"policies.alb_guardrails.{name}": _SCHEMA_DEFAULT for name in _SCHEMA_DEFAULT_MUTANTS},
    # truth(value, default=None) for default=False, where only the truth value is read.
    "policies.alb_guardrails.access_logs.x_validate__mutmut_5": _FALSY_DEFAULT,
    "policies.alb_guardrails.mtls_certificate_expiry.x_validate__mutmut_23": _FALSY_DEFAULT,
    # ipaddress.ip_network(strict=None): strict is only tested for truth, as False is.
    "policies.alb_guardrails.listener_rule_reachable.x__cidr_covers__mutmut_3": _STRICT_NONE,
    "policies.alb_guardrails.listener_rule_reachable.x__cidr_covers__mutmut_8": _STRICT_NONE,
    "policies.alb_guardrails.listener_rule_reachable.x__why_never_seen__mutmut_3": _STRICT_NONE,
    "policies.alb_guardrails.security_group_ingress.x__networks__mutmut_4": _STRICT_NONE,
    # A query-string pair is "key NUL value", and neither part can hold a NUL: one split is
    # every split, from either end.
    **{
        f"policies.alb_guardrails.listener_rule_reachable.x__query_pair_covers__mutmut_{n}": (
            _ONE_SEPARATOR
        )
        for n in (5, 6, 7, 12, 13, 14)
    },
    "policies.alb_guardrails.listener_rule_reachable.x__query_strings__mutmut_26": (
        "a query-string key arrives as a string or not at all (the provider's schema), so "
        "`isinstance(key, str) or key` picks the same keys as `... and key`"
    ),
    # rsplit("$") and rsplit("$", 2) end in the same last part as rsplit("$", 1).
    "preflight.analyzer.requests.x__urn_type__mutmut_14": _LAST_PART,
    "preflight.analyzer.requests.x__urn_type__mutmut_18": _LAST_PART,
    # _pattern(ignore_case=None) builds the same case-sensitive pattern as False.
    "policies.alb_guardrails.policy_document.xǁStatementǁcovers_resource__mutmut_5": _FALSY,
    "policies.alb_guardrails.policy_document.xǁStatementǁcovers_resource__mutmut_15": _FALSY,
    # A JSON boolean's text is only compared lower-cased, or searched for wildcards.
    **{
        f"policies.alb_guardrails.policy_document.x__strings__mutmut_{n}": _NO_CASE
        for n in (8, 9, 11)
    },
    # Actions and condition keys are compared without case (covers_every_action_of and
    # condition_is_only lower both sides).
    "policies.alb_guardrails.log_bucket_secure.x__tls_only_shortfalls__mutmut_10": _NO_CASE,
    "policies.alb_guardrails.log_bucket_secure.x__tls_only_shortfalls__mutmut_33": _NO_CASE,
    "policies.alb_guardrails.log_bucket_secure.x__tls_only_shortfalls__mutmut_34": _NO_CASE,
    # The upward search for a free priority starts at an automatic priority (at most 40,401,
    # docs/configuration.md) and at most 100 rules exist, so it never comes near 50,000.
    **{f"components.routing.x__free_slot__mutmut_{n}": _TOP_NEVER_REACHED for n in (9, 10, 11)},
    # textwrap asks `break_on_hyphens is True` and `if break_long_words`: None is False.
    "preflight.report.x__wrapped__mutmut_5": _FALSY,
    "preflight.report.x__wrapped__mutmut_6": _FALSY,
    # json.dumps asks `if ensure_ascii`, subprocess.run `if check`: None is False.
    "preflight.report.x_render_json__mutmut_3": _FALSY,
    "preflight.report.x__short__mutmut_9": _FALSY,
    "preflight.report.x_render_text__mutmut_21": _FALSY,
    "preflight.report.x_write_graph__mutmut_33": _FALSY,
    "preflight.report.x_write_graph__mutmut_38": "subprocess.run's check defaults to False",
    "preflight.report.x__short__mutmut_1": (
        "the default limit is the outputs', and an output _short shows is a string (never cut), "
        "a float64 (at most 24 characters), a boolean, null, [], {}, a secret or an unknown"
    ),
    "preflight.analyzer.requests.x__go_fraction__mutmut_9": (
        "fraction digits that reach exactly 2**63 truncate to the same nanoseconds kept or "
        "dropped, for every unit and count of leading zeros (enumerated)"
    ),
    "preflight.report.x_write_graph__mutmut_14": _LOCALE_ENCODING,
    "preflight.report.x_write_graph__mutmut_16": _LOCALE_ENCODING,
    "preflight.report.x_write_graph__mutmut_18": "codec names are case-insensitive: UTF-8 is utf-8",
    "policies.alb_guardrails.remediable.x_load_balancer_setting_policy__mutmut_29": (
        "typing.cast returns its value whatever the type: the type is for the type checker"
    ),
    # The non-public blocks are disjoint, so a piece of a public CIDR lies inside one only when
    # the CIDR itself does, and then the CIDR stands for itself whether it is dropped or kept.
    **{
        f"policies.alb_guardrails.security_group_ingress.x__without__mutmut_{n}": (
            "the non-public blocks are disjoint: a piece lies inside one only when the public "
            "CIDR does, which then stands for itself either way"
        )
        for n in (1, 2)
    },
    "policies.alb_guardrails.security_group_ingress.x__covering__mutmut_11": (
        "a protocol's permissions have no port range exactly when it is probed without a port, "
        "so `ports is None` and `port is None` are always both true or both false"
    ),
    **{
        f"policies.alb_guardrails.security_group_ingress.x__probes__mutmut_{n}": (
            "the fallback span is only read for TCP and UDP, whose port range is never None"
        )
        for n in (18, 19)
    },
    "policies.alb_guardrails.security_group_ingress.x__probes__mutmut_12": (
        "past 65535 only all-traffic rules let anything in, and they do at port 0 too, which is "
        "probed first (no listener port is 0)"
    ),
    # components/config.py: PydanticCustomError kinds, never shown.
    **{
        f"components.config.{name}": _ERROR_KIND
        for name in (
            "x__cidr__mutmut_11",
            "x__cidr__mutmut_12",
            "x__s3_uri__mutmut_7",
            "x__s3_uri__mutmut_8",
            "x__target_id__mutmut_11",
            "x__target_id__mutmut_12",
            "x__target_id__mutmut_25",
            "x__target_id__mutmut_26",
            "x__tls_policy__mutmut_6",
            "x__tls_policy__mutmut_7",
            "x__rewrite_regex__mutmut_9",
            "x__rewrite_regex__mutmut_10",
            "x__rewrite_regex__mutmut_16",
            "x__rewrite_regex__mutmut_17",
        )
    },
    "components.config.x__cidr__mutmut_5": _STRICT_DEFAULT,
    # _model_at and _element_type find the model that holds an unknown key.
    **{
        f"components.config.x__element_type__mutmut_{n}": _SCHEMA_WALK
        for n in (4, 7, 11, 12, 17, 18, 19, 20, 21, 22, 24, 25, 27, 28, 33, 34, 36, 37, 38)
    },
    **{f"components.config.x__model_at__mutmut_{n}": _SCHEMA_WALK for n in (2, 10, 25, 28, 40, 41)},
    "components.config.x__describe__mutmut_36": _SCHEMA_WALK,
    **{
        f"components.config.x__describe__mutmut_{n}": (
            "only the closest match is shown: asking difflib for more matches changes nothing"
        )
        for n in (44, 48)
    },
    **{
        f"components.config.x__describe__mutmut_{n}": (
            "a rejected value comes from JSON (the config), so json.dumps never needs a default"
        )
        for n in (67, 69)
    },
    "components.config.x__decode__mutmut_4": (
        "a value that starts with 'X' is not JSON either: decoding it fails and returns it as is"
    ),
    "components.config.x__tag_text__mutmut_7": (
        "no Unicode category starts with X, so 'XXLNZXX' admits the same characters as 'LNZ'"
    ),
    "components.config.x__tag_text__mutmut_10": ("X is a letter, already allowed by its category"),
    "components.config.x__pem_bundle__mutmut_6": "'UTF-8' and 'utf-8' name the same codec",
    "components.config.x__aws_limit_problems__mutmut_57": (
        "slowStartSeconds is 0 or 30-900 once the model accepted it, so > 1 is > 0"
    ),
    # pattern_covers lowers both sides when `not case_sensitive`: None is as false as False.
    **{f"components.routing.x_covers__mutmut_{n}": _FALSY for n in (15, 23, 31, 48)},
    **{
        f"components.routing.x_covers__mutmut_{n}": (
            "a header the specific rule lacks gives no values, () or None, and both end the check "
            "at `if not specific_values`"
        )
        for n in (44, 46)
    },
    "components.routing.x_pattern_covers__mutmut_7": (
        "without a wildcard the whole pattern is the literal prefix: comparing whole strings "
        "refuses what the search would refuse, and passes the same ones on to it"
    ),
    "components.routing.x_pattern_covers__mutmut_12": (
        "an 'X' only shortens the literal prefix compared first, and the search decides the rest "
        "the same way"
    ),
    "components.routing.x_clashes__mutmut_21": (
        "a service's rules never share a priority (its 403 rule takes the next one), so a holder "
        "with the rule's key is the rule itself"
    ),
    "policies.alb_guardrails.common.xǁ_Unknownǁ__bool____mutmut_1": (
        "every policy compares a value with `is UNKNOWN` before it reads it, so the marker's "
        "truth value is never asked"
    ),
}


def alias_policy_pack() -> None:
    """Load ``policies.alb_guardrails`` and its modules, and register them as ``alb_guardrails``."""
    package = importlib.import_module(QUALIFIED)
    sys.modules[PACKAGE] = package
    for module in pkgutil.iter_modules(package.__path__):
        sys.modules[f"{PACKAGE}.{module.name}"] = importlib.import_module(
            f"{QUALIFIED}.{module.name}"
        )


# The tests of each mutated module: a mutant runs those of them that reached its function in
# mutmut's stats run (coverage), fastest first. A policy's own test file kills its mutants;
# every test runs the whole pack, so without this each policy mutant would run all of them.
# The program tests that only plan dev and prod as a whole (golden URNs, Hypothesis properties)
# are left to `make test`.
POLICY_TESTS = "tests/policies/"
# Modules without a test file of their own: the test files of the policies that use them.
POLICY_TEST_FILES = {
    "cross_zone_ignored": ("test_policy_cross_zone.py",),
    "policy_document": ("test_policy_log_bucket_secure.py",),
    "remediable": ("test_policy_drop_invalid_headers.py", "test_policy_desync_mitigation.py"),
    "actions": (
        "test_policy_action_order.py",
        "test_policy_authenticate_anonymous.py",
        "test_policy_authenticate_endpoints.py",
        "test_policy_authenticate_https_only.py",
        "test_policy_redirect_https_only.py",
        "test_policy_http_redirect_only.py",
    ),
}
# Shared by every policy: the whole pack's tests.
SHARED_POLICY_MODULES = {"common", "__init__"}
TESTS_OF_MODULE: dict[str, tuple[str, ...]] = {
    "components.config": (
        "tests/program/test_program_config_model.py",
        "tests/program/test_program_constraints.py",
        "tests/program/test_program_bad_input.py",
        "tests/program/test_program_routing.py",
        "tests/program/test_program_stacks.py",
        "tests/program/test_program_components.py",
        "tests/program/test_program_targets_mtls.py",
        "tests/program/test_program_egress.py",
        "tests/program/test_program_delivery.py",
    ),
    "components.routing": (
        "tests/program/test_program_routing.py",
        "tests/program/test_program_bad_input.py",
        "tests/program/test_program_stacks.py",
    ),
    # The recording tests compare the whole document of a program run in-process with the one
    # `python -m preflight` prints.
    "preflight.runner": (
        "tests/preflight/test_preflight_recording.py",
        "tests/preflight/test_preflight_model_mocks.py",
    ),
    "preflight.analyzer.requests": (
        "tests/preflight/test_analyzer_units.py",
        "tests/preflight/test_analyzer.py",
    ),
    "preflight.codec": ("tests/preflight/",),
    "preflight.records": ("tests/preflight/",),
    "preflight.report": (
        "tests/preflight/test_preflight_report.py",
        "tests/preflight/test_preflight_recording.py",
    ),
}


def tests_of(module: str) -> tuple[str, ...]:
    """The test paths that may run for a mutant of ``module`` (relative to the repository)."""
    package, _, name = module.rpartition(".")
    if package != QUALIFIED:
        return TESTS_OF_MODULE.get(module, ())
    if name in SHARED_POLICY_MODULES:
        return (POLICY_TESTS,)
    files = POLICY_TEST_FILES.get(name, (f"test_policy_{name}.py",))
    # What every policy declares to the engine (level, severity, settings) is checked there.
    return tuple(POLICY_TESTS + file for file in (*files, "test_policy_pack.py"))


def _mutated_module() -> str | None:
    """The mutant's module (its name is ``module.x_function__mutmut_N``)."""
    from mutmut.mutation.trampoline import get_mutant_under_test

    mutant = get_mutant_under_test()
    if "__mutmut_" not in mutant:
        return None  # the stats, clean and forced-fail runs run every selected test
    return mutant.rpartition(".")[0]


def pytest_configure() -> None:
    alias_policy_pack()
    # The mutant stays active in this process (mutmut keeps a process-local copy) but not in the
    # processes the tests start (a policy pack, `python -m preflight`): they run the original
    # code, and mutmut's bookkeeping, which reads its configuration from the working directory,
    # stays out of them.
    os.environ.pop("MUTANT_UNDER_TEST", None)


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Name parametrized tests afresh in every session.

    pytest keeps the IDs it made for a ``parametrize`` mark on the mark, and a later session in
    the same process takes them as given IDs and escapes them again: ``…`` becomes ``\\u2026``,
    then ``\\\\u2026``. mutmut runs several sessions in its process (listing, clean run) before
    it forks one per mutant, which names its tests by the IDs of the stats run; pytest then finds
    none of those with a non-ASCII character, exits with a usage error, and mutmut counts the
    mutant as killed without running a test.
    """
    for marker in metafunc.definition.iter_markers(name="parametrize"):
        if marker._param_ids_from is not None:
            object.__setattr__(marker._param_ids_from, "_param_ids_generated", None)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip collecting the test files a mutant does not run (collection is most of its cost)."""
    module = _mutated_module()
    if module is None or collection_path.suffix != ".py":
        return None
    relative = collection_path.relative_to(config.rootpath).as_posix()
    if relative.startswith(tests_of(module)) or not relative.startswith("tests/"):
        return None
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    module = _mutated_module()
    if module is None:
        return
    tests = tests_of(module)
    keep = [
        item
        for item in items
        if item.nodeid.startswith(tests) and not _in_another_process(module, item)
    ]
    kept = set(keep)
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    # A mutant usually dies in its first failing test (-x): run the cheapest first.
    items[:] = cheapest_first(keep)


def _in_another_process(module: str, item: pytest.Item) -> bool:
    """A policy test's ``protocol`` run: the pack it asks runs in a process of its own, where
    no mutant is active, so it cannot kill a policy mutant (its ``direct`` twin can)."""
    callspec = getattr(item, "callspec", None)
    return (
        module.startswith(f"{QUALIFIED}.")
        and callspec is not None
        and callspec.params.get("run") == "protocol"
    )


# What each test cost in mutmut's clean run, the session it runs just before the mutants, in
# the process it then forks for each mutant (so every mutant's process has these tables). A
# test's own cost is its setup, call and teardown; the fixtures it shares with others (scoped
# wider than a test: the planned dev, prod and all-options stacks, a copied program) are
# counted apart, once each, as a mutant's session pays for them only once.
_OWN_COST: dict[str, float] = {}
_SHARED_NEEDED: dict[str, frozenset[str]] = {}
_SHARED_COST: dict[str, float] = {}
_shared_setup = [0.0]  # the shared fixtures' setup during the current test


def _recording() -> bool:
    from mutmut.mutation.trampoline import get_mutant_under_test

    return get_mutant_under_test() in ("", "stats")  # the clean run, or the stats run


def _shared_key(argname: str, fixturedef: Any, nodeid: str) -> str | None:
    """A fixture scoped wider than a test, by what holds its value: the session, or the module
    or class of the test ``nodeid``; None for a test's own fixture."""
    scope = fixturedef.scope
    if scope == "function":
        return None
    holder = {"module": nodeid.partition("::")[0], "class": nodeid.rpartition("::")[0]}
    return f"{fixturedef.baseid}::{argname}@{holder.get(scope, '')}"


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> Any:
    test = getattr(request, "_pyfuncitem", request.node)  # the test being set up
    key = _shared_key(fixturedef.argname, fixturedef, test.nodeid)
    if key is None or not _recording():
        return (yield)
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        elapsed = time.perf_counter() - started
        _SHARED_COST[key] = elapsed
        _shared_setup[0] += elapsed


def _empty_memos() -> None:
    """Empty the pack's memos (``functools.cache``) before each test. Otherwise mutmut's stats
    run would record only the first test that reaches a function a memoized one calls, and a
    mutant's process, which mutmut forks from the process of its stats and clean runs, would
    inherit the original code's results and never run the mutated function."""
    for name, module in list(sys.modules.items()):
        if name.startswith(f"{QUALIFIED}."):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    _empty_memos()
    try:
        return (yield)
    finally:
        if _recording():
            _SHARED_NEEDED[item.nodeid] = _shared_fixtures(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    if not _recording():
        return (yield)
    _shared_setup[0] = 0.0
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        _OWN_COST[item.nodeid] = time.perf_counter() - started - _shared_setup[0]


def _shared_fixtures(item: pytest.Item) -> frozenset[str]:
    """The shared fixtures ``item`` uses: those it names (with what they need), and after its
    setup also those it asked for while running (``request.getfixturevalue``)."""
    request = getattr(item, "_request", None)
    if request:
        used = dict(request._fixture_defs)
    else:
        info = getattr(item, "_fixtureinfo", None)
        closure = info.name2fixturedefs.items() if info is not None else ()
        used = {name: definitions[-1] for name, definitions in closure if definitions}
    keys = (_shared_key(name, definition, item.nodeid) for name, definition in used.items())
    return frozenset(key for key in keys if key is not None)


def cheapest_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """``items`` in the order that reaches each test at the least cost: always the test whose
    own cost and shared fixtures not set up yet cost least (measured in the clean run; else
    mutmut's call durations, and the fixtures the test names)."""
    durations = _durations()
    queues: dict[frozenset[str], list[tuple[float, int, pytest.Item]]] = {}
    for index, item in enumerate(items):
        own = _OWN_COST.get(item.nodeid, durations.get(item.nodeid, 0.0))
        needed = _SHARED_NEEDED.get(item.nodeid)
        if needed is None:
            needed = _shared_fixtures(item)
        queues.setdefault(needed, []).append((own, index, item))
    for queue in queues.values():
        queue.sort(reverse=True)  # the cheapest last, to pop
    ready: set[str] = set()
    ordered = []
    while queues:
        needed = min(
            queues,
            key=lambda n: queues[n][-1][0] + sum(_SHARED_COST.get(k, 0.0) for k in n - ready),
        )
        ordered.append(queues[needed].pop()[2])
        ready |= needed
        if not queues[needed]:
            del queues[needed]
    return ordered


def _durations() -> dict[str, float]:
    """Each test's call duration in mutmut's stats run (held by mutmut's process, which forked
    this one)."""
    from mutmut.state import state

    return dict(state().duration_by_test)


# mutmut's exit codes (mutmut.stats.status_by_exit_code) that count as a kill.
_KILLED = {1, 3, 36, 37, -24, 24, 152, 255, -9, -11}


def equivalent(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in EQUIVALENT)


def _text_of_a_policy(name: str, source: str) -> bool:
    """A mutant of a policy's description or remediation steps: `do_not_mutate_patterns` leaves
    their first line alone, and this the lines that continue them (only string literals)."""
    if not name.startswith(f"{QUALIFIED}.") or ".x_policy__mutmut_" not in name:
        return False
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    lines = get_diff_for_mutant(name, path=source).splitlines()
    changed = [line[1:].strip() for line in lines if line[:1] in "+-" and line[:3] not in "---+++"]
    return bool(changed) and all(line.startswith(('"', "'")) for line in changed)


def scores(mutants: Path = Path("mutants")) -> dict[str, Counter[str]]:
    """Per source file: killed, survived, no tests, equivalent and not-run mutants."""
    table: dict[str, Counter[str]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        source = str(meta.relative_to(mutants))[: -len(".meta")]
        counts: Counter[str] = Counter()
        for name, exit_code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if equivalent(name) or (exit_code == 0 and _text_of_a_policy(name, source)):
                counts["equivalent"] += 1
            elif exit_code in _KILLED:
                counts["killed"] += 1
            elif exit_code == 0:
                counts["survived"] += 1
            elif exit_code in (5, 33):
                counts["no tests"] += 1
            else:
                counts["not run"] += 1
        table[source] = counts
    return table


def survivors(mutants: Path = Path("mutants")) -> list[str]:
    """The mutants no test killed (survived or reached by no test) and those not tested yet,
    equivalent ones left out."""
    names = []
    for meta in sorted(mutants.rglob("*.py.meta")):
        for name, exit_code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if equivalent(name) or exit_code not in (None, 0, 5, 33):
                continue
            if exit_code == 0 and _text_of_a_policy(name, str(meta.relative_to(mutants))[:-5]):
                continue
            names.append(name)
    return names


def forget(names: set[str], mutants: Path = Path("mutants")) -> int:
    """Drop the results of ``names`` from mutmut's result files, so the next run tests them."""
    count = 0
    for meta in sorted(mutants.rglob("*.py.meta")):
        data = json.loads(meta.read_text())
        results = data["exit_code_by_key"]
        hits = [name for name in results if name in names and results[name] is not None]
        for name in hits:
            results[name] = None
        if hits:
            meta.write_text(json.dumps(data))
            count += len(hits)
    return count


def main() -> int:
    if sys.argv[1:] == ["--survivors"]:
        print("\n".join(survivors()))
        return 0
    if sys.argv[1:] == ["--forget-survivors"]:
        # mutmut tests again every mutant without a result; naming thousands of mutants on its
        # command line would instead run their tests by ID, which its clean run refuses here.
        forgotten = forget(set(survivors()))
        print(f"{forgotten} mutants to test again")
        return 0
    table = scores()
    if not table:
        print("no mutmut results: run `make mutation` first", file=sys.stderr)
        return 2
    if sys.argv[1:] == ["--markdown"]:
        print("| module | killed | survived | no test | cannot be killed | not run | score |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for source, counts in table.items():
            tested = counts["killed"] + counts["survived"] + counts["no tests"]
            if not tested and not counts["not run"]:
                continue
            shown = f"{100 * counts['killed'] / tested:.1f}%" if tested else "n/a"
            print(
                f"| `{source}` | {counts['killed']} | {counts['survived']} "
                f"| {counts['no tests']} | {counts['equivalent']} | {counts['not run']} "
                f"| {shown} |"
            )
        return 0
    width = max(len(source) for source in table)
    print(f"{'module':<{width}}  killed  survived  no tests  equivalent  not run   score")
    below = 0
    for source, counts in table.items():
        # A mutant no test reaches is a survivor too.
        tested = counts["killed"] + counts["survived"] + counts["no tests"]
        score = 100 * counts["killed"] / tested if tested else 100.0
        below += score < 85
        print(
            f"{source:<{width}}  {counts['killed']:>6}  {counts['survived']:>8}"
            f"  {counts['no tests']:>8}  {counts['equivalent']:>10}  {counts['not run']:>7}"
            f"  {score:5.1f}%"
        )
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())

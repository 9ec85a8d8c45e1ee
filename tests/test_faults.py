"""A check that can't fail is a defect: every rule is broken by a named fault, and only by its own.

The clean reference gateway passes every rule in every profile; each fault in
``conformance/reference/faults.py`` makes exactly the rules it names fail (or time out) and no other.
"""

from __future__ import annotations

import pytest

from conformance.reference import FAULTS, PROFILES
from conformance.relay import RELAY_FAULTS
from conformance.rules import load_all_rules
from tests.harness import assert_breaks_exactly, matches

RULES = load_all_rules()


def test_every_rule_has_a_fault_that_breaks_it():
    # The fidelity rules (FID-*) are broken by the test relay's faults (tests/test_fidelity.py).
    faults = [*FAULTS.values(), *RELAY_FAULTS.values()]
    unbroken = [rule for rule in RULES if not any(matches(rule, f.breaks) for f in faults)]
    assert unbroken == [], f"rules no fault can break: {unbroken}"


def test_every_fault_names_real_rules():
    for name, fault in FAULTS.items():
        for pattern in fault.breaks:
            assert any(matches(rule, (pattern,)) for rule in RULES), f"{name}: {pattern} matches no rule"


def test_every_rule_passes_on_a_clean_profile(fault_run):
    passed = {rule for p in PROFILES for rule, o in fault_run.outcomes(f"clean-{p}").items() if "pass" in o}
    assert sorted(set(RULES) - passed) == [], "rules no clean profile exercises"


def test_clean_profiles_skip_only_what_does_not_apply_to_them(fault_run):
    """A skip on a clean reference target is always 'not applicable' (a declaration), never 'not run'."""
    not_run = {
        r["test"]: r["message"]
        for p in PROFILES
        for r in fault_run.records_of(f"clean-{p}")
        if r["outcome"] == "skipped" and r["skip"] != "not declared"
    }
    assert not_run == {}


@pytest.mark.parametrize("profile", list(PROFILES))
def test_clean_profiles_never_fail(fault_run, profile):
    records = fault_run.records_of(f"clean-{profile}")
    assert records, f"no results for profile {profile}:\n{fault_run.stdout[-3000:]}"
    bad = {r["test"]: r["message"] for r in records if r["outcome"] not in ("pass", "skipped")}
    assert bad == {}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_breaks_exactly_its_rules(fault_run, fault):
    assert_breaks_exactly(fault_run, f"fault-{fault}", fault, FAULTS[fault].breaks)

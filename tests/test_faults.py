"""A check that can't fail is a defect: every rule is broken by a named fault, and only by its own.

The clean reference gateway passes every rule in every profile; each fault in
``conformance/reference/faults.py`` makes exactly the rules it names fail (or time out) and no other.
"""

from __future__ import annotations

import pytest

from conformance.reference import FAULTS, PROFILES
from conformance.rules import load_all_rules
from tests.harness import BROKEN, matches

RULES = load_all_rules()


def test_every_rule_has_a_fault_that_breaks_it():
    unbroken = [rule for rule in RULES if not any(matches(rule, f.breaks) for f in FAULTS.values())]
    assert unbroken == [], f"rules no fault can break: {unbroken}"


def test_every_fault_names_real_rules():
    for name, fault in FAULTS.items():
        for pattern in fault.breaks:
            assert any(matches(rule, (pattern,)) for rule in RULES), f"{name}: {pattern} matches no rule"


def test_every_rule_passes_on_a_clean_profile(fault_run):
    passed = {rule for p in PROFILES for rule, o in fault_run.outcomes(f"clean-{p}").items() if "pass" in o}
    assert sorted(set(RULES) - passed) == [], "rules no clean profile exercises"


def test_full_profile_skips_only_what_it_does_not_declare_against(fault_run):
    skipped = {r["test"]: r["message"] for r in fault_run.records_of("clean-full") if r["outcome"] == "skipped"}
    assert all("declares" in reason for reason in skipped.values()), skipped


@pytest.mark.parametrize("profile", list(PROFILES))
def test_clean_profiles_never_fail(fault_run, profile):
    records = fault_run.records_of(f"clean-{profile}")
    assert records, f"no results for profile {profile}:\n{fault_run.stdout[-3000:]}"
    bad = {r["test"]: r["message"] for r in records if r["outcome"] not in ("pass", "skipped")}
    assert bad == {}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_breaks_exactly_its_rules(fault_run, fault):
    target = f"fault-{fault}"
    outcomes = fault_run.outcomes(target)
    assert outcomes, f"no results for {target}:\n{fault_run.stdout[-3000:]}"
    expected = {rule for rule in outcomes if matches(rule, FAULTS[fault].breaks)}
    missed = {rule for rule in expected if not outcomes[rule] & set(BROKEN)}
    collateral = fault_run.failing_rules(target) - expected
    assert missed == set(), f"{fault} should break {sorted(missed)} but they passed"
    assert collateral == set(), f"{fault} also broke {sorted(collateral)}: " + "; ".join(
        r["message"] for r in fault_run.records_of(target) if r["rule"] in collateral
    )

"""Nightly runs: compare with last night's results.json, and fail only on regressions.

A regression is a check that passed in the baseline and now fails, times out or errors. Fixes,
checks still failing, and checks that are new since the baseline are listed but never fail the run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from conformance.outcomes import BROKEN_VALUES, Outcome


class BaselineError(Exception):
    """The baseline file cannot be used."""


@dataclass
class Comparison:
    path: str
    regressions: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    still_failing: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"baseline {self.path}: {len(self.regressions)} regression(s), {len(self.fixes)} fixed, "
            f"{len(self.still_failing)} still failing, {len(self.new)} new check(s)"
        )


def load_outcomes(path: Path) -> dict[str, str]:
    """test -> outcome, from any results.json this suite wrote (an older schema's too: a nightly's
    baseline is the night before's, perhaps from the version before)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {str(record["test"]): str(record["outcome"]) for record in document["records"]}
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (pass --baseline PATH to last night's results.json)") from None
    except (ValueError, KeyError, TypeError):
        raise BaselineError(f"{path}: not a results.json written by this suite") from None



def compare(path: Path, before: dict[str, str], records: list[dict]) -> Comparison:
    """This run's records (results.json's) against the baseline's outcomes."""
    comparison = Comparison(str(path))
    for record in records:
        test, was, now = record["test"], before.get(record["test"]), record["outcome"]
        if was is None:
            comparison.new.append(test)
        elif was == Outcome.PASS.value and now in BROKEN_VALUES:
            comparison.regressions.append(test)
        elif was in BROKEN_VALUES and now == Outcome.PASS.value:
            comparison.fixes.append(test)
        elif was in BROKEN_VALUES and now in BROKEN_VALUES:
            comparison.still_failing.append(test)
    return comparison

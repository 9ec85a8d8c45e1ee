"""Nightly runs: compare with last night's results.json, and fail only on regressions.

A regression is a check that passed in the baseline and now fails, times out or errors. Fixes,
checks still failing, and checks that are new since the baseline are listed but never fail the run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from conformance.run import BROKEN, Record


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
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {record["test"]: record["outcome"] for record in document["records"]}
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (pass --baseline PATH to last night's results.json)") from None
    except (ValueError, KeyError, TypeError):
        raise BaselineError(f"{path}: not a results.json written by this suite") from None


def compare(path: Path, before: dict[str, str], records: list[Record]) -> Comparison:
    comparison = Comparison(str(path))
    for record in records:
        was, now = before.get(record.test), record.outcome
        if was is None:
            comparison.new.append(record.test)
        elif was == "pass" and now in BROKEN:
            comparison.regressions.append(record.test)
        elif was in BROKEN and now == "pass":
            comparison.fixes.append(record.test)
        elif was in BROKEN and now in BROKEN:
            comparison.still_failing.append(record.test)
    return comparison

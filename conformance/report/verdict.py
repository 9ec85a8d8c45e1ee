"""A target's verdict in one sentence: the levels it reached, and if not all, why, with the counts.

The HTML report leads with it and the badge says the same (both read the levels results.json holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.levels import is_reached
from conformance.outcomes import BROKEN_VALUES, Outcome, SkipKind
from conformance.report.causes import Cause
from conformance.rules import MUST


@dataclass
class Verdict:
    target: str
    reached: list[str]
    not_reached: list[str]  # claimed and not reached (not run included)
    sentence: str

    @property
    def conformant(self) -> bool:
        return bool(self.reached) and not self.not_reached


def claimed_levels(levels: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(reached, not reached) among the levels the target claims."""
    claimed = {name: level for name, level in levels.items() if level["claimed"]}
    reached = [name for name, level in claimed.items() if is_reached(level["result"])]
    return reached, [name for name in claimed if name not in reached]


def verdict_of(name: str, target: dict[str, Any], records: list[dict[str, Any]], causes: list[Cause]) -> Verdict:
    reached, not_reached = claimed_levels(target["levels"])
    mine = [r for r in records if r["target"] == name]
    ran = [r for r in mine if r["outcome"] != Outcome.SKIPPED.value]
    if not ran:
        why = next((r["message"] for r in mine if r.get("skip") == SkipKind.NO_KEY.value), "no check ran")
        return Verdict(name, reached, not_reached, f"Not judged: {why}.")
    if reached and not not_reached:
        return Verdict(name, reached, not_reached, f"Conformant at every level it claims ({len(reached)}): {', '.join(reached)}.")
    failing = sorted({r["rule"] for r in mine if r["outcome"] in BROKEN_VALUES and r["level"] == MUST.value})
    mine_causes = [c for c in causes if c.target == name]
    counts = [
        _count(len(failing), "MUST rule fails", "MUST rules fail") + (f" ({', '.join(failing)})" if failing else ""),
        _count(len(mine_causes), "root cause", "root causes"),
        _count(sum(r["outcome"] == Outcome.TIMEOUT.value for r in mine), "timeout", "timeouts"),
        _count(sum(r["outcome"] == Outcome.BLOCKED.value for r in mine), "check blocked", "checks blocked"),
    ]
    reached_text = f"; reached: {', '.join(reached)}" if reached else ""
    levels = ", ".join(_why_not(level, target["levels"][level]) for level in not_reached)
    return Verdict(name, reached, not_reached, f"Not conformant at {levels}: {'; '.join(counts)}{reached_text}.")



def _why_not(name: str, level: dict[str, Any]) -> str:
    """"core", or "sdk (blocked)" where the level is not reached for another reason than a failure."""
    reason = level["result"].removeprefix("not reached").lstrip(": ")
    if reason and level.get(Outcome.BLOCKED.value) and not any(level.get(o) for o in BROKEN_VALUES):
        reason = "its checks blocked"
    return f"{name} ({reason})" if reason else name


def _count(n: int, one: str, many: str) -> str:
    return f"{'no' if n == 0 else n} {one if n == 1 else many}"

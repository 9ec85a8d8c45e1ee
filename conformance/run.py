"""The run's record: one outcome per check and target, what it cost, how long the gateway took.

Built on the xdist controller (or the only process) from the ``conformance`` dict the plugin attaches
to each test report, so everything here sees the whole run.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import pytest

from conformance import __version__
from conformance.targets import Target

OUTCOMES = ("pass", "fail", "timeout", "deviation", "skipped", "error")
BROKEN = ("fail", "timeout", "error")


def outcome_of(report: pytest.TestReport) -> str:
    """pass / fail / timeout / deviation / skipped / error, for one phase's report."""
    if report.passed:
        return "pass"
    if report.skipped:
        return "deviation" if str(getattr(report, "wasxfail", "")).startswith("declared deviation") else "skipped"
    if getattr(report, "conformance", {}).get("timeout"):
        return "timeout"
    return "fail" if report.when == "call" else "error"


@dataclass
class Record:
    test: str
    rule: str
    level: str
    area: str
    target: str
    title: str
    sources: list[str]
    outcome: str = "error"
    applicable: bool = True  # False: skipped because the rule does not apply to the declarations
    message: str = ""
    evidence: dict[str, Any] | None = None
    duration: float = 0.0
    http_requests: int = 0
    model_calls: int = 0
    tokens: int = 0
    calls_by_action: dict[str, int] = field(default_factory=dict)  # billable calls, by action


@dataclass
class Timing:
    action: str | None
    status: int
    first_byte_s: float
    total_s: float


@dataclass
class TargetTotals:
    outcomes: dict[str, int] = field(default_factory=dict)
    http_requests: int = 0
    model_calls: int = 0
    tokens: int = 0


class Run:
    def __init__(self, targets: dict[str, Target], levels: tuple[str, ...] = ()) -> None:
        self.targets = targets
        self.levels = levels  # --level: the levels this run checks (empty: all)
        self.records: dict[str, Record] = {}
        self.timings: dict[str, list[Timing]] = defaultdict(list)
        self.started = dt.datetime.now(dt.timezone.utc)
        self._grouped: dict[str, list[Record]] | None = None  # by_target(), until the next report

    def add(self, report: pytest.TestReport) -> None:
        info = getattr(report, "conformance", None)
        if not info:
            return
        self._grouped = None
        # xdist's loadgroup appends "@<group>" to node ids; a check's name must not depend on -n.
        test = report.nodeid.removesuffix(f"@{info['target']}")
        record = self.records.setdefault(
            test,
            Record(
                test=test,
                rule=info["rule"],
                level=info["level"],
                area=info["area"],
                target=info["target"],
                title=info["title"],
                sources=info["sources"],
            ),
        )
        record.duration += report.duration
        record.http_requests += info["http_requests"]
        record.model_calls += info["model_calls"]
        record.tokens += info["tokens"]
        for action, calls in info.get("calls_by_action", {}).items():
            record.calls_by_action[action] = record.calls_by_action.get(action, 0) + calls
        self.timings[record.target] += [Timing(*timing) for timing in info["timings"]]
        decisive = report.when == "call" or not report.passed
        if decisive and not (report.when == "teardown" and record.outcome != "pass"):
            record.outcome = outcome_of(report)
            record.message = _message(report)
            record.applicable = not info.get("not_applicable", False)
            record.evidence = info.get("evidence")

    def by_target(self) -> dict[str, list[Record]]:
        """Each target's records, sorted by rule. Computed once per set of reports: the summary,
        results.json and every certificate read it, for every target (a fault run has a hundred)."""
        if self._grouped is None:
            grouped: dict[str, list[Record]] = {name: [] for name in self.targets}
            for record in sorted(self.records.values(), key=lambda r: (r.target, r.rule, r.test)):
                grouped.setdefault(record.target, []).append(record)
            self._grouped = grouped
        return self._grouped

    def totals(self, target: str) -> TargetTotals:
        records = self.by_target().get(target, [])
        counts = Counter(r.outcome for r in records)
        return TargetTotals(
            outcomes={o: counts[o] for o in OUTCOMES},
            http_requests=sum(r.http_requests for r in records),
            model_calls=sum(r.model_calls for r in records),
            tokens=sum(r.tokens for r in records),
        )

    def timing_summary(self, target: str) -> dict[str, dict[str, float]]:
        """Median time to first byte and total, per billable action, for the report."""
        summary = {}
        for action in ("generateContent", "streamGenerateContent"):
            timings = [t for t in self.timings.get(target, []) if t.action == action and t.status == 200]
            if timings:
                summary[action] = {
                    "requests": len(timings),
                    "first_byte_s": round(statistics.median(t.first_byte_s for t in timings), 3),
                    "total_s": round(statistics.median(t.total_s for t in timings), 3),
                }
        return summary

    def deviation_notes(self, target: str) -> dict[str, str]:
        """Declared deviations and what became of them in this run."""
        declared = self.targets[target].deviations if target in self.targets else {}
        records = self.by_target().get(target, [])
        notes = {}
        for rule, deviation in declared.items():
            outcomes = {r.outcome for r in records if r.rule == rule}
            if deviation.until is not None and deviation.until < dt.date.today():
                notes[rule] = f"expired on {deviation.until}: the rule counts as failed again"
            elif outcomes and outcomes <= {"pass"}:
                notes[rule] = "no longer needed: the rule passes"
            elif "deviation" in outcomes:
                notes[rule] = f"applied: {deviation.reason}"
            else:
                notes[rule] = "not exercised in this run"
        return notes

    def summary_lines(self) -> list[str]:
        from conformance.levels import reached_levels

        lines = [f"gemini-conformance {__version__} (google-genai {sdk_version()})"]
        for name in self.by_target():
            totals = self.totals(name)
            outcome_text = ", ".join(
                f"{n} {o}" for o, n in totals.outcomes.items() if n or o in ("pass", "fail")
            )
            levels = ", ".join(
                f"{level} {result['result']}" for level, result in reached_levels(self, name).items() if result["claimed"]
            )
            lines.append(
                f"  {name} ({describe_target(self.targets.get(name))}): {outcome_text}; levels: {levels or 'none'}; "
                f"cost: {totals.http_requests} HTTP requests, {totals.model_calls} model calls, {totals.tokens} tokens"
            )
            for rule, note in self.deviation_notes(name).items():
                lines.append(f"    deviation {rule}: {note}")
        return lines

    def as_results(self) -> dict[str, Any]:
        from conformance.levels import reached_levels

        return {
            "schema": "gemini-conformance/results/v1",
            "suite_version": __version__,
            "sdk_version": sdk_version(),
            "started_at": self.started.isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "targets": {
                name: {
                    "description": describe_target(self.targets.get(name)),
                    "totals": asdict(self.totals(name)),
                    "timing": self.timing_summary(name),
                    "levels": reached_levels(self, name),
                    "deviations": self.deviation_notes(name),
                }
                for name in self.by_target()
            },
            "records": [asdict(r) for records in self.by_target().values() for r in records],
        }


def sdk_version() -> str:
    """The google-genai version SDK-compatibility checks ran with."""
    try:
        from importlib.metadata import version

        return version("google-genai")
    except Exception:
        return "not installed"


def describe_target(target: Target | None) -> str:
    if target is None:
        return "unknown"
    if target.reference is not None:
        faults = f", faults {', '.join(target.reference.faults)}" if target.reference.faults else ""
        return f"reference gateway, profile {target.reference.profile}{faults}"
    return target.base_url or ""


def _message(report: pytest.TestReport) -> str:
    if report.passed:
        return ""
    wasxfail = getattr(report, "wasxfail", None)
    if wasxfail:
        return str(wasxfail)
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # skip: (file, line, reason)
        return str(longrepr[2]).removeprefix("Skipped: ")
    lines = str(longrepr).splitlines() or [""]
    rendered = getattr(report, "conformance", {}).get("rule") == lines[0].split(" ", 1)[0]
    return lines[1] if rendered and len(lines) > 1 else lines[-1]

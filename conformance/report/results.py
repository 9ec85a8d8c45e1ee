"""The run's record, results.json: one outcome per check and target, what it cost, how long the
gateway took, each target's declarations and the levels it reached.

``Run`` builds it on the xdist controller (or the only process) from the ``conformance`` dict the
plugin attaches to each test report; from then on results.json is the one hand-off: the terminal
summary, the HTML report, certificates, badges, the baseline comparison and ``merge`` all read it,
and none of them recomputes a verdict.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance import __version__
from conformance.levels import level_results
from conformance.outcomes import Outcome, SkipKind
from conformance.targets import Target

SCHEMA = "gemini-conformance/results/v2"


class ResultsError(Exception):
    """A file that is not a results.json this suite can read."""


@dataclass
class Record:
    test: str
    rule: str
    level: str
    area: str
    target: str
    title: str
    sources: list[str]
    outcome: Outcome = Outcome.ERROR
    skip: SkipKind | None = None  # why, when the outcome is skipped
    blocked_by: str | None = None  # the rule whose failure kept it from judging, when blocked
    message: str = ""
    evidence: dict[str, Any] | None = None
    duration: float = 0.0
    http_requests: int = 0
    model_calls: int = 0
    tokens: int = 0
    calls_by_action: dict[str, int] = field(default_factory=dict)  # billable calls, by action

    def as_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["outcome"] = self.outcome.value
        record["skip"] = self.skip.value if self.skip is not None else None
        return record


@dataclass
class Timing:
    action: str | None
    status: int
    first_byte_s: float
    total_s: float


class Run:
    def __init__(self, targets: dict[str, Target], levels: tuple[str, ...] = ()) -> None:
        self.targets = targets
        self.levels = levels  # --level: the levels this run checks (empty: all)
        self.records: dict[str, Record] = {}
        self.timings: dict[str, list[Timing]] = defaultdict(list)
        self.started = dt.datetime.now(dt.timezone.utc)

    def add(self, report: pytest.TestReport) -> None:
        info = getattr(report, "conformance", None)
        if not info:
            return
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
        if decisive and not (report.when == "teardown" and record.outcome is not Outcome.PASS):
            record.outcome = Outcome(info["outcome"])
            record.skip = SkipKind(info["skip"]) if info.get("skip") else None
            record.blocked_by = info.get("blocked_by")
            record.message = _message(report)
            record.evidence = info.get("evidence")

    def as_results(self) -> dict[str, Any]:
        """results.json: every record, and per target its declarations, totals, timing and levels."""
        by_target: dict[str, list[dict[str, Any]]] = {name: [] for name in self.targets}
        for record in sorted(self.records.values(), key=lambda r: (r.target, r.rule, r.test)):
            by_target.setdefault(record.target, []).append(record.as_dict())
        return {
            "schema": SCHEMA,
            "suite_version": __version__,
            "sdk_version": sdk_version(),
            "started_at": self.started.isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "levels_chosen": list(self.levels),
            "targets": {name: self._target_results(name, records) for name, records in by_target.items()},
            "records": [record for records in by_target.values() for record in records],
        }

    def _target_results(self, name: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        target = self.targets.get(name)
        declared = declarations(target) if target is not None else None
        return {
            "description": describe_target(target),
            **({"declared": declared} if declared is not None else {}),
            "totals": totals(records),
            "timing": self._timing_summary(name),
            "levels": level_results(records, declared, self.levels),
            "deviations": deviation_notes(records, declared),
        }

    def _timing_summary(self, target: str) -> dict[str, dict[str, float]]:
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


def declarations(target: Target) -> dict[str, Any]:
    """What the target declares in targets.yaml (no secrets: the key's variable, never its value)."""
    return {
        "base_url": target.base_url,
        "api_key_env": target.api_key_env,
        "docs": target.docs,
        "reference": bool(target.reference),
        "auth": list(target.auth),
        "models": dict(target.models),
        "actions": list(target.actions),
        "features": sorted(target.features),
        "deviations": {
            rule: {"reason": d.reason, **({"until": str(d.until)} if d.until else {})} for rule, d in target.deviations.items()
        },
    }


def totals(records: list[dict[str, Any]]) -> dict[str, Any]:
    counts = Counter(r["outcome"] for r in records)
    return {
        "outcomes": {o.value: counts[o.value] for o in Outcome},
        "http_requests": sum(r["http_requests"] for r in records),
        "model_calls": sum(r["model_calls"] for r in records),
        "tokens": sum(r["tokens"] for r in records),
    }


def deviation_notes(records: list[dict[str, Any]], declared: dict[str, Any] | None) -> dict[str, str]:
    """Declared deviations and what became of them in this run."""
    notes = {}
    for rule, deviation in (declared or {}).get("deviations", {}).items():
        outcomes = {r["outcome"] for r in records if r["rule"] == rule}
        until = deviation.get("until")
        if until is not None and dt.date.fromisoformat(until) < dt.date.today():
            notes[rule] = f"expired on {until}: the rule counts as failed again"
        elif outcomes and outcomes <= {Outcome.PASS.value}:
            notes[rule] = "no longer needed: the rule passes"
        elif Outcome.DEVIATION.value in outcomes:
            notes[rule] = f"applied: {deviation['reason']}"
        else:
            notes[rule] = "not exercised in this run"
    return notes


def load(path: Path) -> dict[str, Any]:
    """A results.json written by this suite, or ResultsError saying in one line why not."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (OSError, ValueError) as error:
        raise ResultsError(f"{path}: not a results.json written by this suite ({type(error).__name__})") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA or not isinstance(document.get("records"), list):
        raise ResultsError(f"{path}: not a results.json written by this version of the suite (schema {SCHEMA})")
    return document


def write(results: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "results.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return path


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
    if target.reference is not None and target.reference.replay is not None:
        return f"replay of recordings: {_shown_path(target.reference.replay)}"
    if target.reference is not None:
        faults = f", faults {', '.join(target.reference.faults)}" if target.reference.faults else ""
        return f"reference gateway, profile {target.reference.profile}{faults}"
    return target.base_url or ""


def _shown_path(path: str) -> str:
    """A path as a report shows it: relative to the working directory where it is under it (a
    machine's own folders are nobody's business in a published report)."""
    from pathlib import Path

    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return Path(path).name


def skip_reason(report: pytest.TestReport) -> str:
    """Why a check was skipped, from the (file, line, "Skipped: reason") pytest keeps (the prefix is
    the skip's own class name where it has one)."""
    return re.sub(r"^(Skipped|NoKey|NotApplicable|Blocked|ModelDecided): ", "", str(report.longrepr[2]))


def _message(report: pytest.TestReport) -> str:
    if report.passed:
        return ""
    wasxfail = getattr(report, "wasxfail", None)
    if wasxfail:
        return str(wasxfail)
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):
        return skip_reason(report)
    lines = str(longrepr).splitlines() or [""]
    rendered = getattr(report, "conformance", {}).get("rule") == lines[0].split(" ", 1)[0]
    return lines[1] if rendered and len(lines) > 1 else lines[-1]

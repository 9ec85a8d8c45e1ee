"""The run's record: one outcome per check and target, the cost, and results.json."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from conformance import __version__
from conformance.targets import Target

OUTCOMES = ("pass", "fail", "timeout", "deviation", "skipped", "error")


def outcome_of(report: pytest.TestReport) -> str:
    """pass / fail / timeout / deviation / skipped / error, for one phase's report."""
    if report.passed:
        return "pass"
    if report.skipped:
        return "deviation" if str(getattr(report, "wasxfail", "")).startswith("declared deviation") else "skipped"
    if ("outcome", "timeout") in report.user_properties:
        return "timeout"
    return "fail" if report.when == "call" else "error"


@dataclass
class Record:
    test: str
    rule: str
    level: str
    area: str
    target: str
    outcome: str = "error"
    message: str = ""
    duration: float = 0.0
    http_requests: int = 0
    model_calls: int = 0
    tokens: int = 0


class Run:
    def __init__(self, targets: dict[str, Target]) -> None:
        self.targets = targets
        self.records: dict[str, Record] = {}

    def add(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        if "rule" not in properties:
            return
        # xdist's loadgroup appends "@<group>" to node ids; a check's name must not depend on -n.
        test = report.nodeid.removesuffix(f"@{properties['target']}")
        record = self.records.setdefault(
            test,
            Record(
                test=test,
                rule=properties["rule"],
                level=properties["level"],
                area=properties["area"],
                target=properties["target"],
            ),
        )
        record.duration += report.duration
        record.http_requests += properties.get("http_requests", 0)
        record.model_calls += properties.get("model_calls", 0)
        record.tokens += properties.get("tokens", 0)
        decisive = report.when == "call" or not report.passed
        if decisive and not (report.when == "teardown" and record.outcome != "pass"):
            record.outcome = outcome_of(report)
            record.message = _message(report)

    def by_target(self) -> dict[str, list[Record]]:
        grouped: dict[str, list[Record]] = {name: [] for name in self.targets}
        for record in self.records.values():
            grouped.setdefault(record.target, []).append(record)
        return grouped

    def summary_lines(self) -> list[str]:
        lines = [f"gemini-conformance {__version__} (google-genai {sdk_version()})"]
        for name, records in self.by_target().items():
            counts = Counter(r.outcome for r in records)
            outcome_text = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts[o] or o in ("pass", "fail"))
            lines.append(
                f"  {name} ({_kind(self.targets.get(name))}): {outcome_text}; "
                f"cost: {sum(r.http_requests for r in records)} HTTP requests, "
                f"{sum(r.model_calls for r in records)} model calls, {sum(r.tokens for r in records)} tokens"
            )
        return lines

    def write_results(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "suite_version": __version__,
            "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "targets": {name: _kind(target) for name, target in self.targets.items()},
            "records": [asdict(r) for r in sorted(self.records.values(), key=lambda r: (r.target, r.rule, r.test))],
        }
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def sdk_version() -> str:
    """The google-genai version SDK-compatibility checks ran with."""
    try:
        from importlib.metadata import version

        return version("google-genai")
    except Exception:
        return "not installed"


def _kind(target: Target | None) -> str:
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
    rendered = dict(report.user_properties).get("rule") == lines[0].split(" ", 1)[0]
    return lines[1] if rendered and len(lines) > 1 else lines[-1]

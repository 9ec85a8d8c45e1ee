"""The lines the run prints at its end, read from results.json like every other report."""

from __future__ import annotations

from typing import Any

from conformance.outcomes import Outcome


def summary_lines(results: dict[str, Any]) -> list[str]:
    lines = [f"gemini-conformance {results['suite_version']} (google-genai {results.get('sdk_version', 'not installed')})"]
    for name, target in results["targets"].items():
        totals = target["totals"]
        outcome_text = ", ".join(
            f"{n} {o}" for o, n in totals["outcomes"].items() if n or o in (Outcome.PASS.value, Outcome.FAIL.value)
        )
        levels = ", ".join(f"{level} {result['result']}" for level, result in target["levels"].items() if result["claimed"])
        lines.append(
            f"  {name} ({target['description']}): {outcome_text}; levels: {levels or 'none'}; "
            f"cost: {totals['http_requests']} HTTP requests, {totals['model_calls']} model calls, {totals['tokens']} tokens"
        )
        for rule, note in target.get("deviations", {}).items():
            lines.append(f"    deviation {rule}: {note}")
    timeouts = [r for r in results["records"] if r["outcome"] == Outcome.TIMEOUT.value]
    for record in timeouts:  # a timeout is not a failure pytest lists: name it here, with its time
        lines.append(f"  TIMEOUT {record['rule']} {record['test']}: {record['message']}")
    return lines

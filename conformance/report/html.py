"""The top of the HTML report: a conformance matrix (targets x rule areas), levels, timing and cost.

Rendered from the run's records, so the same HTML serves the pytest-html report and the merged
nightly report (``python -m conformance merge``).
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

from conformance.levels import is_reached
from conformance.outcomes import Outcome

BROKEN = tuple(o.value for o in Outcome if o.broken)
CELL_ORDER = ("pass", "fail", "timeout", "error", "blocked", "deviation", "model decided", "skipped")
COLOURS = {
    "pass": "#e6f4ea",
    "fail": "#fce8e6",
    "timeout": "#fce8e6",
    "error": "#fce8e6",
    "blocked": "#fce8e6",
    "deviation": "#fef7e0",
    "model decided": "#fef7e0",
    "skipped": "#f1f3f4",
}
STYLE = """<style>
.gc-matrix{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
.gc-matrix th,.gc-matrix td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
.gc-matrix th{background:#f5f5f5}
.gc-count{white-space:nowrap}
.gc-fail{color:#b3261e;font-weight:bold}
.gc-level-reached{color:#1e7e34;font-weight:bold}
.gc-level-not{color:#b3261e}
</style>"""


def render(results: dict[str, Any]) -> str:
    """HTML for a results.json document (see schemas/results.schema.json)."""
    records = results["records"]
    names = list(results["targets"])
    header = "".join(f"<th>{escape(name)}<br><small>{escape(results['targets'][name]['description'])}</small></th>" for name in names)
    parts = [STYLE, '<h2 id="conformance-matrix">Conformance matrix</h2>', f'<table class="gc-matrix"><tr><th>rule area</th>{header}</tr>']
    for area in sorted({r["area"] for r in records}):
        cells = "".join(_cell(Counter(r["outcome"] for r in records if r["target"] == name and r["area"] == area)) for name in names)
        parts.append(f"<tr><th>{escape(area)}</th>{cells}</tr>")
    parts.append("</table>")
    parts += _levels_table(results, names) + _run_table(results, names)
    parts += _deviations(results) + _baseline(results.get("baseline")) + _failures(records)
    return "\n".join(parts)


def _levels_table(results: dict[str, Any], names: list[str]) -> list[str]:
    levels = list(dict.fromkeys(level for name in names for level in results["targets"][name]["levels"]))
    parts = ["<h3>Levels</h3>", f"<table class='gc-matrix'><tr><th>level</th>{''.join(f'<th>{escape(n)}</th>' for n in names)}</tr>"]
    for level in levels:
        cells = "".join(_level_cell(results["targets"][name]["levels"].get(level)) for name in names)
        parts.append(f"<tr><th>{escape(level)}</th>{cells}</tr>")
    parts.append("</table>")
    return parts


def _level_cell(level: dict[str, Any] | None) -> str:
    if level is None or not level["claimed"]:
        return "<td>not claimed</td>"
    if level["result"] == "not run":
        return "<td>not run</td>"
    css = "gc-level-reached" if is_reached(level["result"]) else "gc-level-not"
    colour = COLOURS["pass"] if is_reached(level["result"]) else COLOURS["fail"]
    return f"<td class='{css}' style='background:{colour}'>{escape(level['result'])}</td>"


def _run_table(results: dict[str, Any], names: list[str]) -> list[str]:
    parts = ["<h3>Timing and cost</h3>", "<table class='gc-matrix'><tr><th>target</th><th>timing (median)</th><th>cost</th></tr>"]
    for name in names:
        target = results["targets"][name]
        totals = target["totals"]
        parts.append(
            f"<tr><th>{escape(name)}</th><td>{_timing(target.get('timing', {}))}</td><td class='gc-count'>"
            f"{totals['http_requests']} HTTP requests, {totals['model_calls']} model calls, {totals['tokens']} tokens</td></tr>"
        )
    parts.append("</table>")
    return parts


def _cell(counts: Counter) -> str:
    if not counts:
        return "<td>–</td>"
    worst = next((o for o in CELL_ORDER[1:] if counts[o] and o != "skipped"), "pass" if counts["pass"] else "skipped")
    text = "<br>".join(f"{counts[o]} {o}" for o in CELL_ORDER if counts[o])
    return f"<td class='gc-count' style='background:{COLOURS[worst]}'>{text}</td>"


def _timing(timing: dict[str, dict[str, float]]) -> str:
    return "<br>".join(
        f"{escape(action)}: first byte {t['first_byte_s']:.2f} s, total {t['total_s']:.2f} s (n={t['requests']})"
        for action, t in timing.items()
    ) or "–"


def _deviations(results: dict[str, Any]) -> list[str]:
    rows = [
        f"<tr><td>{escape(name)}</td><td>{escape(rule)}</td><td>{escape(note)}</td></tr>"
        for name, target in results["targets"].items()
        for rule, note in target.get("deviations", {}).items()
    ]
    if not rows:
        return []
    return ["<h3>Declared deviations</h3><table class='gc-matrix'><tr><th>target</th><th>rule</th><th>status</th></tr>", *rows, "</table>"]


def _baseline(baseline: dict[str, Any] | None) -> list[str]:
    if not baseline:
        return []
    parts = [f"<h3>Compared with baseline {escape(baseline['path'])}</h3>"]
    for key, title in (("regressions", "Regressions"), ("fixes", "Fixed"), ("still_failing", "Still failing"), ("new", "New checks")):
        tests = baseline.get(key, [])
        css = " class='gc-fail'" if key == "regressions" and tests else ""
        items = "".join(f"<li>{escape(t)}</li>" for t in tests)
        parts.append(f"<p{css}>{title}: {len(tests)}</p>" + (f"<ul>{items}</ul>" if items else ""))
    return parts


def _failures(records: list[dict[str, Any]]) -> list[str]:
    failed = [r for r in records if r["outcome"] in BROKEN]
    if not failed:
        return []
    parts = [
        "<h3>Failures</h3><table class='gc-matrix'><tr><th>rule</th><th>target</th><th>what broke</th>"
        "<th>evidence</th><th>source</th></tr>"
    ]
    for r in failed:
        evidence = r.get("evidence") or {}
        lines = [
            f"<b>{escape(k)}</b>: <code>{escape(str(evidence[k]))}</code>"
            for k in ("path", "expected", "actual", "status", "headers", "latency", "request", "body_excerpt")
            if evidence.get(k) not in (None, "", {})
        ]
        parts.append(
            f"<tr><td>{escape(r['rule'])} {escape(r['level'])}<br><small>{escape(r['title'])}</small></td>"
            f"<td>{escape(r['target'])}</td><td>{escape(r['outcome'])}: {escape(r['message'])}</td>"
            f"<td>{'<br>'.join(lines)}</td><td><small>{'<br>'.join(escape(s) for s in r['sources'])}</small></td></tr>"
        )
    parts.append("</table>")
    return parts

"""The top of the HTML report: a conformance matrix (targets x rule areas), levels, timing and cost.

Rendered from the run's records, so the same HTML serves the pytest-html report and the merged
nightly report (``python -m conformance merge``).
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

CELL_ORDER = ("pass", "fail", "timeout", "deviation", "skipped")
COLOURS = {"pass": "#e6f4ea", "fail": "#fce8e6", "timeout": "#fce8e6", "deviation": "#fef7e0", "skipped": "#f1f3f4"}
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
    areas = sorted({r["area"] for r in records})
    parts = [STYLE, '<h2 id="conformance-matrix">Conformance matrix</h2>', '<table class="gc-matrix"><tr><th>target</th>']
    parts += [f"<th>{escape(area)}</th>" for area in areas]
    parts.append("<th>levels</th><th>timing (median)</th><th>cost</th></tr>")
    for name, target in results["targets"].items():
        mine = [r for r in records if r["target"] == name]
        parts.append(f"<tr><th>{escape(name)}<br><small>{escape(target['description'])}</small></th>")
        for area in areas:
            parts.append(_cell(Counter(r["outcome"] for r in mine if r["area"] == area)))
        parts.append(f"<td>{_levels(target['levels'])}</td><td>{_timing(target.get('timing', {}))}</td>")
        totals = target["totals"]
        parts.append(
            f"<td class='gc-count'>{totals['http_requests']} requests<br>{totals['model_calls']} model calls"
            f"<br>{totals['tokens']} tokens</td></tr>"
        )
    parts.append("</table>")
    parts += _deviations(results) + _baseline(results.get("baseline")) + _failures(records)
    return "\n".join(parts)


def _cell(counts: Counter) -> str:
    if not counts:
        return "<td>–</td>"
    worst = next((o for o in CELL_ORDER[1:3] if counts[o]), "deviation" if counts["deviation"] else "pass" if counts["pass"] else "skipped")
    text = "<br>".join(f"{counts[o]} {o}" for o in CELL_ORDER if counts[o])
    return f"<td class='gc-count' style='background:{COLOURS[worst]}'>{text}</td>"


def _levels(levels: dict[str, dict[str, Any]]) -> str:
    lines = []
    for name, level in levels.items():
        if not level["claimed"]:
            continue
        css = "gc-level-reached" if level["result"].startswith("reached") else "gc-level-not"
        lines.append(f"<span class='{css}'>{escape(name)}: {escape(level['result'])}</span>")
    return "<br>".join(lines) or "none claimed"


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
    failed = [r for r in records if r["outcome"] in ("fail", "timeout", "error")]
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

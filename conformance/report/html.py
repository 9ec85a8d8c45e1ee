"""The HTML report: each target's verdict first, then what failed grouped by root cause (MUST first,
evidence once per cause), then the conformance matrix (targets x rule areas), levels, timing and cost.

Rendered from results.json only, so the same HTML leads the pytest-html page (whose own table moves
below it, folded) and is the whole of the merged nightly report (``python -m conformance merge``).
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape
from typing import Any

from conformance.levels import is_reached
from conformance.report.causes import Cause, case_of, causes_of
from conformance.report.html_evidence import evidence_html
from conformance.report.verdict import verdict_of

CELL_ORDER = ("pass", "fail", "timeout", "error", "blocked", "deviation", "model decided", "skipped")
BAD = {"fail", "timeout", "error", "blocked"}
WARN = {"deviation", "model decided"}
# Colours keep text at WCAG AA contrast (4.5:1 or more) on their backgrounds.
STYLE = """<style>
body{min-width:0;max-width:1400px}
#gc-report{font-size:14px;line-height:1.45;color:#1f1f1f;overflow-wrap:break-word}
#gc-report a{color:#0b57d0}
#gc-report code,#gc-report td{overflow-wrap:anywhere}
#gc-report td.gc-outcome{overflow-wrap:normal;white-space:nowrap}
#gc-report h2{font-size:20px;margin:20px 0 8px}
#gc-report table{border-collapse:collapse;margin:6px 0 14px;max-width:100%}
#gc-report th,#gc-report td{border:1px solid #c4c4c4;padding:4px 8px;text-align:left;vertical-align:top}
#gc-report th{background:#f1f3f4}
.gc-verdict{border-left:6px solid #b3261e;background:#fdeeee;padding:8px 14px;margin:10px 0}
.gc-verdict.gc-ok{border-color:#1e7e34;background:#e8f5ec}
.gc-verdict h2{margin:4px 0!important}
.gc-verdict-line{font-size:16px;font-weight:600;margin:4px 0}
.gc-chip{display:inline-block;border-radius:10px;padding:0 8px;margin:2px 4px 2px 0;font-size:13px}
.gc-yes{background:#cce8d4;color:#0d4a1f}.gc-no{background:#f6cfcc;color:#7a1710}
.gc-cause{border:1px solid #c4c4c4;border-radius:6px;margin:10px 0;padding:6px 12px}
.gc-cause>summary{cursor:pointer;font-weight:600}
.gc-rows{width:100%}
.gc-fail,.gc-timeout,.gc-error{color:#a4231b;font-weight:600}.gc-blocked{color:#5c4300;font-weight:600}
.gc-code{white-space:pre-wrap;background:#f6f8fa;border:1px solid #d0d7de;padding:6px 8px;font-size:12px;max-height:28em;overflow:auto}
.gc-label{font-weight:600;margin-top:8px}
.gc-facts dt{font-weight:600}.gc-facts dd{margin:0 0 4px 16px}
.gc-headers{font-size:12px}
.gc-k{color:#0a3069}.gc-s{color:#0a5a2a}.gc-n{color:#8a3b00}.gc-l{color:#6f2da8}
.gc-matrix a{color:inherit}
.gc-cell-pass{background:#e6f4ea}.gc-cell-bad{background:#fce8e6}.gc-cell-warn{background:#fef7e0}.gc-cell-skipped{background:#f1f3f4}
.gc-regressions{border-left:6px solid #b3261e;padding:4px 12px;background:#fdeeee}
#gc-pytest-html>summary{cursor:pointer;font-size:16px;font-weight:600;margin:16px 0}
#gc-pytest-html table{max-width:100%}
</style>"""
# Copy buttons, and pytest-html's own sections (environment, filters, every test) moved below ours,
# folded, so the page leads with the verdict. Without JavaScript the page still reads top to bottom.
SCRIPT = """<script>
function gcCopy(button){navigator.clipboard&&navigator.clipboard.writeText(button.parentElement.nextElementSibling.textContent)}
document.addEventListener("DOMContentLoaded",function(){
  var ours=document.getElementById("gc-report"),env=document.getElementById("environment-header");
  if(!ours||!env)return;
  var fold=document.createElement("details");fold.id="gc-pytest-html";
  fold.innerHTML="<summary>Every check, and the environment (pytest-html)</summary>";
  env.parentNode.insertBefore(ours,env);ours.after(fold);
  ["environment-header","environment"].forEach(function(id){fold.append(document.getElementById(id))});
  var summary=document.querySelector("body>.summary");if(summary)fold.append(summary);
  var table=document.getElementById("results-table");if(table)fold.append(table);
  gcReveal();
});
// A link to a row folded away (a blocked check) opens what folds it.
function gcReveal(){var at=location.hash&&document.getElementById(location.hash.slice(1));
  for(var e=at;e;e=e.parentElement){if(e.tagName==="DETAILS")e.open=true}if(at)at.scrollIntoView()}
window.addEventListener("hashchange",gcReveal);
</script>"""


def render(results: dict[str, Any]) -> str:
    """HTML for a results.json document (see schemas/results.schema.json)."""
    records = results["records"]
    names = list(results["targets"])
    causes = causes_of(records)
    rows = _row_ids(causes)
    parts = [STYLE, SCRIPT, "<div id='gc-report'>"]
    parts += [_verdict(name, results["targets"][name], records, causes) for name in names]
    parts += _regressions(results.get("baseline"))
    parts += _causes(causes, rows)
    parts += _matrix(results, names, rows)
    parts += _levels_table(results, names) + _run_table(results, names) + _deviations(results) + _baseline(results.get("baseline"))
    parts.append("</div>")
    return "\n".join(parts)


def slug(*words: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", "-".join(words)).strip("-")


def _row_ids(causes: list[Cause]) -> dict[str, str]:
    """Each failing or blocked record's anchor (by test id), in the order the page shows them."""
    return {r["test"]: slug("row", r["test"]) for cause in causes for r in cause.failures + cause.blocked}


def _verdict(name: str, target: dict[str, Any], records: list[dict[str, Any]], causes: list[Cause]) -> str:
    verdict = verdict_of(name, target, records, causes)
    chips = "".join(f"<span class='gc-chip gc-yes'>✓ {escape(level)}</span>" for level in verdict.reached)
    chips += "".join(f"<span class='gc-chip gc-no'>✗ {escape(level)}</span>" for level in verdict.not_reached)
    totals = target["totals"]
    return (
        f"<section class='gc-verdict{' gc-ok' if verdict.conformant else ''}' id='{slug('verdict', name)}'>"
        f"<h2>{escape(name)}</h2><p class='gc-verdict-line'>{escape(verdict.sentence)}</p><div>{chips}</div>"
        f"<p>{escape(target['description'])} · cost: {totals['http_requests']:,} HTTP requests, "
        f"{totals['model_calls']:,} model calls, {totals['tokens']:,} tokens</p></section>"
    )


def _causes(causes: list[Cause], rows: dict[str, str]) -> list[str]:
    if not causes:
        return []
    parts = ["<h2 id='gc-causes'>What failed, by cause</h2>"]
    for number, cause in enumerate(causes, 1):
        lead = cause.lead
        breaks = f"breaks {', '.join(cause.rules)}" if cause.rules else f"blocked by {lead.get('blocked_by')}"
        blocks = f"; blocks {', '.join(cause.blocked_rules)}" if cause.blocked_rules and cause.failures else ""
        summary = (lead.get("evidence") or {}).get("summary") or lead["message"]
        parts.append(
            f"<details class='gc-cause' open id='{slug('cause', cause.target, str(number))}'><summary>{number}. "
            f"{escape(cause.target)} · {escape(breaks + blocks)} — {escape(summary)}</summary>"
            + _rows(cause.failures, rows)
            + (evidence_html(lead.get("evidence"), lead) if cause.failures else "")
            + (_blocked(cause, rows) if cause.blocked else "")
            + "</details>"
        )
    return parts


def _rows(records: list[dict[str, Any]], rows: dict[str, str]) -> str:
    header = "<tr><th>rule · case</th><th>outcome</th><th>what the check saw</th></tr>"
    return f"<table class='gc-rows'>{header}{''.join(_row(r, rows) for r in records)}</table>"


def _blocked(cause: Cause, rows: dict[str, str]) -> str:
    """The checks a cause kept from judging, folded: they say nothing of their own rules."""
    by = "by this cause" if cause.failures else f"by {cause.lead.get('blocked_by')}"
    return (
        f"<details class='gc-blocked-checks'{'' if cause.failures else ' open'}><summary>{len(cause.blocked)} check(s) "
        f"blocked {escape(by)}: {escape(', '.join(cause.blocked_rules))}</summary>{_rows(cause.blocked, rows)}</details>"
    )


def _row(record: dict[str, Any], rows: dict[str, str]) -> str:
    case = case_of(record)
    name = f"{record['rule']} {record['level']}" + (f" · {case}" if case else "")
    cell = slug("cell", record["target"], record["area"])
    outcome = record["outcome"]
    return (
        f"<tr id='{rows[record['test']]}'><td><b>{escape(name)}</b><br><small>{escape(record['title'])}</small> "
        f"<a href='#{cell}' title='its cell in the matrix'>matrix</a></td>"
        f"<td class='gc-outcome gc-{slug(outcome)}'>{escape(outcome)}</td><td>{escape(record['message'])}</td></tr>"
    )


def _matrix(results: dict[str, Any], names: list[str], rows: dict[str, str]) -> list[str]:
    records = results["records"]
    header = "".join(f"<th>{escape(name)}</th>" for name in names)
    parts = ['<h2 id="conformance-matrix">Conformance matrix</h2>', f'<table class="gc-matrix"><tr><th>rule area</th>{header}</tr>']
    for area in sorted({r["area"] for r in records}):
        cells = "".join(_cell(name, area, [r for r in records if r["target"] == name and r["area"] == area], rows) for name in names)
        parts.append(f"<tr><th>{escape(area)}</th>{cells}</tr>")
    parts.append("</table>")
    return parts


def _cell(target: str, area: str, records: list[dict[str, Any]], rows: dict[str, str]) -> str:
    cell_id = slug("cell", target, area)
    if not records:
        return f"<td id='{cell_id}'>–</td>"
    counts = Counter(r["outcome"] for r in records)
    css = "bad" if BAD & set(counts) else "warn" if WARN & set(counts) else "pass" if counts["pass"] else "skipped"
    text = "<br>".join(f"{counts[o]} {o}" for o in CELL_ORDER if counts[o])
    first = next((rows[r["test"]] for r in records if r["test"] in rows), None)
    if first:
        text = f"<a href='#{first}' title='its failures'>{text}</a>"
    return f"<td id='{cell_id}' class='gc-cell-{css}'>{text}</td>"


def _levels_table(results: dict[str, Any], names: list[str]) -> list[str]:
    levels = list(dict.fromkeys(level for name in names for level in results["targets"][name]["levels"]))
    parts = ["<h2>Levels</h2>", f"<table class='gc-matrix'><tr><th>level</th>{''.join(f'<th>{escape(n)}</th>' for n in names)}</tr>"]
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
    css = "gc-cell-pass" if is_reached(level["result"]) else "gc-cell-bad"
    return f"<td class='{css}'>{escape(level['result'])}</td>"


def _run_table(results: dict[str, Any], names: list[str]) -> list[str]:
    parts = ["<h2>Timing and cost</h2>", "<table class='gc-matrix'><tr><th>target</th><th>timing (median)</th><th>cost</th></tr>"]
    for name in names:
        target = results["targets"][name]
        totals = target["totals"]
        parts.append(
            f"<tr><th>{escape(name)}</th><td>{_timing(target.get('timing', {}))}</td><td>"
            f"{totals['http_requests']:,} HTTP requests, {totals['model_calls']:,} model calls, {totals['tokens']:,} tokens</td></tr>"
        )
    parts.append("</table>")
    return parts


def _timing(timing: dict[str, dict[str, float]]) -> str:
    return "<br>".join(
        f"{escape(action)}: first byte {round(t['first_byte_s'] * 1000):,} ms, total {round(t['total_s'] * 1000):,} ms (n={t['requests']})"
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
    return ["<h2>Declared deviations</h2><table class='gc-matrix'><tr><th>target</th><th>rule</th><th>status</th></tr>", *rows, "</table>"]


def _regressions(baseline: dict[str, Any] | None) -> list[str]:
    """A nightly's regressions lead the page, right under the verdicts."""
    if not baseline or not baseline.get("regressions"):
        return []
    items = "".join(f"<li>{escape(t)}</li>" for t in baseline["regressions"])
    return [
        f"<section class='gc-regressions' id='gc-regressions'><h2>{len(baseline['regressions'])} regression(s) since "
        f"{escape(baseline['path'])}</h2><ul>{items}</ul></section>"
    ]


def _baseline(baseline: dict[str, Any] | None) -> list[str]:
    if not baseline:
        return []
    parts = [f"<h2>Compared with baseline {escape(baseline['path'])}</h2>"]
    for key, title in (("regressions", "Regressions"), ("fixes", "Fixed"), ("still_failing", "Still failing"), ("new", "New checks")):
        tests = baseline.get(key, [])
        items = "".join(f"<li>{escape(t)}</li>" for t in tests)
        parts.append(f"<p>{title}: {len(tests)}</p>" + (f"<ul>{items}</ul>" if items else ""))
    return parts

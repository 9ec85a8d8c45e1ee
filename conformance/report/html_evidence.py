"""A failure's evidence as a reader wants it: what was expected and what came back, the request as a
curl line to copy, the response's status, headers and times, its body pretty-printed.

Everything here was redacted before results.json was written; this only lays it out (escaped).
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from conformance.documents import passage

# A JSON token in text json.dumps wrote (then escaped): a key, a string, a number or a literal.
JSON_TOKEN = re.compile(r'(&quot;(?:[^&]|&(?!quot;))*?&quot;)(\s*:)?|\b(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\b|\b(true|false|null)\b')


def evidence_html(evidence: dict[str, Any] | None, record: dict[str, Any]) -> str:
    """The evidence block of one failure (collapsible)."""
    evidence = evidence or {}
    facts = [
        (label, evidence.get(key))
        for label, key in (("JSON path", "path"), ("expected", "expected"), ("actual", "actual"))
        if evidence.get(key) not in (None, "", "None")
    ]
    parts = ["<dl class='gc-facts'>", *(f"<dt>{label}</dt><dd><code>{escape(str(value))}</code></dd>" for label, value in facts), "</dl>"]
    if evidence.get("details"):
        parts.append(f"<div class='gc-label'>also</div><ul class='gc-details'>{''.join(f'<li><code>{escape(d)}</code></li>' for d in evidence['details'])}</ul>")
    if evidence.get("request"):
        parts.append(_curl(evidence["request"]))
    if evidence.get("status") is not None:
        parts.append(_response(evidence))
    parts.append(_sources(record.get("sources", [])))
    return f"<details class='gc-evidence'><summary>evidence</summary>{''.join(parts)}</details>"


def _curl(command: str) -> str:
    return (
        "<div class='gc-curl'><div class='gc-label'>request <button type='button' class='gc-copy' "
        "onclick='gcCopy(this)'>copy curl</button></div>"
        f"<pre class='gc-code'>{escape(command)}</pre></div>"
    )


def _response(evidence: dict[str, Any]) -> str:
    latency = evidence.get("latency") or {}
    times = ", ".join(
        f"{label} {round(latency[key] * 1000):,} ms" for label, key in (("first byte", "first_byte_s"), ("total", "total_s")) if key in latency
    )
    broke = f"; the connection broke: {escape(str(evidence['transport_error']))}" if evidence.get("transport_error") else ""
    retries = "".join(f"; after HTTP {r['status']}, waited {r['waited_s']:g} s" for r in evidence.get("retries") or [])
    headers = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in (evidence.get("headers") or {}).items())
    status = evidence.get("status") or "no answer"
    return (
        f"<div class='gc-label'>response: HTTP {escape(str(status))}{', ' + times if times else ''}{broke}{escape(retries)}</div>"
        + (f"<table class='gc-headers'>{headers}</table>" if headers else "")
        + (f"<pre class='gc-code'>{pretty_body(evidence['body_excerpt'])}</pre>" if evidence.get("body_excerpt") else "")
    )


def pretty_body(text: str) -> str:
    """A body excerpt as HTML: JSON (or each SSE event's JSON) indented and highlighted; anything
    else (an excerpt cut short, an HTML page) as it came."""
    try:
        return highlight(json.dumps(json.loads(text), indent=2, ensure_ascii=False))
    except ValueError:
        pass
    if not text.lstrip().startswith("data:"):
        return escape(text)
    return "\n".join(_sse_line(line) for line in text.splitlines())


def _sse_line(line: str) -> str:
    if line.startswith("data:"):
        try:
            return "data: " + highlight(json.dumps(json.loads(line[5:]), indent=2, ensure_ascii=False))
        except ValueError:
            pass
    return escape(line)


def highlight(json_text: str) -> str:
    return JSON_TOKEN.sub(_token, escape(json_text, quote=True))


def _token(match: re.Match) -> str:
    string, colon, number, literal = match.groups()
    if string is not None:
        css = "gc-k" if colon else "gc-s"
        return f"<span class='{css}'>{string}</span>{colon or ''}"
    if number is not None:
        return f"<span class='gc-n'>{number}</span>"
    return f"<span class='gc-l'>{literal}</span>"


def _sources(sources: list[str]) -> str:
    """Each source as its document's title and section (the file it is in as the hover text), with
    the passage it cites, folded (the documents travel with the suite: conformance/documents)."""
    items = []
    for source in sources:
        document, _, section = source.partition("), ")
        path, _, title = document.partition(" (")
        if not section:  # a free-text source (a pull request, an issue)
            items.append(f"<li>{escape(source)}</li>")
            continue
        cited = passage(path, section)
        quote = f"<details><summary>what it says</summary><pre class='gc-code'>{escape(cited)}</pre></details>" if cited else ""
        items.append(f"<li><span title='{escape(path)}'>{escape(title)}</span> · {escape(section)}{quote}</li>")
    return f"<div class='gc-label'>source</div><ul class='gc-sources'>{''.join(items)}</ul>" if items else ""

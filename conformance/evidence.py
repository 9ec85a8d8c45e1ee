"""How a failed rule reads in the terminal and the HTML report: what broke, and how to reproduce it."""

from __future__ import annotations

import json
from typing import Any

from conformance.client.redact import Redactor
from conformance.outcomes import GatewayUnreachable, RequestTimedOut, RuleViolation
from conformance.rules import Rule
from conformance.targets import Target


def render_failure(rule: Rule, error: Exception, target: Target, redactor: Redactor) -> str:
    lines = [f"{rule.id} {rule.level}: {rule.title}  [target {target.name}]"]
    if isinstance(error, RuleViolation):
        lines.append(error.summary)
        if error.path:
            lines.append(f"  path:     {error.path}")
        if error.expected is not None:
            lines.append(f"  expected: {_show(error.expected, redactor)}")
        if error.actual is not None:
            lines.append(f"  actual:   {_show(error.actual, redactor)}")
        lines += [f"            {detail}" for detail in error.details]
        if error.exchange is not None:
            lines.append(f"  request:  {error.exchange.curl}")
            lines.append(f"  response: {error.exchange.describe()}")
            if error.exchange.body:
                lines.append(f"            {error.exchange.excerpt()}")
    elif isinstance(error, RequestTimedOut):
        lines.append(str(error))
        lines.append(f"  request:  {error.curl}")
    elif isinstance(error, GatewayUnreachable):
        lines.append(str(error))
    lines.append(f"  source:   {'; '.join(map(str, rule.sources))}")
    return "\n".join(lines)


def _show(value: Any, redactor: Redactor) -> str:
    """A value as evidence: redacted first, then cut (a cut must never fall inside a key)."""
    text = redactor.text(value if isinstance(value, str) else json.dumps(value, default=str))
    return text if len(text) <= 300 else text[:300] + "..."


def evidence_of(error: BaseException, redactor: Redactor) -> dict[str, Any]:
    """The machine-readable evidence of a failure (for results.json and the HTML report)."""
    if isinstance(error, RuleViolation):
        evidence: dict[str, Any] = {
            "summary": error.summary,
            "path": error.path,
            "expected": _show(error.expected, redactor) if error.expected is not None else None,
            "actual": _show(error.actual, redactor) if error.actual is not None else None,
            "details": [_show(detail, redactor) for detail in error.details],  # e.g. every difference beside the first
        }
        if error.exchange is not None:
            evidence |= error.exchange.evidence()
        return evidence
    if isinstance(error, RequestTimedOut):
        return {
            "summary": str(error),
            "what": redactor.text(error.what),  # what never answered: the same for every check that waited on it
            "request": error.curl,
            "latency": {"total_s": round(error.elapsed, 3)},
        }
    return {"summary": str(error).splitlines()[0] if str(error) else type(error).__name__}

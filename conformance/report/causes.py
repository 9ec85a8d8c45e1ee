"""Failures grouped by root cause: what a reader fixes, rather than every check it broke.

Two failures share a cause when they rest on the same evidence: the same wrong value at the same JSON
path, the same wrong value where the same thing was expected (one broken stream read by several
rules), the same refused request (one error answer every check got), or the same endpoint never
answering.
A check blocked by a rule joins the cause of that rule's failure. Read from results.json records only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.outcomes import BROKEN_VALUES, Outcome
from conformance.rules import MUST

BLOCKED = Outcome.BLOCKED.value


@dataclass
class Cause:
    """One root cause on one target: the failures resting on it, worst first, and the checks it blocked."""

    target: str
    failures: list[dict[str, Any]] = field(default_factory=list)
    blocked: list[dict[str, Any]] = field(default_factory=list)

    @property
    def lead(self) -> dict[str, Any]:
        """The failure that shows the cause: a MUST rule's before a SHOULD's (the evidence shown once)."""
        return (self.failures or self.blocked)[0]

    @property
    def breaks_must(self) -> bool:
        return any(r["level"] == MUST.value for r in self.failures)

    @property
    def rules(self) -> list[str]:
        return list(dict.fromkeys(r["rule"] for r in self.failures))

    @property
    def blocked_rules(self) -> list[str]:
        return list(dict.fromkeys(r["rule"] for r in self.blocked))


def case_of(record: dict[str, Any]) -> str:
    """The case a parametrized check judged (``x-goog-api-key`` of AUTH-01), or "" for a single check."""
    test = record["test"]
    if not test.endswith("]") or "[" not in test:
        return ""
    params = test[test.index("[") + 1 : -1]
    target = record["target"]
    for shape in (f"{target}-", f"-{target}"):
        if shape in params:
            return params.replace(shape, "", 1)
    return "" if params == target else params


def causes_of(records: Iterable[dict[str, Any]]) -> list[Cause]:
    """Every failing and blocked record, in causes: per target in order of appearance, the causes
    that break a MUST rule first."""
    records = list(records)
    failures = sorted((r for r in records if r["outcome"] in BROKEN_VALUES), key=_worst_first)
    groups = _Groups()
    for record in failures:
        groups.add(record, _evidence_keys(record))
    causes = [Cause(target=members[0]["target"], failures=members) for members in groups.members()]
    by_rule = {(r["target"], r["rule"]): cause for cause in causes for r in cause.failures}
    for record in sorted((r for r in records if r["outcome"] == BLOCKED), key=_worst_first):
        key = (record["target"], record.get("blocked_by") or "")
        if key not in by_rule:  # blocked by a rule that did not fail here: a cause of its own
            by_rule[key] = Cause(target=record["target"])
            causes.append(by_rule[key])
        by_rule[key].blocked.append(record)
    targets = list(dict.fromkeys(r["target"] for r in records))
    return sorted(causes, key=lambda c: (targets.index(c.target), not c.breaks_must, not c.failures, c.lead["rule"]))


def _worst_first(record: dict[str, Any]) -> tuple:
    return (record["level"] != MUST.value, record["rule"], record["test"])


def _evidence_keys(record: dict[str, Any]) -> list[tuple]:
    """What a failure rests on; failures sharing any of these share a cause (on the same target)."""
    evidence = record.get("evidence") or {}
    target, expected, actual = record["target"], evidence.get("expected"), evidence.get("actual")
    keys: list[tuple] = []
    if evidence.get("path"):
        keys.append(("path", target, evidence["path"], expected))
    if expected is not None and actual is not None:
        keys.append(("value", target, expected, actual))
    status = evidence.get("status")
    if isinstance(status, int) and status >= 400 and evidence.get("body_excerpt"):
        keys.append(("refused", target, status, evidence["body_excerpt"]))
    if record["outcome"] == Outcome.TIMEOUT.value and (evidence.get("what") or evidence.get("request")):
        keys.append(("timed out", target, evidence.get("what") or evidence["request"]))
    return keys or [("alone", target, record["test"])]


class _Groups:
    """Records joined whenever they share a key (a small union-find, in order of arrival)."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.records: list[dict[str, Any]] = []
        self.owner: dict[tuple, int] = {}

    def add(self, record: dict[str, Any], keys: list[tuple]) -> None:
        index = len(self.records)
        self.records.append(record)
        self.parent.append(index)
        for key in keys:
            if key in self.owner:
                self._join(self.owner[key], index)
            else:
                self.owner[key] = index

    def _root(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def _join(self, a: int, b: int) -> None:
        a, b = self._root(a), self._root(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)  # the earliest (worst) record stays the lead

    def members(self) -> list[list[dict[str, Any]]]:
        groups: dict[int, list[dict[str, Any]]] = {}
        for index, record in enumerate(self.records):
            groups.setdefault(self._root(index), []).append(record)
        return list(groups.values())

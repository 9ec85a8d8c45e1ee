"""Run the conformance suite as a user would (a pytest subprocess) and read what it concluded."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import yaml

from conformance.outcomes import Outcome

REPO = Path(__file__).resolve().parents[1]
# What a fault must make its rules end in (an error is the suite's own failure: never what a fault proves).
BROKEN = (Outcome.FAIL.value, Outcome.TIMEOUT.value)
# Anything a gateway's failure counts as, an error included (collateral damage of a fault).
COUNTS_AGAINST = {o.value for o in Outcome if o.broken}


@dataclass
class SuiteRun:
    returncode: int
    stdout: str
    stderr: str
    report_dir: Path
    records: list[dict[str, Any]]

    def outcomes(self, target: str) -> dict[str, set[str]]:
        """rule id -> the outcomes of its checks on ``target``."""
        by_rule: dict[str, set[str]] = defaultdict(set)
        for record in self.records:
            if record["target"] == target:
                by_rule[record["rule"]].add(record["outcome"])
        return dict(by_rule)

    def failing_rules(self, target: str) -> set[str]:
        return {rule for rule, outcomes in self.outcomes(target).items() if outcomes & COUNTS_AGAINST}

    def records_of(self, target: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["target"] == target]


def run_suite(
    tmp: Path,
    targets: dict[str, Any] | None,
    *args: str,
    env: dict[str, str] | None = None,
    unset: tuple[str, ...] = (),
    timeout: float = 1800,  # the fault run drives ~100 gateways; under load it needs the room
) -> SuiteRun:
    """``pytest`` from the repo root with a targets file written from ``targets``."""
    tmp.mkdir(parents=True, exist_ok=True)
    report_dir = tmp / "reports"
    # `--opt=value`: pytest guesses its rootdir from path-like arguments before it knows our options.
    # Its own basetemp: pytest prunes old temp dirs, which could delete the calling test's.
    # Without pytest's unraisable-exception plugin: its five garbage collections at exit cost each
    # run about 0.4 s, and the self-tests start some sixty runs beside the long ones.
    command = [sys.executable, "-m", "pytest", f"--report-dir={report_dir}", f"--basetemp={tmp / 'basetemp'}", "-q", "-p", "no:unraisableexception"]
    if targets is not None:
        targets_file = tmp / "targets.yaml"
        targets_file.write_text(yaml.safe_dump(targets, sort_keys=False), encoding="utf-8")
        command.append(f"--targets-file={targets_file}")
    completed = subprocess.run(
        [*command, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={k: v for k, v in {**os.environ, **(env or {})}.items() if k not in unset},
    )
    results = report_dir / "results.json"
    if not results.exists():  # a partial run (-k, a check named, ...) leaves the full run's alone
        results = report_dir / "partial" / "results.json"
    records = json.loads(results.read_text())["records"] if results.exists() else []
    return SuiteRun(completed.returncode, completed.stdout, completed.stderr, report_dir, records)


def matches(rule: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch(rule, pattern) for pattern in patterns)


def assert_breaks_exactly(run: SuiteRun, target: str, fault: str, breaks: tuple[str, ...]) -> None:
    """The fault behind ``target`` broke every rule ``breaks`` names, and no other."""
    outcomes = run.outcomes(target)
    assert outcomes, f"no results for {target}:\n{run.stdout[-3000:]}"
    expected = {rule for rule in outcomes if matches(rule, breaks)}
    missed = {rule for rule in expected if not outcomes[rule] & set(BROKEN)}
    collateral = run.failing_rules(target) - expected
    assert missed == set(), f"{fault} should break {sorted(missed)} but they passed"
    assert collateral == set(), f"{fault} also broke {sorted(collateral)}: " + "; ".join(
        r["message"] for r in run.records_of(target) if r["rule"] in collateral
    )


def artifacts(run: SuiteRun) -> dict[str, str]:
    """Everything a run left for a person to read: its output and every file of its report folder."""
    texts = {"stdout": run.stdout, "stderr": run.stderr}
    for path in run.report_dir.rglob("*"):
        if path.is_file():
            texts[str(path)] = path.read_text(errors="replace")
    return texts


def leaks_of(secret: str, run: SuiteRun) -> dict[str, str]:
    """Where any form of ``secret`` shows in the run's artifacts: whole, URL-encoded, any eight
    characters of its random part (a cut key), its base64 at each alignment inside a blob."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    random_part = secret.rsplit("-", 1)[1]
    forms |= {random_part[i : i + 8] for i in range(len(random_part) - 7)}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for offset in range(3):
            encoded = encode(b"\0" * offset + secret.encode()).decode()
            forms.add(encoded[4 if offset else 0 : 4 * ((offset + len(secret)) // 3)])
    return {name: form for name, text in artifacts(run).items() for form in forms if form in text}

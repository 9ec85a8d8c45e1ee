"""A certificate's verdicts judged again from its evidence: the suite run against a replay of it.

The replay (conformance/reference/replay.py) answers each request the run made with the exchange it
recorded, so this suite's own checks judge the same bytes again, offline and free. It runs in a
pytest of its own, in a temporary folder, with the certificate's declarations (the evidence folder's
target.json) and its declared deviations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

# A replay answers at loopback speed; a run this long is stuck.
REJUDGE_TIMEOUT_S = 600


def rejudge(certificate: dict[str, Any], folder: Path) -> tuple[dict[str, str], str | None]:
    """(rule id -> outcome as judged from the evidence, None), or ({}, why it could not be run)."""
    from conformance.report.certificate import rule_outcomes

    name = certificate["target"]["name"]
    entry: dict[str, Any] = {"reference": {"replay": str(folder.resolve())}}
    deviations = {
        rule: {"reason": d["reason"], **({"until": str(d["until"])} if d.get("until") else {})}
        for rule, d in (certificate.get("deviations") or {}).items()
    }
    if deviations:
        entry["deviations"] = deviations
    with tempfile.TemporaryDirectory(prefix="gc-rejudge-") as tmp:
        targets = Path(tmp) / "targets.yaml"
        targets.write_text(yaml.safe_dump({"targets": {name: entry}}), encoding="utf-8")
        reports = Path(tmp) / "reports"
        command = [
            sys.executable, "-m", "pytest", f"--targets-file={targets}", "--target", name, f"--report-dir={reports}",
            "--no-evidence", "-p", "no:html", "-p", "no:cacheprovider", "-q", f"--rootdir={tmp}",
        ]
        try:
            done = subprocess.run(command, cwd=tmp, capture_output=True, text=True, timeout=REJUDGE_TIMEOUT_S, env=_clean_environment())
        except subprocess.TimeoutExpired:
            return {}, f"the replay did not finish within {REJUDGE_TIMEOUT_S} s"
        results = reports / "results.json"
        if not results.exists():
            last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
            return {}, f"pytest wrote no results (exit {done.returncode}): {last[0][:300]}"
        records = json.loads(results.read_text(encoding="utf-8"))["records"]
    return {row["id"]: row["outcome"] for row in rule_outcomes(records)}, None


def _clean_environment() -> dict[str, str]:
    """The environment without PYTEST_ADDOPTS and the like, which would change what the run does."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}

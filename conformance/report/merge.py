"""Nightly CI runs one job per target; this merges their results.json into one results.json, one HTML
report (the conformance matrix with every target side by side), and a certificate and badge per
target, exactly as a single run of all of them would have written."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from conformance.report import certificate, html, results

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Gemini gateway conformance</title></head>
<body style="font-family:Helvetica,Arial,sans-serif;margin:8px 16px"><h1>Gemini gateway conformance</h1>{body}</body></html>
"""


class MergeError(Exception):
    """Results that cannot be merged; the message is one line."""


def merged(documents: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    seen: dict[str, str] = {}
    for name, document in zip(names, documents):
        for target in document["targets"]:
            if target in seen:
                raise MergeError(f"target {target} is in both {seen[target]} and {name}: merge each target's results once")
            seen[target] = name
    document = dict(documents[0])
    document["targets"] = {name: t for d in documents for name, t in d["targets"].items()}
    document["records"] = [record for d in documents for record in d["records"]]
    document["started_at"] = min(d["started_at"] for d in documents)
    document["finished_at"] = max(d["finished_at"] for d in documents)
    document["levels_chosen"] = sorted({level for d in documents for level in d.get("levels_chosen", [])})
    document.pop("baseline", None)
    if any("baseline" in d for d in documents):
        document["baseline"] = {
            "path": ", ".join(d["baseline"]["path"] for d in documents if "baseline" in d),
            **{
                key: [t for d in documents for t in d.get("baseline", {}).get(key, [])]
                for key in ("regressions", "fixes", "still_failing", "new")
            },
        }
    return document


def merge(paths: list[Path], out: Path) -> Path:
    """Write out/results.json, out/report.html and out/<target>/conformance-report.yaml + badge.svg."""
    try:
        documents = [results.load(path) for path in paths]
    except results.ResultsError as error:
        raise MergeError(str(error)) from None
    document = merged(documents, [str(path) for path in paths])
    results.write(document, out)
    (out / "report.html").write_text(PAGE.format(body=html.render(document)), encoding="utf-8")
    for path, source in zip(paths, documents):  # each target's evidence goes with its certificate
        for target in source["targets"]:
            evidence = path.parent / target / certificate.EVIDENCE
            copy = out / target / certificate.EVIDENCE
            if evidence.is_dir() and evidence.resolve() != copy.resolve():
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(evidence, copy)
    certificate.write_all(document, out)
    return out

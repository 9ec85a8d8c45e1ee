"""Nightly CI runs one job per target; this merges their results.json into one results.json and one
HTML report (the conformance matrix with every target side by side)."""

from __future__ import annotations

import json
from pathlib import Path

from conformance import report_html

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Gemini gateway conformance</title></head>
<body style="font-family:sans-serif"><h1>Gemini gateway conformance</h1>{body}</body></html>
"""


def merge(paths: list[Path], out: Path) -> Path:
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    merged = dict(documents[0])
    merged["targets"] = {name: t for d in documents for name, t in d["targets"].items()}
    merged["records"] = [record for d in documents for record in d["records"]]
    merged["started_at"] = min(d["started_at"] for d in documents)
    merged["finished_at"] = max(d["finished_at"] for d in documents)
    merged.pop("baseline", None)
    regressions = [t for d in documents for t in d.get("baseline", {}).get("regressions", [])]
    if any("baseline" in d for d in documents):
        merged["baseline"] = {
            "path": ", ".join(d["baseline"]["path"] for d in documents if "baseline" in d),
            **{k: [t for d in documents for t in d.get("baseline", {}).get(k, [])] for k in ("fixes", "still_failing", "new")},
            "regressions": regressions,
        }
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    (out / "report.html").write_text(PAGE.format(body=report_html.render(merged)), encoding="utf-8")
    return out

"""The certificate a provider publishes: reports/<target>/conformance-report.yaml (+ badge.svg).

In the spirit of Gateway API's ConformanceReport: the target's declarations (no secrets), the suite
and rules versions, each level's result with its counts, the outcome of every rule, declared
deviations, and a digest over all of it so that an edited certificate no longer verifies.
``python -m conformance verify PATH`` is what a reader of a published certificate runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from html import escape
from pathlib import Path
from typing import Any

import yaml

from conformance import __version__
from conformance.levels import LEVELS, reached_levels
from conformance.rules import load_all_rules
from conformance.run import Run, describe_target
from conformance.schemas import validate
from conformance.vocabulary import FEATURES

API_VERSION = "gemini-conformance/v1"
KNOWN_SUITE_VERSIONS = ("0.1.0",)
# Worst first: a rule's outcome is the worst of its checks' (parametrized variants).
SEVERITY = ("error", "timeout", "fail", "deviation", "skipped", "pass", "not applicable")


def rules_version() -> str:
    """A fingerprint of the rule catalogue: ids, levels and statements."""
    catalogue = [(r.id, str(r.level), r.title) for r in load_all_rules().values()]
    return hashlib.sha256(json.dumps(catalogue).encode()).hexdigest()[:12]


def build(run: Run, target_name: str) -> dict[str, Any]:
    target = run.targets[target_name]
    records = run.by_target().get(target_name, [])
    notes = run.deviation_notes(target_name)
    certificate: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "ConformanceReport",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "suite": {"version": __version__, "rulesVersion": rules_version()},
        "target": {
            "name": target.name,
            "description": describe_target(target),
            "baseUrl": target.base_url,
            "apiKeyEnv": target.api_key_env,
            "docs": target.docs,
            "auth": list(target.auth),
            "models": dict(target.models),
            "actions": list(target.actions),
        },
        "supportedFeatures": sorted(target.features),
        "unsupportedFeatures": sorted(set(FEATURES) - set(target.features)),
        "levels": [
            {"name": name, "description": _level_description(name), **result}
            for name, result in reached_levels(run, target_name).items()
        ],
        "deviations": {
            rule: {"reason": d.reason, **({"until": str(d.until)} if d.until else {}), "status": notes[rule]}
            for rule, d in target.deviations.items()
        },
        "rules": _rule_outcomes(records),
    }
    certificate["digest"] = digest(certificate)
    return certificate


def _level_description(name: str) -> str:
    return next(level.description for level in LEVELS if level.name == name)


def _rule_outcomes(records: list) -> list[dict[str, Any]]:
    by_rule: dict[str, list] = {}
    for record in records:
        by_rule.setdefault(record.rule, []).append(record)
    rows = []
    for rule_id, checks in sorted(by_rule.items()):
        outcomes = [r.outcome if r.applicable else "not applicable" for r in checks]
        rows.append(
            {
                "id": rule_id,
                "level": checks[0].level,
                "outcome": min(outcomes, key=SEVERITY.index),
                "checks": len(checks),
            }
        )
    return rows


def digest(certificate: dict[str, Any]) -> str:
    content = {k: v for k, v in certificate.items() if k != "digest"}
    return "sha256:" + hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


# libyaml's emitter where PyYAML has it: the pure-Python one took 70 ms a certificate (a fault run writes 100).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write(run: Run, target_name: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    certificate = build(run, target_name)
    path = directory / "conformance-report.yaml"
    text = yaml.dump(certificate, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    (directory / "badge.svg").write_text(badge(certificate), encoding="utf-8")
    return path


def badge(certificate: dict[str, Any]) -> str:
    """A shields-style SVG: the levels reached, green when core is reached."""
    reached = [level["name"] for level in certificate["levels"] if level["result"].startswith("reached")]
    core = next((level for level in certificate["levels"] if level["name"] == "core"), None)
    ok = core is not None and core["result"].startswith("reached")
    label, value = "gemini conformance", " · ".join(reached) if ok else "core not reached"
    colour = "#2e7d32" if ok else "#c62828"
    left, right = 7 * len(label) + 12, 7 * len(value) + 12
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" role="img" '
        f'aria-label="{escape(label)}: {escape(value)}"><title>{escape(label)}: {escape(value)}</title>'
        f'<rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="6" y="14">{escape(label)}</text><text x="{left + 6}" y="14">{escape(value)}</text></g></svg>\n'
    )


def verify(path: Path) -> list[str]:
    """Why the certificate at ``path`` cannot be trusted; [] when it verifies."""
    try:
        certificate = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        return [f"cannot read {path}: {error}"]
    violations = validate("certificate", certificate)
    if violations:
        return [f"not a conformance report: at {v.path}: {v.message}" for v in violations[:5]]
    problems = []
    if certificate["digest"] != digest(certificate):
        problems.append("digest mismatch: the report was edited after the suite wrote it")
    version = certificate["suite"]["version"]
    if version not in KNOWN_SUITE_VERSIONS:
        problems.append(f"unknown suite version {version} (known: {', '.join(KNOWN_SUITE_VERSIONS)})")
    elif version == __version__ and certificate["suite"]["rulesVersion"] != rules_version():
        problems.append("made with a different rule catalogue than this suite's")
    problems += _rule_problems(certificate)
    return problems


def _rule_problems(certificate: dict[str, Any]) -> list[str]:
    catalogue = load_all_rules()
    outcomes = {row["id"]: row["outcome"] for row in certificate["rules"]}
    problems = [f"{rule} {outcome}" for rule, outcome in outcomes.items() if outcome in ("fail", "timeout", "error")]
    for level in certificate["levels"]:
        if not level["result"].startswith("reached"):
            continue
        spec = next((l for l in LEVELS if l.name == level["name"]), None)
        required = [r.id for r in spec.rules(catalogue)] if spec else []
        missing = [rule for rule in required if rule not in outcomes]
        skipped = [rule for rule in required if outcomes.get(rule) == "skipped"]
        if missing:
            problems.append(f"level {level['name']} claims reached but rules are missing: {', '.join(missing)}")
        if skipped:
            problems.append(f"level {level['name']} claims reached but rules were skipped: {', '.join(skipped)}")
    if not any(level["name"] == "core" and level["result"].startswith("reached") for level in certificate["levels"]):
        problems.append("core level not reached")
    return problems

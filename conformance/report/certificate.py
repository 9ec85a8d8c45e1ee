"""The certificate a provider publishes: reports/<target>/conformance-report.yaml (+ badge.svg).

In the spirit of Gateway API's ConformanceReport: the target's declarations (no secrets), the suite
and rules versions, each level's result with its counts, the outcome of every rule, declared
deviations, and a digest over all of it so that an edited certificate no longer verifies.
``python -m conformance verify PATH`` is what a reader of a published certificate runs.

Built from results.json alone, so a single run and ``merge`` write the same certificate.
"""

from __future__ import annotations

import hashlib
import json
from html import escape
from pathlib import Path
from typing import Any

import yaml

from conformance import __version__
from conformance.levels import LEVELS, is_reached
from conformance.outcomes import SEVERITY, Outcome, SkipKind
from conformance.rules import load_all_rules
from conformance.schemas import validate
from conformance.vocabulary import FEATURES

API_VERSION = "gemini-conformance/v1"
KNOWN_SUITE_VERSIONS = ("0.1.0",)
NOT_APPLICABLE = "not applicable"
# Worst first: a rule's outcome is the worst of its checks' (parametrized cases); a check skipped
# because the rule does not apply to the declarations counts least.
RULE_SEVERITY = (*(o.value for o in SEVERITY), NOT_APPLICABLE)


def rules_version() -> str:
    """A fingerprint of the rule catalogue: ids, levels and statements."""
    catalogue = [(r.id, str(r.level), r.title) for r in load_all_rules().values()]
    return hashlib.sha256(json.dumps(catalogue).encode()).hexdigest()[:12]


def build(results: dict[str, Any], target_name: str) -> dict[str, Any]:
    """The certificate of one target of a results.json document."""
    target = results["targets"][target_name]
    declared = target["declared"]
    records = [r for r in results["records"] if r["target"] == target_name]
    notes = target.get("deviations", {})
    certificate: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "ConformanceReport",
        "date": results["finished_at"],
        "suite": {"version": results["suite_version"], "rulesVersion": rules_version()},
        "target": {
            "name": target_name,
            "description": target["description"],
            "baseUrl": declared["base_url"],
            "apiKeyEnv": declared["api_key_env"],
            "docs": declared["docs"],
            "auth": list(declared["auth"]),
            "models": dict(declared["models"]),
            "actions": list(declared["actions"]),
        },
        "supportedFeatures": sorted(declared["features"]),
        "unsupportedFeatures": sorted(set(FEATURES) - set(declared["features"])),
        "levels": [
            {"name": name, "description": _level_description(name), **result} for name, result in target["levels"].items()
        ],
        "deviations": {rule: {**d, "status": notes.get(rule, "not exercised in this run")} for rule, d in declared["deviations"].items()},
        "rules": _rule_outcomes(records),
    }
    certificate["digest"] = digest(certificate)
    return certificate


def _level_description(name: str) -> str:
    return next(level.description for level in LEVELS if level.name == name)


def _rule_outcomes(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_rule.setdefault(record["rule"], []).append(record)
    rows = []
    for rule_id, checks in sorted(by_rule.items()):
        outcomes = [NOT_APPLICABLE if r.get("skip") == SkipKind.NOT_DECLARED.value else r["outcome"] for r in checks]
        rows.append(
            {
                "id": rule_id,
                "level": checks[0]["level"],
                "outcome": min(outcomes, key=RULE_SEVERITY.index),
                "checks": len(checks),
            }
        )
    return rows


def digest(certificate: dict[str, Any]) -> str:
    content = {k: v for k, v in certificate.items() if k != "digest"}
    return "sha256:" + hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


# libyaml's emitter where PyYAML has it: the pure-Python one took 70 ms a certificate (a fault run writes 100).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write(results: dict[str, Any], target_name: str, directory: Path) -> Path:
    """reports/<target>/conformance-report.yaml and badge.svg, for a target with declarations."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate = build(results, target_name)
    path = directory / "conformance-report.yaml"
    text = yaml.dump(certificate, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    (directory / "badge.svg").write_text(badge(certificate), encoding="utf-8")
    return path


def write_all(results: dict[str, Any], directory: Path) -> None:
    """A certificate and badge per target that has declarations (every target this suite ran), in
    ``directory/<target>/``: what a run and ``merge`` alike leave behind."""
    for name, target in results["targets"].items():
        if "declared" in target:
            write(results, name, directory / name)


def badge(certificate: dict[str, Any]) -> str:
    """A shields-style SVG: the levels reached, green when core is reached."""
    reached = [level["name"] for level in certificate["levels"] if is_reached(level["result"])]
    core = next((level for level in certificate["levels"] if level["name"] == "core"), None)
    ok = core is not None and is_reached(core["result"])
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
    broken = {o.value for o in Outcome if o.broken}
    problems = [f"{rule} {outcome}" for rule, outcome in outcomes.items() if outcome in broken]
    for level in certificate["levels"]:
        if not is_reached(level["result"]):
            continue
        spec = next((l for l in LEVELS if l.name == level["name"]), None)
        required = [r.id for r in spec.rules(catalogue)] if spec else []
        missing = [rule for rule in required if rule not in outcomes]
        skipped = [rule for rule in required if outcomes.get(rule) in (Outcome.SKIPPED.value, Outcome.BLOCKED.value)]
        if missing:
            problems.append(f"level {level['name']} claims reached but rules are missing: {', '.join(missing)}")
        if skipped:
            problems.append(f"level {level['name']} claims reached but rules were skipped: {', '.join(skipped)}")
    if not any(level["name"] == "core" and is_reached(level["result"]) for level in certificate["levels"]):
        problems.append("core level not reached")
    return problems

"""The certificate a provider publishes: reports/<target>/conformance-report.yaml (+ badge.svg).

In the spirit of Gateway API's ConformanceReport: the target's declarations (no secrets), the suite
and rules versions, each level's result with its counts, the outcome of every rule, declared
deviations, the evidence the verdicts rest on (every exchange, redacted, in ``evidence/`` beside the
certificate), a digest over all of it, and optionally a provider's signature (signing.py).
``python -m conformance verify PATH`` is what a reader of a published certificate runs: it re-judges
every verdict from the evidence, offline, and says whether and by which key it is signed. Neither
evidence nor a valid signature: never reported as verified.

Built from results.json alone, so a single run and ``merge`` write the same certificate.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import yaml

from conformance import __version__
from conformance.levels import LEVELS, is_reached
from conformance.outcomes import BROKEN_VALUES, SEVERITY, Outcome, SkipKind
from conformance.report.signing import signed_by
from conformance.report.verdict import claimed_levels
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


EVIDENCE = "evidence"  # the folder beside the certificate that holds its exchanges


def build(results: dict[str, Any], target_name: str, evidence: Path | None = None) -> dict[str, Any]:
    """The certificate of one target of a results.json document (with the evidence folder its
    verdicts rest on, where there is one)."""
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
        "rules": rule_outcomes(records),
    }
    if evidence is not None and evidence.is_dir():
        files = [path for path in evidence.iterdir() if path.is_file()]
        certificate["evidence"] = {
            "folder": EVIDENCE,
            "exchanges": sum(1 for path in files if path.name.endswith(".meta.json")),
            "digest": evidence_digest(evidence),
        }
    certificate["digest"] = digest(certificate)
    return certificate


def _level_description(name: str) -> str:
    return next(level.description for level in LEVELS if level.name == name)


def rule_outcomes(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
    """Over everything but the digest itself and the signature (which signs the digest)."""
    content = {k: v for k, v in certificate.items() if k not in ("digest", "signature")}
    return "sha256:" + hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


# libyaml's emitter where PyYAML has it: the pure-Python one took 70 ms a certificate (a fault run writes 100).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(certificate: dict[str, Any]) -> str:
    return yaml.dump(certificate, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def write(results: dict[str, Any], target_name: str, directory: Path) -> Path:
    """reports/<target>/conformance-report.yaml and badge.svg, for a target with declarations."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate = build(results, target_name, directory / EVIDENCE)
    path = directory / "conformance-report.yaml"
    path.write_text(dump(certificate), encoding="utf-8")
    (directory / "badge.svg").write_text(badge(certificate), encoding="utf-8")
    return path


def write_all(results: dict[str, Any], directory: Path) -> None:
    """A certificate and badge per target that has declarations (every target this suite ran), in
    ``directory/<target>/``: what a run and ``merge`` alike leave behind."""
    for name, target in results["targets"].items():
        if "declared" in target:
            write(results, name, directory / name)


def evidence_digest(folder: Path) -> str:
    """sha256 over every file of the evidence folder: its name and its bytes' own sha256."""
    entries = sorted((path.name, hashlib.sha256(path.read_bytes()).hexdigest()) for path in folder.iterdir() if path.is_file())
    return "sha256:" + hashlib.sha256(json.dumps(entries).encode()).hexdigest()


def badge(certificate: dict[str, Any]) -> str:
    """A shields-style SVG saying what the report's verdict says: the levels reached, green when every
    claimed level is, amber with the ones missed when core is but others are not, red without core."""
    levels = {level["name"]: level for level in certificate["levels"]}
    reached, missed = claimed_levels(levels)
    label = "gemini conformance"
    if "core" not in reached:
        value, colour = "not conformant: core not reached", "#c62828"
    elif missed:
        value, colour = f"{' · '.join(reached)} (not {', '.join(missed)})", "#a15c00"
    else:
        value, colour = " · ".join(reached), "#2e7d32"
    left, right = 7 * len(label) + 12, 7 * len(value) + 12
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" role="img" '
        f'aria-label="{escape(label)}: {escape(value)}"><title>{escape(label)}: {escape(value)}</title>'
        f'<rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="6" y="14">{escape(label)}</text><text x="{left + 6}" y="14">{escape(value)}</text></g></svg>\n'
    )


@dataclass
class Verification:
    """What ``verify`` found: why the certificate cannot be trusted ([] when it verifies), which key
    signed it, and how its verdicts were re-judged."""

    problems: list[str] = field(default_factory=list)
    signed_by: str | None = None
    rejudged: str = ""  # "" when there was no evidence to re-judge from
    certificate: dict[str, Any] | None = None


def verify(path: Path, *, rejudge_from_evidence: bool = True) -> Verification:
    """Check the certificate at ``path``: its schema, digest, versions and signature, and every
    verdict against its evidence (a replay of it judged by this suite, offline)."""
    try:
        certificate = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        return Verification([f"cannot read {path}: {error}"])
    violations = validate("certificate", certificate)
    if violations:
        return Verification([f"not a conformance report: at {v.path}: {v.message}" for v in violations[:5]])
    found = Verification(certificate=certificate)
    if certificate["digest"] != digest(certificate):
        found.problems.append("digest mismatch: the report was edited after the suite wrote it")
    version = certificate["suite"]["version"]
    same_catalogue = version == __version__ and certificate["suite"]["rulesVersion"] == rules_version()
    if version not in KNOWN_SUITE_VERSIONS:
        found.problems.append(f"unknown suite version {version} (known: {', '.join(KNOWN_SUITE_VERSIONS)})")
    elif not same_catalogue:
        found.problems.append("made with a different rule catalogue than this suite's: its verdicts cannot be re-judged here")
    found.signed_by, bad_signature = signed_by(certificate)
    if bad_signature:
        found.problems.append(bad_signature)
    unproven: list[str] = []
    if "evidence" in certificate and same_catalogue and rejudge_from_evidence:
        unproven = _judged_again(certificate, path.parent / certificate["evidence"]["folder"], found)
    if unproven and found.signed_by is None:
        found.problems.append(f"no evidence supports {len(unproven)} verdict(s) and no signature vouches for them: {', '.join(unproven[:8])}")
    if "evidence" not in certificate and found.signed_by is None:
        found.problems.append("neither evidence to re-judge its verdicts nor a signature: nothing shows they are the suite's")
    found.problems += _rule_problems(certificate)
    return found


def _judged_again(certificate: dict[str, Any], folder: Path, found: Verification) -> list[str]:
    """Re-judge the certificate's verdicts from its evidence; the rules the evidence cannot speak
    to (a relay's upstream side, a timeout). Contradictions go into ``found.problems``."""
    if not folder.is_dir():
        found.problems.append(f"its evidence folder {folder.name}/ is missing")
        return []
    if evidence_digest(folder) != certificate["evidence"]["digest"]:
        found.problems.append("the evidence was changed after the certificate was written")
        return []
    from conformance.report.rejudge import rejudge

    again, failure = rejudge(certificate, folder)
    if failure:
        found.problems.append(f"its evidence could not be re-judged: {failure}")
        return []
    contradicted, unproven = [], []
    for row in certificate["rules"]:
        said, now = row["outcome"], again.get(row["id"], "nothing")
        if said == now or said in (NOT_APPLICABLE, Outcome.TIMEOUT.value):
            continue
        (unproven if now in (Outcome.SKIPPED.value, NOT_APPLICABLE, "nothing") else contradicted).append(f"{row['id']} ({said}; evidence: {now})")
    if contradicted:
        found.problems.append(f"its evidence contradicts {len(contradicted)} verdict(s): {', '.join(contradicted[:8])}")
    found.rejudged = f"{len(certificate['rules']) - len(contradicted) - len(unproven)} of {len(certificate['rules'])} rules re-judged from {certificate['evidence']['exchanges']} exchanges"
    return unproven


def _rule_problems(certificate: dict[str, Any]) -> list[str]:
    catalogue = load_all_rules()
    outcomes = {row["id"]: row["outcome"] for row in certificate["rules"]}
    problems = [f"{rule} {outcome}" for rule, outcome in outcomes.items() if outcome in BROKEN_VALUES]
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

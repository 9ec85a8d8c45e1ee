"""python -m conformance COMMAND: the suite's own tools (the checks themselves run with pytest).

  rules                         print the rule catalogue as Markdown (RULES.md)
  truth [PATH]                  judge recorded answers with every rule's check (default: the carried
                                Google recordings); Vertex AI recordings apart
  verify PATH                   check a published conformance-report.yaml: re-judge its verdicts from
                                its evidence (offline), and say whether and by which key it is signed
  sign PATH --key KEY.pem       sign a conformance-report.yaml with a provider's Ed25519 key
  keygen KEY.pem                make a new Ed25519 private key for signing
  merge RESULTS... --out DIR    merge nightly results.json files into one results.json, report.html
                                and a certificate and badge per target
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m conformance",
        description="The gemini-conformance suite's own tools. The checks themselves run with pytest: pytest --target NAME.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    commands.add_parser("rules", help="print the rule catalogue as Markdown (RULES.md)", description="Print the rule catalogue as Markdown.")
    truth = commands.add_parser(
        "truth",
        help="judge recorded answers with every rule's own check",
        description="Judge a folder of recordings (sidecars NNN-name.meta.json beside their bodies) with every rule whose precondition a recording shows. Exits 1 if a rule fails a Gemini API recording.",
    )
    truth.add_argument("path", nargs="?", type=Path, metavar="PATH", help="a folder of recordings (default: conformance/recordings/google)")
    verify = commands.add_parser(
        "verify",
        help="check a published conformance-report.yaml",
        description="Check a certificate: its schema and digest, its suite and rule catalogue versions, and that no required rule failed or was skipped.",
    )
    verify.add_argument("path", type=Path, metavar="PATH", help="a conformance-report.yaml")
    sign = commands.add_parser(
        "sign",
        help="sign a conformance-report.yaml with a provider's Ed25519 key",
        description="Add an Ed25519 signature over the certificate's digest; verify then names the key that signed it.",
    )
    sign.add_argument("path", type=Path, metavar="PATH", help="a conformance-report.yaml")
    sign.add_argument("--key", required=True, type=Path, metavar="KEY.pem", help="an unencrypted PEM Ed25519 private key (keygen makes one)")
    keygen = commands.add_parser("keygen", help="make a new Ed25519 private key for signing", description="Write a new Ed25519 private key (PEM) and print its key id.")
    keygen.add_argument("path", type=Path, metavar="KEY.pem", help="where to write it (not overwritten)")
    merge = commands.add_parser(
        "merge",
        help="merge results.json files into one report, with a certificate and badge per target",
        description="Merge nightly results.json files (one per target) into DIR/results.json, DIR/report.html and DIR/<target>/conformance-report.yaml + badge.svg.",
    )
    merge.add_argument("results", nargs="+", type=Path, metavar="RESULTS", help="results.json files, each target in one of them")
    merge.add_argument("--out", required=True, type=Path, metavar="DIR", help="where the merged report goes")
    return parser


def main(argv: list[str]) -> int:
    try:
        options = _parser().parse_args(argv)
    except SystemExit as exit:  # --help (0) or a usage error (2): argparse has said why
        return int(exit.code or 0)
    if options.command == "rules":
        from conformance.catalogue import markdown

        sys.stdout.write(markdown())
        return 0
    if options.command == "truth":
        return _truth(options.path)
    if options.command == "verify":
        return _verify(options.path)
    if options.command == "sign":
        return _sign(options.path, options.key)
    if options.command == "keygen":
        return _keygen(options.path)
    from conformance.report.merge import MergeError, merge

    try:
        out = merge(options.results, options.out)
    except MergeError as error:
        print(f"merge: {error}", file=sys.stderr)
        return 2
    print(f"merged {len(options.results)} results into {out} (results.json, report.html, <target>/conformance-report.yaml)")
    return 0


def _verify(path: Path) -> int:
    from conformance.levels import is_reached
    from conformance.report.certificate import verify

    found = verify(path)
    signed = f"signed by {found.signed_by}" if found.signed_by else "not signed"
    if found.problems:
        print(f"{path}: NOT verified ({signed})", file=sys.stderr)
        for problem in found.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    certificate = found.certificate or {}
    reached = [level["name"] for level in certificate["levels"] if is_reached(level["result"])]
    how = [found.rejudged or "no evidence shipped: its verdicts rest on the signature alone", signed]
    print(f"{path}: verified: {certificate['target']['name']} reached {', '.join(reached)}; {'; '.join(how)}")
    return 0


def _sign(path: Path, key: Path) -> int:
    import yaml

    from conformance.report.certificate import digest, dump
    from conformance.report.signing import SigningError, sign

    try:
        certificate = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(certificate, dict) or certificate.get("digest") != digest(certificate):
            print(f"sign: {path}: not a certificate as the suite wrote it (its digest does not match): verify it first", file=sys.stderr)
            return 1
        signed = sign(certificate, key.read_bytes())
    except (OSError, yaml.YAMLError, SigningError) as error:
        print(f"sign: {error}", file=sys.stderr)
        return 2
    path.write_text(dump(signed), encoding="utf-8")
    print(f"{path}: signed by {signed['signature']['keyId']} (publish the public key {signed['signature']['publicKey']})")
    return 0


def _keygen(path: Path) -> int:
    from conformance.report.signing import new_key

    if path.exists():
        print(f"keygen: {path} exists; not overwritten", file=sys.stderr)
        return 2
    print(f"{path}: new Ed25519 private key {new_key(path)} (keep it secret; sign with: python -m conformance sign CERT --key {path})")
    return 0


def _truth(path: Path | None) -> int:
    from conformance.recordings import GOOGLE, load
    from conformance.truth import Verdict, judge_all, tally

    folder = path or GOOGLE
    if not folder.is_dir():
        print(f"truth: no such folder: {folder}", file=sys.stderr)
        return 2
    recordings = load(folder)
    failed_gemini = 0
    for api in sorted({recording.api for recording in recordings}):
        judged = judge_all(recording for recording in recordings if recording.api == api)
        print(f"{api}: {sum(1 for r in recordings if r.api == api)} recordings")
        for rule, counts in sorted(tally(judged).items()):
            print(f"  {rule}: " + ", ".join(f"{n} {verdict.value}" for verdict, n in counts.items() if n))
        for judgement in judged:
            if judgement.verdict is Verdict.FAILED:
                print(f"  FAILED {judgement.rule} on {judgement.recording}: {judgement.why}")
                failed_gemini += api == "gemini"
    return 1 if failed_gemini else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

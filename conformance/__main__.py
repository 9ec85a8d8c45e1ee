"""python -m conformance COMMAND: the suite's own tools (the checks themselves run with pytest).

  rules                         print the rule catalogue as Markdown (RULES.md)
  verify PATH                   check a published conformance-report.yaml
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
    verify = commands.add_parser(
        "verify",
        help="check a published conformance-report.yaml",
        description="Check a certificate: its schema and digest, its suite and rule catalogue versions, and that no required rule failed or was skipped.",
    )
    verify.add_argument("path", type=Path, metavar="PATH", help="a conformance-report.yaml")
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
    if options.command == "verify":
        return _verify(options.path)
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

    problems = verify(path)
    if problems:
        print(f"{path}: NOT verified", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    import yaml

    certificate = yaml.safe_load(path.read_text(encoding="utf-8"))
    reached = [level["name"] for level in certificate["levels"] if is_reached(level["result"])]
    print(f"{path}: verified: {certificate['target']['name']} reached {', '.join(reached)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

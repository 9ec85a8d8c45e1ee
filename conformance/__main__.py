"""python -m conformance COMMAND: the suite's own tools (the checks themselves run with pytest).

  rules                         print the rule catalogue as Markdown (RULES.md)
  verify PATH                   check a published conformance-report.yaml
  merge RESULTS... --out DIR    merge nightly results.json files into one results.json, report.html
                                and a certificate and badge per target
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    command, *args = argv or [""]
    if command == "rules" and not args:
        from conformance.catalogue import markdown

        sys.stdout.write(markdown())
        return 0
    if command == "verify" and len(args) == 1:
        return _verify(Path(args[0]))
    if command == "merge" and len(args) >= 3 and args[-2] == "--out":
        from conformance.report.merge import MergeError, merge

        try:
            out = merge([Path(a) for a in args[:-2]], Path(args[-1]))
        except MergeError as error:
            print(f"merge: {error}", file=sys.stderr)
            return 2
        print(f"merged {len(args) - 2} results into {out} (results.json, report.html, <target>/conformance-report.yaml)")
        return 0
    print(__doc__.strip(), file=sys.stderr)
    return 2


def _verify(path: Path) -> int:
    from conformance.report.certificate import verify

    problems = verify(path)
    if problems:
        print(f"{path}: NOT verified", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    import yaml

    certificate = yaml.safe_load(path.read_text(encoding="utf-8"))
    reached = [level["name"] for level in certificate["levels"] if level["result"].startswith("reached")]
    print(f"{path}: verified: {certificate['target']['name']} reached {', '.join(reached)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""python -m conformance COMMAND: the suite's own tools (run the checks with pytest)."""

from __future__ import annotations

import sys

USAGE = "usage: python -m conformance rules   (print the rule catalogue as Markdown)"


def main(argv: list[str]) -> int:
    if argv == ["rules"]:
        from conformance.catalogue import markdown

        sys.stdout.write(markdown())
        return 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

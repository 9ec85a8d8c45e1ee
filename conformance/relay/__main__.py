"""Command line: run the test relay in the foreground, in front of an upstream.

    python -m conformance.relay --upstream URL --upstream-key K [--key CLIENT_KEY] [--port P]
        [--host 127.0.0.1] [--fault NAME]... [--list-faults]

Prints one line, the base URL, once the relay serves; runs until interrupted. With the scripted
upstream (python -m conformance.reference --upstream) it is the whole fidelity loop by hand.
"""

from __future__ import annotations

import argparse
import sys

from conformance.reference.__main__ import serve

from . import RELAY_FAULTS, RelayConfig, RelayServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.relay", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--key", help="the key clients must present (default: no auth)")
    parser.add_argument("--upstream", help="the upstream's base URL, e.g. http://127.0.0.1:8089")
    parser.add_argument("--upstream-key", help="the relay's upstream credential (sent as x-goog-api-key)")
    parser.add_argument("--fault", action="append", default=[], help="relay fault to inject; repeatable (see --list-faults)")
    parser.add_argument("--list-faults", action="store_true", help="list the relay faults and exit")
    args = parser.parse_args(argv)
    if args.list_faults:
        for fault in RELAY_FAULTS.values():
            print(f"{fault.name}\tbreaks={','.join(fault.breaks)}\t{fault.description}")
        return 0
    if not (args.upstream and args.upstream_key):
        print("error: --upstream URL and --upstream-key K are required", file=sys.stderr)
        return 2
    try:
        config = RelayConfig(args.key, args.upstream, args.upstream_key, tuple(args.fault))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return serve(RelayServer(config, host=args.host, port=args.port))


if __name__ == "__main__":
    sys.exit(main())

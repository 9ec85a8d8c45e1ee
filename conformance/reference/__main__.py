"""Command line: run a reference gateway in the foreground.

    python -m conformance.reference --port 8080 [--host 127.0.0.1] [--key K] [--profile NAME]
        [--fault NAME]... [--latency-ms N] [--stream-interval-ms N] [--list-faults] [--list-profiles]

Prints one line, the base URL, once the gateway serves; runs until interrupted.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .config import GatewayConfig
from .faults import FAULTS
from .profiles import PROFILES
from .server import ReferenceGateway


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m conformance.reference", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--key", help="the one accepted API key (default: no auth)")
    parser.add_argument("--profile", default="full", help="gateway profile to emulate (see --list-profiles)")
    parser.add_argument("--fault", action="append", default=[], help="fault to inject; repeatable (see --list-faults)")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay before every response")
    parser.add_argument("--stream-interval-ms", type=int, default=15, help="pause between streamed events")
    parser.add_argument("--list-faults", action="store_true", help="list the faults and exit")
    parser.add_argument("--list-profiles", action="store_true", help="list the profiles and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list_profiles:
        for profile in PROFILES.values():
            auth, actions = ",".join(profile.auth), ",".join(profile.actions)
            print(f"{profile.name}\t{profile.source}\tauth={auth}\tactions={actions}")
    if args.list_faults:
        for fault in FAULTS.values():
            print(f"{fault.name}\tbreaks={','.join(fault.breaks)}\t{fault.description}")
    if args.list_profiles or args.list_faults:
        return 0
    try:
        config = GatewayConfig(
            key=args.key,
            profile=args.profile,
            faults=tuple(args.fault),
            latency_ms=args.latency_ms,
            stream_interval_ms=args.stream_interval_ms,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    gateway = ReferenceGateway(config, host=args.host, port=args.port)
    try:
        print(gateway.start(), flush=True)
    except (OSError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    while not stopped.wait(0.5):
        pass
    gateway.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

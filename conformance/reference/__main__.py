"""Command line: run a reference gateway in the foreground.

    python -m conformance.reference --port 8080 [--host 127.0.0.1] [--key K] [--profile NAME]
        [--fault NAME]... [--latency-ms N] [--stream-interval-ms N] [--path-prefix /P]
        [--rate-limited-key K] [--list-faults] [--list-profiles]
    python -m conformance.reference --upstream --port P --key UPSTREAM_KEY [--silence-s N]
        (the scripted upstream a relaying gateway is pointed at for the fidelity checks)

Prints one line, the base URL, once the gateway serves; runs until interrupted.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from conformance.targets import DEFAULT_SILENCE_S

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
    parser.add_argument("--path-prefix", default="", help="serve the API under this path, e.g. /gemini")
    parser.add_argument("--rate-limited-key", help="a key whose quota is used up: always answered with 429")
    parser.add_argument("--upstream", action="store_true", help="serve the scripted upstream (fidelity mode); --key is its credential")
    parser.add_argument(
        "--silence-s", type=float, default=DEFAULT_SILENCE_S, help=f"with --upstream: the long-silence scenario's wait (default {DEFAULT_SILENCE_S:g} s)"
    )
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
    if args.upstream:
        return _serve_upstream(args)
    try:
        config = GatewayConfig(
            key=args.key,
            profile=args.profile,
            faults=tuple(args.fault),
            latency_ms=args.latency_ms,
            stream_interval_ms=args.stream_interval_ms,
            path_prefix=args.path_prefix,
            rate_limited_key=args.rate_limited_key,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return serve(ReferenceGateway(config, host=args.host, port=args.port))


def _serve_upstream(args: argparse.Namespace) -> int:
    from conformance.upstream import ScriptedUpstream, UpstreamConfig

    if not args.key:
        print("error: --upstream needs --key: the upstream credential the gateway is configured with", file=sys.stderr)
        return 2
    return serve(ScriptedUpstream(UpstreamConfig(key=args.key, silence_s=args.silence_s), host=args.host, port=args.port))


def serve(gateway: ReferenceGateway) -> int:
    """Start, print the base URL, run until SIGINT/SIGTERM."""
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

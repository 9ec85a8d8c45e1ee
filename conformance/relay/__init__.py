"""The test relay: a minimal pass-through Gemini gateway, for the fidelity checks' self-tests.

The `local-relay` target (targets.yaml: `reference: relay`) is this relay in front of the scripted
upstream (conformance/upstream/), both started by the suite. Started with relay faults
(`reference: {profile: relay, faults: [...]}`, table in faults.py) it reproduces realistic relaying
bugs, each of which must break the fidelity rules it names.

    with ScriptedUpstream(UpstreamConfig(key="up")) as upstream:
        with RelayServer(RelayConfig(key="k", upstream_url=upstream.base_url, upstream_key="up")) as relay:
            httpx.post(f"{relay.base_url}/v1beta/models/gemini-2.5-flash:generateContent", ...)
"""

from __future__ import annotations

from starlette.applications import Starlette

from conformance.reference.config import GatewayConfig
from conformance.reference.server import ReferenceGateway

from .app import build_relay_app
from .config import RELAY_PROFILE, RELAY_SILENCE_S, RelayConfig
from .faults import RELAY_FAULTS, RelayFault


class RelayServer(ReferenceGateway):
    """The test relay on http://host:port (port 0: any free port)."""

    def __init__(self, config: RelayConfig, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(GatewayConfig(), host, port)
        self.relay_config = config

    def _build_app(self) -> Starlette:
        return build_relay_app(self.relay_config)


__all__ = ["RELAY_FAULTS", "RELAY_PROFILE", "RELAY_SILENCE_S", "RelayConfig", "RelayFault", "RelayServer"]

"""The built-in reference gateway: a clean Gemini API v1beta endpoint over a deterministic fake model.

It can emulate the documented surface of each seed gateway (PROFILES) and be started with named
faults (FAULTS), each reproducing one realistic gateway bug, so the conformance checks can be
shown to pass on a clean gateway and to fail on a broken one.

    with ReferenceGateway(GatewayConfig(key="k", faults=("done_sentinel",))) as gateway:
        httpx.post(f"{gateway.base_url}/v1beta/models/gemini-2.5-flash:generateContent", ...)
"""

from __future__ import annotations

from .config import GatewayConfig
from .faults import FAULTS, Fault
from .profiles import PROFILES, Profile
from .server import ReferenceGateway

__all__ = ["FAULTS", "PROFILES", "Fault", "GatewayConfig", "Profile", "ReferenceGateway"]

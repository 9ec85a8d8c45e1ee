"""The scripted Gemini upstream: what a relaying gateway is pointed at for the fidelity checks.

    python -m conformance.reference --upstream --port P --key UPSTREAM_KEY [--silence-s N]

It is the reference gateway (profile `full`) behind one credential, the upstream key, which it
accepts in any placement (recording where it came) with two additions:

- **Scenarios.** A request whose text carries a marker `gcfid:<scenario>:<nonce>` (the suite puts it
  in the prompt, so it survives any gateway) is answered from SCENARIOS instead of the fake model:
  a cumulative stream with delays, thought parts and signatures, parallel function calls, MAX_TOKENS
  and SAFETY finishes, a blocked prompt, 429 with RetryInfo, 500, an error after the first chunk, a
  dropped connection, an 8 MB inline image, a long silence before the first byte, ...
- **A recorder.** Every request it receives is recorded (method, path, query, headers, body), and for
  scenario requests also what it answered: the status and each body or stream event, with the time
  it was sent (seconds after the request arrived). The suite reads the records in process
  (`ScriptedUpstream.recorded(marker)`) or over HTTP: `GET /__recorded?marker=M`, guarded by the
  upstream key (x-goog-api-key or ?key=). Keys are recorded as sent: the checks look for them.

Requests without a marker get the reference gateway's answers, so every other conformance check
passes through a clean relay unchanged.

An instrument of the suite, not part of the reference gateway's spec (it is built on it):
``records`` holds what it received and sent, ``scenarios`` what it answers to each marker,
``server`` the app, ``ScriptedUpstream`` (in process) and ``RemoteUpstream`` (over HTTP).
"""

from __future__ import annotations

from .records import MARKER, Recorded, SentEvent, marker
from .scenarios import SCENARIOS, Call, Script
from .server import DEFAULT_SILENCE_S, RemoteUpstream, ScriptedUpstream, UpstreamConfig

__all__ = [
    "DEFAULT_SILENCE_S",
    "MARKER",
    "SCENARIOS",
    "Call",
    "Recorded",
    "RemoteUpstream",
    "Script",
    "ScriptedUpstream",
    "SentEvent",
    "UpstreamConfig",
    "marker",
]

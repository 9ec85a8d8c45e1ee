"""Recorded exchanges: what a server really answered, kept so that checks can judge it again.

A recording is one response body with its sidecar (``NNN-name.meta.json``): where it comes from
(``source_repo``, ``path``, ``commit``), which API and action answered (``api``, ``kind``,
``model``), the status and headers, how exact the bytes are (``body_fidelity``), a summary of what
was asked (``request``) and, for streams, where known, when each event arrived (``event_times_s``).
``conformance/recordings/google/`` carries the Gemini API recordings the truth self-test judges
(``carry.py`` says which); a replay target serves a folder of them over HTTP
(``conformance/reference/replay.py``).

``Recording.exchange()`` gives the recording as the client would have received it, so a check
reads a recorded answer exactly as it reads a live one.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx

from conformance.client.exchange import Exchange
from conformance.client.redact import Redactor

GOOGLE = Path(__file__).parent / "google"
GEMINI_HOST = "https://generativelanguage.googleapis.com/v1beta"
# A body kept byte for byte, framing included; the other fidelities keep values, not layout.
RAW_BYTES = "raw-bytes"
KIND_ACTIONS = {
    "generate": "generateContent",
    "stream_sse": "streamGenerateContent",
    "count_tokens": "countTokens",
    "batch_embed": "batchEmbedContents",
    "embed": "embedContent",
}


@dataclass(frozen=True)
class Recording:
    id: str  # <source folder>/<file stem>
    meta: dict[str, Any] = field(repr=False)
    body: bytes = field(repr=False)

    # What was asked and who answered.

    @property
    def api(self) -> str:
        return self.meta.get("api", "")

    @property
    def kind(self) -> str:
        """generate, stream_sse, count_tokens, batch_embed, embed, or error:<one of those>."""
        return self.meta.get("kind", "")

    @property
    def answers(self) -> str:
        """The kind of request it answers, error or not."""
        return self.kind.removeprefix("error:")

    @property
    def is_error(self) -> bool:
        return self.kind.startswith("error:") or self.status >= 400

    @property
    def is_stream(self) -> bool:
        return self.answers == "stream_sse"

    @property
    def model(self) -> str | None:
        return self.meta.get("model")

    @property
    def status(self) -> int:
        return int(self.meta.get("status") or 0)

    @property
    def request(self) -> dict[str, Any]:
        """The sidecar's summary of the request; {} where the source kept none."""
        return self.meta.get("request") or {}

    @property
    def fidelity(self) -> str:
        return self.meta.get("body_fidelity", "")

    @property
    def exact_bytes(self) -> bool:
        return self.fidelity == RAW_BYTES

    @property
    def headers(self) -> list[tuple[str, str]]:
        """The recorded response headers; [] where the source kept none."""
        return [(name, value) for name, values in (self.meta.get("headers") or {}).items() for value in values]

    @property
    def event_times(self) -> list[float] | None:
        """Seconds after the request at which each stream event arrived, where recorded."""
        times = self.meta.get("event_times_s")
        return [float(t) for t in times] if times else None

    @property
    def source(self) -> str:
        return f"{self.meta.get('source_repo')} {self.meta.get('path')} @ {str(self.meta.get('commit'))[:12]}"

    # The body as served.

    @cached_property
    def events(self) -> list[bytes]:
        """A stream's event payloads (the JSON after ``data:``), in order."""
        if not self.is_stream:
            return []
        if self.meta.get("body_file", "").endswith(".jsonl"):
            return [line for line in self.body.splitlines() if line.strip()]
        events = []
        for block in self.body.replace(b"\r\n", b"\n").split(b"\n\n"):
            data = [line[5:].lstrip(b" ") for line in block.split(b"\n") if line.startswith(b"data:")]
            if data:
                events.append(b"\n".join(data))
        return events

    @cached_property
    def served(self) -> bytes:
        """The body as it went over the wire: payload lines get the ``data:`` framing Google uses."""
        if self.is_stream and not self.exact_bytes and self.meta.get("body_file", "").endswith(".jsonl"):
            return b"".join(b"data: " + event + b"\r\n\r\n" for event in self.events)
        return self.body

    @cached_property
    def event_ends(self) -> list[int]:
        """Where each event of the served stream ends: after its blank line (or at the body's end)."""
        served, offset, ends = self.served, 0, []
        for event in self.events:
            offset = served.index(event, offset) + len(event)
            blanks = [found + len(blank) for blank in (b"\r\n\r\n", b"\n\n") if (found := served.find(blank, offset)) >= 0]
            offset = min(blanks) if blanks else len(served)
            ends.append(offset)
        return ends

    @property
    def error_reason(self) -> str | None:
        """The reason its error's ErrorInfo detail names (API_KEY_INVALID, ...), if any."""
        body = self.json
        details = (body.get("error") or {}).get("details") if isinstance(body, dict) and isinstance(body.get("error"), dict) else None
        return next((d["reason"] for d in details or () if isinstance(d, dict) and d.get("reason")), None)

    @property
    def url(self) -> str:
        uri = self.meta.get("uri")
        if uri:
            return uri
        action = KIND_ACTIONS.get(self.answers, "generateContent")
        query = "?alt=sse" if self.is_stream else ""
        return f"{GEMINI_HOST}/models/{self.model or 'unknown'}:{action}{query}"

    def summarised_request(self) -> dict[str, Any] | None:
        """The request as far as the sidecar tells it: its generationConfig and toolConfig, and each
        declared function with its parameter names (types and the rest were not kept). None where
        the source kept no summary."""
        request = self.request
        if not request:
            return None
        functions = (request.get("tools") or {}).get("functions") or {}
        summary: dict[str, Any] = {key: request[key] for key in ("generationConfig", "toolConfig") if key in request}
        if functions:
            declarations = [{"name": name, "parameters": {"type": "object", "properties": dict.fromkeys(params, {})}} for name, params in functions.items()]
            summary["tools"] = [{"functionDeclarations": declarations}]
        return summary

    def exchange(self) -> Exchange:
        """The recording as the suite's client would have received it."""
        served = self.served
        # Where the arrival of each event is known, the reads say so; else the body came in one read.
        reads = [(0.0, len(served))]
        times = self.event_times
        if times and len(times) == len(self.events):
            reads = [(t, end) for t, end in zip(times, self.event_ends)]
            reads[-1] = (times[-1], len(served))
        return Exchange(
            method="POST" if self.answers != "list_models" else "GET",
            url=self.url,
            request_headers=[],
            request_body=json.dumps(summary).encode() if (summary := self.summarised_request()) is not None else None,
            curl=f"# recorded: {self.id} ({self.source})",
            action=KIND_ACTIONS.get(self.answers),
            model=self.model,
            redactor=Redactor(),
            status=self.status,
            headers=httpx.Headers(self.headers),
            body=served,
            ttfb=reads[0][0],
            elapsed=reads[-1][0],
            reads=reads,
        )

    @cached_property
    def json(self) -> Any:
        """A whole body's JSON, or None (a stream, or not JSON)."""
        if self.is_stream:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def summarise_request(body: Any) -> dict[str, Any]:
    """A request body summarised as a sidecar's ``request`` summarises it: generationConfig, the
    number of turns, whether a systemInstruction was sent, the tools (function names with their
    parameter names, built-in tools) and toolConfig."""
    if not isinstance(body, dict):
        return {}
    tools = body.get("tools") or []
    functions = {
        declaration.get("name"): sorted(((declaration.get("parameters") or {}).get("properties") or {}))
        for tool in tools if isinstance(tool, dict) for declaration in tool.get("functionDeclarations") or ()
    }
    builtin = sorted(key for tool in tools if isinstance(tool, dict) for key in tool if key != "functionDeclarations")
    contents = body.get("contents") if isinstance(body.get("contents"), list) else []
    summarised: dict[str, Any] = {"generationConfig": body.get("generationConfig") or {}, "contents": len(contents)}
    if body.get("systemInstruction"):
        summarised["systemInstruction"] = True
    if tools:
        summarised["tools"] = {"functions": functions, "builtin": builtin}
    if "toolConfig" in body:
        summarised["toolConfig"] = body["toolConfig"]
    return summarised


def load(folder: Path = GOOGLE) -> list[Recording]:
    """Every recording in ``folder`` (its sidecars, searched recursively), in name order."""
    recordings = []
    for sidecar in sorted(folder.rglob("*.meta.json")):
        meta = json.loads(sidecar.read_text())
        stem = sidecar.name.removesuffix(".meta.json")
        identity = f"{sidecar.parent.relative_to(folder)}/{stem}" if sidecar.parent != folder else stem
        body = sidecar.parent / meta["body_file"]
        # A large body is carried gzipped beside its sidecar (carry.py); its bytes are the same.
        data = body.read_bytes() if body.exists() else gzip.decompress(body.with_name(body.name + ".gz").read_bytes())
        recordings.append(Recording(identity, meta, data))
    return recordings

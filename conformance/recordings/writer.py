"""A run's exchanges, written as recordings: the evidence its verdicts rest on, replayable later.

Every exchange a target's clients complete (the suite's own and the SDK's) is written to
``<report-dir>/<target>/evidence/NNN-<action>.meta.json`` beside its body (unless ``--no-evidence``), in the format of
``conformance/recordings`` (the format Google's recordings are carried in), redacted before it is
written: the key in any form never reaches the file. ``reference: {replay: <that folder>}`` serves
the run again over HTTP, so its verdicts can be judged again without the gateway, offline and free.

Beyond a recording of Google's, a sidecar of the suite's own says which key the request carried
(``request.key``: given, wrong or missing) and, for streams, when each event arrived
(``event_times_s``), so a replay can answer exactly the request that was made.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.client.exchange import Exchange
from conformance.recordings import KIND_ACTIONS, RAW_BYTES, summarise_request

TARGET_FILE = "target.json"  # read by conformance/reference/replay.py

ACTION_KINDS = {action: kind for kind, action in KIND_ACTIONS.items()}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class EvidenceWriter:
    """Writes one target's exchanges into ``folder``, numbered in the order they completed."""

    def __init__(self, folder: Path, target: str, declared: dict[str, Any], base_url: str, suite_version: str) -> None:
        self.folder = folder
        self.target = target
        # What the target declared, for a replay of this folder to declare the same (targets.py
        # declarations_of), and the base URL's own path: a replay serves below its root.
        self.declared = declared | {"base_path": urlsplit(base_url).path.rstrip("/")}
        self.suite_version = suite_version
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def write(self, exchange: Exchange) -> None:
        with self._lock:
            number = next(self._numbers)
            if number == 1:  # a folder of its own: an earlier run's exchanges would answer for this one's
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / TARGET_FILE).write_text(json.dumps(self.declared, indent=1) + "\n", encoding="utf-8")
        stem = f"{number:03d}-{_UNSAFE.sub('-', exchange.action or exchange.method.lower())}"
        meta = sidecar(exchange, self.target, self.suite_version)
        body = exchange.redactor.bytes(exchange.body)
        if body != exchange.body:
            meta["body_fidelity"] = "redacted-bytes"
            meta["fidelity_note"] = "the body as received, with the key replaced by its placeholder"
        extension = ".sse" if meta["kind"].endswith("stream_sse") else ".json" if exchange.is_json else ".body"
        meta["body_file"] = stem + extension
        (self.folder / meta["body_file"]).write_bytes(body)
        (self.folder / f"{stem}.meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def sidecar(exchange: Exchange, target: str, suite_version: str) -> dict[str, Any]:
    """The recording's sidecar for an exchange (everything in it already redacted)."""
    kind = ACTION_KINDS.get(exchange.action or "", exchange.action or "other")
    if exchange.status >= 400 or not exchange.status:
        kind = f"error:{kind}"
    try:
        request = summarise_request(json.loads(exchange.request_body) if exchange.request_body else {})
    except ValueError:
        request = {"unparsed": True}
    request = exchange.redactor.data(request)  # a body may carry anything, the key included
    request["key"] = exchange.key_carried
    request["sha256"] = hashlib.sha256(exchange.request_body or b"").hexdigest()  # a replay answers exactly this request
    headers: dict[str, list[str]] = {}
    for name, value in exchange.redactor.headers(exchange.headers.multi_items()):
        headers.setdefault(name.lower(), []).append(value)
    meta: dict[str, Any] = {
        "source_repo": f"gemini-conformance {suite_version}",
        "path": f"a run against target {target}",
        "commit": None,
        "api": "gemini",
        "kind": kind,
        "model": exchange.model,
        "method": exchange.method,
        "uri": exchange.url,  # redacted when the Exchange was made
        "status": exchange.status,
        "headers": headers,
        "body_fidelity": RAW_BYTES,
        "fidelity_note": "the body exactly as received",
        "request": request,
        "curl": exchange.curl,
        "elapsed_s": round(exchange.elapsed, 4),
    }
    if exchange.transport_error:
        meta["transport_error"] = exchange.redactor.text(exchange.transport_error)
    if kind == "stream_sse":
        meta["event_times_s"] = [round(exchange.arrival(event.end), 4) for event in exchange.sse.chunk_events()]
    return meta

